/**
 * The rulebook: every number of the rules of procedure as a per-body parameter with the default
 * from `shared/spec/procedure.md`. A body's rulebook is versioned on the ledger (`rulebook.set`)
 * and a meeting keeps the version in force when it was scheduled.
 */
import type { RulebookParams, VoteMethod } from '@yishi/schema';
import type { Fraction } from './fraction.js';

/** A complete rulebook. */
export interface Rulebook {
  /** P3: hours before the scheduled start by which an item must be submitted. */
  agendaLeadHours: number;
  /** P3: the same for `cadre_appointment` items. */
  cadreAgendaLeadHours: number;
  /** P3: the discipline role is notified of major-matter items at least this many hours ahead. */
  disciplineNoticeHours: number;
  /** P3: whether routine items may be added late or once the meeting is open. */
  allowAdhocRoutine: boolean;
  /** P1: amount (元) from which spending must be filed as `large_funds`; null: none set. */
  largeFundsThreshold: number | null;
  /** P4: present voting members must be MORE than this fraction of the denominator. */
  quorumFraction: Fraction;
  /** P4: cadre votes need present non-recused voting members AT LEAST this fraction. */
  cadreQuorumFraction: Fraction;
  /** P4: suspended members leave the denominator. */
  excludeSuspended: boolean;
  /** P6: recused members stay in the item's denominator. */
  recusedCountInDenominator: boolean;
  /** P8: dissent MORE than this fraction of statements (or of votes cast) defers the item. */
  deferralFraction: Fraction;
  /** P9: `for` must be MORE than this fraction of the denominator. */
  adoptionFraction: Fraction;
  /** P12: reopening needs `for` MORE than this fraction of the denominator. */
  reconsiderationFraction: Fraction;
  /** P9: vote method when none is named. */
  defaultVoteMethod: VoteMethod;
  /** P9: the method cadre items are voted by. */
  cadreVoteMethod: VoteMethod;
  /** P10: a deferred item expires this many days after its deferral. */
  deferralExpiryDays: number;
  /** P11: failures for the same candidate and post after which renomination is refused. */
  maxCadreAttempts: number;
}

/** The defaults of `shared/spec/procedure.md`. Frozen: copy before changing. */
export const RULEBOOK_DEFAULTS: Readonly<Rulebook> = Object.freeze({
  agendaLeadHours: 24,
  cadreAgendaLeadHours: 72,
  disciplineNoticeHours: 24,
  allowAdhocRoutine: false,
  largeFundsThreshold: null,
  quorumFraction: Object.freeze({ num: 1, den: 2 }),
  cadreQuorumFraction: Object.freeze({ num: 2, den: 3 }),
  excludeSuspended: true,
  recusedCountInDenominator: false,
  deferralFraction: Object.freeze({ num: 1, den: 3 }),
  adoptionFraction: Object.freeze({ num: 1, den: 2 }),
  reconsiderationFraction: Object.freeze({ num: 1, den: 2 }),
  defaultVoteMethod: 'roll_call',
  cadreVoteMethod: 'secret',
  deferralExpiryDays: 365,
  maxCadreAttempts: 2,
}) as Readonly<Rulebook>;

/** A fresh, mutable copy of the defaults. */
export function defaultRulebook(): Rulebook {
  return mergeRulebook(RULEBOOK_DEFAULTS, {});
}

/** `base` with `params` applied; a fresh object sharing nothing with either. */
export function mergeRulebook(base: Readonly<Rulebook>, params: RulebookParams): Rulebook {
  const pick = <T>(v: T | undefined, d: T): T => (v === undefined ? d : v);
  const frac = (f: Fraction | undefined, d: Fraction): Fraction => {
    const x = pick(f, d);
    return { num: x.num, den: x.den };
  };
  return {
    agendaLeadHours: pick(params.agendaLeadHours, base.agendaLeadHours),
    cadreAgendaLeadHours: pick(params.cadreAgendaLeadHours, base.cadreAgendaLeadHours),
    disciplineNoticeHours: pick(params.disciplineNoticeHours, base.disciplineNoticeHours),
    allowAdhocRoutine: pick(params.allowAdhocRoutine, base.allowAdhocRoutine),
    largeFundsThreshold: pick(params.largeFundsThreshold, base.largeFundsThreshold),
    quorumFraction: frac(params.quorumFraction, base.quorumFraction),
    cadreQuorumFraction: frac(params.cadreQuorumFraction, base.cadreQuorumFraction),
    excludeSuspended: pick(params.excludeSuspended, base.excludeSuspended),
    recusedCountInDenominator: pick(
      params.recusedCountInDenominator,
      base.recusedCountInDenominator
    ),
    deferralFraction: frac(params.deferralFraction, base.deferralFraction),
    adoptionFraction: frac(params.adoptionFraction, base.adoptionFraction),
    reconsiderationFraction: frac(params.reconsiderationFraction, base.reconsiderationFraction),
    defaultVoteMethod: pick(params.defaultVoteMethod, base.defaultVoteMethod),
    cadreVoteMethod: pick(params.cadreVoteMethod, base.cadreVoteMethod),
    deferralExpiryDays: pick(params.deferralExpiryDays, base.deferralExpiryDays),
    maxCadreAttempts: pick(params.maxCadreAttempts, base.maxCadreAttempts),
  };
}

/**
 * Names of the parameters that make a rulebook inconsistent: a fraction above one (a quorum or
 * threshold nobody could reach), or a deferral fraction of one or more (nothing would ever defer).
 */
export function rulebookProblems(rb: Readonly<Rulebook>): string[] {
  const out: string[] = [];
  const atMostOne = [
    'quorumFraction',
    'cadreQuorumFraction',
    'adoptionFraction',
    'reconsiderationFraction',
  ] as const;
  for (const k of atMostOne) if (rb[k].num > rb[k].den) out.push(k);
  if (rb.deferralFraction.num >= rb.deferralFraction.den) out.push('deferralFraction');
  return out;
}
