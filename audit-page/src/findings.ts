/**
 * The findings as a person reads them (en/zh): integrity first (what the verifier found), then
 * the consequences under the rules (what the replay found), each naming the entry, its command,
 * who signed it, the item and meeting, the rule, and for a mismatch field by field what the
 * ledger recorded and what the rules give.
 *
 * Kept apart on purpose: @yishi/verify is getting its own human report builder (issue 17 §2);
 * once it lands, this module is the one place to switch to it.
 */
import type { Lang } from './i18n.js';
import type { AuditResult, EntryFacts } from './protocol.js';

/** One finding, ready to show. */
export interface FindingText {
  seq: number | null;
  /** A stable code (the verifier's check or the replay's finding code). */
  code: string;
  rule: string | null;
  heading: string;
  lines: string[];
}

/** The findings, integrity first. */
export interface FindingsText {
  integrity: FindingText[];
  consequences: FindingText[];
}

const CHECK_WORDS: Record<string, { en: string; zh: string }> = {
  ENTRY_MALFORMED: { en: 'is not a well-formed ledger entry', zh: '不是格式正确的账本条目' },
  ENTRY_SEQUENCE: {
    en: 'is out of sequence (entries deleted, reordered or inserted)',
    zh: '编号不连续（条目被删除、调换或插入）',
  },
  ENTRY_CHAIN: { en: 'was changed: the hash chain breaks here', zh: '被改动：哈希链在此断开' },
  ENTRY_HASH_STORED: {
    en: "has a stored leaf hash that is not its bytes' hash",
    zh: '存储的叶哈希与条目内容不符',
  },
  ENTRY_SIGNATURE: {
    en: 'was changed after it was signed: its signature does not verify',
    zh: '签名后被改动：签名无效',
  },
  ENTRY_KEY_UNACCEPTABLE: {
    en: 'is signed by an unacceptable key',
    zh: '使用了不可接受的公钥签名',
  },
  GENESIS_INVALID: {
    en: 'is not a genesis signed by the log key it declares',
    zh: '不是由其声明的日志公钥签名的创世条目',
  },
  LOG_KEY_MISMATCH: {
    en: 'was started by another log key than the one you trust',
    zh: '账本由另一个日志公钥创建，不是您信任的公钥',
  },
  CHECKPOINT_MALFORMED: { en: 'a checkpoint is malformed', zh: '检查点格式错误' },
  CHECKPOINT_SIGNATURE: {
    en: 'a checkpoint is not signed by the trusted log key',
    zh: '检查点不是由受信任的日志公钥签名',
  },
  CHECKPOINT_ORIGIN: { en: 'a checkpoint names another log', zh: '检查点属于另一个日志' },
  CHECKPOINT_BEYOND_LEDGER: {
    en: 'a checkpoint covers more entries than the export holds: its tail was dropped',
    zh: '检查点覆盖的条目多于导出文件：账本尾部被删除',
  },
  CHECKPOINT_ROOT_MISMATCH: {
    en: 'the entries do not hash to the root a checkpoint signed',
    zh: '条目的哈希与检查点签名的根不符',
  },
  CHECKPOINT_INCONSISTENT: {
    en: 'two checkpoints are not consistent: the log was rewritten',
    zh: '两个检查点不一致：日志被改写',
  },
  CHECKPOINT_QUORUM: { en: "the witnesses' quorum is not met", zh: '见证人未达到法定人数' },
  LEDGER_EMPTY: { en: 'the export has no entries', zh: '导出文件没有条目' },
};

const ROLES_ZH: Record<string, string> = {
  admin: '管理员',
  auditor: '审计人员',
  chair: '书记',
  member: '委员',
  recorder: '记录人',
  discipline: '纪检委员',
  attendee: '列席人员',
};

function entryLabel(f: EntryFacts | undefined, seq: number, lang: Lang): string {
  const parts: string[] = [lang === 'zh' ? `第 ${seq} 条` : `Entry ${seq}`];
  if (f?.type) parts.push(`(${f.type})`);
  if (f?.signer) {
    parts.push(
      lang === 'zh'
        ? `，签名人 ${f.signer.name}（${ROLES_ZH[f.signer.role] ?? f.signer.role}）`
        : `signed by ${f.signer.name} (${f.signer.role})`
    );
  } else if (f?.publicKey) {
    parts.push(lang === 'zh' ? `，签名公钥 ${f.publicKey}` : `signed with key ${f.publicKey}`);
  }
  return parts.join(' ').replace(' ，', '，');
}

function whereLines(f: EntryFacts | undefined, lang: Lang): string[] {
  const out: string[] = [];
  if (f?.itemTitle) out.push(lang === 'zh' ? `议题：${f.itemTitle}` : `item: ${f.itemTitle}`);
  if (f?.meetingTitle) {
    const body = f.bodyName ? ` · ${f.bodyName}` : '';
    out.push(
      lang === 'zh' ? `会议：${f.meetingTitle}${body}` : `meeting: ${f.meetingTitle}${body}`
    );
  }
  return out;
}

/** Flattens a JSON value into `path → leaf` pairs (`counts.for → 7`). */
function flatten(value: unknown, path: string, out: Map<string, unknown>): void {
  if (typeof value === 'object' && value !== null) {
    const entries = Array.isArray(value)
      ? value.map((v, i) => [String(i), v] as const)
      : Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) out.set(path, value);
    for (const [k, v] of entries) flatten(v, path === '' ? k : `${path}.${k}`, out);
    return;
  }
  out.set(path, value);
}

/** The fields where `recorded` and `recomputed` differ, in a stable order. */
export function fieldDiff(
  recorded: unknown,
  recomputed: unknown
): { path: string; recorded: unknown; recomputed: unknown }[] {
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  flatten(recorded, '', a);
  flatten(recomputed, '', b);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  return paths
    .filter((p) => JSON.stringify(a.get(p)) !== JSON.stringify(b.get(p)))
    .map((p) => ({ path: p || '(value)', recorded: a.get(p), recomputed: b.get(p) }));
}

const show = (v: unknown) => (v === undefined ? '—' : JSON.stringify(v));

/** The findings of an audit result in `lang`. */
export function describeFindings(result: AuditResult, lang: Lang): FindingsText {
  const integrity: FindingText[] = [];
  const failure = result.verification.failure;
  if (failure) {
    const words = CHECK_WORDS[failure.check]?.[lang] ?? failure.check;
    const isEntry = failure.seq !== undefined && !failure.check.startsWith('CHECKPOINT_');
    const heading = isEntry
      ? `${entryLabel(result.facts[failure.seq as number], failure.seq as number, lang)}${lang === 'zh' ? '：' : ': '}${words}`
      : `${words[0]?.toUpperCase() ?? ''}${words.slice(1)}` +
        (failure.checkpointSize !== undefined
          ? lang === 'zh'
            ? `（检查点大小 ${failure.checkpointSize}）`
            : ` (checkpoint at size ${failure.checkpointSize})`
          : '');
    const lines = isEntry ? whereLines(result.facts[failure.seq as number], lang) : [];
    lines.push(failure.detail);
    integrity.push({ seq: failure.seq ?? null, code: failure.check, rule: null, heading, lines });
  }
  const consequences: FindingText[] = result.findings.map((f) => {
    const facts = result.facts[f.seq];
    const label = entryLabel(facts, f.seq, lang);
    const lines = whereLines(facts, lang);
    let what: string;
    if (f.code === 'DERIVED_MISMATCH') {
      what =
        lang === 'zh'
          ? '账本记录的结果与规则推出的结果不同'
          : 'the outcome the ledger recorded is not the one the rules give';
      for (const d of fieldDiff(f.evidence['recorded'], f.evidence['recomputed'])) {
        lines.push(
          lang === 'zh'
            ? `${d.path}：记录为 ${show(d.recorded)}，按规则应为 ${show(d.recomputed)}`
            : `${d.path}: recorded ${show(d.recorded)}, rules give ${show(d.recomputed)}`
        );
      }
    } else if (f.code === 'ENTRY_REFUSED') {
      const refusal = f.evidence['refusal'] as
        { code?: string; message?: { en?: string; zh?: string } } | undefined;
      what =
        lang === 'zh'
          ? `规则不允许这条指令${refusal?.code ? `（${refusal.code}）` : ''}`
          : `the rules refuse this command${refusal?.code ? ` (${refusal.code})` : ''}`;
      const message = refusal?.message?.[lang];
      if (typeof message === 'string') lines.push(message);
    } else {
      what = lang === 'zh' ? '条目无法重放' : 'the entry cannot be replayed';
    }
    const rule = f.rule ?? null;
    const ruleText = rule ? (lang === 'zh' ? `，规则 ${rule}` : ` under ${rule}`) : '';
    return {
      seq: f.seq,
      code: f.code,
      rule,
      heading: `${label}${lang === 'zh' ? '：' : ': '}${what}${ruleText}`,
      lines,
    };
  });
  return { integrity, consequences };
}
