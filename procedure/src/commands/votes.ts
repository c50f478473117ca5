/**
 * Votes: P2 (a topical meeting never decides a major matter), P4 quorum re-checked at each vote
 * (two thirds for cadre items), P6 recused members and candidates, P7 statements complete before
 * the vote, P8 large disagreement (in statements or a close vote) defers unless urgent, P9 one
 * item at a time, signed per-member votes or secret ballots with receipts and two scrutineers'
 * tally, adoption by more than half of the denominator.
 */
import {
  ANY_BODY_ROLE,
  getItem,
  isMajor,
  isRefusal,
  meetingActor,
  own,
  refuse,
  type Ctx,
  type Handler,
} from '../context.js';
import { countBallots, hasVoted, notYetVoted } from '../ballots.js';
import { largeDissent, statementCounts } from '../dissent.js';
import { exceeds } from '../fraction.js';
import { outcome, settle } from '../outcomes.js';
import { eligible, isPresent } from '../presence.js';
import { itemDenominator, voteQuorum } from '../quorum.js';
import { isRecused } from '../recusal.js';
import { notYetStated } from '../statements.js';
import { ReportBatch } from '../reports.js';
import type { Refusal } from '../error.js';
import type { Item, Meeting, Vote } from '../state.js';

/** The item being voted, in an open meeting. */
function voting(ctx: Ctx, itemId: string): { item: Item; m: Meeting; vote: Vote } | Refusal {
  const g = getItem(ctx, itemId);
  if (isRefusal(g)) return g;
  if (g.m.state !== 'open') return refuse('MEETING_NOT_OPEN', 'P9');
  if (g.item.state !== 'voting' || g.item.vote === null) return refuse('ITEM_NOT_IN_VOTING', 'P9');
  return { ...g, vote: g.item.vote };
}

/** Chair: open the vote on the item in deliberation. */
export const voteOpen: Handler<'vote.open'> = (ctx, p) => {
  const g = getItem(ctx, p.itemId);
  if (isRefusal(g)) return g;
  const { item, m } = g;
  const a = meetingActor(ctx, m, ['chair'], 'P9');
  if (isRefusal(a)) return a;
  if (m.state !== 'open') return refuse('MEETING_NOT_OPEN', 'P9');
  if (item.state !== 'deliberation') return refuse('ITEM_NOT_IN_DELIBERATION', 'P9');
  if (p.materialsDigest !== item.materialsDigest) return refuse('MATERIALS_DIGEST_MISMATCH', 'P9');
  if (m.kind === 'topical' && isMajor(item.category)) {
    return refuse('TOPICAL_MEETING_CANNOT_DECIDE', 'P2', { category: item.category });
  }
  const elig = eligible(m, item);
  const waiting = notYetStated(m, item);
  if (!item.chairStated && waiting.length > 0) {
    return refuse('STATEMENTS_INCOMPLETE', 'P7', { waitingFor: waiting });
  }
  const rb = m.rulebook;
  const cadre = item.category === 'cadre_appointment';
  const method = p.method ?? (cadre ? rb.cadreVoteMethod : rb.defaultVoteMethod);
  if (cadre && method !== rb.cadreVoteMethod) {
    return refuse('VOTE_METHOD_NOT_ALLOWED', 'P9', { method, required: rb.cadreVoteMethod });
  }
  const scrutineers = p.scrutineers ?? [];
  const candidateId = item.candidate?.principalId;
  if (method === 'secret') {
    const [s1, s2] = scrutineers;
    const ok =
      s1 !== undefined &&
      s2 !== undefined &&
      s1 !== s2 &&
      scrutineers.every(
        (id) =>
          isPresent(m, id) &&
          own(m.roster, id) !== undefined &&
          own(m.roster, id)?.role !== 'recorder' &&
          id !== candidateId
      );
    if (!ok) return refuse('SCRUTINEERS_INVALID', 'P9', { scrutineers });
  } else if (scrutineers.length > 0) {
    return refuse('SCRUTINEERS_INVALID', 'P9', { method });
  }
  if (
    cadre &&
    candidateId !== undefined &&
    own(m.roster, candidateId)?.counted === true &&
    !isRecused(item, candidateId)
  ) {
    return refuse('CANDIDATE_NOT_RECUSED', 'P6', { candidate: candidateId });
  }
  const denominator = itemDenominator(m, item);
  const q = voteQuorum(m, item, elig.length, denominator);
  if (!q.ok) {
    return refuse('QUORUM_NOT_MET', 'P4', {
      presentNonRecused: elig.length,
      denominator,
      fraction: q.fraction,
      inclusive: q.inclusive,
    });
  }
  const sc = statementCounts(item);
  const wouldDefer = largeDissent(sc.disagree + sc.defer, sc.stated, rb);
  if (wouldDefer && item.urgent === null) {
    return () => {
      const reports = new ReportBatch(ctx);
      const o = settle(ctx, m, item, outcome(ctx, 'deferred', 'P8', 'statements'), reports);
      return { ...o, statements: sc, reports: reports.list };
    };
  }
  return () => {
    item.state = 'voting';
    item.vote = {
      method,
      openedSeq: ctx.seq,
      denominator,
      eligibleAtOpen: elig.length,
      statementsWouldDefer: wouldDefer,
      scrutineers: [...scrutineers],
      ballots: [],
      receipts: [],
      tallies: [],
    };
    return {
      itemId: item.id,
      method,
      denominator,
      eligible: elig.length,
      scrutineers: [...scrutineers],
      statements: sc,
      urgent: item.urgent !== null,
    };
  };
};

/** The voter: a present, non-recused voting member who has not voted (P5, P6, P9). */
function voter(ctx: Ctx, item: Item, m: Meeting, digest: string) {
  const a = meetingActor(ctx, m, ANY_BODY_ROLE, 'P9');
  if (isRefusal(a)) return a;
  if (!a.s.voting) return refuse('NOT_VOTING_MEMBER', 'P9', { role: a.s.role });
  if (!isPresent(m, a.p.id)) return refuse('NOT_PRESENT', 'P5');
  if (isRecused(item, a.p.id)) return refuse('RECUSED', 'P6');
  if (digest !== item.materialsDigest) return refuse('MATERIALS_DIGEST_MISMATCH', 'P9');
  return a;
}

/** A member's own signed vote (roll call or show of hands). */
export const voteCast: Handler<'vote.cast'> = (ctx, p) => {
  const g = voting(ctx, p.itemId);
  if (isRefusal(g)) return g;
  const { item, m, vote } = g;
  const a = voter(ctx, item, m, p.materialsDigest);
  if (isRefusal(a)) return a;
  if (vote.method === 'secret') return refuse('WRONG_VOTE_METHOD', 'P9', { method: vote.method });
  if (hasVoted(vote.ballots, a.p.id)) return refuse('ALREADY_VOTED', 'P9');
  return () => {
    vote.ballots.push({
      principalId: a.p.id,
      choice: p.choice,
      reason: p.reason ?? null,
      seq: ctx.seq,
    });
    return { itemId: item.id, principalId: a.p.id };
  };
};

/** A member's receipt for a secret ballot: who voted, not how. */
export const ballotReceipt: Handler<'ballot.receipt'> = (ctx, p) => {
  const g = voting(ctx, p.itemId);
  if (isRefusal(g)) return g;
  const { item, m, vote } = g;
  const a = voter(ctx, item, m, p.materialsDigest);
  if (isRefusal(a)) return a;
  if (vote.method !== 'secret') return refuse('WRONG_VOTE_METHOD', 'P9', { method: vote.method });
  if (hasVoted(vote.receipts, a.p.id)) return refuse('ALREADY_VOTED', 'P9');
  if (vote.tallies.length > 0) return refuse('TALLY_ALREADY_SIGNED', 'P9');
  return () => {
    vote.receipts.push({ principalId: a.p.id, receipt: p.receipt, seq: ctx.seq });
    return { itemId: item.id, principalId: a.p.id };
  };
};

/** A scrutineer signs the counts of a secret ballot. */
export const tallySign: Handler<'tally.sign'> = (ctx, p) => {
  const g = voting(ctx, p.itemId);
  if (isRefusal(g)) return g;
  const { item, m, vote } = g;
  const a = meetingActor(ctx, m, ANY_BODY_ROLE, 'P9');
  if (isRefusal(a)) return a;
  if (vote.method !== 'secret') return refuse('WRONG_VOTE_METHOD', 'P9', { method: vote.method });
  if (!vote.scrutineers.includes(a.p.id)) return refuse('NOT_A_SCRUTINEER', 'P9');
  if (!isPresent(m, a.p.id)) return refuse('NOT_PRESENT', 'P9');
  if (hasVoted(vote.tallies, a.p.id)) return refuse('ALREADY_SIGNED', 'P9');
  const outstanding = notYetVoted(eligible(m, item), vote.receipts);
  if (outstanding.length > 0) return refuse('VOTES_OUTSTANDING', 'P9', { waitingFor: outstanding });
  const total = p.for + p.against + p.abstain;
  if (total !== vote.receipts.length) {
    return refuse('TALLY_INVALID', 'P9', { total, receipts: vote.receipts.length });
  }
  const other = vote.tallies[0];
  if (
    other &&
    (other.for !== p.for || other.against !== p.against || other.abstain !== p.abstain)
  ) {
    return refuse('TALLY_MISMATCH', 'P9');
  }
  return () => {
    vote.tallies.push({
      principalId: a.p.id,
      for: p.for,
      against: p.against,
      abstain: p.abstain,
      seq: ctx.seq,
    });
    return { itemId: item.id, principalId: a.p.id, signatures: vote.tallies.length };
  };
};

/** Chair: close the vote; the engine derives the outcome and the rule that decided it. */
export const voteClose: Handler<'vote.close'> = (ctx, p) => {
  const g = voting(ctx, p.itemId);
  if (isRefusal(g)) return g;
  const { item, m, vote } = g;
  const a = meetingActor(ctx, m, ['chair'], 'P9');
  if (isRefusal(a)) return a;
  let tally: { for: number; against: number; abstain: number };
  let participants: number;
  if (vote.method === 'secret') {
    const t = vote.tallies[0];
    if (vote.tallies.length < 2 || !t)
      return refuse('TALLY_MISSING', 'P9', { signatures: vote.tallies.length });
    tally = t;
    participants = vote.receipts.length;
  } else {
    const outstanding = notYetVoted(eligible(m, item), vote.ballots);
    if (outstanding.length > 0)
      return refuse('VOTES_OUTSTANDING', 'P9', { waitingFor: outstanding });
    tally = countBallots(vote.ballots);
    participants = vote.ballots.length;
  }
  const { for: f, against, abstain } = tally;
  const cast = f + against + abstain;
  const counts = { for: f, against, abstain, cast, denominator: vote.denominator };
  const rb = m.rulebook;
  const q = voteQuorum(m, item, participants, vote.denominator);
  const closeVote = largeDissent(against + abstain, cast, rb);
  const urgent = item.urgent !== null;
  return () => {
    const reports = new ReportBatch(ctx);
    let o;
    if (!q.ok) o = outcome(ctx, 'deferred', 'P4', 'quorum_lost', { counts });
    else if (closeVote && !urgent) o = outcome(ctx, 'deferred', 'P8', 'close_vote', { counts });
    else {
      const adopted = exceeds(f, vote.denominator, rb.adoptionFraction);
      o = outcome(ctx, adopted ? 'adopted' : 'rejected', 'P9', 'vote', {
        counts,
        urgentOverride: urgent,
        overrodeDeferral: urgent && (closeVote || vote.statementsWouldDefer),
      });
    }
    const d = settle(ctx, m, item, o, reports);
    return { ...d, quorum: { participants, ok: q.ok }, reports: reports.list };
  };
};
