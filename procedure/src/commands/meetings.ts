/**
 * Meetings: P2 kinds, P3 (a meeting opens at its scheduled start, after which the agenda is
 * fixed), P4 attendance and quorum (who is present, absent with reason, attending without vote;
 * late arrivals and early departures), P10 items not concluded at close are deferred, P14
 * objections unanswered at close are escalated, P16 the record's digest and the minutes number
 * are fixed at close.
 */
import {
  ANY_BODY_ROLE,
  derivedId,
  getMeeting,
  isRefusal,
  meetingActor,
  own,
  refuse,
  bodyActor,
  type Ctx,
  type Handler,
} from '../context.js';
import { outcome, settle } from '../outcomes.js';
import { isPresent } from '../presence.js';
import { meetingDenominator, openingQuorum } from '../quorum.js';
import { buildRecord, recordDigest } from '../record.js';
import { ReportBatch } from '../reports.js';
import type { AttendanceEvent, Meeting, RosterEntry, BodyRole } from '../state.js';
import { escalateObjection } from './oversight.js';

/** The calendar year in China Standard Time (UTC+8, no daylight saving) of `time`. */
export function cstYear(time: number): number {
  return new Date(time + 8 * 3_600_000).getUTCFullYear();
}

/** Chair or recorder: schedule a meeting; it keeps the body's rulebook in force now. */
export const meetingSchedule: Handler<'meeting.schedule'> = (ctx, p) => {
  const body = own(ctx.state.bodies, p.bodyId);
  if (!body) return refuse('UNKNOWN_BODY', undefined, { bodyId: p.bodyId });
  const a = bodyActor(ctx, p.bodyId);
  if (isRefusal(a)) return a;
  if (a.role !== 'chair' && a.role !== 'recorder')
    return refuse('ROLE_NOT_ALLOWED', undefined, { role: a.role });
  if (p.scheduledStart <= ctx.time)
    return refuse('SCHEDULE_IN_PAST', 'P3', { scheduledStart: p.scheduledStart, time: ctx.time });
  return () => {
    const id = derivedId('mtg', ctx.seq);
    const m: Meeting = {
      id,
      bodyId: body.id,
      kind: p.kind,
      title: p.title,
      scheduledStart: p.scheduledStart,
      scheduledSeq: ctx.seq,
      scheduledBy: a.id,
      rulebook: { ...body.rulebook },
      rulebookVersion: body.rulebookVersion,
      state: 'scheduled',
      openedSeq: null,
      openedAt: null,
      closedSeq: null,
      closedAt: null,
      roster: {},
      denominator: 0,
      present: {},
      attendance: [],
      items: [],
      motions: [],
      objections: [],
      current: null,
      minutes: null,
      recordDigest: null,
      signatures: { recorder: null, chair: null },
    };
    ctx.state.meetings[id] = m;
    return { meetingId: id, kind: p.kind, rulebookVersion: body.rulebookVersion };
  };
};

/** Drop a live meeting's items, motions and settled objections from the state. */
export function dropMeeting(ctx: Ctx, m: Meeting): void {
  const s = ctx.state;
  for (const id of m.items) delete s.items[id];
  for (const id of m.motions) delete s.motions[id];
  for (const id of m.objections) {
    const o = own(s.objections, id);
    if (o && !(o.state === 'escalated' && o.ruling === null)) delete s.objections[id];
  }
  delete s.meetings[m.id];
}

/** Chair: cancel a meeting that has not opened. Its items are withdrawn. */
export const meetingCancel: Handler<'meeting.cancel'> = (ctx, p) => {
  const m = getMeeting(ctx, p.meetingId);
  if (isRefusal(m)) return m;
  const a = meetingActor(ctx, m, ['chair']);
  if (isRefusal(a)) return a;
  if (m.state !== 'scheduled') return refuse('MEETING_NOT_SCHEDULED');
  return () => {
    const reports = new ReportBatch(ctx);
    const withdrawn: string[] = [];
    for (const id of m.items) {
      const item = own(ctx.state.items, id);
      if (!item || item.state !== 'submitted') continue;
      item.withdrawal = { by: a.p.id, reason: p.reason, seq: ctx.seq };
      settle(ctx, m, item, outcome(ctx, 'withdrawn', 'P3', 'meeting_cancelled'), reports);
      withdrawn.push(id);
    }
    const escalated: string[] = [];
    for (const id of m.objections) {
      const o = own(ctx.state.objections, id);
      if (o && o.state === 'open') {
        escalateObjection(ctx, o, 'unanswered_at_close', reports);
        escalated.push(id);
      }
    }
    dropMeeting(ctx, m);
    return { meetingId: m.id, withdrawn, objectionsEscalated: escalated, reports: reports.list };
  };
};

/** Chair: open the meeting with its attendance (P4). */
export const meetingOpen: Handler<'meeting.open'> = (ctx, p) => {
  const m = getMeeting(ctx, p.meetingId);
  if (isRefusal(m)) return m;
  const a = meetingActor(ctx, m, ['chair']);
  if (isRefusal(a)) return a;
  if (m.state !== 'scheduled') return refuse('MEETING_NOT_SCHEDULED');
  if (ctx.time < m.scheduledStart) {
    return refuse('MEETING_NOT_STARTED', 'P3', {
      scheduledStart: m.scheduledStart,
      time: ctx.time,
    });
  }
  const body = own(ctx.state.bodies, m.bodyId);
  if (!body) return refuse('UNKNOWN_BODY');
  // Roster: every active principal of the body, as of now.
  const roster: Record<string, RosterEntry> = {};
  for (const id of body.members) {
    const pr = own(ctx.state.principals, id);
    if (!pr || !pr.active) continue;
    roster[id] = {
      name: pr.name,
      role: pr.role as BodyRole,
      voting: pr.votes && !pr.suspended,
      counted: pr.votes && (!pr.suspended || !m.rulebook.excludeSuspended),
      suspended: pr.suspended,
    };
  }
  const seen = new Set<string>();
  const bad = (why: string, principalId: string) =>
    refuse('ATTENDANCE_INVALID', 'P4', { why, principalId });
  for (const id of p.present) {
    const r = own(roster, id);
    if (!r) return bad('not_a_member', id);
    if (seen.has(id)) return bad('listed_twice', id);
    if (!r.voting) return bad(r.suspended ? 'suspended' : 'not_voting', id);
    seen.add(id);
  }
  for (const ab of p.absent) {
    const r = own(roster, ab.principalId);
    if (!r) return bad('not_a_member', ab.principalId);
    if (seen.has(ab.principalId)) return bad('listed_twice', ab.principalId);
    if (!r.voting) return bad(r.suspended ? 'suspended' : 'not_voting', ab.principalId);
    seen.add(ab.principalId);
  }
  for (const id of p.attendees) {
    const r = own(roster, id);
    if (!r) return bad('not_a_member', id);
    if (seen.has(id)) return bad('listed_twice', id);
    if (r.voting || r.suspended) return bad('voting_member_as_attendee', id);
    seen.add(id);
  }
  const missing = Object.keys(roster).filter((id) => roster[id]?.voting === true && !seen.has(id));
  if (missing.length > 0) return refuse('ATTENDANCE_INCOMPLETE', 'P4', { missing });
  if (!p.present.includes(a.p.id)) return refuse('CHAIR_NOT_PRESENT', 'P4');
  const denominator = meetingDenominator(roster);
  if (!openingQuorum(p.present.length, denominator, m.rulebook)) {
    return refuse('QUORUM_NOT_MET', 'P4', {
      present: p.present.length,
      denominator,
      fraction: { ...m.rulebook.quorumFraction },
    });
  }
  return () => {
    const ev = (principalId: string, event: AttendanceEvent['event'], reason: string | null) =>
      m.attendance.push({ seq: ctx.seq, time: ctx.time, principalId, event, reason });
    m.roster = roster;
    m.denominator = denominator;
    m.state = 'open';
    m.openedSeq = ctx.seq;
    m.openedAt = ctx.time;
    for (const id of p.present) {
      m.present[id] = true;
      ev(id, 'present', null);
    }
    for (const ab of p.absent) ev(ab.principalId, 'absent', ab.reason);
    for (const id of Object.keys(roster)) {
      if (roster[id]?.suspended === true) ev(id, 'absent', 'suspended');
    }
    for (const id of p.attendees) {
      m.present[id] = true;
      ev(id, 'attendee', null);
    }
    const agenda: string[] = [];
    for (const id of m.items) {
      const item = own(ctx.state.items, id);
      if (item && item.state === 'submitted') {
        item.state = 'on_agenda';
        agenda.push(id);
      }
    }
    return { meetingId: m.id, denominator, presentVoting: p.present.length, agenda };
  };
};

/** Who may record an arrival or departure: the principal, the chair or the recorder. */
function attendanceActor(ctx: Ctx, m: Meeting, target: string) {
  const a = meetingActor(ctx, m, ANY_BODY_ROLE);
  if (isRefusal(a)) return a;
  if (a.p.id !== target && a.s.role !== 'chair' && a.s.role !== 'recorder') {
    return refuse('ROLE_NOT_ALLOWED', 'P4', { role: a.s.role });
  }
  return a;
}

/** A late arrival (P4). */
export const meetingArrive: Handler<'meeting.arrive'> = (ctx, p) => {
  const m = getMeeting(ctx, p.meetingId);
  if (isRefusal(m)) return m;
  const a = attendanceActor(ctx, m, p.principalId);
  if (isRefusal(a)) return a;
  if (m.state !== 'open') return refuse('MEETING_NOT_OPEN');
  const r = own(m.roster, p.principalId);
  const t = own(ctx.state.principals, p.principalId);
  if (!r || !t || !t.active)
    return refuse('ATTENDANCE_INVALID', 'P4', { why: 'not_a_member', principalId: p.principalId });
  if (r.suspended || t.suspended) return refuse('PRINCIPAL_SUSPENDED', 'P4');
  if (isPresent(m, p.principalId)) return refuse('ALREADY_PRESENT', 'P4');
  return () => {
    m.present[p.principalId] = true;
    m.attendance.push({
      seq: ctx.seq,
      time: ctx.time,
      principalId: p.principalId,
      event: 'arrive',
      reason: null,
    });
    return { meetingId: m.id, principalId: p.principalId };
  };
};

/** An early departure (P4). */
export const meetingDepart: Handler<'meeting.depart'> = (ctx, p) => {
  const m = getMeeting(ctx, p.meetingId);
  if (isRefusal(m)) return m;
  const a = attendanceActor(ctx, m, p.principalId);
  if (isRefusal(a)) return a;
  if (m.state !== 'open') return refuse('MEETING_NOT_OPEN');
  if (!isPresent(m, p.principalId)) return refuse('NOT_PRESENT', 'P4');
  return () => {
    delete m.present[p.principalId];
    m.attendance.push({
      seq: ctx.seq,
      time: ctx.time,
      principalId: p.principalId,
      event: 'depart',
      reason: p.reason ?? null,
    });
    return { meetingId: m.id, principalId: p.principalId };
  };
};

/** Chair or recorder: close the meeting (P10, P14, P16). */
export const meetingClose: Handler<'meeting.close'> = (ctx, p) => {
  const m = getMeeting(ctx, p.meetingId);
  if (isRefusal(m)) return m;
  const a = meetingActor(ctx, m, ['chair', 'recorder']);
  if (isRefusal(a)) return a;
  if (m.state !== 'open') return refuse('MEETING_NOT_OPEN');
  if (m.current !== null) {
    const cur = own(ctx.state.items, m.current);
    if (!cur || cur.state === 'voting')
      return refuse('VOTE_IN_PROGRESS', 'P9', { current: m.current });
  }
  const body = own(ctx.state.bodies, m.bodyId);
  if (!body) return refuse('UNKNOWN_BODY');
  return () => {
    const reports = new ReportBatch(ctx);
    const deferred: string[] = [];
    for (const id of m.items) {
      const item = own(ctx.state.items, id);
      if (!item || (item.state !== 'on_agenda' && item.state !== 'deliberation')) continue;
      settle(ctx, m, item, outcome(ctx, 'deferred', 'P10', 'not_concluded'), reports);
      deferred.push(id);
    }
    const escalated: string[] = [];
    for (const id of m.objections) {
      const o = own(ctx.state.objections, id);
      if (o && o.state === 'open') {
        escalateObjection(ctx, o, 'unanswered_at_close', reports);
        escalated.push(id);
      }
    }
    m.current = null;
    m.state = 'closed';
    m.closedSeq = ctx.seq;
    m.closedAt = ctx.time;
    const year = cstYear(ctx.time);
    const number = (own(body.minutesCounters, String(year)) ?? 0) + 1;
    body.minutesCounters[String(year)] = number;
    m.minutes = { year, number };
    const digest = recordDigest(buildRecord(ctx.state, m.id));
    m.recordDigest = digest;
    return {
      meetingId: m.id,
      deferred,
      objectionsEscalated: escalated,
      reports: reports.list,
      minutes: { year, number },
      recordDigest: digest,
    };
  };
};
