/**
 * Settling an item: P9 outcomes and what follows from them — P10 deferred items join the pool of
 * returnable items, P11 cadre failures are counted, P12 adopted decisions are indexed for
 * reconsideration, P13 reports go upward for adopted major matters and urgent overrides.
 */
import { DAY, isMajor, own, type Ctx } from './context.js';
import { addReturnable } from './expiry.js';
import type { ReportBatch } from './reports.js';
import type { Candidate } from '@yishi/schema';
import type { CadreAttempts, Item, Meeting, Outcome, State } from './state.js';

/** The P11 key of a candidate and post in a body. */
export function cadreKey(bodyId: string, candidate: Candidate | null, post: string | null): string {
  const who = candidate ? (candidate.principalId ?? `name:${candidate.name}`) : '';
  return JSON.stringify([bodyId, who, post ?? '']);
}

/** The P11 record for a key (a fresh one when none exists; not stored). */
export function cadreAttempts(state: State, key: string): CadreAttempts {
  return (
    own(state.cadre, key) ?? {
      failures: 0,
      lastRejectedMeetingId: null,
      pendingItemId: null,
      rejectedItemIds: [],
    }
  );
}

/**
 * The P11 record whose latest rejected attempt is item `itemId`, with its key; null when no
 * record names it. Earlier attempts in the record are reported as `latest: false`.
 */
export function rejectedCadreAttempt(
  state: State,
  itemId: string
): { key: string; rec: CadreAttempts; latest: boolean } | null {
  for (const [key, rec] of Object.entries(state.cadre)) {
    const at = rec.rejectedItemIds.indexOf(itemId);
    if (at >= 0) return { key, rec, latest: at === rec.rejectedItemIds.length - 1 };
  }
  return null;
}

/** The outcome as written to `derived`. */
export function outcomeJson(itemId: string, o: Outcome): Record<string, unknown> {
  return {
    itemId,
    result: o.result,
    rule: o.rule,
    basis: o.basis,
    counts: o.counts ? { ...o.counts } : null,
    urgentOverride: o.urgentOverride,
    overrodeDeferral: o.overrodeDeferral,
  };
}

/**
 * Apply `o` to `item` (call from an effect only). Returns the derived JSON of the outcome.
 */
export function settle(
  ctx: Ctx,
  m: Meeting,
  item: Item,
  o: Outcome,
  reports: ReportBatch
): Record<string, unknown> {
  const s = ctx.state;
  item.outcome = o;
  item.state = o.result;
  if (m.current === item.id) m.current = null;
  if (item.category === 'cadre_appointment') {
    const key = cadreKey(item.bodyId, item.candidate, item.post);
    const rec = cadreAttempts(s, key);
    if (rec.pendingItemId === item.id) rec.pendingItemId = null;
    if (o.result === 'rejected') {
      rec.failures += 1;
      rec.lastRejectedMeetingId = m.id;
      rec.rejectedItemIds = [...rec.rejectedItemIds, item.id];
    }
    if (rec.failures === 0 && rec.pendingItemId === null) delete s.cadre[key];
    else s.cadre[key] = rec;
  }
  const summary = { itemId: item.id, meetingId: m.id, title: item.title, category: item.category };
  if (o.result === 'adopted') {
    s.adopted[item.id] = {
      bodyId: item.bodyId,
      meetingId: m.id,
      meetingStart: m.scheduledStart,
      category: item.category,
      title: item.title,
      candidate: item.candidate,
      post: item.post,
      seq: ctx.seq,
    };
    if (isMajor(item.category)) reports.add('adopted_major_matter', item.bodyId, summary);
  }
  if (o.urgentOverride) {
    reports.add('urgent_override', item.bodyId, {
      ...summary,
      result: o.result,
      justification: item.urgent?.justification ?? null,
      overrodeDeferral: o.overrodeDeferral,
    });
  }
  if (o.result === 'deferred') {
    addReturnable(s, {
      itemId: item.id,
      bodyId: item.bodyId,
      meetingId: m.id,
      meetingStart: m.scheduledStart,
      category: item.category,
      title: item.title,
      candidate: item.candidate,
      post: item.post,
      reason: 'deferred',
      sinceSeq: ctx.seq,
      expiresAt: ctx.time + m.rulebook.deferralExpiryDays * DAY,
    });
  }
  return outcomeJson(item.id, o);
}

/** A fresh outcome. */
export function outcome(
  ctx: Ctx,
  result: Outcome['result'],
  rule: Outcome['rule'],
  basis: string,
  extra: Partial<Pick<Outcome, 'counts' | 'urgentOverride' | 'overrodeDeferral'>> = {}
): Outcome {
  return {
    result,
    rule,
    basis,
    seq: ctx.seq,
    counts: extra.counts ?? null,
    urgentOverride: extra.urgentOverride ?? false,
    overrodeDeferral: extra.overrodeDeferral ?? false,
  };
}
