/**
 * The rule each command's "who may act" refusals are given under (P3–P16,
 * `shared/spec/procedure.md`): one rule per (code, command), whichever check refused — the
 * handler's own, a shared lookup (`bodyActor`, `meetingActor`) or the auditors' read-only check in
 * `decide`. Commands of the higher-level organisation's administration are under no rule.
 */
import type { CommandType } from '@yishi/schema';
import type { Refusal, RuleOf } from './error.js';

/** A rule both role refusals may be given under. */
type ActorRule = RuleOf<'ROLE_NOT_ALLOWED'> & RuleOf<'NOT_A_MEMBER_OF_BODY'>;

/**
 * The rule of ROLE_NOT_ALLOWED and NOT_A_MEMBER_OF_BODY for each command a rule of procedure
 * says who may send: the rule that decides what the command does.
 */
export const ACTOR_RULES: { readonly [K in CommandType]?: ActorRule } = {
  'meeting.schedule': 'P3',
  'meeting.cancel': 'P3',
  'meeting.open': 'P4',
  'meeting.arrive': 'P4',
  'meeting.depart': 'P4',
  'meeting.close': 'P16',
  'item.submit': 'P3',
  'item.withdraw': 'P3',
  'item.deliberate': 'P9',
  'item.recuse': 'P6',
  'opinion.submit': 'P5',
  'statement.record': 'P7',
  'item.mark_urgent': 'P8',
  'item.defer': 'P8',
  'item.escalate': 'P10',
  'item.resubmit': 'P3',
  'vote.open': 'P9',
  'vote.cast': 'P9',
  'ballot.receipt': 'P9',
  'tally.sign': 'P9',
  'vote.close': 'P9',
  'reconsideration.open': 'P12',
  'reconsideration.vote': 'P12',
  'reconsideration.close': 'P12',
  'objection.raise': 'P14',
  'objection.answer': 'P14',
  'interference.record': 'P15',
  'record.sign': 'P16',
  'erratum.record': 'P16',
};

/**
 * The rule of NOT_PRESENT for each command only a present member may send: P5 (no proxies) for
 * a vote, P7 for a statement, P4 for a departure, P9 for a scrutineer's tally, P12 for a motion.
 */
export const PRESENCE_RULES: { readonly [K in CommandType]?: RuleOf<'NOT_PRESENT'> } = {
  'meeting.depart': 'P4',
  'statement.record': 'P7',
  'vote.cast': 'P5',
  'ballot.receipt': 'P5',
  'reconsideration.vote': 'P5',
  'tally.sign': 'P9',
  'reconsideration.open': 'P12',
};

/** The rule a refusal of command `type` is given under when the refusing check named none. */
export function ruleOfRefusal(type: CommandType, r: Refusal): Refusal['rule'] {
  if (r.rule !== undefined) return r.rule;
  if (r.code === 'ROLE_NOT_ALLOWED' || r.code === 'NOT_A_MEMBER_OF_BODY') return ACTOR_RULES[type];
  if (r.code === 'NOT_PRESENT') return PRESENCE_RULES[type];
  return undefined;
}

/** `r` with the rule of its (code, command) filled in (see {@link ruleOfRefusal}). */
export function withRule(type: CommandType, r: Refusal): Refusal {
  const rule = ruleOfRefusal(type, r);
  if (rule !== undefined) r.rule = rule;
  return r;
}
