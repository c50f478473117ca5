/**
 * The words of the readable audit and verification report, in English and Simplified Chinese.
 * One table per kind of text; codes stay as they are (they are what `--json` and tests use).
 */
import type { LedgerCheck, LedgerFailure } from '../error.js';

/** The two languages a report is written in. */
export type ReportLang = 'en' | 'zh';

type Text = { en: string; zh: string };

/** What each failed check means, in one clause. */
export const CHECK_TEXT: { readonly [K in LedgerCheck]: Text } = {
  ENTRY_MALFORMED: { en: 'the entry is not a well-formed ledger entry', zh: '条目格式不正确' },
  ENTRY_SEQUENCE: {
    en: 'entries are missing, reordered or inserted',
    zh: '条目序号不连续（有删除、调换或插入）',
  },
  ENTRY_CHAIN: {
    en: 'the entry was changed: the hash chain breaks after it',
    zh: '条目被改动：哈希链在其后断开',
  },
  ENTRY_HASH_STORED: {
    en: 'the stored leaf hash is not the hash of the entry',
    zh: '存储的叶哈希与条目内容不符',
  },
  ENTRY_SIGNATURE: {
    en: 'the signature does not verify: the entry was changed after it was signed',
    zh: '签名验证失败：条目在签名后被改动',
  },
  ENTRY_KEY_UNACCEPTABLE: {
    en: 'the entry is signed with an unacceptable key',
    zh: '条目使用了不可接受的公钥签名',
  },
  GENESIS_INVALID: {
    en: 'entry 0 is not a genesis signed by the log key it declares',
    zh: '第 0 条不是由其声明的日志密钥签名的创世条目',
  },
  LOG_KEY_MISMATCH: {
    en: 'the ledger is not signed by the log key you trust',
    zh: '账本并非由您信任的日志密钥签名',
  },
  CHECKPOINT_MALFORMED: { en: 'a checkpoint is malformed', zh: '检查点格式不正确' },
  CHECKPOINT_SIGNATURE: {
    en: 'a checkpoint is not signed by the log key',
    zh: '检查点不是由日志密钥签名的',
  },
  CHECKPOINT_ORIGIN: { en: 'a checkpoint names another log', zh: '检查点属于另一个日志' },
  CHECKPOINT_BEYOND_LEDGER: {
    en: 'a checkpoint covers more entries than the ledger holds: its tail was dropped',
    zh: '检查点覆盖的条目多于账本现有条目：账本末尾被删除',
  },
  CHECKPOINT_ROOT_MISMATCH: {
    en: 'the entries do not hash to the root a checkpoint signed',
    zh: '条目的哈希树根与检查点签署的根不符',
  },
  CHECKPOINT_INCONSISTENT: {
    en: 'two checkpoints are not consistent: the log forked or was rewritten',
    zh: '两个检查点不一致：日志出现分叉或被改写',
  },
  CHECKPOINT_QUORUM: {
    en: "the checkpoint's cosignatures do not meet the witness policy",
    zh: '检查点的见证人联署未达到见证策略的要求',
  },
  LEDGER_EMPTY: { en: 'the ledger has no entries', zh: '账本没有任何条目' },
};

/**
 * The verifier's evidence in Chinese, one wording per check, filled from the failure's fields
 * (`seq`, `checkpointSize`), never from its English `detail` (free text, which stays in `--json`).
 */
export const CHECK_DETAIL_ZH: { readonly [K in LedgerCheck]: (f: LedgerFailure) => string } = {
  ENTRY_MALFORMED: (f) => `${at(f)}无法按账本条目读取：其格式、规范形式、公钥或签名的编码不正确`,
  ENTRY_SEQUENCE: (f) => `此处应为第 ${f.seq ?? '?'} 条，导出文件中却是另一个序号`,
  ENTRY_CHAIN: (f) =>
    f.seq === 0
      ? '第 0 条的前一哈希（prev）必须全为零'
      : `${at(f)}与相邻条目记录的哈希不符：它或其 prev 字段被改动`,
  ENTRY_HASH_STORED: (f) => `${at(f)}存储的叶哈希不是其内容的哈希`,
  ENTRY_SIGNATURE: (f) => `${at(f)}的命令签名验证失败`,
  ENTRY_KEY_UNACCEPTABLE: (f) => `${at(f)}的签名公钥不可接受`,
  GENESIS_INVALID: () =>
    '第 0 条不是有效的创世条目：不是由其声明的日志密钥签名，或在导出文件中被隐去',
  LOG_KEY_MISMATCH: () => '账本由另一个日志密钥创建，或您给出的密钥（--vkey）无效',
  CHECKPOINT_MALFORMED: (f) => `${cp(f)}格式不正确，无法读取`,
  CHECKPOINT_SIGNATURE: (f) => `${cp(f)}的签名无法用日志密钥验证`,
  CHECKPOINT_ORIGIN: (f) => `${cp(f)}声明的日志名称（origin）不是本账本的`,
  CHECKPOINT_BEYOND_LEDGER: (f) =>
    `检查点承诺了 ${f.checkpointSize ?? '?'} 条，账本却只有 ${f.seq ?? '?'} 条：末尾的条目被删除`,
  CHECKPOINT_ROOT_MISMATCH: (f) =>
    f.checkpointSize === undefined
      ? '条目的哈希与检查点签署的根不符：有条目被改动'
      : `条目的哈希与规模为 ${f.checkpointSize} 的检查点签署的根不符：第 ${f.seq ?? 0} 至 ${f.checkpointSize - 1} 条中有条目被改动`,
  CHECKPOINT_INCONSISTENT: (f) => `${cp(f)}与更早的检查点不一致（一致性证明不成立）`,
  CHECKPOINT_QUORUM: (f) =>
    f.checkpointSize === undefined
      ? '没有检查点可承载见证人的联署'
      : `${cp(f)}的见证人联署未达到见证策略的法定人数，或有见证人的联署无法验证`,
  LEDGER_EMPTY: () => '账本没有任何条目',
};

function at(f: LedgerFailure): string {
  return f.seq === undefined ? '条目' : `第 ${f.seq} 条`;
}

function cp(f: LedgerFailure): string {
  return f.checkpointSize === undefined ? '检查点' : `规模为 ${f.checkpointSize} 的检查点`;
}

/** What each replay finding means. */
export const FINDING_TEXT: Record<string, Text> = {
  DERIVED_MISMATCH: {
    en: 'the recorded outcome is not the one the rules give',
    zh: '记录的结果与按规则推算的结果不符',
  },
  ENTRY_REFUSED: {
    en: 'the rules refuse this command, yet it is on the ledger',
    zh: '规则不允许此命令，但它已记入账本',
  },
  MALFORMED_ENTRY: { en: 'the entry cannot be replayed', zh: '条目无法按规则重放' },
};

/** Roles, as the minutes name them in Chinese. */
export const ROLE_TEXT: Record<string, Text> = {
  admin: { en: 'admin', zh: '管理员' },
  auditor: { en: 'auditor', zh: '审计人员' },
  chair: { en: 'chair', zh: '主要负责人' },
  member: { en: 'member', zh: '成员' },
  recorder: { en: 'recorder', zh: '记录人' },
  discipline: { en: 'discipline secretary', zh: '纪检负责人' },
  attendee: { en: 'attendee', zh: '列席人员' },
};

/** Notices (no findings: the verdict does not depend on them). */
export const NOTICE_TEXT: Record<string, Text> = {
  KEY_SET_BY_ADMIN: { en: 'key set by admin', zh: '密钥由管理员设置' },
  SIGNED_WITH_RESET_KEY: {
    en: 'signed with a key set by admin, not confirmed by its principal',
    zh: '使用管理员设置、尚未经本人确认的密钥签名',
  },
  KEY_CONFIRMED: {
    en: 'key confirmed by its principal with the previous key',
    zh: '本人已用原密钥确认新密钥',
  },
};

const EN = {
  okVerify: 'OK: the ledger verifies.',
  okAudit: 'OK: the ledger verifies and every entry replays under the rules.',
  failedAt: (check: string, where: string) => `FAILED: ${check} at ${where}`,
  failedReplay: (n: number) => `FAILED: replay finds ${n} ${n === 1 ? 'problem' : 'problems'}`,
  andReplay: (n: number) =>
    n === 0 ? '' : `; replay finds ${n} ${n === 1 ? 'problem' : 'problems'}`,
  entry: (seq: number) => `entry ${seq}`,
  checkpointAt: (size: number) => `checkpoint at size ${size}`,
  theLedger: 'the ledger',
  signedBy: (type: string, who: string) => `${type} signed by ${who}`,
  keyOf: (type: string, who: string) => `${type} under the key of ${who}`,
  signedByUnknown: (type: string) => `${type}, signed by a key the ledger does not register`,
  person: (name: string, role: string) => `${name} (${role})`,
  meeting: (title: string) => `meeting “${title}”`,
  item: (title: string) => `item “${title}”`,
  body: (name: string) => `body “${name}”`,
  rule: (id: string, title: string) => `${id} ${title}`,
  under: (rule: string) => ` (rule ${rule})`,
  diff: (recorded: string, recomputed: string) => `recorded ${recorded}, rules give ${recomputed}`,
  absent: '(absent)',
  moreDiffs: (n: number) => `… and ${n} more ${n === 1 ? 'field' : 'fields'} (see --json)`,
  refusal: (message: string, code: string) => `refused: ${message} (${code})`,
  consequences: 'What replay finds after it (the rules applied to the entries as they stand):',
  otherFindings: 'Replay findings:',
  earlierFindings: 'Replay findings before it:',
  truncated: 'More findings were not listed (see --json).',
  notices: 'Notices (not findings):',
  labels: {
    ledger: 'ledger',
    entries: 'entries',
    signatures: 'signatures',
    checkpoints: 'checkpoints',
    replay: 'replay',
    redacted: 'redacted',
    logKey: 'log key',
  },
  entries: (n: string) => n,
  signatures: (done: string, total: string) => `${done} of ${total} verified`,
  stoppedAt: (seq: number) => `; checking stopped at entry ${seq}`,
  stoppedBeforeCheckpoints: (k: string) =>
    `${k} present, not checked (checking stopped before the checkpoints)`,
  checkpointsCovering: (k: string, coverage: string) => `${k} verified; ${coverage}`,
  colon: ': ',
  noCheckpoints: (n: string) =>
    `none: no entry is covered by a signed checkpoint (${n} entries after the last)`,
  coverageAll: (n: string, size: string) =>
    `all ${n} entries covered by the latest checkpoint (size ${size})`,
  coveragePart: (size: string, after: string) =>
    `the latest checkpoint (size ${size}) covers entries 0 to ${size}-1; ${after} entries after it are not yet covered`,
  checkpointsPresent: (k: string) => `${k} present`,
  replayed: (n: string, f: number) =>
    `${n} entries replayed, ${f === 0 ? 'no findings' : `${f} ${f === 1 ? 'finding' : 'findings'}`}`,
  redacted: (n: string) => `${n} entries redacted (a scoped export: their bodies are not shown)`,
  keyVkey: 'the key you trust (--vkey or --policy)',
  keyGenesis:
    'the key the ledger itself declares: this proves consistency, not who signed; pass --vkey with the key you trust',
  keyNone: 'none (no genesis)',
};

const ZH: typeof EN = {
  okVerify: '通过：账本验证无误。',
  okAudit: '通过：账本验证无误，每个条目均按规则重放无误。',
  failedAt: (check, where) => `未通过：${where}，${check}`,
  failedReplay: (n) => `未通过：重放发现 ${n} 个问题`,
  andReplay: (n) => (n === 0 ? '' : `；重放发现 ${n} 个问题`),
  entry: (seq) => `第 ${seq} 条`,
  checkpointAt: (size) => `规模为 ${size} 的检查点`,
  theLedger: '账本',
  signedBy: (type, who) => `${type}，签名人 ${who}`,
  keyOf: (type, who) => `${type}，使用 ${who} 的密钥`,
  signedByUnknown: (type) => `${type}，签名密钥未在账本中登记`,
  person: (name, role) => `${name}（${role}）`,
  meeting: (title) => `会议《${title}》`,
  item: (title) => `议题《${title}》`,
  body: (name) => `领导班子“${name}”`,
  rule: (id, title) => `${id} ${title}`,
  under: (rule) => `（规则 ${rule}）`,
  diff: (recorded, recomputed) => `记录为 ${recorded}，按规则应为 ${recomputed}`,
  absent: '（无）',
  moreDiffs: (n) => `…… 另有 ${n} 个字段不同（见 --json）`,
  refusal: (message, code) => `被拒绝：${message}（${code}）`,
  consequences: '其后重放发现（按账本现有条目适用规则）：',
  otherFindings: '重放发现：',
  earlierFindings: '在此之前重放发现：',
  truncated: '更多问题未列出（见 --json）。',
  notices: '提示（不是问题）：',
  labels: {
    ledger: '账本',
    entries: '条目',
    signatures: '签名',
    checkpoints: '检查点',
    replay: '重放',
    redacted: '隐去',
    logKey: '日志密钥',
  },
  entries: (n) => `${n} 条`,
  signatures: (done, total) => `${total} 个中 ${done} 个验证通过`,
  stoppedAt: (seq) => `；验证在第 ${seq} 条停止`,
  stoppedBeforeCheckpoints: (k) => `共 ${k} 个，未检查（验证在检查点之前停止）`,
  checkpointsCovering: (k, coverage) => `${k} 个验证通过；${coverage}`,
  colon: '：',
  noCheckpoints: (n) => `无：没有条目被签名检查点覆盖（其后 ${n} 条）`,
  coverageAll: (n, size) => `全部 ${n} 条均被最新检查点（规模 ${size}）覆盖`,
  coveragePart: (size, after) =>
    `最新检查点（规模 ${size}）覆盖第 0 至 ${size}-1 条；其后 ${after} 条尚未被覆盖`,
  checkpointsPresent: (k) => `共 ${k} 个`,
  replayed: (n, f) => `已重放 ${n} 条，${f === 0 ? '未发现问题' : `发现 ${f} 个问题`}`,
  redacted: (n) => `${n} 条已隐去（限定范围的导出：不显示其内容）`,
  keyVkey: '您信任的密钥（--vkey 或 --policy）',
  keyGenesis: '账本自身声明的密钥：只能证明一致性，不能证明签名人；请用 --vkey 指定您信任的密钥',
  keyNone: '无（没有创世条目）',
};

/** The phrases of a report in `lang`. */
export const phrases = (lang: ReportLang): typeof EN => (lang === 'zh' ? ZH : EN);

/** `text` in `lang`. */
export const pick = (text: Text, lang: ReportLang): string => text[lang];
