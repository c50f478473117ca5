import Database from 'better-sqlite3';
import type { RedactedEntry } from '@yishi/verify';

// A ledger database read as an auditor reads it: read-only, rows as stored, nothing trusted.
// All the SQL the verifiers run on a ledger file is here.

/** A ledger database opened read-only, as an auditor reads it: rows as stored, in seq order. */
export interface ReadOnlyLedger {
  count(): number;
  /** The smallest and largest seq above -1, as stored (two index look-ups, no scan). */
  seqEnds(): { first: unknown; last: unknown };
  entries(): Generator<{ seq: number; body: string; leafHash: Uint8Array }>;
  checkpointNotes(): Generator<string>;
  close(): void;
}

/**
 * Opens a ledger file without writing to it (no migrations, no WAL checkpoint). Rows are read
 * as they are: an insider may have edited them, so nothing here is trusted; the verifier checks.
 */
export function openLedgerReadOnly(path: string): ReadOnlyLedger {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  const page = 1000;
  return {
    count: () => (db.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n,
    seqEnds() {
      const end = (order: 'ASC' | 'DESC'): unknown =>
        db
          .prepare(`SELECT seq FROM entries WHERE seq > -1 ORDER BY seq ${order} LIMIT 1`)
          .pluck()
          .get();
      return { first: end('ASC'), last: end('DESC') };
    },
    *entries() {
      const stmt = db.prepare(
        'SELECT seq, body, leaf_hash AS leafHash FROM entries WHERE seq > ? ORDER BY seq LIMIT ?'
      );
      let after = -1;
      for (;;) {
        const rows = stmt.all(after, page) as { seq: number; body: string; leafHash: Buffer }[];
        if (rows.length === 0) return;
        for (const row of rows) {
          yield { seq: row.seq, body: String(row.body), leafHash: new Uint8Array(row.leafHash) };
          after = row.seq;
        }
      }
    },
    *checkpointNotes() {
      // A database whose schema has the table keeps the cosigned form of published notes. Both
      // rows are untrusted: the cosigned note stands for the log's own only when it is that note
      // with lines appended; otherwise (a row was edited) both are checked.
      const cosigned =
        db
          .prepare(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'cosigned_checkpoints'"
          )
          .get() !== undefined;
      const rows = db
        .prepare(
          cosigned
            ? `SELECT c.note AS note, k.note AS cosigned FROM checkpoints c
               LEFT JOIN cosigned_checkpoints k ON k.size = c.size ORDER BY c.size`
            : 'SELECT note, NULL AS cosigned FROM checkpoints ORDER BY size'
        )
        .all() as { note: string; cosigned: string | null }[];
      for (const row of rows) {
        const note = String(row.note);
        const kept = row.cosigned === null ? undefined : String(row.cosigned);
        if (kept === undefined || !kept.startsWith(note)) yield note;
        if (kept !== undefined) yield kept;
      }
    },
    close: () => db.close(),
  };
}

/** What consumes a ledger read from its database: the verifier, the auditor. */
export interface LedgerRowSink {
  addEntry(value: unknown, storedLeafHash?: Uint8Array): void;
  /** A redacted line of a scoped export (never in a database). */
  addRedacted(redacted: RedactedEntry): void;
  addCheckpoint(note: string): void;
}

/**
 * Feeds every entry row (parsed; an unparsable body is fed as `undefined`, for the sink to
 * report) with its stored leaf hash, then every checkpoint note, from the database at `path`.
 * `progress`, if given, hears entries done and the total every 1,000 entries and at the end.
 */
export function feedLedgerDatabase(
  path: string,
  sink: LedgerRowSink,
  progress?: (done: number, total: number) => void
): void;
/** The same, awaiting `pause()` every 1,000 entries (to let the event loop turn). */
export function feedLedgerDatabase(
  path: string,
  sink: LedgerRowSink,
  progress: ((done: number, total: number) => void) | undefined,
  pause: () => Promise<void>
): Promise<void>;
export function feedLedgerDatabase(
  path: string,
  sink: LedgerRowSink,
  progress?: (done: number, total: number) => void,
  pause?: () => Promise<void>
): void | Promise<void> {
  const ledger = openLedgerReadOnly(path);
  let total: number;
  try {
    total = progress ? ledger.count() : 0;
  } catch (err) {
    ledger.close();
    throw err;
  }
  const rows = ledger.entries();
  let n = 0;
  /** Feeds up to 1,000 rows; false at the end. */
  const slice = (): boolean => {
    for (let i = 0; i < 1000; i++) {
      const next = rows.next();
      if (next.done) return false;
      let value: unknown;
      try {
        value = JSON.parse(next.value.body);
      } catch {
        value = undefined;
      }
      sink.addEntry(value, next.value.leafHash);
      n++;
    }
    progress?.(n, total);
    return true;
  };
  const end = () => {
    for (const note of ledger.checkpointNotes()) sink.addCheckpoint(note);
    progress?.(total, total);
  };
  if (pause === undefined) {
    try {
      while (slice());
      end();
    } finally {
      ledger.close();
    }
    return;
  }
  return (async () => {
    try {
      while (slice()) await pause();
      end();
    } finally {
      ledger.close();
    }
  })();
}

/** Rows of a database range as a worker reads them: [seq, body, leaf_hash], in seq order. */
export class RangeReader {
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
