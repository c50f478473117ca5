import { closeSync, openSync, readSync } from 'node:fs';
import Database from 'better-sqlite3';

/** A ledger database opened read-only, as an auditor reads it: rows as stored, in seq order. */
export interface ReadOnlyLedger {
  count(): number;
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
      const rows = db.prepare('SELECT note FROM checkpoints ORDER BY size').all() as {
        note: string;
      }[];
      for (const row of rows) yield String(row.note);
    },
    close: () => db.close(),
  };
}

/** Whether the file at `path` is an SQLite database (by its 16-byte header). */
export function isSqliteFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(16);
    readSync(fd, buf, 0, 16, 0);
    return buf.toString('latin1') === 'SQLite format 3\0';
  } finally {
    closeSync(fd);
  }
}

/** What consumes a ledger read from its database: the verifier, the auditor. */
export interface LedgerRowSink {
  addEntry(value: unknown, storedLeafHash?: Uint8Array): void;
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
): void {
  const ledger = openLedgerReadOnly(path);
  try {
    const total = progress ? ledger.count() : 0;
    let n = 0;
    for (const row of ledger.entries()) {
      let value: unknown;
      try {
        value = JSON.parse(row.body);
      } catch {
        value = undefined;
      }
      sink.addEntry(value, row.leafHash);
      if (++n % 1000 === 0) progress?.(n, total);
    }
    for (const note of ledger.checkpointNotes()) sink.addCheckpoint(note);
    progress?.(total, total);
  } finally {
    ledger.close();
  }
}
