/**
 * P12 reconsideration (复议): reopening an adopted decision needs `for` from more than half of the
 * denominator, recorded as its own vote. A reopened decision leaves the adopted index and may come
 * back, like a deferred item, at a later meeting (P10). P2 applies: a topical meeting cannot
 * reopen a major matter. P4 quorum is checked on the motion's votes.
 */
import {
  ANY_BODY_ROLE,
  derivedId,
  DAY,
  getMeeting,
  isMajor,
  isRefusal,
  meetingActor,
  own,
  refuse,
  type Ctx,
  type Handler,
} from '../context.js';
import { addReturnable } from '../expiry.js';
import { exceeds } from '../fraction.js';
import { countBallots, hasVoted, notYetVoted } from '../ballots.js';
import { isPresent, presentVoting } from '../presence.js';
import { voteQuorum } from '../quorum.js';
import type { Refusal } from '../error.js';
import type { Meeting, Motion } from '../state.js';

/** A present voting member moves to reconsider an adopted decision; the motion's vote opens. */
export const reconsiderationOpen: Handler<'reconsideration.open'> = (ctx, p) => {
  const m = getMeeting(ctx, p.meetingId);
  if (isRefusal(m)) return m;
  const a = meetingActor(ctx, m, ANY_BODY_ROLE, 'P12');
  if (isRefusal(a)) return a;
  if (!a.s.voting) return refuse('NOT_VOTING_MEMBER', 'P12', { role: a.s.role });
  if (m.state !== 'open') return refuse('MEETING_NOT_OPEN', 'P12');
  if (!isPresent(m, a.p.id)) return refuse('NOT_PRESENT', 'P12');
  const ad = own(ctx.state.adopted, p.itemId);
  if (!ad || ad.bodyId !== m.bodyId) return refuse('NOT_ADOPTED', 'P12', { itemId: p.itemId });
  if (m.kind === 'topical' && isMajor(ad.category)) {
    return refuse('TOPICAL_MEETING_CANNOT_DECIDE', 'P2', { category: ad.category });
  }
  if (m.current !== null) return refuse('ANOTHER_ITEM_IN_PROGRESS', 'P9', { current: m.current });
  return () => {
    const id = derivedId('rcn', ctx.seq);
    const motion: Motion = {
      id,
      meetingId: m.id,
      bodyId: m.bodyId,
      itemId: p.itemId,
      itemTitle: ad.title,
      category: ad.category,
      proposerId: a.p.id,
      reason: p.reason,
      openedSeq: ctx.seq,
      denominator: m.denominator,
      ballots: [],
      outcome: null,
    };
    ctx.state.motions[id] = motion;
    m.motions.push(id);
    m.current = id;
    return { motionId: id, itemId: p.itemId, denominator: m.denominator };
  };
};

function openMotion(ctx: Ctx, id: string): { motion: Motion; m: Meeting } | Refusal {
  const motion = own(ctx.state.motions, id);
  if (!motion) return refuse('UNKNOWN_MOTION', 'P12', { motionId: id });
  const m = own(ctx.state.meetings, motion.meetingId);
  if (!m) return refuse('UNKNOWN_MOTION', 'P12', { motionId: id });
  if (m.state !== 'open') return refuse('MEETING_NOT_OPEN', 'P12');
  if (motion.outcome !== null || m.current !== id) return refuse('ITEM_NOT_IN_VOTING', 'P12');
  return { motion, m };
}

/** A present voting member's vote on the motion. */
export const reconsiderationVote: Handler<'reconsideration.vote'> = (ctx, p) => {
  const g = openMotion(ctx, p.motionId);
  if (isRefusal(g)) return g;
  const { motion, m } = g;
  const a = meetingActor(ctx, m, ANY_BODY_ROLE, 'P12');
  if (isRefusal(a)) return a;
  if (!a.s.voting) return refuse('NOT_VOTING_MEMBER', 'P12', { role: a.s.role });
  if (!isPresent(m, a.p.id)) return refuse('NOT_PRESENT', 'P5');
  if (hasVoted(motion.ballots, a.p.id)) return refuse('ALREADY_VOTED', 'P12');
  return () => {
    motion.ballots.push({
      principalId: a.p.id,
      choice: p.choice,
      reason: p.reason ?? null,
      seq: ctx.seq,
    });
    return { motionId: motion.id, principalId: a.p.id };
  };
};

/** Chair: close the motion's vote; a reopened decision may come back at a later meeting. */
export const reconsiderationClose: Handler<'reconsideration.close'> = (ctx, p) => {
  const g = openMotion(ctx, p.motionId);
  if (isRefusal(g)) return g;
  const { motion, m } = g;
  const a = meetingActor(ctx, m, ['chair'], 'P12');
  if (isRefusal(a)) return a;
  const outstanding = notYetVoted(presentVoting(m), motion.ballots);
  if (outstanding.length > 0)
    return refuse('VOTES_OUTSTANDING', 'P12', { waitingFor: outstanding });
  const { for: f, against, abstain } = countBallots(motion.ballots);
  const counts = {
    for: f,
    against,
    abstain,
    cast: f + against + abstain,
    denominator: motion.denominator,
  };
  const q = voteQuorum(m, motion, counts.cast, motion.denominator);
  const passed = q.ok && exceeds(f, motion.denominator, m.rulebook.reconsiderationFraction);
  const ad = own(ctx.state.adopted, motion.itemId);
  return () => {
    motion.outcome = {
      result: passed ? 'reopened' : 'not_reopened',
      rule: q.ok ? 'P12' : 'P4',
      basis: q.ok ? 'vote' : 'quorum_lost',
      seq: ctx.seq,
      counts,
    };
    m.current = null;
    if (passed && ad) {
      delete ctx.state.adopted[motion.itemId];
      addReturnable(ctx.state, {
        itemId: motion.itemId,
        bodyId: ad.bodyId,
        meetingId: m.id,
        meetingStart: m.scheduledStart,
        category: ad.category,
        title: ad.title,
        candidate: ad.candidate,
        post: ad.post,
        reason: 'reopened',
        sinceSeq: ctx.seq,
        expiresAt: ctx.time + m.rulebook.deferralExpiryDays * DAY,
      });
    }
    return {
      motionId: motion.id,
      itemId: motion.itemId,
      result: motion.outcome.result,
      rule: motion.outcome.rule,
      counts: { ...counts },
    };
  };
};
