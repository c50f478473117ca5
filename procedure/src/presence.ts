/**
 * P4 attendance and P5 no proxies: who is in the room. Only present members state and vote, each
 * for themselves; an absent member may only give a written opinion. The members who state and vote
 * on an item are the present, non-recused voting members (P6).
 */
import { own } from './context.js';
import { isRecused } from './recusal.js';
import type { Item, Meeting } from './state.js';

/** True when `id` is present at the open meeting (voting member or attendee). */
export function isPresent(m: Meeting, id: string): boolean {
  return own(m.present, id) !== undefined;
}

/** Present members who vote at this meeting. */
export function presentVoting(m: Meeting): string[] {
  return Object.keys(m.present).filter((id) => own(m.roster, id)?.voting === true);
}

/** Present, non-recused voting members: those who state and vote on `item` (P4, P5, P6). */
export function eligible(m: Meeting, item: Item): string[] {
  return presentVoting(m).filter((id) => !isRecused(item, id));
}
