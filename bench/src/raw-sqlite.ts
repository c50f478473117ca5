// The raw baseline of the append rows: better-sqlite3 INSERTs of rows like the ledger's entries
// (seq, a 32-byte hash, the entry's JSON) into one table, with the ledger's durability.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export const SQLITE_DURABILITY = 'SQLite WAL, synchronous=FULL (fsync per commit)';

/** A new database in `dir` with the one table and its prepared INSERT. */
export function rawDatabase(dir: string) {
  const db = new Database(join(dir, `raw-${randomBytes(4).toString('hex')}.db`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(
    'CREATE TABLE entries (seq INTEGER PRIMARY KEY, leaf_hash BLOB NOT NULL, body TEXT NOT NULL) STRICT'
  );
  const insert = db.prepare<[number, Buffer, string]>(
    'INSERT INTO entries (seq, leaf_hash, body) VALUES (?, ?, ?)'
  );
  return { db, insert };
}

/** An entry's JSON as the ledger writes it (random prev and salt), for the raw rows. */
export function rawEntryBody(seq: number, command: unknown, derived: unknown): string {
  return JSON.stringify({
    v: 1,
    seq,
    prev: randomBytes(32).toString('hex'),
    time: 1_741_568_400_000 + seq,
    salt: randomBytes(16).toString('hex'),
    command,
    derived,
  });
}
