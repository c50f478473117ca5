/**
 * One audit of an export, as the worker runs it (or the page itself where no worker can start):
 * read the file in chunks, feed its lines to @yishi/verify's `LedgerAuditor` (verification and
 * rule replay), watch the replayed state for the timeline, and report progress.
 *
 * Trust boundary: the export, the vkey, the policy and the saved checkpoint are all chosen by
 * the auditor but may come from anyone: every parse is defensive, and a malformed input gives a
 * failed verdict, never an exception out of here (except a policy that does not parse, which is
 * the auditor's own input error and is reported as such).
 */
import {
  explainAudit,
  feedExportLines,
  LedgerAuditor,
  parsePolicy,
  type AuditReport,
  type ExportSink,
  type LedgerCheck,
} from '@yishi/verify';
import type { AuditRequest, AuditResult, CheckResult } from './protocol.js';
import { idsOf, TimelineCollector } from './timeline.js';

/** Lines fed between two progress reports (and, on the page's own thread, two yields). */
const BATCH_LINES = 2000;

/** The size a checkpoint note claims (its second line); unverified, for matching only. */
export function noteSize(note: string): number | null {
  const m = /^[^\n]*\n(0|[1-9][0-9]{0,15})\n/.exec(note);
  return m ? Number(m[1]) : null;
}

const ENTRY_GROUPS: Record<string, CheckResult['id']> = {
  ENTRY_MALFORMED: 'format',
  ENTRY_SEQUENCE: 'format',
  LEDGER_EMPTY: 'format',
  ENTRY_CHAIN: 'chain',
  ENTRY_HASH_STORED: 'chain',
  ENTRY_SIGNATURE: 'signatures',
  ENTRY_KEY_UNACCEPTABLE: 'signatures',
  GENESIS_INVALID: 'genesis',
  LOG_KEY_MISMATCH: 'genesis',
};

/** The check a verifier failure belongs to. */
function groupOf(check: LedgerCheck, savedFailed: boolean): CheckResult['id'] {
  if (savedFailed) return 'saved';
  if (check === 'CHECKPOINT_QUORUM') return 'quorum';
  return ENTRY_GROUPS[check] ?? 'checkpoints';
}

/** Runs the audit; `progress` is called after every batch of lines. */
export async function runAudit(
  request: AuditRequest,
  progress: (bytes: number, total: number, entries: number) => void | Promise<void>
): Promise<AuditResult> {
  const started = Date.now();
  const policy = request.policy !== undefined ? parsePolicy(request.policy) : undefined;
  const auditor = new LedgerAuditor({
    ...(request.vkey !== undefined ? { vkey: request.vkey } : {}),
    ...(policy ? { policy } : {}),
  });
  const timeline = new TimelineCollector();
  const notes: string[] = [];
  let entries = 0;
  let header: Record<string, unknown> | null = null;

  // The auditor, with each entry also recorded and observed. Any other method the auditor
  // grows (scoped exports' redacted lines) is forwarded to it unchanged.
  const sink = new Proxy(auditor, {
    get(target, prop) {
      if (prop === 'addEntry') {
        return (value: unknown, stored?: Uint8Array) => {
          target.addEntry(value, stored);
          entries++;
          observe(value);
        };
      }
      if (prop === 'addCheckpoint') {
        return (note: string) => {
          notes.push(note);
          target.addCheckpoint(note);
        };
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as ExportSink;

  function observe(value: unknown): void {
    if (typeof value !== 'object' || value === null) return;
    const e = value as { command?: { payload?: unknown } };
    if (typeof e.command !== 'object' || e.command === null) return;
    const payload = e.command.payload;
    if (typeof payload !== 'object' || payload === null) return;
    const entry = value as { command: { payload: Record<string, unknown> }; derived?: unknown };
    timeline.observe(auditor.replayedState, idsOf(entry));
  }

  let lineNumber = 1;
  const feed = (lines: string[]) => {
    if (lineNumber === 1 && lines.length > 0) header = readHeader(lines[0] as string);
    lineNumber = feedExportLines(sink, lines, lineNumber);
  };

  const total = request.file.size;
  const reader = request.file.stream().getReader();
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let bytes = 0;
  let rest = '';
  let batch: string[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    const text = rest + decoder.decode(value, { stream: true });
    const lines = text.split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      batch.push(line);
      if (batch.length >= BATCH_LINES) {
        feed(batch);
        batch = [];
        await progress(bytes, total, entries);
      }
    }
  }
  batch.push(rest + decoder.decode());
  feed(batch);

  // A checkpoint saved on an earlier visit is one more note the export's entries must match:
  // the verifier checks its signature, its root at its size and its consistency with the
  // export's own checkpoints (RFC 9162 §2.1.4) like any other.
  let savedSize: number | null = null;
  if (request.savedCheckpoint !== undefined) {
    const note = request.savedCheckpoint.replace(/\r\n/g, '\n');
    savedSize = noteSize(note);
    sink.addCheckpoint(note);
    notes.pop();
  }
  await progress(total, total, entries);

  const report = auditor.finish();
  const failure = report.verification.failure;
  const savedFailed =
    failure !== undefined &&
    savedSize !== null &&
    failure.check.startsWith('CHECKPOINT_') &&
    failure.checkpointSize === savedSize;
  const latest = report.verification.latestCheckpoint;
  const latestNote =
    latest && report.verification.ok
      ? (notes.filter((n) => noteSize(n) === latest.size).pop() ?? null)
      : null;

  // Worded as `yishi audit` words them, with the contexts the auditor kept of the entries the
  // failure and the findings name.
  const contexts = auditor.contexts();
  const readable = {
    en: explainAudit(report, { lang: 'en', contexts }),
    zh: explainAudit(report, { lang: 'zh', contexts }),
  };

  const scope = (header as { scope?: { bodies?: unknown } } | null)?.scope;
  return {
    ok: report.ok,
    verification: report.verification,
    exportCheckpoints: notes.length,
    replayed: report.replayed,
    readable,
    redactedEntries: redactedOf(report),
    checks: checksOf(report, savedFailed, {
      policy: policy !== undefined,
      saved: request.savedCheckpoint !== undefined,
    }),
    timeline: timeline.result(),
    latestCheckpointNote: latestNote,
    savedCheckpointSize: savedSize,
    scopeBodies:
      Array.isArray(scope?.bodies) && scope.bodies.every((b) => typeof b === 'string')
        ? (scope.bodies as string[])
        : null,
    elapsedMs: Date.now() - started,
  };
}

/** `redactedEntries` where the report carries it (scoped exports; an optional field). */
function redactedOf(report: AuditReport): number | null {
  const r = report as unknown as { redactedEntries?: unknown; verification: unknown };
  const v = (report.verification as unknown as { redactedEntries?: unknown }).redactedEntries;
  const n = typeof r.redactedEntries === 'number' ? r.redactedEntries : v;
  return typeof n === 'number' ? n : null;
}

function readHeader(line: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(line) as unknown;
    return typeof v === 'object' && v !== null && 'yishi' in v
      ? (v as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** Each check's verdict from the report: the verifier stops at its first failure. */
function checksOf(
  report: AuditReport,
  savedFailed: boolean,
  given: { policy: boolean; saved: boolean }
): CheckResult[] {
  const failure = report.verification.failure;
  const failed = failure ? groupOf(failure.check, savedFailed) : undefined;
  const perEntry = ['format', 'chain', 'signatures', 'genesis'] as const;
  const entryFailed = failed !== undefined && (perEntry as readonly string[]).includes(failed);
  const out: CheckResult[] = [];
  for (const id of perEntry) {
    if (id === failed) out.push({ id, status: 'fail' });
    else if (entryFailed && failure?.seq !== undefined && id !== 'genesis')
      out.push({ id, status: 'skip', stoppedAt: failure.seq });
    else if (entryFailed) out.push({ id, status: 'skip' });
    else out.push({ id, status: 'pass' });
  }
  const tail = (id: 'checkpoints' | 'quorum' | 'saved'): CheckResult => ({
    id,
    status: id === failed ? 'fail' : entryFailed || failed !== undefined ? 'skip' : 'pass',
  });
  out.push(tail('checkpoints'));
  if (given.policy) out.push(tail('quorum'));
  if (given.saved) out.push(tail('saved'));
  out.push({ id: 'rules', status: report.findings.length === 0 ? 'pass' : 'fail' });
  return out;
}
