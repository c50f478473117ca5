/**
 * The rule index: each rule of procedure P1–P16 (`shared/spec/procedure.md`) with its title in
 * English and Chinese, the commands it decides and what it checks in each, and the refusal codes
 * it can give. The codes are read from the engine's error table (`REFUSALS[code].rules`
 * in `error.ts`), never listed here; the service builds its route descriptions and OpenAPI text
 * from this index.
 */
import type { CommandType } from '@yishi/schema';
import { REFUSAL_CODES, RULE_IDS, rulesOfCode, type RefusalCode, type RuleId } from './error.js';

/** One rule of procedure in the index. */
export interface Rule {
  /** P1…P16. */
  id: RuleId;
  /** The rule's title, as the spec names it. */
  title: { en: string; zh: string };
  /** What the rule decides in each command it applies to (English, one short clause). */
  checks: { readonly [K in CommandType]?: string };
  /** The commands the rule decides: the keys of `checks`, in that order. */
  commands: readonly CommandType[];
  /** Every refusal code the engine may give under this rule (from the error table). */
  refusals: readonly RefusalCode[];
}

type RuleText = Pick<Rule, 'title' | 'checks'>;

const TEXT: { readonly [K in RuleId]: RuleText } = {
  P1: {
    title: { en: 'Matter categories', zh: '事项类别（三重一大）' },
    checks: {
      'item.submit': 'category fields; routine spending above the threshold is large_funds',
      'item.resubmit': 'category fields',
    },
  },
  P2: {
    title: { en: 'Meeting kind', zh: '会议类型' },
    checks: {
      'meeting.schedule': 'leadership or topical',
      'vote.open': 'a topical meeting never decides a major matter',
      'reconsideration.open': 'a topical meeting never reopens a major matter',
    },
  },
  P3: {
    title: { en: 'Agenda submission', zh: '议题提交' },
    checks: {
      'meeting.schedule': 'starts in the future',
      'meeting.open': 'not before the scheduled start; the agenda is fixed',
      'meeting.cancel': 'its items are withdrawn',
      'item.submit': 'deadline (24 h, cadre 72 h), no ad-hoc motions once open',
      'item.resubmit': 'the same deadline',
      'item.withdraw': 'before deliberation',
    },
  },
  P4: {
    title: { en: 'Attendance and quorum', zh: '出席与法定人数' },
    checks: {
      'meeting.open':
        'the chair present; every voting member present or absent with reason; present > 1/2 of 应到会',
      'meeting.arrive': 'a late arrival is an entry',
      'meeting.depart': 'an early departure is an entry (quorum re-checked at each vote)',
      'member.suspend': 'suspended members leave the denominator',
      'vote.open': 'quorum (cadre ≥ 2/3)',
      'vote.close': 'quorum of those who voted',
      'reconsideration.close': 'quorum of those who voted',
    },
  },
  P5: {
    title: { en: 'No proxies', zh: '不得委托表决' },
    checks: {
      'opinion.submit': 'an absent member’s written opinion, never counted as a vote',
      'vote.cast': 'only present members vote, each for themselves',
      'ballot.receipt': 'only present members vote',
      'reconsideration.vote': 'only present members vote',
    },
  },
  P6: {
    title: { en: 'Recusal', zh: '回避' },
    checks: {
      'item.recuse': 'the member concerned or the chair, before the member states',
      'opinion.submit': 'not from a recused member',
      'statement.record': 'not from a recused member',
      'vote.open': 'a candidate who votes is recused',
      'vote.cast': 'not from a recused member',
      'ballot.receipt': 'not from a recused member',
    },
  },
  P7: {
    title: { en: 'Statements, chair last', zh: '末位表态' },
    checks: {
      'statement.record': 'reasons for disagree/defer; the chair states last',
      'vote.open': 'every present, non-recused voting member has stated',
    },
  },
  P8: {
    title: { en: 'Large disagreement defers the vote', zh: '暂缓表决' },
    checks: {
      'vote.open': 'dissent > 1/3 of statements defers the item unless urgent',
      'vote.close': 'a close vote defers unless urgent',
      'item.mark_urgent': 'the exception: the majority decides, urgent_override reported',
      'item.defer': 'the chair accepts a defer statement citing unclear key facts',
    },
  },
  P9: {
    title: { en: 'Vote and threshold', zh: '表决与通过' },
    checks: {
      'item.deliberate': 'one item at a time',
      'vote.open': 'method and scrutineers',
      'vote.cast': 'once, roll call or show of hands',
      'ballot.receipt': 'secret ballot',
      'tally.sign': 'both scrutineers sign the same counts',
      'vote.close': 'adopted when for > 1/2 of 应到会',
      'reconsideration.open': 'one item or motion at a time',
      'meeting.close': 'no vote open',
    },
  },
  P10: {
    title: { en: 'Deferred items', zh: '暂缓议题' },
    checks: {
      'item.resubmit': 'a later meeting only, before expiry',
      'item.escalate': 'the chair escalates a deferred item',
      'ruling.register': 'item: approved / not approved / returned',
      'meeting.close': 'items not concluded are deferred',
    },
  },
  P11: {
    title: { en: 'Renomination', zh: '再次提名' },
    checks: {
      'item.submit':
        'a rejected candidate only at another meeting; at most maxCadreAttempts (2) failures',
      'item.resubmit':
        'renominates a rejected cadre item, linked to its latest attempt, under the same limits',
    },
  },
  P12: {
    title: { en: 'Reconsideration', zh: '复议' },
    checks: {
      'reconsideration.open': 'a present voting member moves it',
      'reconsideration.vote': 'a present voting member, once',
      'reconsideration.close': 'reopened when for > 1/2 of 应到会',
    },
  },
  P13: {
    title: { en: 'Reporting upward', zh: '向上级报告' },
    checks: {
      'vote.close': 'adopted major matters and urgent overrides reported',
      'item.escalate': 'reported',
      'objection.raise': 'after close: escalated at once',
      'objection.answer': 'a rejected objection is escalated',
      'meeting.close': 'objections still open are escalated',
      'meeting.cancel': 'objections still open are escalated',
      'interference.record': 'reported upward',
      'key.rotate': 'a key an admin set for a member is reported upward and to discipline',
      'report.acknowledge': 'takes the report out of the outbox',
    },
  },
  P14: {
    title: { en: 'Objections', zh: '程序异议' },
    checks: {
      'objection.raise': 'the discipline role or a voting member, citing a rule',
      'objection.answer': 'the chair: corrected or rejected, with reasons',
      'meeting.close': 'open objections escalated',
      'meeting.cancel': 'open objections escalated',
      'ruling.register': 'objection: upheld / dismissed',
    },
  },
  P15: {
    title: { en: 'Interference records', zh: '插手干预重大事项记录' },
    checks: {
      'interference.record': 'delivered to the discipline role',
    },
  },
  P16: {
    title: { en: 'Minutes and record', zh: '会议记录与会议纪要' },
    checks: {
      'meeting.close': 'the record digest and the minutes number are fixed',
      'record.sign': 'the recorder and the chair sign the digest, after close',
      'erratum.record': 'nothing is edited: an erratum points at an earlier entry',
    },
  },
};

function build(id: RuleId): Rule {
  const { title, checks } = TEXT[id];
  return {
    id,
    title,
    checks,
    commands: Object.keys(checks) as CommandType[],
    refusals: REFUSAL_CODES.filter((code) => rulesOfCode(code).includes(id)),
  };
}

/** The rule index, P1…P16 in order: `RULES.P7.refusals`, `Object.values(RULES)`. */
export const RULES: { readonly [K in RuleId]: Rule } = Object.fromEntries(
  RULE_IDS.map((id) => [id, build(id)])
) as { [K in RuleId]: Rule };

/** The rules that decide `type`, in rule order (P1…P16). */
export function rulesOfCommand(type: CommandType): Rule[] {
  return RULE_IDS.map((id) => RULES[id]).filter((r) => r.commands.includes(type));
}
