/**
 * The readable report of `yishi verify` and `yishi audit`, and of the auditor's web page: a
 * structure of short, ready-worded lines in English or Chinese, built from the JSON reports
 * (which stay as they are) and the entries' contexts the auditor kept. Integrity first: the
 * verifier's failure, with the replay findings at or after its entry grouped under it as its
 * consequences; then the other findings; then the counts.
 */
import { RULES, rulesOfCommand, type RuleId } from '@yishi/procedure';
import type { CommandType } from '@yishi/schema';
import type { AuditReport } from '../audit-ledger.js';
import type { LedgerReport } from '../verify-ledger.js';
import type { EntryContext } from './context.js';
import { fieldDifferences, showValue } from './diff.js';
import {
  CHECK_DETAIL_ZH,
  CHECK_TEXT,
  FINDING_TEXT,
  NOTICE_TEXT,
  phrases,
  ROLE_TEXT,
  type ReportLang,
} from './messages.js';

/** One replay finding, worded. */
export interface ReadableFinding {
  seq: number;
  code: string;
  /** `P9 Vote and threshold`, when a rule applies. */
  rule?: string;
  /** `entry 39`. */
  label: string;
  /** What the code means, with the rule: one line. */
  title: string;
  /** The entry placed: its command and signer, then its meeting and item. */
  where: string[];
  /** A mismatch field by field: `counts.for` and `recorded 7, rules give 8`. */
  differences: { path: string; text: string }[];
  /** Further lines: a refusal's reason, differences not listed. */
  notes: string[];
}

/** The verifier's first failure, worded, with the findings that follow from it. */
export interface ReadableIntegrity {
  check: string;
  seq?: number;
  checkpointSize?: number;
  /** `entry 36` or `checkpoint at size 50`. */
  label: string;
  /** What the check's failure means. */
  title: string;
  /**
   * The verifier's evidence, '' where it would repeat the title: its own `detail` in English, a
   * wording by check code in Chinese (the English text stays in the JSON report).
   */
  detail: string;
  where: string[];
  consequencesHeading: string;
  consequences: ReadableFinding[];
}

/** A report ready to print or to show on a page. */
export interface ReadableReport {
  lang: ReportLang;
  ok: boolean;
  /** `OK: …` or `FAILED: …`: one line. */
  headline: string;
  integrity?: ReadableIntegrity;
  /** Replay findings not grouped under the integrity failure, with their heading. */
  findingsHeading: string;
  findings: ReadableFinding[];
  /** Set when findings were cut at the auditor's limit. */
  truncated?: string;
  /** The counts: ledger, entries, signatures, checkpoints, replay, redacted, log key. */
  facts: { key: string; label: string; text: string }[];
  noticesHeading: string;
  /** `entry 12: SIGNED_WITH_RESET_KEY item.submit principal=m1 by=admin (…)`. */
  notices: string[];
}

/** Options of {@link explainAudit} and {@link explainVerification}. */
export interface ExplainOptions {
  lang?: ReportLang;
  /** Contexts of the entries findings name (the auditor's `contexts()`). */
  contexts?: readonly EntryContext[];
}

/** A report that may carry the count of redacted entries (scoped exports). */
export type WithRedacted = { redactedEntries?: number };

const count = (n: number): string => n.toLocaleString('en-US');

/** The rule that fixes a field of `derived` where the outcome itself names none. */
const FIELD_RULE: Record<string, RuleId> = {
  recordDigest: 'P16',
  minutes: 'P16',
  deferred: 'P10',
  objectionsEscalated: 'P14',
  reports: 'P13',
  quorum: 'P4',
};

/** Checks whose evidence says more than the check's meaning (the others' would repeat it). */
const REPEATS_ITSELF = new Set(['ENTRY_SIGNATURE', 'ENTRY_KEY_UNACCEPTABLE', 'LEDGER_EMPTY']);

function ruleOf(id: unknown, lang: ReportLang): string | undefined {
  if (typeof id !== 'string' || !Object.hasOwn(RULES, id)) return undefined;
  return phrases(lang).rule(id, RULES[id as RuleId].title[lang]);
}

function whereLines(c: EntryContext | undefined, lang: ReportLang, keyOf: boolean): string[] {
  if (!c) return [];
  const p = phrases(lang);
  const lines: string[] = [];
  const type = c.type ?? '?';
  if (c.signer) {
    const role = ROLE_TEXT[c.signer.role]?.[lang] ?? c.signer.role;
    const who = p.person(c.signer.name, role);
    lines.push(keyOf ? p.keyOf(type, who) : p.signedBy(type, who));
  } else if (c.type !== undefined) {
    lines.push(p.signedByUnknown(type));
  }
  const place: string[] = [];
  if (c.meeting) place.push(p.meeting(c.meeting.title));
  if (c.item) place.push(p.item(c.item.title));
  if (place.length === 0 && c.body) place.push(p.body(c.body.name));
  if (place.length > 0) lines.push(place.join(' · '));
  return lines;
}

function explainFinding(
  f: AuditReport['findings'][number],
  context: EntryContext | undefined,
  lang: ReportLang
): ReadableFinding {
  const p = phrases(lang);
  const evidence = (f.evidence ?? {}) as Record<string, unknown>;
  const recomputed = evidence['recomputed'] as Record<string, unknown> | undefined;
  const refusal = evidence['refusal'] as
    { code?: unknown; message?: { en?: unknown; zh?: unknown }; rule?: unknown } | undefined;
  const direct =
    ruleOf(f.rule, lang) ??
    ruleOf(typeof recomputed === 'object' && recomputed !== null ? recomputed['rule'] : '', lang) ??
    ruleOf(refusal?.rule, lang);
  const mismatch =
    f.code === 'DERIVED_MISMATCH'
      ? fieldDifferences(evidence['recorded'], evidence['recomputed'])
      : undefined;
  const top = mismatch?.differences[0]?.path.split(/[.[]/)[0] ?? '';
  const commandRules =
    context?.type === undefined ? [] : rulesOfCommand(context.type as CommandType);
  const rule =
    direct ??
    ruleOf(Object.hasOwn(FIELD_RULE, top) ? FIELD_RULE[top] : undefined, lang) ??
    (commandRules.length === 1 ? ruleOf(commandRules[0]?.id, lang) : undefined);
  const meaning = FINDING_TEXT[f.code]?.[lang] ?? f.code;
  const out: ReadableFinding = {
    seq: f.seq,
    code: f.code,
    label: p.entry(f.seq),
    title: `${f.code}${p.colon}${meaning}${rule ? p.under(rule) : ''}`,
    where: whereLines(context, lang, false),
    differences: [],
    notes: [],
  };
  if (rule) out.rule = rule;
  if (mismatch) {
    const { differences, more } = mismatch;
    for (const d of differences) {
      const show = (has: boolean, v: unknown) => (has ? showValue(v) : p.absent);
      out.differences.push({
        path: d.path === '' ? '(derived)' : d.path,
        text: p.diff(show('recorded' in d, d.recorded), show('recomputed' in d, d.recomputed)),
      });
    }
    if (more > 0) out.notes.push(p.moreDiffs(more));
  } else if (f.code === 'ENTRY_REFUSED' && refusal) {
    const message = refusal.message?.[lang];
    out.notes.push(
      p.refusal(typeof message === 'string' ? message : '', String(refusal.code ?? '?'))
    );
  } else if (f.code === 'MALFORMED_ENTRY' && typeof evidence['error'] === 'string') {
    out.notes.push(evidence['error']);
  }
  return out;
}

function facts(
  v: LedgerReport & WithRedacted,
  lang: ReportLang,
  replay?: { replayed: number; findings: number }
): ReadableReport['facts'] {
  const p = phrases(lang);
  const l = p.labels;
  const list: ReadableReport['facts'] = [];
  if (v.ledgerId)
    list.push({ key: 'ledger', label: l.ledger, text: `${v.ledgerId} (${v.origin})` });
  list.push({ key: 'entries', label: l.entries, text: p.entries(count(v.entries)) });
  const redacted = v.redactedEntries ?? 0;
  if (redacted > 0)
    list.push({ key: 'redacted', label: l.redacted, text: p.redacted(count(redacted)) });
  const signed = v.entries - redacted;
  let sig = p.signatures(count(v.signaturesVerified), count(signed));
  if (v.failure?.seq !== undefined) sig += p.stoppedAt(v.failure.seq);
  list.push({ key: 'signatures', label: l.signatures, text: sig });
  let cp: string;
  if (v.failure && !v.failure.check.startsWith('CHECKPOINT_')) {
    cp = p.stoppedBeforeCheckpoints(count(v.checkpoints));
  } else if (v.failure) {
    cp = p.checkpointsPresent(count(v.checkpoints));
  } else if (!v.latestCheckpoint) {
    cp = p.noCheckpoints(count(v.entries));
  } else {
    const size = count(v.latestCheckpoint.size);
    const coverage =
      v.uncheckpointedEntries === 0
        ? p.coverageAll(count(v.entries), size)
        : p.coveragePart(size, count(v.uncheckpointedEntries));
    cp = p.checkpointsCovering(count(v.checkpoints), coverage);
  }
  list.push({ key: 'checkpoints', label: l.checkpoints, text: cp });
  if (replay) {
    list.push({
      key: 'replay',
      label: l.replay,
      text: p.replayed(count(replay.replayed), replay.findings),
    });
  }
  const key =
    v.logKeySource === 'vkey' ? p.keyVkey : v.logKeySource === 'genesis' ? p.keyGenesis : p.keyNone;
  list.push({ key: 'logKey', label: l.logKey, text: key });
  return list;
}

/** The verifier's evidence in `lang`: by code in Chinese, never a translation of free text. */
function detailOf(f: NonNullable<LedgerReport['failure']>, lang: ReportLang): string {
  if (lang === 'en') return f.detail;
  // The check comes from a JSON report a caller may hand in: an unknown one keeps its text.
  return Object.hasOwn(CHECK_DETAIL_ZH, f.check) ? CHECK_DETAIL_ZH[f.check](f) : f.detail;
}

function integrityOf(
  v: LedgerReport,
  context: EntryContext | undefined,
  lang: ReportLang
): ReadableIntegrity | undefined {
  const f = v.failure;
  if (!f) return undefined;
  const p = phrases(lang);
  const label = failedWhere(f, p);
  const out: ReadableIntegrity = {
    check: f.check,
    label,
    title: `${f.check}${p.colon}${CHECK_TEXT[f.check]?.[lang] ?? f.check}`,
    detail: REPEATS_ITSELF.has(f.check) ? '' : detailOf(f, lang),
    where: whereLines(context, lang, true),
    consequencesHeading: p.consequences,
    consequences: [],
  };
  if (f.seq !== undefined) out.seq = f.seq;
  if (f.checkpointSize !== undefined) out.checkpointSize = f.checkpointSize;
  return out;
}

function headlineOf(v: LedgerReport, lang: ReportLang): string {
  const f = v.failure as NonNullable<LedgerReport['failure']>;
  const p = phrases(lang);
  return p.failedAt(f.check, failedWhere(f, p));
}

/** Where a failure is: its entry, its checkpoint, or the ledger as a whole. */
function failedWhere(
  f: NonNullable<LedgerReport['failure']>,
  p: ReturnType<typeof phrases>
): string {
  if (f.seq !== undefined) return p.entry(f.seq);
  if (f.checkpointSize !== undefined) return p.checkpointAt(f.checkpointSize);
  return p.theLedger;
}

/** The readable report of a verification (`yishi verify`). */
export function explainVerification(
  report: LedgerReport & WithRedacted,
  options: ExplainOptions = {}
): ReadableReport {
  const lang = options.lang ?? 'en';
  const p = phrases(lang);
  const seq = report.failure?.seq;
  const context = options.contexts?.find((c) => c.seq === seq);
  const out: ReadableReport = {
    lang,
    ok: report.ok,
    headline: report.ok ? p.okVerify : headlineOf(report, lang),
    findingsHeading: p.otherFindings,
    findings: [],
    facts: facts(report, lang),
    noticesHeading: p.notices,
    notices: [],
  };
  const integrity = integrityOf(report, context, lang);
  if (integrity) out.integrity = integrity;
  return out;
}

/** The readable report of an audit (`yishi audit`, the web page). */
export function explainAudit(report: AuditReport, options: ExplainOptions = {}): ReadableReport {
  const lang = options.lang ?? 'en';
  const p = phrases(lang);
  const v = report.verification;
  const contextOf = (seq: number | undefined) =>
    seq === undefined ? undefined : options.contexts?.find((c) => c.seq === seq);
  const integrity = integrityOf(v, contextOf(v.failure?.seq), lang);
  const findings = report.findings.map((f) => explainFinding(f, contextOf(f.seq), lang));
  const after = integrity?.seq;
  const grouped = after === undefined ? [] : findings.filter((f) => f.seq >= after);
  const others = after === undefined ? findings : findings.filter((f) => f.seq < after);
  if (integrity) integrity.consequences = grouped;
  const n = report.findings.length;
  const out: ReadableReport = {
    lang,
    ok: report.ok,
    headline: report.ok
      ? p.okAudit
      : v.failure
        ? `${headlineOf(v, lang)}${p.andReplay(n)}`
        : p.failedReplay(n),
    findingsHeading: integrity && after !== undefined ? p.earlierFindings : p.otherFindings,
    findings: others,
    facts: facts(v, lang, { replayed: report.replayed, findings: n }),
    noticesHeading: p.notices,
    notices: report.notices.map(
      (x) =>
        `${p.entry(x.seq)}${p.colon}${x.code} ${x.type} principal=${x.principalId ?? '?'}${x.by ? ` by=${x.by}` : ''} (${NOTICE_TEXT[x.code]?.[lang] ?? ''})`
    ),
  };
  if (integrity) out.integrity = integrity;
  if (report.truncated) out.truncated = p.truncated;
  return out;
}
