/**
 * Refusals and replay errors of the rules-of-procedure engine (P1–P16,
 * `shared/spec/procedure.md`). Every refusal code is in the closed union below, has a message in
 * English and in Simplified Chinese, and names the rule that refused when a rule did.
 */

/** Rule ids P1…P16, stable across versions: named in refusals, tests and minutes. */
export const RULE_IDS = [
  'P1',
  'P2',
  'P3',
  'P4',
  'P5',
  'P6',
  'P7',
  'P8',
  'P9',
  'P10',
  'P11',
  'P12',
  'P13',
  'P14',
  'P15',
  'P16',
] as const;
/** A rule id, P1…P16. */
export type RuleId = (typeof RULE_IDS)[number];

/**
 * The engine's error table: every refusal code with its English and Simplified Chinese message
 * and, where a rule of procedure gives it, `rules`: every rule it may be given under. The rule
 * index (`RULES` in `rules.ts`) reads the codes of each rule from here, and {@link refuse} only
 * accepts a rule listed for its code, so a new refusal under a rule cannot be missing from the
 * index.
 */
export const REFUSALS = {
  // Input and ledger position
  SEQ_OUT_OF_ORDER: {
    en: 'the entry is not the next one on the ledger',
    zh: '该条目不是账本的下一条',
  },
  TIME_REGRESSION: {
    en: 'the entry time is earlier than the previous entry',
    zh: '条目时间早于前一条目',
  },
  TS_OUT_OF_WINDOW: {
    en: 'the command’s ts is more than 5 minutes from the entry time',
    zh: '指令的签署时间与条目时间相差超过 5 分钟',
  },
  MALFORMED_COMMAND: { en: 'the command is malformed', zh: '指令格式错误' },
  UNKNOWN_COMMAND: { en: 'unknown command type', zh: '未知的指令类型' },
  GENESIS_REQUIRED: {
    en: 'entry 0 must be the ledger genesis',
    zh: '第 0 条必须是账本创世条目',
  },
  GENESIS_ONLY_AT_ZERO: {
    en: 'the ledger genesis is only valid as entry 0',
    zh: '创世条目只能是第 0 条',
  },
  GENESIS_KEY_MISMATCH: {
    en: 'the genesis must be signed by the log key, distinct from the admin key',
    zh: '创世条目须由日志密钥签名，且不得与管理员密钥相同',
  },
  WRONG_LEDGER: {
    en: 'the command was signed for another ledger, or names no ledger under protocol v2',
    zh: '该指令是为另一账本签署的，或在第 2 版协议下未注明账本',
  },
  // Identity and roles
  UNKNOWN_KEY: { en: 'the signing key is not registered', zh: '签名密钥未登记' },
  KEY_REVOKED: { en: 'the signing key has been revoked', zh: '签名密钥已被撤销' },
  KEY_IN_USE: { en: 'the public key is already registered', zh: '该公钥已被登记' },
  KEY_NOT_ACCEPTABLE: {
    en: 'the public key is not an acceptable Ed25519 key (non-canonical or small order)',
    zh: '该公钥不是可接受的 Ed25519 公钥（非规范编码或小阶点）',
  },
  KEY_NOT_RESET: {
    en: 'the principal has no key set by an admin awaiting confirmation',
    zh: '该人员没有待确认的管理员重置密钥',
  },
  KEY_CONFIRMATION_INVALID: {
    en: 'the confirmation is not signed by the key the reset replaced',
    zh: '确认未由被重置前的密钥签名',
  },
  LAST_ADMIN_KEY: {
    en: 'the last valid admin key cannot be revoked',
    zh: '不能撤销最后一个有效的管理员密钥',
  },
  PRINCIPAL_INACTIVE: { en: 'the principal is no longer a member', zh: '该人员已不在任' },
  PRINCIPAL_SUSPENDED: {
    en: 'the principal is suspended',
    zh: '该人员已被暂停职务',
    rules: ['P4'],
  },
  PRINCIPAL_EXISTS: { en: 'the principal id is already registered', zh: '人员标识已被登记' },
  UNKNOWN_PRINCIPAL: { en: 'unknown principal', zh: '未知人员' },
  ROLE_NOT_ALLOWED: {
    en: 'the principal’s role may not issue this command',
    zh: '该人员的角色无权执行此指令',
    rules: ['P3', 'P4', 'P5', 'P6', 'P7', 'P8', 'P9', 'P10', 'P12', 'P14', 'P15', 'P16'],
  },
  NOT_A_MEMBER_OF_BODY: {
    en: 'the principal is not a member of this body',
    zh: '该人员不是本领导班子成员',
    rules: ['P3', 'P4', 'P5', 'P6', 'P7', 'P8', 'P9', 'P10', 'P12', 'P14', 'P15', 'P16'],
  },
  INVALID_ROLE_FIELDS: {
    en: 'the role does not match the body and voting fields',
    zh: '角色与所属班子、表决权字段不符',
  },
  CHAIR_EXISTS: { en: 'the body already has a chair', zh: '该班子已有主要负责人' },
  ALREADY_SUSPENDED: { en: 'the member is already suspended', zh: '该成员已被暂停职务' },
  NOT_SUSPENDED: { en: 'the member is not suspended', zh: '该成员未被暂停职务' },
  NOT_AN_AUDITOR: { en: 'the principal is not an auditor', zh: '该人员不是审计人员' },
  UNKNOWN_BODY: { en: 'unknown body', zh: '未知的领导班子', rules: ['P15'] },
  INVALID_RULEBOOK: {
    en: 'the rulebook parameters are inconsistent',
    zh: '议事规则参数不一致',
  },
  // Meetings
  UNKNOWN_MEETING: { en: 'unknown meeting', zh: '未知会议', rules: ['P16'] },
  MEETING_NOT_SCHEDULED: {
    en: 'the meeting is not in the scheduled state',
    zh: '会议不处于待召开状态',
  },
  MEETING_NOT_OPEN: {
    en: 'the meeting is not open',
    zh: '会议未在进行中',
    rules: ['P7', 'P9', 'P12'],
  },
  MEETING_NOT_CLOSED: { en: 'the meeting has not closed', zh: '会议尚未结束', rules: ['P16'] },
  MEETING_CLOSED: { en: 'the meeting has closed', zh: '会议已结束', rules: ['P3', 'P5'] },
  SCHEDULE_IN_PAST: {
    en: 'a meeting must be scheduled to start in the future',
    zh: '会议开始时间必须晚于当前时间',
    rules: ['P3'],
  },
  MEETING_NOT_STARTED: {
    en: 'the meeting cannot open before its scheduled start',
    zh: '会议不得早于预定时间召开',
    rules: ['P3'],
  },
  ATTENDANCE_INCOMPLETE: {
    en: 'every voting member must be recorded as present or absent',
    zh: '每名有表决权的成员均须登记为出席或缺席',
    rules: ['P4'],
  },
  ATTENDANCE_INVALID: { en: 'the attendance list is invalid', zh: '出席名单有误', rules: ['P4'] },
  CHAIR_NOT_PRESENT: {
    en: 'the chair must be present to open the meeting',
    zh: '主要负责人须出席方可开会',
    rules: ['P4'],
  },
  QUORUM_NOT_MET: { en: 'the quorum is not met', zh: '到会人数不足', rules: ['P4'] },
  ALREADY_PRESENT: { en: 'the principal is already present', zh: '该人员已在会', rules: ['P4'] },
  NOT_PRESENT: {
    en: 'the principal is not present',
    zh: '该人员不在会',
    rules: ['P4', 'P5', 'P7', 'P9', 'P12'],
  },
  VOTE_IN_PROGRESS: { en: 'a vote is in progress', zh: '正在表决中', rules: ['P9'] },
  // Items
  UNKNOWN_ITEM: { en: 'unknown item', zh: '未知议题' },
  ITEM_NOT_PENDING: {
    en: 'the item is no longer awaiting deliberation',
    zh: '该议题已不处于待议状态',
    rules: ['P5', 'P6', 'P8'],
  },
  ITEM_NOT_ON_AGENDA: { en: 'the item is not on the agenda', zh: '该议题不在议程上' },
  ITEM_NOT_IN_DELIBERATION: {
    en: 'the item is not in deliberation',
    zh: '该议题不在讨论中',
    rules: ['P7', 'P8', 'P9'],
  },
  ITEM_NOT_IN_VOTING: {
    en: 'the item is not being voted',
    zh: '该议题不在表决中',
    rules: ['P9', 'P12'],
  },
  ITEM_NOT_DEFERRED: {
    en: 'the item is not deferred or reopened awaiting return',
    zh: '该议题不处于暂缓或复议待重新上会状态',
    rules: ['P10'],
  },
  ANOTHER_ITEM_IN_PROGRESS: {
    en: 'another item or motion is in progress',
    zh: '另一议题或动议正在进行中',
    rules: ['P9'],
  },
  CATEGORY_FIELDS_INVALID: {
    en: 'the fields do not match the item category',
    zh: '议题字段与事项类别不符',
    rules: ['P1'],
  },
  AMOUNT_REQUIRES_LARGE_FUNDS: {
    en: 'this amount must be filed as large_funds',
    zh: '该金额须按大额资金使用事项提交',
    rules: ['P1'],
  },
  AGENDA_DEADLINE_PASSED: {
    en: 'the agenda submission deadline has passed',
    zh: '已过议题提交截止时间',
    rules: ['P3'],
  },
  ADHOC_MOTION_REFUSED: {
    en: 'no item may be added once the meeting is open',
    zh: '会议开始后不得临时动议',
    rules: ['P3'],
  },
  MATERIALS_DIGEST_MISMATCH: {
    en: 'the materials digest does not match the item',
    zh: '材料摘要与议题不符',
    rules: ['P5', 'P7', 'P9'],
  },
  ALREADY_RECUSED: { en: 'the member has already recused', zh: '该成员已申请回避', rules: ['P6'] },
  RECUSED: {
    en: 'a recused member may not take part on this item',
    zh: '回避成员不得参与该议题',
    rules: ['P6'],
  },
  CANDIDATE_NOT_RECUSED: {
    en: 'a candidate who is a voting member must recuse before the vote',
    zh: '作为人选的表决成员须在表决前回避',
    rules: ['P6'],
  },
  NOT_VOTING_MEMBER: {
    en: 'only voting members may do this',
    zh: '仅有表决权的成员可以执行此操作',
    rules: ['P3', 'P5', 'P6', 'P9', 'P12'],
  },
  ROLE_MAY_NOT_STATE_POSITION: {
    en: 'this role may not state a position',
    zh: '该角色不得表态',
    rules: ['P7'],
  },
  POSITION_REQUIRED: {
    en: 'a voting member’s statement needs a position',
    zh: '表决成员发言须明确表态',
    rules: ['P7'],
  },
  REASONS_REQUIRED: { en: 'reasons are required', zh: '须说明理由', rules: ['P7'] },
  ALREADY_STATED: {
    en: 'the member has already stated',
    zh: '该成员已发表意见',
    rules: ['P6', 'P7'],
  },
  CHAIR_MUST_STATE_LAST: {
    en: 'the chair states last, after every other present voting member',
    zh: '主要负责人须末位表态',
    rules: ['P7'],
  },
  STATEMENTS_CLOSED: {
    en: 'statements are closed: the chair has stated',
    zh: '主要负责人已表态，发言已结束',
    rules: ['P7'],
  },
  STATEMENTS_INCOMPLETE: {
    en: 'every present voting member must state before the vote',
    zh: '表决前每名在会表决成员均须发表意见',
    rules: ['P7'],
  },
  NOT_ABSENT: {
    en: 'only absent members submit written opinions',
    zh: '仅缺席成员可提交书面意见',
    rules: ['P5'],
  },
  OPINION_EXISTS: {
    en: 'the member already submitted an opinion',
    zh: '该成员已提交书面意见',
    rules: ['P5'],
  },
  ALREADY_URGENT: {
    en: 'the item is already marked urgent',
    zh: '该议题已标记为紧急',
    rules: ['P8'],
  },
  NO_DEFER_STATEMENT: {
    en: 'the cited member made no defer statement',
    zh: '所引用成员未作缓议表态',
    rules: ['P8'],
  },
  TOPICAL_MEETING_CANNOT_DECIDE: {
    en: 'a topical meeting cannot decide a major matter',
    zh: '专题会议不得对重大事项作出决策',
    rules: ['P2'],
  },
  // Votes
  VOTE_METHOD_NOT_ALLOWED: {
    en: 'this vote method is not allowed for the item',
    zh: '该议题不得采用此表决方式',
    rules: ['P9'],
  },
  SCRUTINEERS_INVALID: {
    en: 'a secret ballot needs two present, distinct, non-candidate scrutineers',
    zh: '无记名投票须有两名在会且非人选本人的监票人',
    rules: ['P9'],
  },
  WRONG_VOTE_METHOD: {
    en: 'this command does not fit the vote method',
    zh: '该指令与表决方式不符',
    rules: ['P9'],
  },
  ALREADY_VOTED: { en: 'the member has already voted', zh: '该成员已表决', rules: ['P9', 'P12'] },
  VOTES_OUTSTANDING: {
    en: 'present voting members have not all voted',
    zh: '尚有在会表决成员未表决',
    rules: ['P9', 'P12'],
  },
  NOT_A_SCRUTINEER: {
    en: 'the principal is not a scrutineer',
    zh: '该人员不是监票人',
    rules: ['P9'],
  },
  TALLY_INVALID: {
    en: 'the tally does not add up to the ballots cast',
    zh: '计票结果与投票数不符',
    rules: ['P9'],
  },
  TALLY_MISMATCH: {
    en: 'the scrutineers’ tallies differ',
    zh: '两名监票人的计票结果不一致',
    rules: ['P9'],
  },
  TALLY_ALREADY_SIGNED: { en: 'the tally has been signed', zh: '计票结果已签署', rules: ['P9'] },
  TALLY_MISSING: {
    en: 'both scrutineers must sign the tally',
    zh: '须由两名监票人签署计票结果',
    rules: ['P9'],
  },
  // Deferral, renomination, reconsideration
  DEFERRAL_EXPIRED: { en: 'the deferred item has expired', zh: '暂缓议题已过期', rules: ['P10'] },
  NOT_A_LATER_MEETING: {
    en: 'a deferred item comes back only at a later meeting',
    zh: '暂缓议题只能在以后的会议上重新提交',
    rules: ['P10'],
  },
  RESUBMISSION_CHANGES_MATTER: {
    en: 'a resubmission must keep the category, candidate and post',
    zh: '重新提交不得改变事项类别、人选和职务',
    rules: ['P10', 'P11'],
  },
  ITEM_NOT_REJECTED: {
    en: 'only a rejected cadre item may be renominated',
    zh: '只有未通过的干部任免议题才能再次提名',
    rules: ['P11'],
  },
  NOT_A_CADRE_ITEM: {
    en: 'only a cadre appointment item may be renominated after rejection',
    zh: '只有干部任免议题未通过后才能再次提名',
    rules: ['P11'],
  },
  CADRE_NOT_LATEST_ATTEMPT: {
    en: 'a renomination links to the latest rejected attempt',
    zh: '再次提名须关联最近一次未通过的议题',
    rules: ['P11'],
  },
  CADRE_ATTEMPTS_EXHAUSTED: {
    en: 'this candidate and post have failed too many times',
    zh: '该人选该职务未通过次数已达上限',
    rules: ['P11'],
  },
  CADRE_SAME_MEETING: {
    en: 'a rejected nomination may come back only at another meeting',
    zh: '未通过的人选只能在其他会议上重新提名',
    rules: ['P11'],
  },
  CADRE_ITEM_PENDING: {
    en: 'an item for this candidate and post is already pending',
    zh: '该人选该职务已有待议议题',
    rules: ['P11'],
  },
  NOT_ADOPTED: {
    en: 'the item is not an adopted decision of this body',
    zh: '该议题不是本班子已通过的决定',
    rules: ['P12'],
  },
  UNKNOWN_MOTION: { en: 'unknown motion', zh: '未知动议', rules: ['P12'] },
  // Oversight and record
  UNKNOWN_OBJECTION: { en: 'unknown objection', zh: '未知异议', rules: ['P14'] },
  OBJECTION_NOT_OPEN: {
    en: 'the objection is not awaiting an answer',
    zh: '该异议不处于待答复状态',
    rules: ['P14'],
  },
  UNKNOWN_REPORT: {
    en: 'unknown or acknowledged report',
    zh: '未知或已签收的报告',
    rules: ['P13'],
  },
  RULING_TARGET_INVALID: {
    en: 'the ruling does not fit its target',
    zh: '裁决与其对象不符',
    rules: ['P10', 'P14'],
  },
  RECORD_DIGEST_MISMATCH: {
    en: 'the digest does not match the record',
    zh: '摘要与会议记录不符',
    rules: ['P16'],
  },
  ALREADY_SIGNED: { en: 'already signed', zh: '已签署', rules: ['P9', 'P16'] },
  ERRATUM_TARGET_INVALID: {
    en: 'an erratum must point at an earlier entry',
    zh: '勘误须指向此前的条目',
    rules: ['P16'],
  },
} as const satisfies Record<string, { en: string; zh: string; rules?: readonly RuleId[] }>;

/** Every refusal code: a closed union. */
export type RefusalCode = keyof typeof REFUSALS;

/** Every refusal code with its English and Simplified Chinese message (the table without rules). */
export const REFUSAL_MESSAGES = Object.fromEntries(
  Object.entries(REFUSALS).map(([code, r]) => [code, { en: r.en, zh: r.zh }])
) as { readonly [C in RefusalCode]: Pick<(typeof REFUSALS)[C], 'en' | 'zh'> };

/** The list of refusal codes. */
export const REFUSAL_CODES = Object.keys(REFUSALS) as RefusalCode[];

/** The rules code `C` may be given under (`never` for a code no rule gives). */
export type RuleOf<C extends RefusalCode> = (typeof REFUSALS)[C] extends {
  rules: readonly (infer R)[];
}
  ? Extract<R, RuleId>
  : never;

/** The rules a refusal code may be given under, from the table (empty for none). */
export function rulesOfCode(code: RefusalCode): readonly RuleId[] {
  const r = REFUSALS[code];
  return 'rules' in r ? r.rules : [];
}

/** Why the engine refused a command. A refused command never changes state. */
export interface Refusal {
  code: RefusalCode;
  rule?: RuleId;
  message: { en: string; zh: string };
  details?: Record<string, unknown>;
}

const made = new WeakSet<object>();

/** Build a refusal with its bilingual message. */
export function refuse<C extends RefusalCode>(
  code: C,
  rule?: RuleOf<C>,
  details?: Record<string, unknown>
): Refusal {
  const m = REFUSAL_MESSAGES[code];
  const r: Refusal = { code, message: { en: m.en, zh: m.zh } };
  if (rule !== undefined) r.rule = rule;
  if (details !== undefined) r.details = details;
  made.add(r);
  return r;
}

/**
 * True when `x` is a refusal built by {@link refuse} in this module (lookups inside the engine
 * return either a value or a refusal; the engine's own values are never mistaken for one).
 */
export function isRefusal(x: unknown): x is Refusal {
  return typeof x === 'object' && x !== null && made.has(x);
}

/** Codes of replay findings and of {@link ReplayError}. */
export const REPLAY_CODES = ['MALFORMED_ENTRY', 'ENTRY_REFUSED', 'DERIVED_MISMATCH'] as const;
/** A replay finding's code. */
export type ReplayCode = (typeof REPLAY_CODES)[number];

/** What an auditor's replay found wrong with one entry. */
export interface ReplayFinding {
  seq: number;
  code: ReplayCode;
  rule?: RuleId;
  evidence: Record<string, unknown>;
}

/** Thrown by `replay` at the first entry that does not replay. */
export class ReplayError extends Error {
  /** The finding's code. */
  readonly code: ReplayCode;
  /** The entry's seq (or its position in the input when the seq is unreadable). */
  readonly seq: number;
  /** The rule that refused, if one did. */
  readonly rule: RuleId | undefined;
  /** The evidence: the refusal, or both derived values. */
  readonly evidence: Record<string, unknown>;
  constructor(finding: ReplayFinding) {
    super(
      `replay failed at seq ${finding.seq}: ${finding.code}${finding.rule ? ` (${finding.rule})` : ''}`
    );
    this.name = 'ReplayError';
    this.code = finding.code;
    this.seq = finding.seq;
    this.rule = finding.rule;
    this.evidence = finding.evidence;
  }
}
