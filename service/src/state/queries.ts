import {
  buildMinutes,
  buildRecord,
  own,
  type Body,
  type Item,
  type MeetingRecord,
  type Principal,
  type State,
} from '@yishi/procedure';
import type { InterferenceView, MeetingSummary, ObjectionView } from '@yishi/schema';
import type { Projections, ReportRow } from './projections.js';
import { meetingSummary } from './views.js';

// The questions the read routes ask of the state and its projections. Each answers `undefined`
// where nothing matches; the route turns that into its coded 404/409.

/** A principal by id. */
export const principalById = (state: State, id: string): Principal | undefined =>
  own(state.principals, id);

/** A body by id. */
export const bodyById = (state: State, id: string): Body | undefined => own(state.bodies, id);

/** A live item by id (archived items are in their meeting's record). */
export const liveItem = (state: State, id: string): Item | undefined => own(state.items, id);

/** A meeting wherever it is: live in the state, archived with its record, or cancelled. */
export function findMeeting(
  state: State,
  proj: Projections,
  id: string
): MeetingSummary | undefined {
  const live = own(state.meetings, id);
  if (live) return meetingSummary(state, live);
  const closed = proj.closedSummary(id);
  if (closed) return closed;
  return proj.cancelled.get(id);
}

/** A body's meetings, live, archived and cancelled, in the order they were scheduled. */
export function meetingsOfBody(state: State, proj: Projections, bodyId: string): MeetingSummary[] {
  const out: MeetingSummary[] = [];
  for (const m of Object.values(state.meetings)) {
    if (m.bodyId === bodyId) out.push(meetingSummary(state, m));
  }
  out.push(...proj.archivedSummaries(bodyId));
  for (const c of proj.cancelled.values()) if (c.bodyId === bodyId) out.push(c);
  const n = (id: string) => Number(id.slice(id.indexOf('-') + 1));
  return out.sort((a, b) => n(a.meetingId) - n(b.meetingId));
}

/**
 * The record of a meeting: final once closed (read from service.db), provisional while the
 * meeting is live; `undefined` for a meeting that is neither (cancelled or unknown).
 */
export function meetingRecord(state: State, proj: Projections, id: string) {
  const closed = proj.closedRecord(id);
  if (closed) {
    return {
      meetingId: id,
      final: true,
      recordDigest: closed.meeting.recordDigest,
      signatures: { ...closed.meeting.signatures },
      record: closed.record,
    };
  }
  if (own(state.meetings, id)) {
    return {
      meetingId: id,
      final: false,
      recordDigest: null,
      signatures: { recorder: null, chair: null },
      record: buildRecord(state, id) as MeetingRecord,
    };
  }
  return undefined;
}

/** The minutes of a closed meeting; `undefined` before it closes. */
export function meetingMinutes(proj: Projections, id: string) {
  const closed = proj.closedRecord(id);
  if (!closed) return undefined;
  return {
    meetingId: id,
    recordDigest: closed.meeting.recordDigest,
    signatures: { ...closed.meeting.signatures },
    minutes: buildMinutes(closed.record),
  };
}

/** A body's procedural objections (P14). */
export const objectionsOfBody = (proj: Projections, bodyId: string): ObjectionView[] =>
  [...proj.objections.values()].filter((o) => o.bodyId === bodyId);

/** A body's interference records (P15). */
export const interferenceOfBody = (proj: Projections, bodyId: string): InterferenceView[] =>
  [...proj.interference.values()].filter((i) => i.bodyId === bodyId);

/** The reports addressed upward (P13): those not yet acknowledged, or all of them. */
export function reportRows(proj: Projections, all: boolean): ReportRow[] {
  const out: ReportRow[] = [];
  for (const row of proj.reports.values()) {
    if (!all && row.acknowledgedSeq !== null) continue;
    out.push(row);
  }
  return out;
}
