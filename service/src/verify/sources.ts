// The two kinds of ledger file an auditor is handed, behind one interface: an SQLite database
// (rows with their stored leaf hashes) or a JSON Lines export. Every verify path (the reference
// in process, the parallel pass, `yishi audit`) reads a file through its LedgerSource, so the
// database-or-export choice is made here, once, by the file's first bytes.
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { EXPORT_FORMAT, feedExportLines } from '@yishi/verify';
import { feedLedgerDatabase, openLedgerReadOnly, type LedgerRowSink } from './ledger-database.js';
import { handover, type Work, type WorkerConfig } from './messages.js';

/** A ledger database (SQLite) or a JSON Lines export. */
export type LedgerFileKind = 'database' | 'export';

/** Hears entries done and total (database) or bytes read and size (export). */
export type Progress = (done: number, total: number) => void;

/** What the parallel pass hears from a source besides the batches. */
export interface BatchListener {
  /** A checkpoint note the workers do not see (a database's checkpoints table). */
  note(note: string): void;
  /** The number of entries the workers must read in all (database). */
  expectRows(rows: number): void;
}

/** A ledger file to verify, read the same way by every path. */
export interface LedgerSource {
  readonly kind: LedgerFileKind;
  /** Entries per range a worker reads (database) or export lines per message, by default. */
  readonly batchSize: number;
  /** What a worker is told to read this source's batches (database: the file). */
  readonly workerConfig: Pick<WorkerConfig, 'database'>;
  /**
   * Feeds `sink` every entry (parsed; unparsable ones as the export format or the row reader
   * says), then every checkpoint note, as the reference verifier reads them.
   */
  feed(sink: LedgerRowSink, progress?: Progress): Promise<void>;
  /** The parallel pass's work, in order; throws a Handover when it cannot be cut into batches. */
  batches(batchSize: number, progress: Progress, listener: BatchListener): AsyncGenerator<Work>;
}

const SQLITE_MAGIC = 'SQLite format 3\0';
const DEFAULT_BATCH = { database: 8192, export: 512 } as const;
/** Export lines per call into the reference verifier. */
const FEED_LINES = 1000;

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

/** How much of an export's start is read to tell whether it is one. */
const SNIFF_BYTES = 1 << 20;

/**
 * Why the file at `path` is no ledger file at all (a README, another JSON file, another SQLite
 * database), or undefined when it looks like one: an export whose first line is its header, an
 * entry or a checkpoint, or a database with the ledger's tables (an empty file is left to the
 * verifier, which reports LEDGER_EMPTY). Only the start is read: a file that begins as an export
 * and goes wrong later is the verifier's to report, entry by entry.
 */
export function notALedgerFile(path: string): string | undefined {
  if (ledgerFileKind(path) === 'database') {
    let ledger: ReturnType<typeof openLedgerReadOnly> | undefined;
    try {
      ledger = openLedgerReadOnly(path);
      ledger.seqEnds();
      return undefined;
    } catch (err) {
      return `an SQLite database without a ledger (${(err as Error).message})`;
    } finally {
      ledger?.close();
    }
  }
  const fd = openSync(path, 'r');
  let text: string;
  let whole: boolean;
  try {
    const buf = Buffer.alloc(Math.min(SNIFF_BYTES, Math.max(1, statSync(path).size)));
    const n = readSync(fd, buf, 0, buf.length, 0);
    text = buf.subarray(0, n).toString('utf8');
    whole = n === statSync(path).size;
  } finally {
    closeSync(fd);
  }
  const lines = text.split('\n');
  const index = lines.findIndex((l) => l.trim() !== '');
  if (index < 0) return undefined;
  const first = (lines[index] as string).replace(/\r$/, '');
  const complete = whole || index < lines.length - 1;
  const expected = `an export starts with {"yishi":"${EXPORT_FORMAT}",…} or {"entry":…}`;
  if (!complete) {
    return first.startsWith('{"entry":{') || first.startsWith(`{"yishi":"${EXPORT_FORMAT}"`)
      ? undefined
      : `line ${index + 1} is not an export line (${expected})`;
  }
  let value: unknown;
  try {
    value = JSON.parse(first);
  } catch {
    return `line ${index + 1} is not JSON (${expected})`;
  }
  const o = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (o['yishi'] === EXPORT_FORMAT) return undefined;
  if (typeof o['yishi'] === 'string') {
    return `it is a ${o['yishi']} file, not ${EXPORT_FORMAT}`;
  }
  const keys = Object.keys(o);
  if (keys.length === 1 && (keys[0] === 'entry' || keys[0] === 'checkpoint')) return undefined;
  return `line ${index + 1} is neither an export header, an entry nor a checkpoint (${expected})`;
}

/** The source for the file at `path`, by its kind. */
export function openLedgerSource(path: string): LedgerSource {
  return ledgerFileKind(path) === 'database' ? databaseSource(path) : exportSource(path);
}

/** Export lines as `yishi verify` has always read them (readline, CRLF as one break). */
async function* exportLineBatches(
  path: string,
  size: number,
  progress: Progress
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

function exportSource(path: string): LedgerSource {
  return {
    kind: 'export',
    batchSize: DEFAULT_BATCH.export,
    workerConfig: {},
    async feed(sink, progress = () => {}) {
      let lineNumber = 1;
      for await (const batch of exportLineBatches(path, FEED_LINES, progress)) {
        lineNumber = feedExportLines(sink, batch, lineNumber);
      }
    },
    async *batches(batchSize, progress) {
      let firstLine = 1;
      for await (const texts of exportLineBatches(path, batchSize, progress)) {
        yield { kind: 'export', texts, firstLine };
        firstLine += texts.length;
      }
    },
  };
}

function databaseSource(path: string): LedgerSource {
  return {
    kind: 'database',
    batchSize: DEFAULT_BATCH.database,
    workerConfig: { database: path },
    async feed(sink, progress) {
      // The event loop turns every 1,000 rows: `yishi audit --workers` replays in this thread
      // while it feeds the verify workers, which a synchronous read would starve.
      await feedLedgerDatabase(path, sink, progress, () => new Promise((r) => setImmediate(r)));
    },
    /**
     * A database is only sized here: workers read its rows themselves, range by range. The
     * reference reads every row with seq > -1 in seq order. The ranges cover 0..max(seq), and
     * each range must hold exactly its integer seqs, in order, once each; with min(seq > -1) = 0
     * (no row below 0 the reference would read) and max(seq) a number (a text or blob seq sorts
     * above every number), both read the same rows in the same order, or the pass hands over.
     * No count(*): on a rowid table min and max are two index look-ups, count(*) a scan of the
     * whole file. The listener is told max(seq) + 1 rows.
     */
    async *batches(batchSize, progress, listener) {
      const ledger = openLedgerReadOnly(path);
      try {
        const { first, last } = ledger.seqEnds();
        if (first === undefined) handover('the ledger is empty');
        if (first !== 0 || !Number.isSafeInteger(last)) {
          handover("the table's seqs are not 0 to a count");
        }
        const n = (last as number) + 1;
        listener.expectRows(n);
        for (let from = 0; from < n; from += batchSize) {
          yield { kind: 'database', from, to: Math.min(from + batchSize, n) };
          progress(Math.min(from + batchSize, n), n);
        }
        for (const note of ledger.checkpointNotes()) listener.note(note);
      } finally {
        ledger.close();
      }
    },
  };
}
