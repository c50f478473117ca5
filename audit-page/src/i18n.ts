/**
 * The page's words in English and Chinese. The language defaults to the browser's
 * (`navigator.language`), and a button switches it; nothing is re-run to switch.
 */
import type { CheckId } from './protocol.js';

export const LANGS = ['en', 'zh'] as const;
export type Lang = (typeof LANGS)[number];

/** The default language for a browser language tag (`zh-CN`, `zh-Hans-CN`, `en-GB`, …). */
export function defaultLang(tag: string | undefined): Lang {
  return tag !== undefined && /^zh\b/i.test(tag) ? 'zh' : 'en';
}

interface Words {
  title: string;
  intro: string;
  offline: string;
  exportLabel: string;
  vkeyLabel: string;
  policyLabel: string;
  savedLabel: string;
  run: string;
  switchTo: string;
  reading: (entries: number, pct: number) => string;
  verdictOk: string;
  verdictFailed: string;
  verdictWorking: string;
  noKey: string;
  keyFromGenesis: string;
  checksTitle: string;
  check: Record<CheckId, string>;
  pass: string;
  fail: string;
  skip: string;
  stoppedAt: (seq: number) => string;
  summaryTitle: string;
  entries: string;
  signatures: (n: number, of: number) => string;
  checkpoints: (n: number, latest: number | null, entries: number) => string;
  redacted: string;
  redactedNote: string;
  scope: string;
  replayed: string;
  ledger: string;
  elapsed: (ms: number) => string;
  time: string;
  signaturesLabel: string;
  checkpointsLabel: string;
  timelineAsIs: string;
  latestMeetings: (shown: number, of: number) => string;
  findingsTitle: string;
  noFindings: string;
  integrity: string;
  truncated: string;
  saveCheckpoint: string;
  savedConsistent: (size: number) => string;
  timelineTitle: string;
  noTimeline: string;
  meetingKind: Record<string, string>;
  result: Record<string, string>;
  position: Record<string, string>;
  pending: string;
  statements: (agree: number, disagree: number, defer: number) => string;
  counts: (f: number, a: number, ab: number, d: number) => string;
  dissent: string;
  error: (message: string) => string;
}

const en: Words = {
  title: "yishi · the auditor's page",
  intro:
    "Choose a ledger export and the log's verifier key (or a witness policy). Everything is checked here, in this browser: the page sends nothing anywhere.",
  offline: 'Works offline: save this page and open the file.',
  exportLabel: 'Ledger export (.jsonl)',
  vkeyLabel: "Log's verifier key (log.vkey)",
  policyLabel: 'or a witness policy',
  savedLabel: 'Checkpoint saved on an earlier visit (optional)',
  run: 'Verify',
  switchTo: '中文',
  reading: (n, pct) => `Checking… ${n.toLocaleString('en')} entries (${pct}%)`,
  verdictOk: 'OK: the ledger verifies and every outcome follows from the rules',
  verdictFailed: 'FAILED: see the checks and findings below',
  verdictWorking: 'Checking…',
  noKey:
    'No verifier key or policy given: checkpoints were checked against the key the ledger declares itself, which proves consistency, not who signed.',
  keyFromGenesis: "key from the ledger's own genesis",
  checksTitle: 'Checks',
  check: {
    format: 'Entries well formed and numbered 0, 1, 2, …',
    chain: 'Hash chain unbroken',
    signatures: 'Every command signature verifies',
    genesis: 'Genesis signed by the trusted log key',
    checkpoints: 'Checkpoints signed, matching the entries, consistent',
    quorum: "Witness policy's quorum",
    saved: 'Consistent with the checkpoint you saved',
    rules: 'Rules of procedure replayed: every outcome follows',
  },
  pass: 'pass',
  fail: 'FAIL',
  skip: 'not checked',
  stoppedAt: (seq) => `checked up to entry ${seq}`,
  summaryTitle: 'Summary',
  entries: 'Entries',
  signatures: (n, of) => `${n.toLocaleString('en')} of ${of.toLocaleString('en')} verified`,
  checkpoints: (n, latest, entries) =>
    latest === null
      ? `${n} (none verified)`
      : `${n}; the latest covers entries 0–${latest - 1} of ${entries}`,
  redacted: 'Redacted entries',
  redactedNote: 'other bodies’ entries: only their position and leaf hash are in this export',
  scope: 'Bodies in this export',
  replayed: 'Entries replayed under the rules',
  ledger: 'Ledger',
  elapsed: (ms) => `${(ms / 1000).toFixed(1)} s`,
  time: 'Time taken',
  latestMeetings: (shown, of) => `The latest ${shown} of ${of.toLocaleString('en')} meetings.`,
  signaturesLabel: 'Signatures',
  checkpointsLabel: 'Checkpoints',
  timelineAsIs:
    'The verdict failed: this is what the rules give from the entries as they stand in this export, not a record to rely on.',
  findingsTitle: 'Findings',
  noFindings: 'None.',
  integrity: 'Integrity',
  truncated: 'More findings were cut off.',
  saveCheckpoint: 'Save the latest checkpoint',
  savedConsistent: (size) =>
    `This export extends the checkpoint you saved (${size.toLocaleString('en')} entries).`,
  timelineTitle: 'Timeline per body',
  noTimeline: 'No meetings.',
  meetingKind: {},
  result: {
    adopted: 'adopted',
    rejected: 'rejected',
    deferred: 'deferred',
    withdrawn: 'withdrawn',
  },
  position: {
    disagree: 'disagrees',
    defer: 'asks to defer',
    against: 'voted against',
    abstain: 'abstained',
  },
  pending: 'pending',
  statements: (a, d, f) => `statements: ${a} agree, ${d} disagree, ${f} defer`,
  counts: (f, a, ab, d) => `votes: ${f} for, ${a} against, ${ab} abstain (of ${d})`,
  dissent: 'Dissent',
  error: (m) => `The audit could not run: ${m}`,
};

const zh: Words = {
  title: '议事 · 审计页',
  intro:
    '选择账本导出文件和日志验证公钥（或见证策略）。所有检查都在本浏览器中完成，本页不向任何地方发送数据。',
  offline: '可离线使用：保存本页后直接打开文件。',
  exportLabel: '账本导出文件（.jsonl）',
  vkeyLabel: '日志验证公钥（log.vkey）',
  policyLabel: '或见证策略',
  savedLabel: '上次保存的检查点（可选）',
  run: '验证',
  switchTo: 'English',
  reading: (n, pct) => `正在检查…… 已读 ${n} 条（${pct}%）`,
  verdictOk: '通过：账本验证无误，每项结果均符合议事规则',
  verdictFailed: '未通过：请看下面的检查项和发现',
  verdictWorking: '正在检查……',
  noKey: '未提供验证公钥或策略：检查点只能对照账本自己声明的公钥检查，只证明自洽，不证明签名者。',
  keyFromGenesis: '账本创世条目声明的公钥',
  checksTitle: '检查项',
  check: {
    format: '条目格式正确，编号连续（0、1、2……）',
    chain: '哈希链完整',
    signatures: '每条指令的签名均有效',
    genesis: '创世条目由受信任的日志公钥签名',
    checkpoints: '检查点签名有效、与条目一致、前后一致',
    quorum: '见证策略的法定人数',
    saved: '与您保存的检查点一致',
    rules: '按议事规则重放：每项结果均可推出',
  },
  pass: '通过',
  fail: '未通过',
  skip: '未检查',
  stoppedAt: (seq) => `已检查至第 ${seq} 条`,
  summaryTitle: '概要',
  entries: '条目数',
  signatures: (n, of) => `已验证 ${n} / ${of} 个签名`,
  checkpoints: (n, latest, entries) =>
    latest === null
      ? `${n} 个（均未验证）`
      : `${n} 个；最新检查点覆盖第 0–${latest - 1} 条（共 ${entries} 条）`,
  redacted: '已隐去的条目',
  redactedNote: '其他班子的条目：本导出只含其位置和叶哈希',
  scope: '本导出包含的班子',
  replayed: '按规则重放的条目',
  ledger: '账本',
  elapsed: (ms) => `${(ms / 1000).toFixed(1)} 秒`,
  time: '用时',
  latestMeetings: (shown, of) => `最近 ${shown} 次会议（共 ${of} 次）。`,
  signaturesLabel: '签名',
  checkpointsLabel: '检查点',
  timelineAsIs: '验证未通过：以下是按本导出文件中现有条目依规则推出的结果，不可作为可信记录。',
  findingsTitle: '发现',
  noFindings: '无。',
  integrity: '完整性',
  truncated: '另有发现未列出。',
  saveCheckpoint: '保存最新检查点',
  savedConsistent: (size) => `本导出与您保存的检查点（${size} 条）一致，是其延续。`,
  timelineTitle: '各班子的议事时间线',
  noTimeline: '没有会议。',
  meetingKind: {},
  result: { adopted: '通过', rejected: '未通过', deferred: '暂缓', withdrawn: '撤回' },
  position: { disagree: '不同意', defer: '建议暂缓', against: '反对', abstain: '弃权' },
  pending: '未决',
  statements: (a, d, f) => `发表意见：同意 ${a}，不同意 ${d}，建议暂缓 ${f}`,
  counts: (f, a, ab, d) => `表决：赞成 ${f}，反对 ${a}，弃权 ${ab}（应到 ${d}）`,
  dissent: '不同意见',
  error: (m) => `审计无法进行：${m}`,
};

export const WORDS: Record<Lang, Words> = { en, zh };
