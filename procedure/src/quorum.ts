/**
 * P4 attendance and quorum, P6 recusal's effect on the denominator. The denominator (应到会) is
 * the voting members counted when the meeting opened (suspended members leave it by default);
 * an item's denominator drops its recused members unless `recusedCountInDenominator`.
 */
import { atLeast, exceeds, type Fraction } from './fraction.js';
import { own } from './context.js';
import type { Item, Meeting } from './state.js';

/** Present members who vote at this meeting. */
export function presentVoting(m: Meeting): string[] {
  return Object.keys(m.present).filter((id) => own(m.roster, id)?.voting === true);
}

/** True when `id` recused on `item`. */
export function isRecused(item: Item, id: string): boolean {
  return item.recusals.some((r) => r.principalId === id);
}

/** The item's denominator (P4, P6). */
export function itemDenominator(m: Meeting, item: Item): number {
  if (m.rulebook.recusedCountInDenominator) return m.denominator;
  let recusedCounted = 0;
  for (const r of item.recusals)
    if (own(m.roster, r.principalId)?.counted === true) recusedCounted++;
  return m.denominator - recusedCounted;
}

/** Present, non-recused voting members: those who state and vote on `item`. */
export function eligible(m: Meeting, item: Item): string[] {
  return presentVoting(m).filter((id) => !isRecused(item, id));
}

/** The quorum a vote on `item` needs and whether `count` meets it (P4). */
export function voteQuorum(
  m: Meeting,
  item: Pick<Item, 'category'>,
  count: number,
  denominator: number
): { ok: boolean; count: number; denominator: number; fraction: Fraction; inclusive: boolean } {
  const cadre = item.category === 'cadre_appointment';
  const fraction = cadre ? m.rulebook.cadreQuorumFraction : m.rulebook.quorumFraction;
  const ok = cadre ? atLeast(count, denominator, fraction) : exceeds(count, denominator, fraction);
  return { ok, count, denominator, fraction: { ...fraction }, inclusive: cadre };
}
