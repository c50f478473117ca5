/**
 * P10: deferred items awaiting return, ordered by expiry. An item may come back until
 * `deferralExpiryDays` after its deferral (inclusive); after that it expires. Expiry is checked
 * lazily where it matters (resubmission, escalation) and swept after every accepted entry, so the
 * state only holds items that can still return.
 */
import { own } from './context.js';
import type { Returnable, State } from './state.js';

function position(q: Array<[number, string]>, at: number, id: string): number {
  let lo = 0;
  let hi = q.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const e = q[mid] as [number, string];
    if (e[0] < at || (e[0] === at && e[1] < id)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Put `r` in the pool of returnable items. */
export function addReturnable(state: State, r: Returnable): void {
  state.returnable[r.itemId] = r;
  state.expiryQueue.splice(position(state.expiryQueue, r.expiresAt, r.itemId), 0, [
    r.expiresAt,
    r.itemId,
  ]);
}

/** Take item `id` out of the pool (resubmitted, escalated or expired). */
export function removeReturnable(state: State, id: string): void {
  const r = own(state.returnable, id);
  if (!r) return;
  delete state.returnable[id];
  const i = position(state.expiryQueue, r.expiresAt, id);
  const e = state.expiryQueue[i];
  if (e && e[1] === id) state.expiryQueue.splice(i, 1);
}

/** True when `r` has expired at `time`. */
export function isExpired(r: Returnable, time: number): boolean {
  return time > r.expiresAt;
}

/** Remove every item expired at `time`; returns their ids in expiry order. */
export function sweepExpired(state: State, time: number): string[] {
  const out: string[] = [];
  let n = 0;
  while (n < state.expiryQueue.length && (state.expiryQueue[n] as [number, string])[0] < time) n++;
  if (n === 0) return out;
  for (const [, id] of state.expiryQueue.splice(0, n)) {
    delete state.returnable[id];
    out.push(id);
  }
  return out;
}
