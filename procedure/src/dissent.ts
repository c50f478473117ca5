/**
 * P8 large disagreement defers the vote (暂缓表决): dissent is a `disagree` or `defer` position
 * (statements and written opinions) or an `against` or `abstain` vote. It is large when it is MORE
 * than `deferralFraction` of those who stated or voted (exactly one third is not yet large), in
 * integer arithmetic. The record lists dissent verbatim (P16).
 */
import type { Position } from '@yishi/schema';
import { exceeds } from './fraction.js';
import type { Rulebook } from './rulebook.js';
import type { Item } from './state.js';

/** True for a dissenting position: `disagree` or `defer`. */
export function isDissent(position: Position | null): boolean {
  return position === 'disagree' || position === 'defer';
}

/** True when `dissent` of `total` is large enough to defer (P8). */
export function largeDissent(dissent: number, total: number, rulebook: Rulebook): boolean {
  return exceeds(dissent, total, rulebook.deferralFraction);
}

/** The positions stated on `item` by voting members, counted. */
export function statementCounts(item: Item): {
  agree: number;
  disagree: number;
  defer: number;
  stated: number;
} {
  let agree = 0;
  let disagree = 0;
  let defer = 0;
  for (const s of item.statements) {
    if (!s.voting) continue;
    if (s.position === 'agree') agree++;
    else if (s.position === 'disagree') disagree++;
    else if (s.position === 'defer') defer++;
  }
  return { agree, disagree, defer, stated: agree + disagree + defer };
}
