import Database from 'better-sqlite3';
import type { WitnessRecord, WitnessStore } from '@yishi/verify';

/**
 * The witness's records on SQLite: one compare-and-swap row per log origin. `compareAndSwap`
 * checks and writes in one synchronous transaction with `synchronous = FULL`, so the record is
 * durable before the witness answers, and no other request can land between check and write.
 */
export class SqliteWitnessStore implements WitnessStore {
  readonly #db: Database.Database;
  readonly #get: Database.Statement<[string], { size: number; root: Buffer; note: string }>;
  readonly #cas: (
    origin: string,
    expected: { size: number; rootHash: Uint8Array } | undefined,
    next: WitnessRecord
  ) => boolean;

  constructor(path: string, now: () => number = Date.now) {
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = FULL');
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS witness_checkpoints (
        origin TEXT PRIMARY KEY,
        size INTEGER NOT NULL CHECK (size >= 0),
        root BLOB NOT NULL CHECK (length(root) = 32),
        note TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE TRIGGER IF NOT EXISTS witness_no_rollback BEFORE UPDATE ON witness_checkpoints
      WHEN NEW.size < OLD.size BEGIN SELECT RAISE(ABORT, 'rollback'); END;
    `);
    this.#get = this.#db.prepare(
      'SELECT size, root, note FROM witness_checkpoints WHERE origin = ?'
    );
    const insert = this.#db.prepare(
      'INSERT INTO witness_checkpoints (origin, size, root, note, updated_at) VALUES (?, ?, ?, ?, ?)'
    );
    const update = this.#db.prepare(
      'UPDATE witness_checkpoints SET size = ?, root = ?, note = ?, updated_at = ? WHERE origin = ?'
    );
    this.#cas = this.#db.transaction((origin, expected, next) => {
      const row = this.#get.get(origin);
      if (row === undefined) {
        if (expected !== undefined) return false;
        insert.run(origin, next.size, Buffer.from(next.rootHash), next.note, now());
        return true;
      }
      if (
        expected === undefined ||
        row.size !== expected.size ||
        !Buffer.from(row.root).equals(Buffer.from(expected.rootHash))
      ) {
        return false;
      }
      update.run(next.size, Buffer.from(next.rootHash), next.note, now(), origin);
      return true;
    });
  }

  get(origin: string): WitnessRecord | undefined {
    const row = this.#get.get(origin);
    return row && { size: row.size, rootHash: new Uint8Array(row.root), note: row.note };
  }

  compareAndSwap(
    origin: string,
    expected: { size: number; rootHash: Uint8Array } | undefined,
    next: WitnessRecord
  ): boolean {
    return this.#cas(origin, expected, next);
  }

  close(): void {
    this.#db.close();
  }
}
