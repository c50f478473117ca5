// Offline verification of a ledger file (database or export), in process or with worker threads.
//
// In process, every entry goes through LedgerVerifier (@yishi/verify): that is the reference.
//
// With workers, the per-entry work that needs nothing but the entry (JSON parsing, the shape
// check, RFC 8785 canonical form and leaf hash, the stored-hash comparison, the key check and the
// Ed25519 signature: about 95% of the time) is spread over worker threads in batches; the main
// thread keeps what is sequential: seq numbering, the hash chain across batches, the genesis, the
// RFC 6962 tree and the checkpoints. That pass only ever concludes "everything holds". At the
// first thing it cannot vouch for (a bad entry, a checkpoint that does not verify, a worker that
// died, anything it does not recognise) it stops and hands the file to the in-process
// LedgerVerifier, so a failure is always found and worded by the reference verifier itself: the
// verdict, the first failure and the report are the same whichever way was taken. The parallel
// pass mirrors LedgerVerifier's acceptance conditions (verify/src/verify-ledger.ts); where it
// is stricter (e.g. integers beyond 2^53) it hands over rather than decide.
//
// Trust boundary: rows and lines are attacker-controlled; workers parse them defensively and
// answer only "all of this batch holds" plus hashes, never a verdict on their own.
//
// Files: sources.ts reads a database or an export; pool.ts and worker.ts run the workers, which
// check entries with entry-check.ts; sequential-state.ts keeps the chain, the tree (crypto's
// MemoryMerkleTree) and the checkpoints on the main thread.
import { availableParallelism } from 'node:os';
import { parsePublicKey } from '@yishi/crypto';
import { SIGNING_CONTEXTS, V1_SIGNING_CONTEXTS } from '@yishi/schema';
import {
  EXPORT_FORMAT,
  LedgerVerifier,
  type LedgerReport,
  type LedgerVerifierOptions,
  type Policy,
} from '@yishi/verify';
import { fastVerify } from '../crypto-fast/fast-ed25519.js';
import { Handover, handover, WORKER_ROLE, type BatchReply, type BatchRequest } from './messages.js';
import { WorkerPool } from './pool.js';
import { SequentialState } from './sequential-state.js';
import { openLedgerSource, type LedgerSource, type Progress } from './sources.js';

export { ledgerFileKind, type LedgerFileKind } from './sources.js';

/** Options of {@link verifyLedgerFile}. */
export interface VerifyFileOptions {
  /** The log's verifier key (C2SP vkey text) the auditor trusts. */
  vkey?: string;
  /** A witness policy every checkpoint must meet; without `vkey`, its log key is trusted. */
  policy?: Policy;
  /**
   * 1: in process, LedgerVerifier alone; N >= 2: N worker threads check entries while the main
   * thread keeps the chain and the tree. Default: the number of CPUs.
   */
  workers?: number;
  /** Called now and then with entries done and total (database) or bytes read and size (export). */
  onProgress?: (done: number, total: number) => void;
  /**
   * Entries per range a worker reads from a database itself (default 8192), or export lines per
   * message to a worker (default 512).
   */
  batchSize?: number;
}

/** How a file was verified. */
export type VerifyMode =
  /** LedgerVerifier alone, in this thread. */
  | 'in-process'
  /** The parallel pass found that everything holds. */
  | 'workers'
  /** The parallel pass stopped at something it could not vouch for; LedgerVerifier then judged. */
  | 'workers-then-in-process';

/** The report, the same as LedgerVerifier's, and how it was reached. */
export interface LedgerFileVerification {
  report: LedgerReport;
  mode: VerifyMode;
  /** Why the parallel pass handed over (mode `workers-then-in-process` only). */
  handover?: string;
}
/** Batches in flight per worker: enough to keep each one busy while the main thread catches up. */
const IN_FLIGHT_PER_WORKER = 4;
const MAX_WORKERS = 256;

/** The default worker count: one per CPU. */
export const defaultWorkers = (): number => availableParallelism();

/**
 * Verifies a ledger database or export file. The report is exactly what LedgerVerifier (with
 * the node:crypto signature check) gives for the same file, whatever the number of workers.
 * @throws RangeError if `workers` or `batchSize` is not a positive integer (workers <= 256).
 */
export async function verifyLedgerFile(
  path: string,
  options: VerifyFileOptions = {}
): Promise<LedgerFileVerification> {
  const workers = options.workers ?? defaultWorkers();
  const batchSize = options.batchSize ?? 1;
  if (!Number.isSafeInteger(workers) || workers < 1 || workers > MAX_WORKERS) {
    throw new RangeError(`"workers" expected an integer from 1 to ${MAX_WORKERS}, got ${workers}`);
  }
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`"batchSize" expected a positive integer, got ${batchSize}`);
  }
  const source = openLedgerSource(path);
  const size = options.batchSize ?? source.batchSize;
  const verifierOptions: LedgerVerifierOptions = { verifySignature: fastVerify };
  if (options.vkey !== undefined) verifierOptions.vkey = options.vkey;
  if (options.policy !== undefined) verifierOptions.policy = options.policy;
  const vkey = options.vkey ?? options.policy?.logs[0]?.vkey;
  const progress = options.onProgress ?? (() => {});
  if (workers === 1) {
    return {
      report: await verifyInProcess(source, verifierOptions, progress),
      mode: 'in-process',
    };
  }
  const outcome = await parallelPass(source, vkey, options.policy, workers, size, progress);
  if (outcome.ok) return { report: outcome.report, mode: 'workers' };
  const report = await verifyInProcess(source, verifierOptions, progress);
  return { report, mode: 'workers-then-in-process', handover: outcome.handover };
}

/** In process: the reference. */
async function verifyInProcess(
  source: LedgerSource,
  options: LedgerVerifierOptions,
  progress: Progress
): Promise<LedgerReport> {
  const verifier = new LedgerVerifier(options);
  await source.feed(verifier, progress);
  return verifier.finish();
}

type PassOutcome = { ok: true; report: LedgerReport } | { ok: false; handover: string };

async function parallelPass(
  source: LedgerSource,
  vkey: string | undefined,
  policy: Policy | undefined,
  workers: number,
  batchSize: number,
  progress: Progress
): Promise<PassOutcome> {
  let trusted: { name: string; publicKey: Uint8Array } | undefined;
  if (vkey !== undefined) {
    try {
      const key = parsePublicKey(vkey.trim());
      trusted = { name: key.name, publicKey: key.publicKey };
    } catch {
      return { ok: false, handover: 'the trusted vkey does not parse' };
    }
  }
  const state = new SequentialState(trusted, policy);
  const pool = new WorkerPool(workers, {
    role: WORKER_ROLE,
    commandContext: SIGNING_CONTEXTS.command,
    v1CommandContext: V1_SIGNING_CONTEXTS.command,
    exportFormat: EXPORT_FORMAT,
    ...source.workerConfig,
  });
  const inFlight: Promise<BatchReply>[] = [];
  const limit = workers * IN_FLIGHT_PER_WORKER;
  let id = 0;
  let expected: number | undefined;
  let rows = 0;
  const take = (reply: BatchReply) => {
    state.take(reply);
    if (reply.ok) rows += reply.rows;
  };
  try {
    const items = source.batches(batchSize, progress, {
      note: (note) => state.notes.push(note),
      expectRows: (n) => (expected = n),
    });
    for await (const item of items) {
      inFlight.push(pool.send({ ...item, id: id++ } as BatchRequest));
      if (inFlight.length >= limit) take(await (inFlight.shift() as Promise<BatchReply>));
    }
    while (inFlight.length > 0) take(await (inFlight.shift() as Promise<BatchReply>));
    // A database source says how many rows the workers must have read between them.
    if (expected !== undefined && (rows !== expected || state.tree.size !== expected)) {
      handover('the rows read are not the rows counted');
    }
    return { ok: true, report: state.report() };
  } catch (err) {
    // Anything unexpected (a note that does not open, a proof that does not verify, an I/O
    // error) is for the reference verifier to judge and word.
    return { ok: false, handover: err instanceof Handover ? err.message : String(err) };
  } finally {
    await pool.close();
  }
}
