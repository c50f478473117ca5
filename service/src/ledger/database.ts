import Database from 'better-sqlite3';
import { LedgerError } from './error.js';

export type LedgerDatabase = Database.Database;

/**
 * Schema migrations, applied in order; the index + 1 is the schema_version they lead to. Never edit
 * a migration once released: add a new one.
 *
 * Every ledger table is append-only (triggers refuse UPDATE and DELETE); the only mutable rows are
 * `meta` and the compare-and-swap row `latest_checkpoint`, which a trigger keeps from going
 * backwards. Integers stay below 2^53: seq and tree indexes are bounded by the entry count and
 * signed_at is milliseconds since the epoch, so no column needs BigInt.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE entries (
    seq INTEGER PRIMARY KEY CHECK (seq >= 0),
    leaf_hash BLOB NOT NULL CHECK (length(leaf_hash) = 32),
    body TEXT NOT NULL
  ) STRICT;

  CREATE TRIGGER entries_contiguous BEFORE INSERT ON entries
  WHEN NEW.seq <> (SELECT coalesce(max(seq) + 1, 0) FROM entries)
  BEGIN SELECT RAISE(ABORT, 'seq-not-contiguous'); END;
  CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
  BEGIN SELECT RAISE(ABORT, 'append-only'); END;
  CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
  BEGIN SELECT RAISE(ABORT, 'append-only'); END;

  CREATE TABLE tree_nodes (
    level INTEGER NOT NULL CHECK (level >= 0 AND level < 64),
    idx INTEGER NOT NULL CHECK (idx >= 0),
    hash BLOB NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, idx)
  ) STRICT, WITHOUT ROWID;

  CREATE TRIGGER tree_nodes_no_update BEFORE UPDATE ON tree_nodes
  BEGIN SELECT RAISE(ABORT, 'append-only'); END;
  CREATE TRIGGER tree_nodes_no_delete BEFORE DELETE ON tree_nodes
  BEGIN SELECT RAISE(ABORT, 'append-only'); END;

  CREATE TABLE command_nonces (
    public_key TEXT NOT NULL,
    nonce TEXT NOT NULL,
    seq INTEGER NOT NULL REFERENCES entries (seq),
    PRIMARY KEY (public_key, nonce)
  ) STRICT, WITHOUT ROWID;

  CREATE TRIGGER command_nonces_no_update BEFORE UPDATE ON command_nonces
  BEGIN SELECT RAISE(ABORT, 'append-only'); END;
  CREATE TRIGGER command_nonces_no_delete BEFORE DELETE ON command_nonces
  BEGIN SELECT RAISE(ABORT, 'append-only'); END;

  CREATE TABLE checkpoints (
    size INTEGER PRIMARY KEY CHECK (size >= 0),
    root BLOB NOT NULL CHECK (length(root) = 32),
    note TEXT NOT NULL,
    signed_at INTEGER NOT NULL
  ) STRICT;

  CREATE TRIGGER checkpoints_within_tree BEFORE INSERT ON checkpoints
  WHEN NEW.size > (SELECT coalesce(max(seq) + 1, 0) FROM entries)
  BEGIN SELECT RAISE(ABORT, 'checkpoint-beyond-tree'); END;
  CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
  BEGIN SELECT RAISE(ABORT, 'append-only'); END;
  CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
  BEGIN SELECT RAISE(ABORT, 'append-only'); END;

  -- One row, seeded with size 0 and no note: "no checkpoint yet". Writers compare-and-swap it with
  -- UPDATE ... WHERE id = 1 AND size = :expectedPreviousSize.
  CREATE TABLE latest_checkpoint (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    size INTEGER NOT NULL CHECK (size >= 0),
    note TEXT
  ) STRICT;
  INSERT INTO latest_checkpoint (id, size, note) VALUES (1, 0, NULL);

  CREATE TRIGGER latest_checkpoint_forward BEFORE UPDATE ON latest_checkpoint
  WHEN NEW.size < OLD.size OR NEW.id <> OLD.id OR (NEW.note IS NULL AND OLD.note IS NOT NULL)
  BEGIN SELECT RAISE(ABORT, 'checkpoint-backwards'); END;
  CREATE TRIGGER latest_checkpoint_no_delete BEFORE DELETE ON latest_checkpoint
  BEGIN SELECT RAISE(ABORT, 'append-only'); END;
  CREATE TRIGGER latest_checkpoint_single BEFORE INSERT ON latest_checkpoint
  BEGIN SELECT RAISE(ABORT, 'single-row'); END;
  `,
  // 2: tree_nodes keeps only perfect subtrees of 16 leaves or more (level >= STORED_TREE_LEVEL);
  // the store rebuilds lower nodes from entries.leaf_hash, so an append writes about 1/8 of a
  // node row instead of 2. Rows a schema-1 ledger wrote below that level stay (append-only) and
  // are no longer read.
  `
  CREATE TRIGGER tree_nodes_stored_levels BEFORE INSERT ON tree_nodes
  WHEN NEW.level < 4
  BEGIN SELECT RAISE(ABORT, 'tree-level-not-stored'); END;
  `,
  // 3: nonces need only be unique within the 5-minute window a command's ts must keep from its
  // entry's time (the engine checks it), so the lookup index holds recent nonces only, keyed by
  // 5-minute bucket of the command's ts first: inserts land at the right edge of the B-tree and old
  // buckets are deleted as time moves on, so an append's cost no longer grows with the ledger.
  // It is an index, not evidence (every nonce stays inside its signed entry); command_nonces,
  // append-only, keeps what schema 1 and 2 wrote and is no longer written. The recent buckets are
  // copied from it here.
  `
  CREATE TABLE recent_nonces (
    bucket INTEGER NOT NULL CHECK (bucket >= 0),
    public_key TEXT NOT NULL,
    nonce TEXT NOT NULL,
    seq INTEGER NOT NULL REFERENCES entries (seq),
    PRIMARY KEY (bucket, public_key, nonce)
  ) STRICT, WITHOUT ROWID;

  INSERT INTO recent_nonces (bucket, public_key, nonce, seq)
  SELECT b, public_key, nonce, seq FROM (
    SELECT coalesce(json_extract(e.body, '$.command.payload.ts'), json_extract(e.body, '$.time'))
             / 300000 AS b, n.public_key, n.nonce, n.seq
    FROM command_nonces n JOIN entries e ON e.seq = n.seq)
  WHERE b >= (SELECT max(coalesce(json_extract(body, '$.command.payload.ts'),
                                  json_extract(body, '$.time')) / 300000)
              FROM entries WHERE seq >= (SELECT max(seq) - 4096 FROM entries)) - 3;
  `,
  // 4: the checkpoints the witness collector published, each the log's signed note with the
  // witnesses' cosignature lines appended (C2SP tlog-cosignature), kept so that /log/checkpoint
  // survives a restart and exports carry the cosignatures. Append-only: the first note that met
  // the quorum at a size is the one kept.
  `
  CREATE TABLE cosigned_checkpoints (
    size INTEGER PRIMARY KEY REFERENCES checkpoints (size),
    note TEXT NOT NULL,
    cosigned_at INTEGER NOT NULL
  ) STRICT;
  CREATE TRIGGER cosigned_checkpoints_no_update BEFORE UPDATE ON cosigned_checkpoints
  BEGIN SELECT RAISE(ABORT, 'append-only'); END;
  CREATE TRIGGER cosigned_checkpoints_no_delete BEFORE DELETE ON cosigned_checkpoints
  BEGIN SELECT RAISE(ABORT, 'append-only'); END;
  `,
];

/**
 * Width (ms) of a bucket of `recent_nonces`: the window a command's ts must keep from its entry's
 * time (TS_WINDOW_MS of @yishi/procedure). Migration 3 has the number written out.
 */
export const NONCE_BUCKET_MS = 300_000;

/**
 * Lowest level of the Merkle tree kept in `tree_nodes` since schema 2 (subtrees of 2^4 = 16
 * leaves); the trigger of migration 2 refuses lower rows.
 */
export const STORED_TREE_LEVEL = 4;

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Milliseconds a connection waits for another connection's write lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * When a committed transaction is on disk: `commit` (synchronous = FULL) fsyncs the WAL before
 * the commit returns; `deferred` (synchronous = NORMAL) leaves the WAL to an fsync the caller
 * makes afterwards (LedgerStore.sync), off the thread that commits. NORMAL keeps the database
 * consistent after a crash; only transactions not yet synced may be lost, never half of one.
 */
export type CommitDurability = 'commit' | 'deferred';

/**
 * Opens (creating if needed) a ledger database and brings its schema up to date. WAL; with
 * `commit` durability (the default) a transaction that returned has been fsynced to the WAL and
 * survives power loss. Foreign keys are on.
 */
export function openDatabase(
  path: string,
  durability: CommitDurability = 'commit'
): LedgerDatabase {
  if (typeof path !== 'string' || path.length === 0) {
    throw new TypeError(`"path" expected a non-empty string, got ${JSON.stringify(path)}`);
  }
  const db = new Database(path);
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    db.pragma(durability === 'commit' ? 'synchronous = FULL' : 'synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** The schema_version recorded in the database, 0 for a fresh one. */
export function schemaVersion(db: LedgerDatabase): number {
  const hasMeta = db
    .prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'meta'`)
    .get();
  if (hasMeta === undefined) return 0;
  const row = db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get() as
    { value: string } | undefined;
  return row === undefined ? 0 : Number(row.value);
}

function migrate(db: LedgerDatabase): void {
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT`);
    const current = schemaVersion(db);
    if (!Number.isSafeInteger(current) || current < 0) {
      throw new LedgerError('SCHEMA_TOO_NEW', `unreadable schema_version ${String(current)}`);
    }
    if (current > SCHEMA_VERSION) {
      throw new LedgerError(
        'SCHEMA_TOO_NEW',
        `database schema_version ${current} is newer than this code (${SCHEMA_VERSION})`
      );
    }
    for (let v = current; v < SCHEMA_VERSION; v++) {
      db.exec(MIGRATIONS[v] as string);
    }
    db.prepare(
      `INSERT INTO meta (key, value) VALUES ('schema_version', ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value`
    ).run(String(SCHEMA_VERSION));
  }).immediate();
}
