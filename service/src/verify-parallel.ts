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
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import {
  base64Decode,
  bytesToHex,
  canonicalJson,
  consistencyProof,
  equalBytes,
  formatPublicKey,
  isAcceptablePublicKey,
  openNote,
  parseCheckpoint,
  parseNoteVerifier,
  parsePublicKey,
  rootAt,
  verifyConsistency,
  type SubtreeHashReader,
} from '@yishi/crypto';
import type { LedgerReport, LedgerVerifierOptions } from '@yishi/sdk';
import { fastVerify } from './fast-ed25519.js';
import { openLedgerReadOnly } from './ledger-reader.js';

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
  /** Entries (or export lines) per message to a worker; default 512. */
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
const DEFAULT_BATCH = 512;
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
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  if (!Number.isSafeInteger(workers) || workers < 1 || workers > MAX_WORKERS) {
    throw new RangeError(`"workers" expected an integer from 1 to ${MAX_WORKERS}, got ${workers}`);
  }
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`"batchSize" expected a positive integer, got ${batchSize}`);
  }
  const kind = ledgerFileKind(path);
  const verifierOptions: LedgerVerifierOptions = { verifySignature: fastVerify };
  if (options.vkey !== undefined) verifierOptions.vkey = options.vkey;
  const progress = options.onProgress ?? (() => {});
  if (workers === 1) {
    return {
      report: await verifyInProcess(path, kind, verifierOptions, progress),
      mode: 'in-process',
    };
  }
  const outcome = await parallelPass(path, kind, options.vkey, workers, batchSize, progress);
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
  const ledger = openLedgerReadOnly(path);
  try {
    const verifier = new LedgerVerifier(options);
    const total = ledger.count();
    let n = 0;
    for (const row of ledger.entries()) {
      let value: unknown;
      try {
        value = JSON.parse(row.body);
      } catch {
        value = undefined;
      }
      verifier.addEntry(value, row.leafHash);
      if (++n % 1000 === 0) progress(n, total);
    }
    for (const note of ledger.checkpointNotes()) verifier.addCheckpoint(note);
    progress(total, total);
    return verifier.finish();
  } finally {
    ledger.close();
  }
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

interface BatchRequest {
  id: number;
  kind: LedgerFileKind;
  texts: string[];
  /** Database: the stored leaf hashes, 32 bytes per text. */
  stored?: Uint8Array;
  /** Export: the 1-based line number of texts[0]. */
  firstLine?: number;
}

type BatchReply =
  | {
      id: number;
      ok: true;
      /** Entries in the batch (export: lines that were entries). */
      count: number;
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

/**
 * RFC 8785 canonical JSON of an entry that passed {@link isEntryShape}, given its payload's:
 * members in code-unit order (command, derived, prev, salt, seq, time, v; in command: payload,
 * publicKey, signature), the strings plain ASCII, the numbers safe integers. Equal to
 * canonicalJson(entry) without canonicalizing the payload twice (it is also what is signed).
 */
const canonicalEntry = (e: LedgerEntryShape, payloadJson: string): string =>
  `{"command":{"payload":${payloadJson},"publicKey":"${e.command.publicKey}","signature":"${e.command.signature}"},"derived":${canonicalJson(e.derived)},"prev":"${e.prev}","salt":"${e.salt}","seq":${e.seq},"time":${e.time},"v":1}`;

const LEAF_PREFIX = Buffer.from([0]);
const NODE_PREFIX = Buffer.from([1]);

/** RFC 6962 leaf hash, SHA-256(0x00 || data), by node:crypto: same bytes as `leafHash`. */
const leafHashOf = (data: Uint8Array | string): Buffer =>
  createHash('sha256').update(LEAF_PREFIX).update(data).digest();

/** RFC 6962 node hash, SHA-256(0x01 || left || right), by node:crypto: same as `nodeHash`. */
const nodeHashOf = (left: Uint8Array, right: Uint8Array): Buffer =>
  createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();

class EntryChecker {
  /** isAcceptablePublicKey by key text: a ledger has few keys and many entries. */
  private readonly acceptable = new Map<string, boolean>();

  constructor(private readonly commandContext: string) {}

  private keyIsAcceptable(text: string, key: Uint8Array): boolean {
    let ok = this.acceptable.get(text);
    if (ok === undefined) {
      ok = isAcceptablePublicKey(key);
      if (this.acceptable.size >= 65_536) this.acceptable.clear();
      this.acceptable.set(text, ok);
    }
    return ok;
  }

  /** The entry's leaf hash if every per-entry check holds, else a reason. */
  check(value: unknown, stored: Uint8Array | undefined): Buffer | string {
    if (!isEntryShape(value)) return 'an entry is not in the shape the fast pass knows';
    const entry = value as LedgerEntryShape;
    const { payload, publicKey, signature } = entry.command;
    let payloadJson: string;
    let leaf: Buffer;
    try {
      payloadJson = canonicalJson(payload);
      leaf = leafHashOf(canonicalEntry(entry, payloadJson));
    } catch {
      return 'an entry has no canonical form';
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
    if (!this.keyIsAcceptable(publicKey, key)) return 'an entry is signed by an unacceptable key';
    // signingMessage(context, payload): utf8(context + "\n" + JCS(payload)).
    const message = Buffer.from(`${this.commandContext}\n${payloadJson}`, 'utf8');
    if (!fastVerify(sig, message, key)) return 'a signature does not verify';
    return leaf;
  }
}

/**
 * One export line as parseExportLine and feedExportLines (@yishi/sdk) take it, or a reason to
 * hand over: an entry, a checkpoint, or the header as line 1.
 */
function exportLine(
  text: string,
  lineNumber: number,
  exportFormat: string
):
  | { kind: 'entry'; entry: unknown }
  | { kind: 'checkpoint'; note: string }
  | { kind: 'header' }
  | string {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    return `line ${lineNumber} is not JSON`;
  }
  if (!isObject(o)) return `line ${lineNumber} is not an object`;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === 'entry') return { kind: 'entry', entry: o['entry'] };
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
}

function checkBatch(checker: EntryChecker, config: WorkerConfig, req: BatchRequest): BatchReply {
  const fail = (problem: string): BatchReply => ({ id: req.id, ok: false, problem });
  const leaves = new Uint8Array(HASH * req.texts.length);
  const notes: string[] = [];
  let count = 0;
  let firstSeq = -1;
  let firstPrev: Uint8Array = new Uint8Array(HASH);
  let genesis: { payload: Json; publicKey: string } | undefined;
  let lineNumber = (req.firstLine ?? 1) - 1;
  for (let i = 0; i < req.texts.length; i++) {
    const text = req.texts[i] as string;
    let value: unknown;
    if (req.kind === 'database') {
      try {
        value = JSON.parse(text);
      } catch {
        return fail('a row is not JSON');
      }
    } else {
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
      value = line.entry;
    }
    const stored = req.stored?.subarray(HASH * i, HASH * (i + 1));
    const leaf = checker.check(value, stored);
    if (typeof leaf === 'string') return fail(leaf);
    const entry = value as { seq: number; prev: string; command: Json & { payload: Json } };
    if (count === 0) {
      firstSeq = entry.seq;
      firstPrev = Buffer.from(entry.prev, 'hex');
    } else {
      if (entry.seq !== firstSeq + count) return fail('entries are not numbered in order');
      const before = leaves.subarray(HASH * (count - 1), HASH * count);
      if (!equalBytes(Buffer.from(entry.prev, 'hex'), before)) return fail('the chain breaks');
    }
    if (entry.seq === 0) {
      genesis = { payload: entry.command.payload, publicKey: entry.command['publicKey'] as string };
    }
    leaves.set(leaf, HASH * count);
    count++;
  }
  const reply: BatchReply = {
    id: req.id,
    ok: true,
    count,
    leaves: leaves.slice(0, HASH * count),
    firstSeq,
    firstPrev: new Uint8Array(firstPrev),
    notes,
  };
  if (genesis) reply.genesis = genesis;
  return reply;
}

function runWorker(config: WorkerConfig): void {
  const port = parentPort;
  if (!port) return;
  const checker = new EntryChecker(config.commandContext);
  port.on('message', (req: BatchRequest) => {
    let reply: BatchReply;
    try {
      reply = checkBatch(checker, config, req);
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
      worker.postMessage(req, req.stored ? [req.stored.buffer as ArrayBuffer] : []);
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

/** Batches of work read from the file, each a request without its id. */
async function* requests(
  path: string,
  kind: LedgerFileKind,
  batchSize: number,
  progress: (done: number, total: number) => void,
  notes: (note: string) => void
): AsyncGenerator<Omit<BatchRequest, 'id'>> {
  if (kind === 'export') {
    let firstLine = 1;
    for await (const texts of exportLineBatches(path, batchSize, progress)) {
      yield { kind, texts, firstLine };
      firstLine += texts.length;
    }
    return;
  }
  const ledger = openLedgerReadOnly(path);
  try {
    const total = ledger.count();
    let texts: string[] = [];
    let stored = new Uint8Array(HASH * batchSize);
    let done = 0;
    for (const row of ledger.entries()) {
      if (row.leafHash.length !== HASH) handover('a stored leaf hash has the wrong length');
      stored.set(row.leafHash, HASH * texts.length);
      texts.push(row.body);
      if (texts.length === batchSize) {
        yield { kind, texts, stored };
        done += texts.length;
        progress(done, total);
        texts = [];
        stored = new Uint8Array(HASH * batchSize);
      }
    }
    if (texts.length > 0) yield { kind, texts, stored: stored.slice(0, HASH * texts.length) };
    for (const note of ledger.checkpointNotes()) notes(note);
    progress(total, total);
  } finally {
    ledger.close();
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
  });
  const inFlight: Promise<BatchReply>[] = [];
  const limit = workers * IN_FLIGHT_PER_WORKER;
  let id = 0;
  try {
    for await (const req of requests(path, kind, batchSize, progress, (n) => state.notes.push(n))) {
      inFlight.push(pool.send({ ...req, id: id++ }));
      if (inFlight.length >= limit) state.take(await (inFlight.shift() as Promise<BatchReply>));
    }
    while (inFlight.length > 0) state.take(await (inFlight.shift() as Promise<BatchReply>));
    return { ok: true, report: state.report() };
  } catch (err) {
    // Anything unexpected (a note that does not open, a proof that does not verify, an I/O
    // error) is for the reference verifier to judge and word.
    return { ok: false, handover: err instanceof Handover ? err.message : String(err) };
  } finally {
    await pool.close();
  }
}
