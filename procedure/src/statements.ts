/**
 * P7 statements, chair last (末位表态): who has stated on an item and who has not yet. Every
 * present, non-recused voting member states before the vote; the chair's statement is refused
 * until every other such member has stated, and closes the round.
 */
import { eligible } from './presence.js';
import type { Item, Meeting } from './state.js';

/** True when `id` stated a position (a voting member's statement) on `item`. */
export function hasStated(item: Item, id: string): boolean {
  return item.statements.some((s) => s.voting && s.principalId === id);
}

/** True when `id` spoke on `item` at all: a position or a remark without one. */
export function hasSpoken(item: Item, id: string): boolean {
  return item.statements.some((s) => s.principalId === id);
}

/** The present, non-recused voting members who have not stated on `item` yet, in roster order. */
export function notYetStated(m: Meeting, item: Item): string[] {
  return eligible(m, item).filter((id) => !hasStated(item, id));
}
