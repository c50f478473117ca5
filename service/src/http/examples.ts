import { RULEBOOK_DEFAULTS } from '@yishi/procedure';
import { commandOutcome, type CommandType } from '@yishi/schema';

/**
 * Hand-written examples of every command the API takes, for the reference at /docs: what the
 * principal signs (`payload` without the envelope) and what the rules derive (`derived` of the
 * 201 answer). One story: a 市委常委会 (body-1) meets (mtg-20) on item-24; ids are ledger positions.
 * The OpenAPI builder attaches them to each command route (see openapi.ts); a test checks each
 * payload against its command's schema.
 */
export interface CommandExample {
  /** One line: who sends it and when. */
  summary: string;
  /** The command's own fields (`type`, `ts`, `nonce` and `ledger` are added by the signer). */
  payload: Record<string, unknown>;
  /** What the rules derived: the `derived` of the answer. */
  derived: Record<string, unknown>;
}

/** The envelope values every example shares. */
export const EXAMPLE_ENVELOPE = {
  ledger: 'c1f0a3e2-ledger',
  ts: 1_764_900_000_000,
  nonce: 'ac6d9f40a1f4f0b7601aedf5412d5b71',
  publicKey: 'EARrZlQnZ+EsxZ01zNcSJrI4Y8U8rdm08Ft44W5h79Y=',
  signature:
    'Np58qXiA8HqidZlUYhLeec3y2+PRVrjah2LawnMLIX5Ea7i6cR55L6Yh8w4gKz4XTLLE/mNFQe6ijSySwOMOVA==',
  leafHash: 'e48875ec68851ef28501aa94cca0c1e342a47a4429bab4ce38fb5c8994a4b4c8',
} as const;

const KEY_B = 'IxbZJf7O2gTZIxJioSI6L9oKjKGWVdwjdkf8eXMbRN4=';
const KEY_C = 'VRoNUKnIR2JpQiI+H0jBbFpT9yiwhF6d4nZypm40vYE=';
const SHA_MATERIAL = '9aa42e2ee0a743f6d620bf54d20ab720edd5c7c3125f9d9ecdb07d51d5a3b0ab';
const SHA_ITEM = 'e48875ec68851ef28501aa94cca0c1e342a47a4429bab4ce38fb5c8994a4b4c8';
const START = 1_765_180_800_000; // 2025-12-08 08:00 UTC+8
/** A complete rulebook, as `derived.rulebook` carries it: the defaults, a threshold set. */
const RULEBOOK = { ...RULEBOOK_DEFAULTS, largeFundsThreshold: 5_000_000 };
const COUNTS = { for: 7, against: 1, abstain: 0, cast: 8, denominator: 9 };
const ITEM_TITLE = '关于收购华东光伏电站项目的议题';
/** The item as a report's subject names it (P13). */
const ITEM_SUBJECT = {
  itemId: 'item-24',
  meetingId: 'mtg-20',
  title: ITEM_TITLE,
  category: 'large_funds',
};
/** A report addressed upward, as `derived.reports` carries it (P13). */
function report(seq: number, kind: string, subject: object, confidential = false) {
  return {
    reportId: `rpt-${seq}-0`,
    kind,
    addressee:
      kind === 'objection' ? 'higher_level_discipline_commission' : 'higher_level_organisation',
    bodyId: 'body-1',
    subject,
    readableBy: confidential ? ['discipline', 'admin', 'auditor'] : ['admin', 'auditor'],
  };
}

/** Every command route's example, by command type. */
export const COMMAND_EXAMPLES: { readonly [K in CommandType]?: CommandExample } = {
  'body.create': {
    summary: 'The admin creates a body',
    payload: { name: '星河能源集团党委' },
    derived: { bodyId: 'body-1', rulebookVersion: 1, rulebook: RULEBOOK },
  },
  'rulebook.set': {
    summary: 'The admin raises the large-funds threshold (meetings scheduled later follow it)',
    payload: { bodyId: 'body-1', params: { largeFundsThreshold: 10_000_000 } },
    derived: {
      bodyId: 'body-1',
      rulebookVersion: 2,
      rulebook: { ...RULEBOOK, largeFundsThreshold: 10_000_000 },
    },
  },
  'principal.register': {
    summary: 'The admin registers a voting member with the public key made on her device',
    payload: {
      principalId: 'sun-lihua',
      name: '孙丽华',
      publicKey: KEY_B,
      role: 'member',
      bodyId: 'body-1',
    },
    derived: { principalId: 'sun-lihua', role: 'member', bodyId: 'body-1', votes: true },
  },
  'principal.update_role': {
    summary: 'The admin makes a member the body’s recorder, without a vote',
    payload: { principalId: 'li-ming', role: 'recorder', votes: false },
    derived: { principalId: 'li-ming', role: 'recorder', votes: false },
  },
  'membership.end': {
    summary: 'The admin ends a membership (transferred)',
    payload: { principalId: 'zhou-gang', reason: '调任他职' },
    derived: { principalId: 'zhou-gang', bodyId: 'body-1' },
  },
  'member.suspend': {
    summary: 'The admin suspends a member (P4: out of the denominator)',
    payload: { principalId: 'zhou-gang', reason: '接受组织审查期间暂停职务' },
    derived: { principalId: 'zhou-gang' },
  },
  'member.reinstate': {
    summary: 'The admin reinstates a suspended member',
    payload: { principalId: 'zhou-gang' },
    derived: { principalId: 'zhou-gang' },
  },
  'key.rotate': {
    summary: 'A member replaces her key (every current key of hers is revoked)',
    payload: { principalId: 'sun-lihua', newPublicKey: KEY_C },
    derived: { principalId: 'sun-lihua', revoked: [KEY_B] },
  },
  'key.confirm': {
    summary: 'A member confirms the key an admin set, signing with it, proving the old one',
    payload: {
      principalId: 'sun-lihua',
      previousPublicKey: KEY_B,
      previousSignature: EXAMPLE_ENVELOPE.signature,
    },
    derived: { principalId: 'sun-lihua', confirmedKey: KEY_C, resetSeq: 311 },
  },
  'key.revoke': {
    summary: 'A member revokes her lost key from this ledger position on',
    payload: { publicKey: KEY_B, reason: '设备遗失' },
    derived: { principalId: 'sun-lihua' },
  },
  'auditor.appoint': {
    summary: 'The admin appoints an auditor to a body (replaces the list)',
    payload: { principalId: 'audit-wang', bodyIds: ['body-1'] },
    derived: { principalId: 'audit-wang', bodyIds: ['body-1'] },
  },
  'ruling.register': {
    summary: 'The admin registers the higher level’s ruling on an escalated item (P10)',
    payload: {
      target: { kind: 'item', itemId: 'item-24' },
      decision: 'returned',
      text: '退回补充可行性研究后重新上会',
    },
    derived: { rulingId: 'rul-402', itemId: 'item-24', decision: 'returned' },
  },
  'report.acknowledge': {
    summary: 'The admin acknowledges a report addressed upward (P13)',
    payload: { reportId: 'rpt-377-0' },
    derived: { reportId: 'rpt-377-0' },
  },
  'meeting.schedule': {
    summary: 'The chair schedules a leadership meeting (P2, P3)',
    payload: {
      bodyId: 'body-1',
      kind: 'leadership',
      title: '2025年第12次党委会',
      scheduledStart: START,
    },
    derived: { meetingId: 'mtg-20', kind: 'leadership', rulebookVersion: 1 },
  },
  'meeting.cancel': {
    summary: 'The chair cancels a scheduled meeting; its items are withdrawn (P3)',
    payload: { meetingId: 'mtg-20', reason: '改期召开' },
    derived: { meetingId: 'mtg-20', withdrawn: ['item-24'], objectionsEscalated: [], reports: [] },
  },
  'meeting.open': {
    summary: 'The chair opens the meeting with the attendance (P4: quorum)',
    payload: {
      meetingId: 'mtg-20',
      present: [
        'zhang-wei',
        'sun-lihua',
        'li-ming',
        'wang-fang',
        'chen-jie',
        'liu-yang',
        'zhao-lei',
      ],
      absent: [
        { principalId: 'qian-jun', reason: '出差' },
        { principalId: 'wu-min', reason: '病假' },
      ],
      attendees: ['ji-wei'],
    },
    derived: { meetingId: 'mtg-20', denominator: 9, presentVoting: 7, agenda: ['item-24'] },
  },
  'meeting.arrive': {
    summary: 'The recorder records a late arrival (P4)',
    payload: { meetingId: 'mtg-20', principalId: 'qian-jun' },
    derived: { meetingId: 'mtg-20', principalId: 'qian-jun' },
  },
  'meeting.depart': {
    summary: 'The recorder records an early departure (P4: quorum re-checked at each vote)',
    payload: { meetingId: 'mtg-20', principalId: 'qian-jun', reason: '另有公务' },
    derived: { meetingId: 'mtg-20', principalId: 'qian-jun' },
  },
  'meeting.close': {
    summary: 'The chair closes the meeting; the record is fixed (P16)',
    payload: { meetingId: 'mtg-20' },
    derived: {
      meetingId: 'mtg-20',
      deferred: [],
      objectionsEscalated: [],
      reports: [],
      minutes: { year: 2025, number: 12 },
      recordDigest: SHA_ITEM,
    },
  },
  'item.submit': {
    summary: 'A member submits a major decision with its materials, 24 h ahead (P1, P3)',
    payload: {
      meetingId: 'mtg-20',
      category: 'large_funds',
      title: ITEM_TITLE,
      materials: [{ title: '项目可行性研究报告', sha256: SHA_MATERIAL }],
      amount: 960_000_000,
    },
    derived: {
      itemId: 'item-24',
      materialsDigest: SHA_ITEM,
      adhoc: false,
      previousItemId: null,
      notify: ['ji-wei'],
    },
  },
  'item.withdraw': {
    summary: 'The submitter withdraws an item before deliberation (P3)',
    payload: { itemId: 'item-24', reason: '材料需补充' },
    derived: {
      itemId: 'item-24',
      result: 'withdrawn',
      rule: 'P3',
      basis: 'withdrawn',
      counts: null,
      urgentOverride: false,
      overrodeDeferral: false,
    },
  },
  'item.deliberate': {
    summary: 'The chair opens deliberation on an item (P9: one at a time)',
    payload: { itemId: 'item-24' },
    derived: { itemId: 'item-24', materialsDigest: SHA_ITEM },
  },
  'item.recuse': {
    summary: 'A member with a conflict recuses (P6)',
    payload: { itemId: 'item-24', principalId: 'liu-yang', reason: '近亲属在交易对方任职' },
    derived: { itemId: 'item-24', principalId: 'liu-yang' },
  },
  'opinion.submit': {
    summary: 'An absent member’s written opinion (P5: never counted as a vote)',
    payload: {
      itemId: 'item-24',
      materialsDigest: SHA_ITEM,
      position: 'disagree',
      text: '收购对价偏高，建议重新评估',
    },
    derived: { itemId: 'item-24', principalId: 'qian-jun' },
  },
  'statement.record': {
    summary: 'A present member states a position with reasons (P7: the chair states last)',
    payload: {
      itemId: 'item-24',
      materialsDigest: SHA_ITEM,
      position: 'agree',
      reasons: '项目符合集团新能源发展规划',
    },
    derived: { itemId: 'item-24', principalId: 'sun-lihua', position: 'agree' },
  },
  'item.mark_urgent': {
    summary: 'The chair marks the item urgent before the vote (P8 exception, reported upward)',
    payload: { itemId: 'item-24', justification: '交易窗口本周五关闭' },
    derived: { itemId: 'item-24' },
  },
  'item.defer': {
    summary: 'The chair accepts a defer statement citing unclear key facts (P8)',
    payload: { itemId: 'item-24', statementBy: 'wang-fang', reason: '关键资产评估未完成' },
    derived: {
      itemId: 'item-24',
      result: 'deferred',
      rule: 'P8',
      basis: 'defer_accepted',
      counts: null,
      urgentOverride: false,
      overrodeDeferral: false,
      reports: [],
    },
  },
  'item.escalate': {
    summary: 'The chair escalates a deferred item for a ruling (P10)',
    payload: { itemId: 'item-24', reason: '班子成员意见分歧较大，请求上级裁决' },
    derived: {
      itemId: 'item-24',
      reports: [
        report(380, 'escalation', {
          ...ITEM_SUBJECT,
          reason: '班子成员意见分歧较大，请求上级裁决',
        }),
      ],
    },
  },
  'item.resubmit': {
    summary: 'A member brings a deferred item back at a later meeting (P10, P11)',
    payload: {
      previousItemId: 'item-24',
      meetingId: 'mtg-31',
      title: '关于收购华东光伏电站项目的议题（补充评估后）',
      materials: [{ title: '补充资产评估报告', sha256: SHA_MATERIAL }],
      amount: 960_000_000,
    },
    derived: {
      itemId: 'item-35',
      materialsDigest: SHA_ITEM,
      adhoc: false,
      previousItemId: 'item-24',
      notify: ['ji-wei'],
    },
  },
  'vote.open': {
    summary: 'The chair opens the vote once every present voting member stated (P7, P8, P9)',
    payload: { itemId: 'item-24', materialsDigest: SHA_ITEM, method: 'roll_call' },
    derived: {
      itemId: 'item-24',
      method: 'roll_call',
      denominator: 9,
      eligible: 7,
      scrutineers: [],
      statements: { agree: 6, disagree: 1, defer: 0, stated: 7 },
      urgent: false,
    },
  },
  'vote.cast': {
    summary: 'A present member votes for herself (P5, P9)',
    payload: { itemId: 'item-24', materialsDigest: SHA_ITEM, choice: 'for' },
    derived: { itemId: 'item-24', principalId: 'sun-lihua' },
  },
  'ballot.receipt': {
    summary: 'A member’s signed receipt of a secret ballot (P9)',
    payload: { itemId: 'item-24', materialsDigest: SHA_ITEM, receipt: SHA_MATERIAL },
    derived: { itemId: 'item-24', principalId: 'sun-lihua' },
  },
  'tally.sign': {
    summary: 'A scrutineer signs the counts of a secret ballot (P9)',
    payload: { itemId: 'item-24', for: 6, against: 1, abstain: 0 },
    derived: { itemId: 'item-24', principalId: 'chen-jie', signatures: 1 },
  },
  'vote.close': {
    summary: 'The chair closes the vote: adopted when for > 1/2 of 应到会 (P4, P8, P9)',
    payload: { itemId: 'item-24' },
    derived: {
      itemId: 'item-24',
      result: 'adopted',
      rule: 'P9',
      basis: 'vote',
      counts: COUNTS,
      urgentOverride: false,
      overrodeDeferral: false,
      quorum: { participants: 8, ok: true },
      reports: [report(233, 'adopted_major_matter', ITEM_SUBJECT)],
    },
  },
  'reconsideration.open': {
    summary: 'A present voting member moves to reconsider an adopted item (P12)',
    payload: { meetingId: 'mtg-31', itemId: 'item-24', reason: '交易对方情况发生重大变化' },
    derived: { motionId: 'rcn-40', itemId: 'item-24', denominator: 9 },
  },
  'reconsideration.vote': {
    summary: 'A present member votes on the motion (P5, P12)',
    payload: { motionId: 'rcn-40', choice: 'for' },
    derived: { motionId: 'rcn-40', principalId: 'sun-lihua' },
  },
  'reconsideration.close': {
    summary: 'The chair closes the motion (P12)',
    payload: { motionId: 'rcn-40' },
    derived: {
      motionId: 'rcn-40',
      itemId: 'item-24',
      result: 'reopened',
      rule: 'P12',
      counts: COUNTS,
    },
  },
  'objection.raise': {
    summary: 'A member or the discipline secretary objects under a rule (P14)',
    payload: {
      target: { kind: 'item', itemId: 'item-24' },
      rule: 'P3',
      text: '材料未按规定提前送达',
    },
    derived: { objectionId: 'obj-27', escalated: false, reports: [] },
  },
  'objection.answer': {
    summary: 'The chair answers an objection; a rejection is escalated (P14)',
    payload: { objectionId: 'obj-27', answer: 'rejected', reasons: '材料已于会前72小时送达' },
    derived: {
      objectionId: 'obj-27',
      answer: 'rejected',
      escalated: true,
      reports: [
        report(
          52,
          'objection',
          {
            objectionId: 'obj-27',
            meetingId: 'mtg-20',
            itemId: 'item-24',
            rule: 'P3',
            text: '材料未按规定提前送达',
            raisedBy: 'ji-wei',
            answer: { answer: 'rejected', reasons: '材料已于会前72小时送达' },
            why: 'rejected',
          },
          true
        ),
      ],
    },
  },
  'interference.record': {
    summary: 'Anyone records an attempt to interfere in a major matter (P15)',
    payload: {
      bodyId: 'body-1',
      who: { name: '某领导', post: '某局副局长', relation: 'leader' },
      matter: { category: 'procurement', text: '要求指定某供应商' },
      form: 'request',
      occurredAt: START - 86_400_000,
    },
    derived: {
      interferenceId: 'intf-60',
      deliverTo: ['ji-wei'],
      readableBy: ['discipline', 'admin', 'auditor'],
      reports: [
        report(
          60,
          'interference',
          {
            interferenceId: 'intf-60',
            recordedBy: 'sun-lihua',
            who: { name: '某领导', post: '某局副局长', relation: 'leader' },
            matter: { category: 'procurement', text: '要求指定某供应商' },
            form: 'request',
            occurredAt: START - 86_400_000,
            details: null,
          },
          true
        ),
      ],
    },
  },
  'record.sign': {
    summary: 'The recorder, then the chair, sign the record’s digest (P16)',
    payload: { meetingId: 'mtg-20', recordDigest: SHA_ITEM },
    derived: { meetingId: 'mtg-20', role: 'recorder', recordDigest: SHA_ITEM, archived: false },
  },
  'erratum.record': {
    summary: 'The recorder records an erratum pointing at an earlier entry (P16)',
    payload: { meetingId: 'mtg-20', correctsSeq: 233, text: '第3项发言人姓名应为“王芳”' },
    derived: {
      erratumId: 'err-250',
      meetingId: 'mtg-20',
      correctsSeq: 233,
      recordDigest: SHA_ITEM,
    },
  },
};

/** The signed request body of an example: the payload in its envelope, signed. */
export function exampleRequest(type: CommandType, e: CommandExample): Record<string, unknown> {
  const { ledger, ts, nonce, publicKey, signature } = EXAMPLE_ENVELOPE;
  return { payload: { type, ts, nonce, ledger, ...e.payload }, publicKey, signature };
}

/** The 201 answer of an example, its `outcome` read from `derived` as the service reads it. */
export function exampleReply(
  type: CommandType,
  e: CommandExample,
  seq = 233
): Record<string, unknown> {
  return {
    seq,
    leafHash: EXAMPLE_ENVELOPE.leafHash,
    time: EXAMPLE_ENVELOPE.ts + 41,
    derived: e.derived,
    outcome: commandOutcome(type, e.derived),
  };
}

/** An example of a service command (webhooks): not decided by the rules, answered with a view. */
export interface ServiceCommandExample {
  url: string;
  status: '200' | '201';
  summary: string;
  payload: Record<string, unknown>;
  reply: Record<string, unknown>;
}

const WEBHOOK_VIEW = {
  webhookId: 'wh-3',
  url: 'https://oa.example.org/yishi/reports',
  registeredBy: 'admin',
  createdAt: EXAMPLE_ENVELOPE.ts + 41,
  active: true,
};

/** The webhook commands' examples, by command type. */
export const SERVICE_COMMAND_EXAMPLES: Record<string, ServiceCommandExample> = {
  'webhook.register': {
    url: '/webhooks',
    status: '201',
    summary: 'The admin has every report addressed upward POSTed to the organisation’s OA system',
    payload: { url: WEBHOOK_VIEW.url },
    reply: WEBHOOK_VIEW,
  },
  'webhook.remove': {
    url: '/webhooks/:webhookId/removal',
    status: '200',
    summary: 'The admin stops the deliveries to a webhook',
    payload: { webhookId: 'wh-3' },
    reply: { ...WEBHOOK_VIEW, active: false },
  },
};

/** The signed request body of a service command's example. */
export function serviceExampleRequest(type: string, e: ServiceCommandExample) {
  const { ledger, ts, nonce, publicKey, signature } = EXAMPLE_ENVELOPE;
  return { payload: { type, ts, nonce, ledger, ...e.payload }, publicKey, signature };
}
