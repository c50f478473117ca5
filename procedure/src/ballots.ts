/**
 * P9 (and P12) votes: who has voted and the counts. Each present, non-recused voting member votes
 * once, `for`, `against` or `abstain`; the vote closes only when every one of them has voted
 * (roll call, show of hands, a reconsideration) or handed in a secret ballot's receipt.
 */
import type { VoteChoice } from '@yishi/schema';

/** True when `id` has a ballot (or receipt) in `cast`. */
export function hasVoted(cast: readonly { principalId: string }[], id: string): boolean {
  return cast.some((b) => b.principalId === id);
}

/** Those of `voters` with no ballot (or receipt) in `cast`, in their order. */
export function notYetVoted(
  voters: readonly string[],
  cast: readonly { principalId: string }[]
): string[] {
  return voters.filter((id) => !hasVoted(cast, id));
}

/** The choices in `ballots`, counted. */
export function countBallots(ballots: readonly { choice: VoteChoice }[]): {
  for: number;
  against: number;
  abstain: number;
} {
  let f = 0;
  let against = 0;
  let abstain = 0;
  for (const b of ballots) {
    if (b.choice === 'for') f++;
    else if (b.choice === 'against') against++;
    else abstain++;
  }
  return { for: f, against, abstain };
}
