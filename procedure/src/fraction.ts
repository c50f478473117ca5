/**
 * Fractions of the rules of procedure (P4 quorum, P8 large disagreement, P9 threshold, P12
 * reconsideration) compared in integer arithmetic only: `x > (num/den)·n` is `x·den > num·n`.
 * Counts are small integers, so every product stays far below 2^53.
 */

/** A rational `num/den` of positive integers. */
export interface Fraction {
  num: number;
  den: number;
}

/** True when `x` is MORE than `f` of `n` (`x·den > num·n`): "more than half", "more than 1/3". */
export function exceeds(x: number, n: number, f: Fraction): boolean {
  return x * f.den > f.num * n;
}

/** True when `x` is AT LEAST `f` of `n` (`x·den ≥ num·n`): "two thirds or more" (以上). */
export function atLeast(x: number, n: number, f: Fraction): boolean {
  return x * f.den >= f.num * n;
}
