/**
 * P6 recusal (回避): whether a member recused on an item, and how many recused members the
 * denominator loses. A recused member may not state, give a written opinion or vote on the item;
 * by default (`recusedCountInDenominator` false) they leave the item's denominator.
 */
import { own } from './context.js';
import type { Item, Meeting } from './state.js';

/** True when `id` recused on `item`. */
export function isRecused(item: Item, id: string): boolean {
  return item.recusals.some((r) => r.principalId === id);
}

/** The recused members of `item` who count in the meeting's denominator. */
export function recusedCounted(m: Meeting, item: Item): number {
  let n = 0;
  for (const r of item.recusals) if (own(m.roster, r.principalId)?.counted === true) n++;
  return n;
}
