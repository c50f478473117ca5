// Offline verification of a ledger file (database or export), in process or with worker threads.
//
// In process, every entry goes through the SDK's LedgerVerifier: that is the reference.
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
// pass mirrors LedgerVerifier's acceptance conditions (sdk/src/audit/verify-ledger.ts); where it
// is stricter (e.g. integers beyond 2^53) it hands over rather than decide.
//
// Trust boundary: rows and lines are attacker-controlled; workers parse them defensively and
// answer only "all of this batch holds" plus hashes, never a verdict on their own.
import { hash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import {
  base64Decode,
  bytesToHex,
  canonicalJson,
  consistencyProof,
  equalBytes,
  formatPublicKey,
  openNote,
  parseCheckpoint,
  parseNoteVerifier,
  parsePublicKey,
  rootAt,
  verifyConsistency,
  type SubtreeHashReader,
} from '@yishi/crypto';
import type { LedgerReport, LedgerVerifierOptions } from '@yishi/sdk';
import { fastVerify } from './crypto-fast/fast-ed25519.js';
import { feedLedgerDatabase } from './ledger-reader.js';
import { canonicalPayloadOf, entryText } from './verify/canonical-text.js';

// @yishi/schema and @yishi/sdk are imported where needed, never at the top: this module is also
// each worker's entry point, and a worker that loads them (TypeBox compiling every schema) takes
// a second to start instead of a tenth. What a worker needs from them comes in its workerData.
const loadSdk = () => import('@yishi/sdk');
const loadSchema = () => import('@yishi/schema');

/** A ledger database (SQLite) or a JSON Lines export. */
export type LedgerFileKind = 'database' | 'export';

/** Options of {@link verifyLedgerFile}. */
export interface VerifyFileOptions {
  /** The log's verifier key (C2SP vkey text) the auditor trusts. */
  vkey?: string;
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

const SQLITE_MAGIC = 'SQLite format 3\0';
const WORKER_ROLE = 'yishi-verify-worker/v1';
const HASH = 32;
const DEFAULT_BATCH = { database: 8192, export: 512 } as const;
/** Batches in flight per worker: enough to keep each one busy while the main thread catches up. */
const IN_FLIGHT_PER_WORKER = 4;
const MAX_WORKERS = 256;

/** Whether `path` is an SQLite database (by its 16-byte magic header), else an export. */
export function ledgerFileKind(path: string): LedgerFileKind {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(16);
    readSync(fd, buf, 0, 16, 0);
    return buf.toString('latin1') === SQLITE_MAGIC ? 'database' : 'export';
  } finally {
    closeSync(fd);
  }
}

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
  const kind = ledgerFileKind(path);
  const size = options.batchSize ?? DEFAULT_BATCH[kind];
  const verifierOptions: LedgerVerifierOptions = { verifySignature: fastVerify };
  if (options.vkey !== undefined) verifierOptions.vkey = options.vkey;
  const progress = options.onProgress ?? (() => {});
  if (workers === 1) {
    return {
      report: await verifyInProcess(path, kind, verifierOptions, progress),
      mode: 'in-process',
    };
  }
  const outcome = await parallelPass(path, kind, options.vkey, workers, size, progress);
  if (outcome.ok) return { report: outcome.report, mode: 'workers' };
  const report = await verifyInProcess(path, kind, verifierOptions, progress);
  return { report, mode: 'workers-then-in-process', handover: outcome.handover };
}

// ---------------------------------------------------------------------------------------------
// In process: the reference

async function verifyInProcess(
  path: string,
  kind: LedgerFileKind,
  options: LedgerVerifierOptions,
  progress: (done: number, total: number) => void
): Promise<LedgerReport> {
  return kind === 'database'
    ? verifyDatabase(path, options, progress)
    : verifyExportFile(path, options, progress);
}

async function verifyDatabase(
  path: string,
  options: LedgerVerifierOptions,
  progress: (done: number, total: number) => void
): Promise<LedgerReport> {
  const { LedgerVerifier } = await loadSdk();
  const verifier = new LedgerVerifier(options);
  feedLedgerDatabase(path, verifier, progress);
  return verifier.finish();
}

/** Export lines as `yishi verify` has always read them (readline, CRLF as one break). */
async function* exportLineBatches(
  path: string,
  size: number,
  progress: (done: number, total: number) => void
): AsyncGenerator<string[]> {
  const total = statSync(path).size;
  const lines = createInterface({
    input: createReadStream(path, { encoding: 'utf8' }),
    crlfDelay: Infinity,
  });
  let read = 0;
  let batch: string[] = [];
  for await (const line of lines) {
    read += Buffer.byteLength(line) + 1;
    batch.push(line);
    if (batch.length >= size) {
      yield batch;
      batch = [];
      progress(read, total);
    }
  }
  if (batch.length > 0) yield batch;
  progress(total, total);
}

async function verifyExportFile(
  path: string,
  options: LedgerVerifierOptions,
  progress: (done: number, total: number) => void
): Promise<LedgerReport> {
  const { LedgerVerifier, feedExportLines } = await loadSdk();
  const verifier = new LedgerVerifier(options);
  let lineNumber = 1;
  for await (const batch of exportLineBatches(path, 1000, progress)) {
    lineNumber = feedExportLines(verifier, batch, lineNumber);
  }
  return verifier.finish();
}

// ---------------------------------------------------------------------------------------------
// The messages between the main thread and a worker

type BatchRequest =
  /** Export lines read by the main thread; firstLine is the 1-based line number of texts[0]. */
  | { id: number; kind: 'export'; texts: string[]; firstLine: number }
  /**
   * Database rows with from <= seq < to, which the worker reads from the file itself: every seq
   * in the range must be there (the main thread ends the last range at the largest seq).
   */
  | { id: number; kind: 'database'; from: number; to: number };

type BatchReply =
  | {
      id: number;
      ok: true;
      /** Entries in the batch (export: lines that were entries). */
      count: number;
      /** Database: rows read (every one an entry, else the batch fails). */
      rows: number;
      /** Their leaf hashes, 32 bytes each, in order. */
      leaves: Uint8Array;
      /** The seq of the first entry and its prev (32 bytes); the rest chain inside the batch. */
      firstSeq: number;
      firstPrev: Uint8Array;
      /** Export: checkpoint notes met in the batch. */
      notes: string[];
      /** The entry with seq 0, if the batch holds it: what the genesis check needs. */
      genesis?: { payload: Record<string, unknown>; publicKey: string };
    }
  | { id: number; ok: false; problem: string };

// ---------------------------------------------------------------------------------------------
// Worker side: per-entry checks

const HEX64 = /^[0-9a-f]{64}$/;
const HEX32 = /^[0-9a-f]{32}$/;
const PUBLIC_KEY = /^[A-Za-z0-9+/]{43}=$/;
const SIGNATURE = /^[A-Za-z0-9+/]{86}==$/;
const COMMAND_TYPE = /^[a-z][a-z0-9_.]*$/;
const MAX_TS = 8_640_000_000_000_000;
const ENTRY_KEYS = ['command', 'derived', 'prev', 'salt', 'seq', 'time', 'v'];
const COMMAND_KEYS = ['payload', 'publicKey', 'signature'];

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function hasExactly(o: Json, keys: readonly string[]): boolean {
  const own = Object.keys(o);
  if (own.length !== keys.length) return false;
  own.sort();
  return own.every((k, i) => k === keys[i]);
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/**
 * LedgerEntrySchema (@yishi/schema), checked by hand and never more loosely: whatever passes
 * here passes the schema. Anything unusual (unsafe integers, say) fails here and is handed over.
 */
function isEntryShape(v: unknown): boolean {
  if (!isObject(v) || !hasExactly(v, ENTRY_KEYS)) return false;
  if (v['v'] !== 1 || !isCount(v['seq']) || !isCount(v['time'])) return false;
  const { prev, salt, command } = v;
  if (typeof prev !== 'string' || !HEX64.test(prev)) return false;
  if (typeof salt !== 'string' || !HEX32.test(salt)) return false;
  if (!isObject(command) || !hasExactly(command, COMMAND_KEYS)) return false;
  const { payload, publicKey, signature } = command;
  if (typeof publicKey !== 'string' || !PUBLIC_KEY.test(publicKey)) return false;
  if (typeof signature !== 'string' || !SIGNATURE.test(signature)) return false;
  if (!isObject(payload)) return false;
  const { type, ts, nonce } = payload;
  if (typeof type !== 'string' || type.length > 64 || !COMMAND_TYPE.test(type)) return false;
  if (!isCount(ts) || ts > MAX_TS) return false;
  return typeof nonce === 'string' && HEX32.test(nonce);
}

/** An entry that passed {@link isEntryShape}. */
interface LedgerEntryShape {
  v: 1;
  seq: number;
  prev: string;
  time: number;
  salt: string;
  command: { payload: Json; publicKey: string; signature: string };
  derived: unknown;
}

/** A reusable buffer for bytes hashed or verified at once (never kept past the call). */
class Scratch {
  private buf = Buffer.alloc(1 << 16);

  /** `prefix` then the UTF-8 of `text`, in the scratch buffer (valid until the next call). */
  write(prefix: number | string, text: string): Buffer {
    const head = typeof prefix === 'number' ? 1 : prefix.length;
    const need = head + 3 * text.length; // UTF-8 takes at most 3 bytes per UTF-16 unit
    if (need > this.buf.length) this.buf = Buffer.alloc(need);
    if (typeof prefix === 'number') this.buf[0] = prefix;
    else this.buf.write(prefix, 0, 'latin1');
    return this.buf.subarray(0, head + this.buf.write(text, head, 'utf8'));
  }
}

const scratch = new Scratch();

/** RFC 6962 leaf hash, SHA-256(0x00 || utf8(text)), by node:crypto: same bytes as `leafHash`. */
const leafHashOf = (text: string): Buffer => hash('sha256', scratch.write(0, text), 'buffer');

const nodeInput = Buffer.alloc(1 + 2 * HASH);
nodeInput[0] = 1;

/** RFC 6962 node hash, SHA-256(0x01 || left || right), by node:crypto: same as `nodeHash`. */
function nodeHashOf(left: Uint8Array, right: Uint8Array): Buffer {
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH);
  return hash('sha256', nodeInput, 'buffer');
}

class EntryChecker {
  /** The signing context and its newline, ASCII (SIGNING_CONTEXT_PATTERN). */
  private readonly contextLine: string;

  constructor(commandContext: string) {
    this.contextLine = `${commandContext}\n`;
  }

  /**
   * The entry's leaf hash if every per-entry check holds, else a reason. `text` is the JSON the
   * entry was parsed from, if there is one: when it is already canonical, it is what is hashed.
   */
  check(value: unknown, stored: Uint8Array | undefined, text?: string): Buffer | string {
    if (!isEntryShape(value)) return 'an entry is not in the shape the fast pass knows';
    const entry = value as LedgerEntryShape;
    const { payload, publicKey, signature } = entry.command;
    let payloadJson = text === undefined ? null : canonicalPayloadOf(entry, text);
    let leaf: Buffer;
    if (payloadJson !== null) {
      leaf = leafHashOf(text as string);
    } else {
      try {
        payloadJson = canonicalJson(payload);
        leaf = leafHashOf(entryText(entry, payloadJson, canonicalJson(entry.derived)));
      } catch {
        return 'an entry has no canonical form';
      }
    }
    if (stored !== undefined && !equalBytes(stored, leaf)) return 'a stored leaf hash differs';
    let key: Uint8Array;
    let sig: Uint8Array;
    try {
      key = base64Decode(publicKey);
      sig = base64Decode(signature);
    } catch {
      return 'an entry has a malformed key or signature';
    }
    // signingMessage(context, payload): utf8(context + "\n" + JCS(payload)).
    const message = scratch.write(this.contextLine, payloadJson);
    // LedgerVerifier also checks the key (isAcceptablePublicKey: it decodes strictly and is not
    // of small order). A signature that verifies implies it: fastVerify's verdict is verify's
    // (@yishi/crypto), which refuses exactly those keys before anything else. Only the reason a
    // bad entry is handed over would differ, and the reference words that itself.
    if (!fastVerify(sig, message, key)) return 'a signature does not verify';
    return leaf;
  }
}

/**
 * One export line as parseExportLine and feedExportLines (@yishi/sdk) take it, or a reason to
 * hand over: an entry, a checkpoint, or the header as line 1.
 */
function exportLine(
  line: string,
  lineNumber: number,
  exportFormat: string
):
  | { kind: 'entry'; entry: unknown; text?: string }
  | { kind: 'checkpoint'; note: string }
  | { kind: 'header' }
  | string {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return `line ${lineNumber} is not JSON`;
  }
  if (!isObject(o)) return `line ${lineNumber} is not an object`;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === 'entry') {
    // {"entry":E} with nothing around it: E's text, for the checker to hash if it is canonical.
    const text = line.startsWith('{"entry":') && line.endsWith('}') ? line.slice(9, -1) : undefined;
    return text === undefined
      ? { kind: 'entry', entry: o['entry'] }
      : { kind: 'entry', entry: o['entry'], text };
  }
  if (keys.length === 1 && keys[0] === 'checkpoint' && typeof o['checkpoint'] === 'string') {
    return { kind: 'checkpoint', note: o['checkpoint'] };
  }
  if (lineNumber === 1 && o['yishi'] === exportFormat) return { kind: 'header' };
  return `line ${lineNumber} is not an entry, a checkpoint or the header`;
}

/** What a worker is told at start (the constants it must not load @yishi/schema or sdk for). */
interface WorkerConfig {
  role: typeof WORKER_ROLE;
  /** SIGNING_CONTEXTS.command */
  commandContext: string;
  /** EXPORT_FORMAT */
  exportFormat: string;
  /** The database file the worker reads ranges of rows from (database only). */
  database?: string;
}

/** Rows of a database range as a worker reads them: [seq, body, leaf_hash], in seq order. */
class RangeReader {
  private readonly db: Database.Database;
  private readonly stmt: Database.Statement<[number, number], unknown[]>;

  constructor(path: string) {
    this.db = new Database(path, { readonly: true, fileMustExist: true });
    this.stmt = this.db
      .prepare<[number, number], unknown[]>(
        'SELECT seq, body, leaf_hash FROM entries WHERE seq >= ? AND seq < ? ORDER BY seq'
      )
      .raw(true);
  }

  read(from: number, to: number): unknown[][] {
    return this.stmt.all(from, to) as unknown[][];
  }
}

/** Checks entries in order and keeps what the reply needs. */
class BatchBuilder {
  readonly leaves: Uint8Array;
  count = 0;
  firstSeq = -1;
  firstPrev: Uint8Array = new Uint8Array(HASH);
  genesis: { payload: Json; publicKey: string } | undefined;

  constructor(
    private readonly checker: EntryChecker,
    capacity: number
  ) {
    this.leaves = new Uint8Array(HASH * capacity);
  }

  /** Adds one entry, or returns why not. */
  add(value: unknown, stored: Uint8Array | undefined, text: string | undefined): string | null {
    const leaf = this.checker.check(value, stored, text);
    if (typeof leaf === 'string') return leaf;
    const entry = value as { seq: number; prev: string; command: Json & { payload: Json } };
    const count = this.count;
    if (count === 0) {
      this.firstSeq = entry.seq;
      this.firstPrev = Buffer.from(entry.prev, 'hex');
    } else {
      if (entry.seq !== this.firstSeq + count) return 'entries are not numbered in order';
      const before = this.leaves.subarray(HASH * (count - 1), HASH * count);
      if (!equalBytes(Buffer.from(entry.prev, 'hex'), before)) return 'the chain breaks';
    }
    if (entry.seq === 0) {
      this.genesis = {
        payload: entry.command.payload,
        publicKey: entry.command['publicKey'] as string,
      };
    }
    this.leaves.set(leaf, HASH * count);
    this.count++;
    return null;
  }

  reply(id: number, rows: number, notes: string[]): BatchReply {
    const reply: BatchReply = {
      id,
      ok: true,
      count: this.count,
      rows,
      leaves: this.leaves.slice(0, HASH * this.count),
      firstSeq: this.firstSeq,
      firstPrev: new Uint8Array(this.firstPrev),
      notes,
    };
    if (this.genesis) reply.genesis = this.genesis;
    return reply;
  }
}

/**
 * A database range: every seq from `from` to `to` - 1 present, in order, each row's body an
 * entry (read as the reference reads it: String(body)) with a 32-byte stored leaf hash.
 */
function checkRange(
  checker: EntryChecker,
  reader: RangeReader,
  req: Extract<BatchRequest, { kind: 'database' }>
): BatchReply {
  const fail = (problem: string): BatchReply => ({ id: req.id, ok: false, problem });
  const rows = reader.read(req.from, req.to);
  if (rows.length !== req.to - req.from) return fail('a seq is missing from the table');
  const batch = new BatchBuilder(checker, rows.length);
  for (let i = 0; i < rows.length; i++) {
    const [seq, body, stored] = rows[i] as [unknown, unknown, unknown];
    if (seq !== req.from + i) return fail("the table's seqs are not contiguous");
    if (!(stored instanceof Uint8Array) || stored.length !== HASH) {
      return fail('a stored leaf hash has the wrong length');
    }
    const text = String(body);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return fail('a row is not JSON');
    }
    const problem = batch.add(value, stored, text);
    if (problem !== null) return fail(problem);
  }
  return batch.reply(req.id, rows.length, []);
}

function checkExportLines(
  checker: EntryChecker,
  config: WorkerConfig,
  req: Extract<BatchRequest, { kind: 'export' }>
): BatchReply {
  const fail = (problem: string): BatchReply => ({ id: req.id, ok: false, problem });
  const batch = new BatchBuilder(checker, req.texts.length);
  const notes: string[] = [];
  let lineNumber = req.firstLine - 1;
  for (const text of req.texts) {
    // As feedExportLines reads them: blank lines skipped, a header only as line 1.
    lineNumber++;
    if (text.trim() === '') continue;
    const line = exportLine(text, lineNumber, config.exportFormat);
    if (typeof line === 'string') return fail(line);
    if (line.kind === 'header') continue;
    if (line.kind === 'checkpoint') {
      notes.push(line.note);
      continue;
    }
    const problem = batch.add(line.entry, undefined, line.text);
    if (problem !== null) return fail(problem);
  }
  return batch.reply(req.id, 0, notes);
}

function runWorker(config: WorkerConfig): void {
  const port = parentPort;
  if (!port) return;
  const checker = new EntryChecker(config.commandContext);
  let reader: RangeReader | undefined;
  port.on('message', (req: BatchRequest) => {
    let reply: BatchReply;
    try {
      if (req.kind === 'export') {
        reply = checkExportLines(checker, config, req);
      } else {
        if (config.database === undefined) throw new Error('no database to read');
        reader ??= new RangeReader(config.database);
        reply = checkRange(checker, reader, req);
      }
    } catch (err) {
      reply = { id: req.id, ok: false, problem: `worker error: ${(err as Error).message}` };
    }
    port.postMessage(reply, reply.ok ? [reply.leaves.buffer as ArrayBuffer] : []);
  });
}

if (!isMainThread && (workerData as Partial<WorkerConfig> | null)?.role === WORKER_ROLE) {
  runWorker(workerData as WorkerConfig);
}

// ---------------------------------------------------------------------------------------------
// Main thread: workers, chain across batches, tree, checkpoints

const PRELOAD_FLAGS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader']);

/**
 * The parent's Node options without module preloads and loader hooks: this module is compiled
 * JavaScript and needs none, and a test runner's TypeScript hooks cost each worker seconds.
 */
function workerExecArgv(): string[] {
  const kept: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const flag = arg.split('=', 1)[0] as string;
    if (!PRELOAD_FLAGS.has(flag)) kept.push(arg);
    else if (!arg.includes('=')) i++;
  }
  return kept;
}

/** A pool of workers answering batches; results are awaited in the order they were sent. */
class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<
    number,
    { resolve: (r: BatchReply) => void; worker: Worker }
  >();
  private next = 0;
  private failure: Error | undefined;

  constructor(size: number, config: WorkerConfig) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(new URL(import.meta.url), {
        workerData: config,
        execArgv: workerExecArgv(),
      });
      worker.on('message', (reply: BatchReply) => {
        const pending = this.waiting.get(reply.id);
        this.waiting.delete(reply.id);
        pending?.resolve(reply);
      });
      const down = (err: Error) => this.down(worker, err);
      worker.on('error', down);
      worker.on('exit', (code) => down(new Error(`a verify worker exited with code ${code}`)));
      this.workers.push(worker);
    }
  }

  /** A worker that dies fails every batch it held (the pass then hands over). */
  private down(worker: Worker, err: Error): void {
    this.failure ??= err;
    for (const [id, pending] of this.waiting) {
      if (pending.worker !== worker) continue;
      this.waiting.delete(id);
      pending.resolve({ id, ok: false, problem: `worker failed: ${err.message}` });
    }
  }

  send(req: BatchRequest): Promise<BatchReply> {
    const worker = this.workers[this.next++ % this.workers.length] as Worker;
    if (this.failure) {
      return Promise.resolve({ id: req.id, ok: false, problem: this.failure.message });
    }
    return new Promise((resolve) => {
      this.waiting.set(req.id, { resolve, worker });
      worker.postMessage(req);
    });
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map((w) => {
        w.removeAllListeners('exit');
        w.removeAllListeners('error');
        return w.terminate();
      })
    );
  }
}

/** A growable column of 32-byte hashes. */
class HashColumn {
  private buf = Buffer.alloc(HASH * 1024);
  length = 0;

  push(hash: Uint8Array): void {
    if ((this.length + 1) * HASH > this.buf.length) {
      const next = Buffer.alloc(this.buf.length * 2);
      this.buf.copy(next);
      this.buf = next;
    }
    this.buf.set(hash, this.length * HASH);
    this.length++;
  }

  get(index: number): Uint8Array {
    if (index < 0 || index >= this.length) throw new RangeError(`no subtree at index ${index}`);
    return this.buf.subarray(index * HASH, (index + 1) * HASH);
  }
}

/** Every perfect subtree of the RFC 6962 tree, hashed with node:crypto: ~64 bytes per leaf. */
class HashTree implements SubtreeHashReader {
  private readonly levels: HashColumn[] = [new HashColumn()];
  size = 0;

  append(leaf: Uint8Array): void {
    let index = this.size++;
    let level = 0;
    let column = this.levels[0] as HashColumn;
    column.push(leaf);
    while (index % 2 === 1) {
      const parent = nodeHashOf(column.get(index - 1), column.get(index));
      index = (index - 1) / 2;
      level++;
      column = this.levels[level] ?? (this.levels[level] = new HashColumn());
      column.push(parent);
    }
  }

  hash(level: number, index: number): Uint8Array {
    const column = this.levels[level];
    if (column === undefined) throw new RangeError(`no subtree at level ${level}`);
    return column.get(index);
  }
}

type PassOutcome = { ok: true; report: LedgerReport } | { ok: false; handover: string };

class Handover extends Error {}

const handover = (why: string): never => {
  throw new Handover(why);
};

/** What the main thread keeps while batches come back in order. */
class SequentialState {
  readonly tree = new HashTree();
  readonly notes: string[] = [];
  private last: Uint8Array;
  genesis?: { origin: string; ledgerId: string; logPublicKey: string };

  constructor(
    private readonly trusted: { name: string; publicKey: Uint8Array } | undefined,
    private readonly schema: { GENESIS_PREV: string; GENESIS_COMMAND_TYPE: string }
  ) {
    this.last = Buffer.from(schema.GENESIS_PREV, 'hex');
  }

  take(reply: BatchReply): void {
    if (!reply.ok) handover(reply.problem);
    const ok = reply as Extract<BatchReply, { ok: true }>;
    this.notes.push(...ok.notes);
    if (ok.count === 0) return;
    if (ok.firstSeq !== this.tree.size) handover('entries are not numbered in order');
    if (!equalBytes(ok.firstPrev, this.last)) handover('the chain breaks between batches');
    if (this.tree.size === 0) this.checkGenesis(ok.genesis);
    for (let i = 0; i < ok.count; i++)
      this.tree.append(ok.leaves.subarray(HASH * i, HASH * (i + 1)));
    this.last = ok.leaves.slice(HASH * (ok.count - 1), HASH * ok.count);
  }

  /** As LedgerVerifier's checkGenesis: entry 0 is a genesis signed by the key it declares. */
  private checkGenesis(g: { payload: Json; publicKey: string } | undefined): void {
    if (!g) return handover('no genesis');
    const p = g.payload;
    const fine =
      p['type'] === this.schema.GENESIS_COMMAND_TYPE &&
      typeof p['origin'] === 'string' &&
      typeof p['ledgerId'] === 'string' &&
      typeof p['logPublicKey'] === 'string' &&
      p['logPublicKey'] === g.publicKey;
    if (!fine) return handover('entry 0 is not a genesis');
    this.genesis = {
      origin: p['origin'] as string,
      ledgerId: p['ledgerId'] as string,
      logPublicKey: p['logPublicKey'] as string,
    };
    if (this.trusted && !equalBytes(this.trusted.publicKey, base64Decode(g.publicKey))) {
      handover('the genesis log key is not the trusted one');
    }
  }

  /** As LedgerVerifier's finish and checkCheckpoints, for a ledger where everything held. */
  report(): LedgerReport {
    const count = this.tree.size;
    const genesis = this.genesis;
    if (count === 0 || !genesis) return handover('the ledger is empty');
    const verifier = parseNoteVerifier(
      this.trusted
        ? formatPublicKey(this.trusted.name, this.trusted.publicKey)
        : formatPublicKey(genesis.origin, base64Decode(genesis.logPublicKey))
    );
    const origin = this.trusted?.name ?? genesis.origin;
    const parsed: { size: number; root: Uint8Array }[] = [];
    for (const note of this.notes) {
      const body = parseCheckpoint(openNote(note, [verifier]).text);
      if (body.origin !== origin) handover('a checkpoint names another origin');
      parsed.push({ size: body.size, root: body.rootHash });
    }
    parsed.sort((a, b) => a.size - b.size);
    let previous: { size: number; root: Uint8Array } | undefined;
    for (const cp of parsed) {
      if (cp.size > count) handover('a checkpoint is beyond the ledger');
      if (cp.size > 0 && !equalBytes(rootAt(this.tree, cp.size), cp.root)) {
        handover('a checkpoint root differs');
      }
      if (previous && previous.size > 0 && previous.size <= cp.size) {
        const proof =
          previous.size === cp.size ? [] : consistencyProof(this.tree, previous.size, cp.size);
        verifyConsistency(previous.size, cp.size, proof, previous.root, cp.root);
      }
      previous = cp;
    }
    const latest = previous && { size: previous.size, rootHash: bytesToHex(previous.root) };
    const report: LedgerReport = {
      ok: true,
      entries: count,
      checkpoints: this.notes.length,
      signaturesVerified: count,
      logKeySource: this.trusted ? 'vkey' : 'genesis',
      uncheckpointedEntries: count - (latest?.size ?? 0),
    };
    report.rootHash = bytesToHex(rootAt(this.tree, count));
    report.ledgerId = genesis.ledgerId;
    report.origin = genesis.origin;
    if (latest) report.latestCheckpoint = latest;
    return report;
  }
}

/** A request without its id. */
type Work = BatchRequest extends infer R ? (R extends BatchRequest ? Omit<R, 'id'> : never) : never;

/**
 * The work for a file. An export is read here and sent line by line. A database is only sized
 * here: workers read its rows themselves, range by range. The reference reads every row with
 * seq > -1 in seq order. The ranges cover 0..max(seq), and each range must hold exactly its
 * integer seqs, in order, once each; with min(seq > -1) = 0 (no row below 0 the reference would
 * read) and max(seq) a number (a text or blob seq sorts above every number), both read the same
 * rows in the same order, or the pass hands over. No count(*): on a rowid table min and max are
 * two index look-ups, count(*) a scan of the whole file. `expectRows` is told max(seq) + 1.
 */
async function* work(
  path: string,
  kind: LedgerFileKind,
  batchSize: number,
  progress: (done: number, total: number) => void,
  notes: (note: string) => void,
  expectRows: (rows: number) => void
): AsyncGenerator<Work> {
  if (kind === 'export') {
    let firstLine = 1;
    for await (const texts of exportLineBatches(path, batchSize, progress)) {
      yield { kind, texts, firstLine };
      firstLine += texts.length;
    }
    return;
  }
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const end = (order: 'ASC' | 'DESC'): unknown =>
      db
        .prepare(`SELECT seq FROM entries WHERE seq > -1 ORDER BY seq ${order} LIMIT 1`)
        .pluck()
        .get();
    const lo = end('ASC');
    const hi = end('DESC');
    if (lo === undefined) handover('the ledger is empty');
    if (lo !== 0 || !Number.isSafeInteger(hi)) handover("the table's seqs are not 0 to a count");
    const n = (hi as number) + 1;
    expectRows(n);
    for (let from = 0; from < n; from += batchSize) {
      yield { kind, from, to: Math.min(from + batchSize, n) };
      progress(Math.min(from + batchSize, n), n);
    }
    const rows = db.prepare('SELECT note FROM checkpoints ORDER BY size').all() as {
      note: unknown;
    }[];
    for (const row of rows) notes(String(row.note));
  } finally {
    db.close();
  }
}

async function parallelPass(
  path: string,
  kind: LedgerFileKind,
  vkey: string | undefined,
  workers: number,
  batchSize: number,
  progress: (done: number, total: number) => void
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
  const [schema, sdk] = await Promise.all([loadSchema(), loadSdk()]);
  const state = new SequentialState(trusted, schema);
  const pool = new WorkerPool(workers, {
    role: WORKER_ROLE,
    commandContext: schema.SIGNING_CONTEXTS.command,
    exportFormat: sdk.EXPORT_FORMAT,
    ...(kind === 'database' ? { database: path } : {}),
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
    const items = work(
      path,
      kind,
      batchSize,
      progress,
      (note) => state.notes.push(note),
      (n) => (expected = n)
    );
    for await (const item of items) {
      inFlight.push(pool.send({ ...item, id: id++ } as BatchRequest));
      if (inFlight.length >= limit) take(await (inFlight.shift() as Promise<BatchReply>));
    }
    while (inFlight.length > 0) take(await (inFlight.shift() as Promise<BatchReply>));
    if (kind === 'database' && (rows !== expected || state.tree.size !== expected)) {
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
