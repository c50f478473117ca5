/**
 * Agenda items: P1 categories, P3 submission deadlines and ad-hoc motions, P5 absent members'
 * written opinions, P6 recusal, P7 statements with the chair last, P8 urgent marking and accepted
 * deferral, P10 escalation and resubmission of deferred items, P11 renomination limits.
 */
import type { Candidate, Category, ItemResubmit, Material } from '@yishi/schema';
import {
  ANY_BODY_ROLE,
  bodyActor,
  derivedId,
  getItem,
  getMeeting,
  HOUR,
  isMajor,
  isRefusal,
  meetingActor,
  own,
  refuse,
  type Ctx,
  type Handler,
} from '../context.js';
import { isExpired, removeReturnable } from '../expiry.js';
import { proposalDigest } from '../digest.js';
import { cadreAttempts, cadreKey, outcome, rejectedCadreAttempt, settle } from '../outcomes.js';
import { isPresent } from '../presence.js';
import { isRecused } from '../recusal.js';
import { hasSpoken, hasStated, notYetStated } from '../statements.js';
import { ReportBatch } from '../reports.js';
import type { Refusal } from '../error.js';
import type { CadreAttempts, Item, Meeting, Returnable } from '../state.js';

interface ProposalFields {
  title: string;
  materials: Material[];
  amount?: number | undefined;
  candidate?: Candidate | undefined;
  post?: string | undefined;
}

/** P1: the fields a category requires or forbids; `large_funds` thresholds for routine spending. */
function checkCategory(m: Meeting, category: Category, f: ProposalFields): Refusal | null {
  const cadre = category === 'cadre_appointment';
  if (cadre && (f.candidate === undefined || f.post === undefined || f.amount !== undefined)) {
    return refuse('CATEGORY_FIELDS_INVALID', 'P1', { category, needs: ['candidate', 'post'] });
  }
  if (!cadre && (f.candidate !== undefined || f.post !== undefined)) {
    return refuse('CATEGORY_FIELDS_INVALID', 'P1', { category, forbids: ['candidate', 'post'] });
  }
  if (category === 'large_funds' && f.amount === undefined) {
    return refuse('CATEGORY_FIELDS_INVALID', 'P1', { category, needs: ['amount'] });
  }
  const threshold = m.rulebook.largeFundsThreshold;
  if (
    category === 'routine' &&
    threshold !== null &&
    f.amount !== undefined &&
    f.amount >= threshold
  ) {
    return refuse('AMOUNT_REQUIRES_LARGE_FUNDS', 'P1', { amount: f.amount, threshold });
  }
  return null;
}

/** P3: the submission deadline, and the ad-hoc rule once the meeting is open. */
function checkTiming(ctx: Ctx, m: Meeting, category: Category): Refusal | { adhoc: boolean } {
  const rb = m.rulebook;
  if (m.state === 'closed') return refuse('MEETING_CLOSED', 'P3');
  const lateRoutineAllowed = category === 'routine' && rb.allowAdhocRoutine;
  if (m.state === 'open') {
    if (!lateRoutineAllowed) return refuse('ADHOC_MOTION_REFUSED', 'P3', { category });
    return { adhoc: true };
  }
  let lead = category === 'cadre_appointment' ? rb.cadreAgendaLeadHours : rb.agendaLeadHours;
  if (isMajor(category)) lead = Math.max(lead, rb.disciplineNoticeHours);
  const deadline = m.scheduledStart - lead * HOUR;
  if (ctx.time > deadline && !lateRoutineAllowed) {
    return refuse('AGENDA_DEADLINE_PASSED', 'P3', { deadline, time: ctx.time, leadHours: lead });
  }
  return { adhoc: ctx.time > deadline };
}

/** P11: renomination limits for a cadre item. */
function checkCadre(ctx: Ctx, m: Meeting, f: ProposalFields): Refusal | null {
  const rec = cadreAttempts(ctx.state, cadreKey(m.bodyId, f.candidate ?? null, f.post ?? null));
  if (rec.failures >= m.rulebook.maxCadreAttempts) {
    return refuse('CADRE_ATTEMPTS_EXHAUSTED', 'P11', {
      failures: rec.failures,
      maxCadreAttempts: m.rulebook.maxCadreAttempts,
    });
  }
  if (rec.lastRejectedMeetingId === m.id) return refuse('CADRE_SAME_MEETING', 'P11');
  if (rec.pendingItemId !== null) {
    return refuse('CADRE_ITEM_PENDING', 'P11', { pendingItemId: rec.pendingItemId });
  }
  return null;
}

/** The submitter: a voting member of the meeting's body. */
function submitter(ctx: Ctx, m: Meeting) {
  const a = meetingActor(ctx, m, ANY_BODY_ROLE, 'P3');
  if (isRefusal(a)) return a;
  if (!a.s.voting) return refuse('NOT_VOTING_MEMBER', 'P3', { role: a.s.role });
  return a;
}

function disciplineIds(ctx: Ctx, bodyId: string): string[] {
  const body = own(ctx.state.bodies, bodyId);
  if (!body) return [];
  return body.members.filter((id) => {
    const p = own(ctx.state.principals, id);
    return p !== undefined && p.active && p.role === 'discipline';
  });
}

/** Create the item (call from an effect). */
function createItem(
  ctx: Ctx,
  m: Meeting,
  by: string,
  category: Category,
  f: ProposalFields,
  adhoc: boolean,
  previousItemId: string | null
): Record<string, unknown> {
  const id = derivedId('item', ctx.seq);
  const proposal = {
    category,
    title: f.title,
    materials: f.materials.map((x) => ({ title: x.title, sha256: x.sha256 })),
    amount: f.amount ?? null,
    candidate: f.candidate ? { ...f.candidate } : null,
    post: f.post ?? null,
  };
  const digest = proposalDigest(proposal);
  const item: Item = {
    id,
    meetingId: m.id,
    bodyId: m.bodyId,
    submittedSeq: ctx.seq,
    submittedAt: ctx.time,
    submitterId: by,
    ...proposal,
    materialsDigest: digest,
    previousItemId,
    adhoc,
    state: m.state === 'open' ? 'on_agenda' : 'submitted',
    deliberationSeq: null,
    recusals: [],
    opinions: [],
    statements: [],
    chairStated: false,
    urgent: null,
    deferAccepted: null,
    vote: null,
    outcome: null,
    withdrawal: null,
  };
  ctx.state.items[id] = item;
  m.items.push(id);
  if (category === 'cadre_appointment') {
    const key = cadreKey(m.bodyId, item.candidate, item.post);
    const rec = cadreAttempts(ctx.state, key);
    rec.pendingItemId = id;
    ctx.state.cadre[key] = rec;
  }
  return {
    itemId: id,
    materialsDigest: digest,
    adhoc,
    previousItemId,
    notify: isMajor(category) ? disciplineIds(ctx, m.bodyId) : [],
  };
}

/** A voting member: submit an item (P1, P3, P11). */
export const itemSubmit: Handler<'item.submit'> = (ctx, p) => {
  const m = getMeeting(ctx, p.meetingId);
  if (isRefusal(m)) return m;
  const a = submitter(ctx, m);
  if (isRefusal(a)) return a;
  const c = checkCategory(m, p.category, p);
  if (c) return c;
  if (p.category === 'cadre_appointment') {
    const k = checkCadre(ctx, m, p);
    if (k) return k;
  }
  const t = checkTiming(ctx, m, p.category);
  if (isRefusal(t)) return t;
  return () => createItem(ctx, m, a.p.id, p.category, p, t.adhoc, null);
};

/** The submitter or the chair: withdraw an item before deliberation. */
export const itemWithdraw: Handler<'item.withdraw'> = (ctx, p) => {
  const g = getItem(ctx, p.itemId);
  if (isRefusal(g)) return g;
  const { item, m } = g;
  const a = meetingActor(ctx, m, ['chair', 'member', 'discipline']);
  if (isRefusal(a)) return a;
  if (a.p.id !== item.submitterId && a.s.role !== 'chair') return refuse('ROLE_NOT_ALLOWED');
  if (item.state !== 'submitted' && item.state !== 'on_agenda') return refuse('ITEM_NOT_PENDING');
  return () => {
    item.withdrawal = { by: a.p.id, reason: p.reason, seq: ctx.seq };
    return settle(ctx, m, item, outcome(ctx, 'withdrawn', 'P3', 'withdrawn'), new ReportBatch(ctx));
  };
};

/** Chair: open deliberation; binds the materials digest. One item at a time (P9). */
export const itemDeliberate: Handler<'item.deliberate'> = (ctx, p) => {
  const g = getItem(ctx, p.itemId);
  if (isRefusal(g)) return g;
  const { item, m } = g;
  const a = meetingActor(ctx, m, ['chair']);
  if (isRefusal(a)) return a;
  if (m.state !== 'open') return refuse('MEETING_NOT_OPEN');
  if (item.state !== 'on_agenda') return refuse('ITEM_NOT_ON_AGENDA');
  if (m.current !== null) return refuse('ANOTHER_ITEM_IN_PROGRESS', 'P9', { current: m.current });
  return () => {
    item.state = 'deliberation';
    item.deliberationSeq = ctx.seq;
    m.current = item.id;
    return { itemId: item.id, materialsDigest: item.materialsDigest };
  };
};

/** The member concerned or the chair: recusal on an item (P6). */
export const itemRecuse: Handler<'item.recuse'> = (ctx, p) => {
  const g = getItem(ctx, p.itemId);
  if (isRefusal(g)) return g;
  const { item, m } = g;
  const a = meetingActor(ctx, m, ['chair', 'member', 'discipline'], 'P6');
  if (isRefusal(a)) return a;
  if (a.p.id !== p.principalId && a.s.role !== 'chair') return refuse('ROLE_NOT_ALLOWED', 'P6');
  const t = own(ctx.state.principals, p.principalId);
  const member =
    t !== undefined &&
    (m.state === 'scheduled'
      ? t.bodyId === m.bodyId && t.active
      : own(m.roster, t.id) !== undefined);
  if (!t || !member) return refuse('NOT_A_MEMBER_OF_BODY', 'P6', { principalId: p.principalId });
  const votes = m.state === 'scheduled' ? t.votes : own(m.roster, t.id)?.counted === true;
  if (!votes) return refuse('NOT_VOTING_MEMBER', 'P6', { principalId: p.principalId });
  if (!['submitted', 'on_agenda', 'deliberation'].includes(item.state)) {
    return refuse('ITEM_NOT_PENDING', 'P6');
  }
  if (isRecused(item, p.principalId)) return refuse('ALREADY_RECUSED', 'P6');
  if (hasSpoken(item, p.principalId)) return refuse('ALREADY_STATED', 'P6');
  return () => {
    item.recusals.push({
      principalId: p.principalId,
      recordedBy: a.p.id,
      reason: p.reason,
      seq: ctx.seq,
    });
    return { itemId: item.id, principalId: p.principalId };
  };
};

/** An absent voting member: a written opinion (P5), never counted as a vote. */
export const opinionSubmit: Handler<'opinion.submit'> = (ctx, p) => {
  const g = getItem(ctx, p.itemId);
  if (isRefusal(g)) return g;
  const { item, m } = g;
  const a = meetingActor(ctx, m, ANY_BODY_ROLE, 'P5');
  if (isRefusal(a)) return a;
  if (!a.s.voting) return refuse('NOT_VOTING_MEMBER', 'P5', { role: a.s.role });
  if (m.state === 'closed') return refuse('MEETING_CLOSED', 'P5');
  if (m.state === 'open' && isPresent(m, a.p.id)) return refuse('NOT_ABSENT', 'P5');
  if (!['submitted', 'on_agenda', 'deliberation', 'voting'].includes(item.state)) {
    return refuse('ITEM_NOT_PENDING', 'P5');
  }
  if (isRecused(item, a.p.id)) return refuse('RECUSED', 'P6');
  if (p.materialsDigest !== item.materialsDigest) return refuse('MATERIALS_DIGEST_MISMATCH', 'P5');
  if (item.opinions.some((o) => o.principalId === a.p.id)) return refuse('OPINION_EXISTS', 'P5');
  return () => {
    item.opinions.push({
      principalId: a.p.id,
      position: p.position ?? null,
      text: p.text,
      seq: ctx.seq,
    });
    return { itemId: item.id, principalId: a.p.id };
  };
};

/** A present member: a statement on the item in deliberation (P7, chair last). */
export const statementRecord: Handler<'statement.record'> = (ctx, p) => {
  const g = getItem(ctx, p.itemId);
  if (isRefusal(g)) return g;
  const { item, m } = g;
  const a = meetingActor(ctx, m, ANY_BODY_ROLE, 'P7');
  if (isRefusal(a)) return a;
  if (a.s.role === 'recorder')
    return refuse('ROLE_MAY_NOT_STATE_POSITION', 'P7', { role: 'recorder' });
  if (m.state !== 'open') return refuse('MEETING_NOT_OPEN', 'P7');
  if (item.state !== 'deliberation') return refuse('ITEM_NOT_IN_DELIBERATION', 'P7');
  if (!isPresent(m, a.p.id)) return refuse('NOT_PRESENT', 'P7');
  if (p.materialsDigest !== item.materialsDigest) return refuse('MATERIALS_DIGEST_MISMATCH', 'P7');
  if (!a.s.voting) {
    if (p.position !== undefined) {
      return refuse('ROLE_MAY_NOT_STATE_POSITION', 'P7', { role: a.s.role });
    }
    if (p.reasons === undefined) return refuse('REASONS_REQUIRED', 'P7');
    return () => {
      item.statements.push({
        principalId: a.p.id,
        position: null,
        reasons: p.reasons ?? null,
        voting: false,
        seq: ctx.seq,
      });
      return { itemId: item.id, principalId: a.p.id, position: null };
    };
  }
  if (isRecused(item, a.p.id)) return refuse('RECUSED', 'P6');
  if (p.position === undefined) return refuse('POSITION_REQUIRED', 'P7');
  if (p.position !== 'agree' && p.reasons === undefined) {
    return refuse('REASONS_REQUIRED', 'P7', { position: p.position });
  }
  if (hasStated(item, a.p.id)) return refuse('ALREADY_STATED', 'P7');
  if (item.chairStated) return refuse('STATEMENTS_CLOSED', 'P7');
  if (a.s.role === 'chair') {
    const waiting = notYetStated(m, item).filter((id) => id !== a.p.id);
    if (waiting.length > 0) return refuse('CHAIR_MUST_STATE_LAST', 'P7', { waitingFor: waiting });
  }
  return () => {
    item.statements.push({
      principalId: a.p.id,
      position: p.position ?? null,
      reasons: p.reasons ?? null,
      voting: true,
      seq: ctx.seq,
    });
    if (a.s.role === 'chair') item.chairStated = true;
    return { itemId: item.id, principalId: a.p.id, position: p.position ?? null };
  };
};

/** Chair: mark the item urgent before its vote (P8 exception). */
export const itemMarkUrgent: Handler<'item.mark_urgent'> = (ctx, p) => {
  const g = getItem(ctx, p.itemId);
  if (isRefusal(g)) return g;
  const { item, m } = g;
  const a = meetingActor(ctx, m, ['chair'], 'P8');
  if (isRefusal(a)) return a;
  if (!['submitted', 'on_agenda', 'deliberation'].includes(item.state)) {
    return refuse('ITEM_NOT_PENDING', 'P8');
  }
  if (item.urgent) return refuse('ALREADY_URGENT', 'P8');
  return () => {
    item.urgent = { justification: p.justification, seq: ctx.seq };
    return { itemId: item.id };
  };
};

/** Chair: accept a `defer` statement citing unclear key facts; the item is deferred (P8). */
export const itemDefer: Handler<'item.defer'> = (ctx, p) => {
  const g = getItem(ctx, p.itemId);
  if (isRefusal(g)) return g;
  const { item, m } = g;
  const a = meetingActor(ctx, m, ['chair'], 'P8');
  if (isRefusal(a)) return a;
  if (item.state !== 'deliberation') return refuse('ITEM_NOT_IN_DELIBERATION', 'P8');
  const st = item.statements.find((s) => s.voting && s.principalId === p.statementBy);
  if (!st || st.position !== 'defer')
    return refuse('NO_DEFER_STATEMENT', 'P8', { statementBy: p.statementBy });
  return () => {
    item.deferAccepted = { statementBy: p.statementBy, reason: p.reason, seq: ctx.seq };
    const reports = new ReportBatch(ctx);
    const o = settle(ctx, m, item, outcome(ctx, 'deferred', 'P8', 'defer_accepted'), reports);
    return { ...o, reports: reports.list };
  };
};

/** A live returnable item, not expired, of `bodyId`. */
function returnable(ctx: Ctx, id: string, rule: 'P10'): Returnable | Refusal {
  const r = own(ctx.state.returnable, id);
  if (!r) return refuse('ITEM_NOT_DEFERRED', rule, { itemId: id });
  if (isExpired(r, ctx.time))
    return refuse('DEFERRAL_EXPIRED', rule, { expiresAt: r.expiresAt, time: ctx.time });
  return r;
}

/** Chair: escalate a deferred item to the higher level for a ruling (P10, P13). */
export const itemEscalate: Handler<'item.escalate'> = (ctx, p) => {
  const r = returnable(ctx, p.itemId, 'P10');
  if (isRefusal(r)) return r;
  const a = bodyActor(ctx, r.bodyId);
  if (isRefusal(a)) return a;
  if (a.role !== 'chair') return refuse('ROLE_NOT_ALLOWED', 'P10', { role: a.role });
  return () => {
    removeReturnable(ctx.state, r.itemId);
    const reports = new ReportBatch(ctx);
    const reportId = reports.add('escalation', r.bodyId, {
      itemId: r.itemId,
      meetingId: r.meetingId,
      title: r.title,
      category: r.category,
      reason: p.reason,
    });
    ctx.state.escalated[r.itemId] = { item: r, reason: p.reason, seq: ctx.seq, reportId };
    return { itemId: r.itemId, reports: reports.list };
  };
};

const sameJson = (a: unknown, b: unknown) =>
  JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * P11: renominate the candidate of a rejected cadre item at another meeting, linked to the latest
 * rejected attempt; the same candidate and post, counted by `maxCadreAttempts`.
 */
function renominate(
  ctx: Ctx,
  m: Meeting,
  by: string,
  p: ItemResubmit,
  attempt: { key: string; rec: CadreAttempts; latest: boolean }
): Refusal | (() => Record<string, unknown>) {
  const latest = attempt.rec.rejectedItemIds.at(-1) ?? null;
  if (!attempt.latest) {
    return refuse('CADRE_NOT_LATEST_ATTEMPT', 'P11', { latestItemId: latest });
  }
  if (p.candidate === undefined || p.post === undefined) {
    return refuse('CATEGORY_FIELDS_INVALID', 'P1', {
      category: 'cadre_appointment',
      needs: ['candidate', 'post'],
    });
  }
  if (cadreKey(m.bodyId, p.candidate, p.post) !== attempt.key) {
    return refuse('RESUBMISSION_CHANGES_MATTER', 'P11', { previousItemId: p.previousItemId });
  }
  const c = checkCategory(m, 'cadre_appointment', p);
  if (c) return c;
  const k = checkCadre(ctx, m, p);
  if (k) return k;
  const t = checkTiming(ctx, m, 'cadre_appointment');
  if (isRefusal(t)) return t;
  return () => createItem(ctx, m, by, 'cadre_appointment', p, t.adhoc, p.previousItemId);
}

/**
 * Why `previousItemId`, neither returnable (P10) nor a rejected cadre attempt (P11), cannot be
 * resubmitted: a live rejected item of another category, a live cadre item not rejected, or (the
 * P10 answer, as before) an item that is not deferred.
 */
function notResubmittable(ctx: Ctx, previousItemId: string): Refusal {
  const item = own(ctx.state.items, previousItemId);
  if (item?.category === 'cadre_appointment') {
    return refuse('ITEM_NOT_REJECTED', 'P11', { itemId: previousItemId, state: item.state });
  }
  if (item?.state === 'rejected') {
    return refuse('NOT_A_CADRE_ITEM', 'P11', { itemId: previousItemId, category: item.category });
  }
  return refuse('ITEM_NOT_DEFERRED', 'P10', { itemId: previousItemId });
}

/**
 * A voting member: bring a deferred (or reopened, or returned) item back at a later meeting (P10),
 * or renominate the candidate of a rejected cadre item at another meeting (P11).
 */
export const itemResubmit: Handler<'item.resubmit'> = (ctx, p) => {
  const m = getMeeting(ctx, p.meetingId);
  if (isRefusal(m)) return m;
  const a = submitter(ctx, m);
  if (isRefusal(a)) return a;
  if (own(ctx.state.returnable, p.previousItemId) === undefined) {
    const attempt = rejectedCadreAttempt(ctx.state, p.previousItemId);
    if (attempt === null) return notResubmittable(ctx, p.previousItemId);
    return renominate(ctx, m, a.p.id, p, attempt);
  }
  const r = returnable(ctx, p.previousItemId, 'P10');
  if (isRefusal(r)) return r;
  if (r.bodyId !== m.bodyId) return refuse('NOT_A_MEMBER_OF_BODY', 'P10', { itemId: r.itemId });
  if (m.id === r.meetingId || m.scheduledStart <= r.meetingStart) {
    return refuse('NOT_A_LATER_MEETING', 'P10', { earlierMeetingId: r.meetingId });
  }
  const candidate = p.candidate
    ? { name: p.candidate.name, principalId: p.candidate.principalId }
    : null;
  const before = r.candidate
    ? { name: r.candidate.name, principalId: r.candidate.principalId }
    : null;
  if (
    r.category === 'cadre_appointment' &&
    (!sameJson(candidate, before) || (p.post ?? null) !== r.post)
  ) {
    return refuse('RESUBMISSION_CHANGES_MATTER', 'P10');
  }
  const c = checkCategory(m, r.category, p);
  if (c) return c;
  if (r.category === 'cadre_appointment') {
    const k = checkCadre(ctx, m, p);
    if (k) return k;
  }
  const t = checkTiming(ctx, m, r.category);
  if (isRefusal(t)) return t;
  return () => {
    removeReturnable(ctx.state, r.itemId);
    return createItem(ctx, m, a.p.id, r.category, p, t.adhoc, r.itemId);
  };
};
