// `yishi audit` on a ledger file: the rule replay in this thread, the verification either in it
// too (one worker: LedgerAuditor alone, the reference) or on worker threads at the same time
// (verifyLedgerFile's parallel pass, whose report is the reference's). The replay is sequential by
// nature (each entry is decided on the state the previous ones left), so it runs here while the
// workers hash and check signatures; the audit takes about as long as the slower of the two.
import {
  LedgerAuditor,
  type AuditReport,
  type EntryContext,
  type LedgerVerifierOptions,
  type Policy,
  type RedactedEntry,
} from '@yishi/verify';
import { fastVerify } from '../crypto-fast/fast-ed25519.js';
import { openLedgerSource, type LedgerSource } from './sources.js';
import { verifyLedgerFile } from './verify-file.js';

/** Options of {@link auditLedgerFile}. */
export interface AuditFileOptions {
  vkey?: string;
  policy?: Policy;
  /** 1: everything in this thread; N >= 2: verification on N worker threads meanwhile. */
  workers?: number;
  /** Hears the share of the work done, from 0 to 1, now and then. */
  onProgress?: (fraction: number) => void;
}

/** The audit report (as `--json` prints it) and the contexts the readable report names. */
export interface AuditFileResult {
  report: AuditReport;
  contexts: EntryContext[];
}

/** Thrown into a feed to end it once the entry looked for was replayed. */
class Enough extends Error {}

/**
 * The context of entry `seq` (signer, meeting, item), by replaying up to it: for the entry a
 * verifier blamed when the replay ran apart from the verification.
 */
export async function contextOfEntry(
  source: LedgerSource,
  seq: number
): Promise<EntryContext | undefined> {
  const replay = new LedgerAuditor({ verify: false, contextsOf: [seq] });
  let fed = 0;
  const sink = {
    addEntry(value: unknown) {
      replay.addEntry(value);
      if (++fed > seq) throw new Enough();
    },
    addRedacted(redacted: RedactedEntry) {
      replay.addRedacted(redacted);
      if (++fed > seq) throw new Enough();
    },
    addCheckpoint() {},
  };
  try {
    await source.feed(sink);
  } catch (err) {
    if (!(err instanceof Enough)) throw err;
  }
  return replay.contexts().find((c) => c.seq === seq);
}

/** Audits the ledger database or export at `path`. */
export async function auditLedgerFile(
  path: string,
  options: AuditFileOptions = {}
): Promise<AuditFileResult> {
  const workers = options.workers ?? 1;
  const source = openLedgerSource(path);
  const progress = options.onProgress ?? (() => {});
  const verifierOptions: LedgerVerifierOptions = { verifySignature: fastVerify };
  if (options.vkey !== undefined) verifierOptions.vkey = options.vkey;
  if (options.policy !== undefined) verifierOptions.policy = options.policy;
  if (workers === 1) {
    const auditor = new LedgerAuditor(verifierOptions);
    await source.feed(auditor, (done, total) => progress(total > 0 ? done / total : 0));
    return { report: auditor.finish(), contexts: auditor.contexts() };
  }
  const replay = new LedgerAuditor({ verify: false });
  let verified = 0;
  let replayed = 0;
  const tell = () => progress(Math.min(verified, replayed));
  const [verification] = await Promise.all([
    verifyLedgerFile(path, {
      workers,
      ...(options.vkey !== undefined ? { vkey: options.vkey } : {}),
      ...(options.policy !== undefined ? { policy: options.policy } : {}),
      onProgress: (done, total) => {
        verified = total > 0 ? done / total : 0;
        tell();
      },
    }),
    source.feed(replay, (done, total) => {
      replayed = total > 0 ? done / total : 0;
      tell();
    }),
  ]);
  const report = replay.finish(verification.report);
  const contexts = replay.contexts();
  const blamed = report.verification.failure?.seq;
  if (blamed !== undefined && !contexts.some((c) => c.seq === blamed)) {
    const context = await contextOfEntry(source, blamed);
    if (context) contexts.push(context);
  }
  return { report, contexts };
}
