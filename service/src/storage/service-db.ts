import Database from 'better-sqlite3';

export type ServiceDatabase = Database.Database;

/**
 * The service's own tables, in a database beside the ledger (`service.db`): remembered
 * Idempotency-Key answers, the nonces of service commands, webhooks and their delivery attempts.
 * Nothing here is evidence: the ledger is. Losing this file loses idempotency answers older than a
 * restart and the webhook registrations, never a decision. The closed meetings' records and the
 * state snapshot are caches of what the ledger implies: a start that does not trust them replays
 * the ledger and writes them again.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE idempotency (
    public_key TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_digest TEXT NOT NULL,
    response TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (public_key, idem_key)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX idempotency_created ON idempotency (created_at);

  CREATE TABLE service_nonces (
    public_key TEXT NOT NULL,
    nonce TEXT NOT NULL,
    command TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (public_key, nonce)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    registered_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    after_seq INTEGER NOT NULL,
    active INTEGER NOT NULL CHECK (active IN (0, 1)),
    command TEXT NOT NULL
  ) STRICT;

  CREATE TABLE webhook_jobs (
    webhook_id INTEGER NOT NULL REFERENCES webhooks (id),
    report_id TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL,
    next_at INTEGER NOT NULL,
    PRIMARY KEY (webhook_id, report_id)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE webhook_attempts (
    id INTEGER PRIMARY KEY,
    webhook_id INTEGER NOT NULL REFERENCES webhooks (id),
    report_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    at INTEGER NOT NULL,
    ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
    http_status INTEGER,
    error TEXT
  ) STRICT;
  CREATE INDEX webhook_attempts_by_hook ON webhook_attempts (webhook_id, id);
  `,
  // 2: closed meetings' records (a cache of what the ledger implies, rebuilt by replay) and the
  // snapshot of the state the service restores at start instead of replaying every entry.
  `
  CREATE TABLE meeting_records (
    meeting_id TEXT PRIMARY KEY,
    body_id TEXT NOT NULL,
    close_seq INTEGER NOT NULL,
    record_digest TEXT NOT NULL,
    record TEXT NOT NULL,
    summary TEXT NOT NULL
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX meeting_records_by_body ON meeting_records (body_id);

  CREATE TABLE state_snapshot (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    format INTEGER NOT NULL,
    engine TEXT NOT NULL,
    ledger_id TEXT NOT NULL,
    origin TEXT NOT NULL,
    size INTEGER NOT NULL,
    leaf_hash BLOB NOT NULL,
    digest BLOB NOT NULL,
    body BLOB NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;
  `,
  // 3: the snapshot's check that every meeting closed before it has its record row counts rows
  // by close_seq at every start: without this index, a scan of every record (200 MB at 1M).
  `
  CREATE INDEX meeting_records_by_close ON meeting_records (close_seq);
  `,
];

/** Opens (creating and migrating) the service database at `path` or `':memory:'`. */
export function openServiceDatabase(path: string): ServiceDatabase {
  const db = new Database(path);
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.transaction(() => {
      const current = db.pragma('user_version', { simple: true }) as number;
      if (current > MIGRATIONS.length) {
        throw new Error(`service.db schema ${current} is newer than this code`);
      }
      for (let v = current; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v] as string);
      db.pragma(`user_version = ${MIGRATIONS.length}`);
    }).immediate();
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
