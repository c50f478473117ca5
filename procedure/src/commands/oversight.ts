/**
 * Oversight: P14 procedural objections and the chair's answers (a rejected objection, or one still
 * unanswered when the meeting closes, is escalated to the higher-level discipline commission),
 * P15 interference records (delivered to the discipline role and reported upward; content
 * readable only by the discipline role, admins and auditors), with P13 reports.
 */
import {
  actor,
  bodyActor,
  derivedId,
  getItem,
  getMeeting,
  isRefusal,
  own,
  refuse,
  type Ctx,
  type Handler,
} from '../context.js';
import { ReportBatch } from '../reports.js';
import type { Objection } from '../state.js';

/** Roles that may read confidential subjects (P15) and escalated objections (P14). */
export const CONFIDENTIAL_READERS = ['discipline', 'admin', 'auditor'];

/** Escalate `o` upward (call from an effect). */
export function escalateObjection(
  ctx: Ctx,
  o: Objection,
  why: NonNullable<Objection['escalation']>['why'],
  reports: ReportBatch
): string {
  const reportId = reports.add(
    'objection',
    o.bodyId,
    {
      objectionId: o.id,
      meetingId: o.meetingId,
      itemId: o.itemId,
      rule: o.rule,
      text: o.text,
      raisedBy: o.raisedBy,
      answer: o.answer ? { answer: o.answer.answer, reasons: o.answer.reasons } : null,
      why,
    },
    'higher_level_discipline_commission',
    CONFIDENTIAL_READERS
  );
  o.state = 'escalated';
  o.escalation = { seq: ctx.seq, reportId, why };
  return reportId;
}

/** The discipline role or a voting member: a procedural objection citing a rule (P14). */
export const objectionRaise: Handler<'objection.raise'> = (ctx, p) => {
  let meetingId: string;
  let itemId: string | null = null;
  if (p.target.kind === 'item') {
    const g = getItem(ctx, p.target.itemId);
    if (isRefusal(g)) return g;
    meetingId = g.m.id;
    itemId = g.item.id;
  } else meetingId = p.target.meetingId;
  const m = getMeeting(ctx, meetingId);
  if (isRefusal(m)) return m;
  const a = bodyActor(ctx, m.bodyId);
  if (isRefusal(a)) return a;
  if (a.role !== 'discipline' && !a.votes)
    return refuse('ROLE_NOT_ALLOWED', 'P14', { role: a.role });
  return () => {
    const id = derivedId('obj', ctx.seq);
    const o: Objection = {
      id,
      bodyId: m.bodyId,
      meetingId: m.id,
      itemId,
      raisedBy: a.id,
      rule: p.rule as Objection['rule'],
      text: p.text,
      seq: ctx.seq,
      state: 'open',
      answer: null,
      escalation: null,
      ruling: null,
    };
    ctx.state.objections[id] = o;
    m.objections.push(id);
    const reports = new ReportBatch(ctx);
    if (m.state === 'closed') escalateObjection(ctx, o, 'raised_after_close', reports);
    return { objectionId: id, escalated: o.state === 'escalated', reports: reports.list };
  };
};

/** Chair: answer an objection; a rejection is escalated (P14, P13). */
export const objectionAnswer: Handler<'objection.answer'> = (ctx, p) => {
  const o = own(ctx.state.objections, p.objectionId);
  if (!o) return refuse('UNKNOWN_OBJECTION', 'P14', { objectionId: p.objectionId });
  const a = bodyActor(ctx, o.bodyId);
  if (isRefusal(a)) return a;
  if (a.role !== 'chair') return refuse('ROLE_NOT_ALLOWED', 'P14', { role: a.role });
  if (o.state !== 'open') return refuse('OBJECTION_NOT_OPEN', 'P14', { state: o.state });
  return () => {
    o.answer = { by: a.id, answer: p.answer, reasons: p.reasons, seq: ctx.seq };
    const reports = new ReportBatch(ctx);
    if (p.answer === 'rejected') escalateObjection(ctx, o, 'rejected', reports);
    else o.state = 'corrected';
    return {
      objectionId: o.id,
      answer: p.answer,
      escalated: o.state === 'escalated',
      reports: reports.list,
    };
  };
};

/** Any principal: an interference record (P15), delivered to the discipline role, reported upward. */
export const interferenceRecord: Handler<'interference.record'> = (ctx, p) => {
  const a = actor(ctx);
  if (isRefusal(a)) return a;
  const body = own(ctx.state.bodies, p.bodyId);
  if (!body) return refuse('UNKNOWN_BODY', 'P15', { bodyId: p.bodyId });
  if (a.bodyId !== null && a.bodyId !== p.bodyId) return refuse('NOT_A_MEMBER_OF_BODY', 'P15');
  return () => {
    const id = derivedId('intf', ctx.seq);
    const deliverTo = body.members.filter((mid) => {
      const pr = own(ctx.state.principals, mid);
      return pr !== undefined && pr.active && pr.role === 'discipline';
    });
    const reports = new ReportBatch(ctx);
    reports.add(
      'interference',
      body.id,
      {
        interferenceId: id,
        recordedBy: a.id,
        who: { ...p.who },
        matter: { ...p.matter },
        form: p.form,
        occurredAt: p.occurredAt,
        details: p.details ?? null,
      },
      'higher_level_organisation',
      CONFIDENTIAL_READERS
    );
    return {
      interferenceId: id,
      deliverTo,
      readableBy: CONFIDENTIAL_READERS,
      reports: reports.list,
    };
  };
};
