/**
 * P4 attendance and quorum, P6 recusal's effect on the denominator. The denominator (应到会) is
 * the voting members counted when the meeting opened (suspended members leave it by default);
 * an item's denominator drops its recused members unless `recusedCountInDenominator`. A meeting
 * opens with more than half of it present; a vote needs the same of the item's denominator (two
 * thirds or more for a cadre item), checked when it opens and again on those who voted.
 */
import { atLeast, exceeds, type Fraction } from './fraction.js';
import { recusedCounted } from './recusal.js';
import type { Rulebook } from './rulebook.js';
import type { Item, Meeting, RosterEntry } from './state.js';

/** The meeting's denominator (应到会): the roster's counted voting members. */
export function meetingDenominator(roster: Record<string, RosterEntry>): number {
  return Object.values(roster).filter((r) => r.counted).length;
}

/** True when `present` voting members may open a meeting of `denominator` (P4). */
export function openingQuorum(present: number, denominator: number, rulebook: Rulebook): boolean {
  return exceeds(present, denominator, rulebook.quorumFraction);
}

/** The item's denominator (P4, P6). */
export function itemDenominator(m: Meeting, item: Item): number {
  if (m.rulebook.recusedCountInDenominator) return m.denominator;
  return m.denominator - recusedCounted(m, item);
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
