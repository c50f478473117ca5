import { copyFileSync } from 'node:fs';
import t from 'tap';
import Database from 'better-sqlite3';
import {
  LedgerError,
  LedgerStore,
  SCHEMA_VERSION,
  STORED_TREE_LEVEL,
  openDatabase,
  schemaVersion,
} from '@yishi/service/internal';
import { SCHEMA_1_FIXTURE, fakeCommand, tempDbPath } from './helpers/fixtures.js';

/** The SQLite error a statement raises, or undefined if it ran. */
function sqliteError(fn: () => unknown): { code: string; message: string } | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err as { code: string; message: string };
  }
}

function seeded(path: string): void {
  const store = LedgerStore.open(path);
  store.appendBatch([
    { command: fakeCommand(1), derived: null, time: 1 },
    { command: fakeCommand(2), derived: { x: 1 }, time: 2 },
  ]);
  store.saveCheckpoint({ size: 2, root: store.root(2), note: 'note-2', signedAt: 3 }, 0);
  store.close();
}

t.test('opens a file database in WAL mode with synchronous FULL and foreign keys on', async (t) => {
  const db = openDatabase(tempDbPath(t));
  t.teardown(() => db.close());
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  t.equal(db.pragma('synchronous', { simple: true }), 2, 'FULL is 2');
  t.equal(db.pragma('foreign_keys', { simple: true }), 1);
  t.ok((db.pragma('busy_timeout', { simple: true }) as number) > 0);
});

t.test('records the schema version and migrates only once', async (t) => {
  const path = tempDbPath(t);
  const db = openDatabase(path);
  t.equal(schemaVersion(db), SCHEMA_VERSION);
  t.ok(SCHEMA_VERSION >= 1);
  db.close();
  seeded(path);
  const again = openDatabase(path);
  t.equal(schemaVersion(again), SCHEMA_VERSION);
  t.equal((again.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n, 2);
  again.close();
});

t.test('refuses a database written by a newer schema', async (t) => {
  const path = tempDbPath(t);
  openDatabase(path).close();
  const raw = new Database(path);
  raw
    .prepare(`UPDATE meta SET value = ? WHERE key = 'schema_version'`)
    .run(String(SCHEMA_VERSION + 1));
  raw.close();
  t.throws(() => openDatabase(path), { code: 'SCHEMA_TOO_NEW' });
  t.throws(() => LedgerStore.open(path), LedgerError);
});

t.test('declares every table STRICT', async (t) => {
  const db = openDatabase(':memory:');
  t.teardown(() => db.close());
  const tables = db
    .prepare(
      `SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%'`
    )
    .all() as { name: string; strict: number }[];
  t.same(tables.map((r) => r.name).sort(), [
    'checkpoints',
    'command_nonces',
    'cosigned_checkpoints',
    'entries',
    'latest_checkpoint',
    'meta',
    'recent_nonces',
    'tree_nodes',
  ]);
  for (const row of tables) t.equal(row.strict, 1, `${row.name} is STRICT`);
  const err = sqliteError(() =>
    db.prepare(`INSERT INTO entries (seq, leaf_hash, body) VALUES (0, 'not a blob', 'b')`).run()
  );
  t.equal(err?.code, 'SQLITE_CONSTRAINT_DATATYPE', 'a text value in a BLOB column is refused');
});

t.test('append-only tables refuse UPDATE and DELETE', async (t) => {
  const path = tempDbPath(t);
  seeded(path);
  const db = openDatabase(path);
  t.teardown(() => db.close());
  db.prepare(`INSERT INTO command_nonces (public_key, nonce, seq) VALUES ('k', 'n', 0)`).run();
  db.prepare(`INSERT INTO tree_nodes (level, idx, hash) VALUES (4, 0, zeroblob(32))`).run();
  db.prepare(
    `INSERT INTO checkpoints (size, root, note, signed_at) VALUES (1, zeroblob(32), 'n', 0)`
  ).run();
  db.prepare(`INSERT INTO cosigned_checkpoints (size, note, cosigned_at) VALUES (1, 'n', 0)`).run();
  const cases: [string, string][] = [
    ['entries', `UPDATE entries SET body = 'x' WHERE seq = 0`],
    ['entries', `DELETE FROM entries WHERE seq = 1`],
    ['tree_nodes', `UPDATE tree_nodes SET hash = randomblob(32) WHERE level = 4 AND idx = 0`],
    ['tree_nodes', `DELETE FROM tree_nodes`],
    ['command_nonces', `UPDATE command_nonces SET seq = 1`],
    ['command_nonces', `DELETE FROM command_nonces`],
    ['checkpoints', `UPDATE checkpoints SET note = 'forged'`],
    ['checkpoints', `DELETE FROM checkpoints`],
    ['latest_checkpoint', `DELETE FROM latest_checkpoint`],
    ['cosigned_checkpoints', `UPDATE cosigned_checkpoints SET note = 'forged'`],
    ['cosigned_checkpoints', `DELETE FROM cosigned_checkpoints`],
  ];
  for (const [table, sql] of cases) {
    const err = sqliteError(() => db.prepare(sql).run());
    t.equal(err?.code, 'SQLITE_CONSTRAINT_TRIGGER', `${table}: ${sql}`);
    t.equal(err?.message, 'append-only', `${table} says why`);
  }
  t.equal((db.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n, 2);
  t.equal((db.prepare('SELECT count(*) AS n FROM tree_nodes').get() as { n: number }).n, 1);
});

t.test('tree_nodes refuses nodes below the stored level, and takes those at it', async (t) => {
  const db = openDatabase(':memory:');
  t.teardown(() => db.close());
  const insert = db.prepare(
    'INSERT INTO tree_nodes (level, idx, hash) VALUES (?, ?, zeroblob(32))'
  );
  for (let level = 0; level < STORED_TREE_LEVEL; level++) {
    const err = sqliteError(() => insert.run(level, 0));
    t.equal(err?.code, 'SQLITE_CONSTRAINT_TRIGGER', `level ${level}`);
    t.equal(err?.message, 'tree-level-not-stored');
  }
  t.equal(
    sqliteError(() => insert.run(STORED_TREE_LEVEL, 0)),
    undefined
  );
  t.equal(db.prepare('SELECT count(*) FROM tree_nodes').pluck().get(), 1);
});

t.test('migrates a schema-1 database to the current schema in place', async (t) => {
  const path = tempDbPath(t);
  copyFileSync(SCHEMA_1_FIXTURE, path);
  const before = new Database(path, { readonly: true });
  t.equal(schemaVersion(before), 1);
  const rowsBefore = before.prepare('SELECT count(*) FROM tree_nodes').pluck().get();
  before.close();
  const db = openDatabase(path);
  t.teardown(() => db.close());
  t.equal(schemaVersion(db), SCHEMA_VERSION);
  t.equal(db.prepare('SELECT count(*) FROM tree_nodes').pluck().get(), rowsBefore, 'no row lost');
  t.equal(db.prepare('SELECT count(*) FROM entries').pluck().get(), 37);
  t.equal(
    db.prepare('SELECT count(*) FROM recent_nonces').pluck().get(),
    37,
    'the nonces of the latest window are copied into the lookup index'
  );
  t.equal(db.prepare('SELECT count(*) FROM command_nonces').pluck().get(), 37, 'none lost');
  db.close();
  const store = LedgerStore.open(path);
  const cmd = fakeCommand(3, 1);
  t.ok(store.hasNonce(cmd.publicKey, cmd.payload.nonce), 'a migrated nonce is still found');
  store.close();
});

t.test('entries must be inserted at the next seq, without gaps', async (t) => {
  const db = openDatabase(':memory:');
  t.teardown(() => db.close());
  const insert = db.prepare('INSERT INTO entries (seq, leaf_hash, body) VALUES (?, ?, ?)');
  t.equal(
    sqliteError(() => insert.run(1, Buffer.alloc(32), '{}'))?.code,
    'SQLITE_CONSTRAINT_TRIGGER'
  );
  insert.run(0, Buffer.alloc(32), '{}');
  t.equal(
    sqliteError(() => insert.run(0, Buffer.alloc(32), '{}'))?.code,
    'SQLITE_CONSTRAINT_TRIGGER'
  );
  t.equal(
    sqliteError(() => insert.run(1, Buffer.alloc(31), '{}'))?.code,
    'SQLITE_CONSTRAINT_CHECK'
  );
});

t.test('a nonce row must point at an existing entry', async (t) => {
  const db = openDatabase(':memory:');
  t.teardown(() => db.close());
  const err = sqliteError(() =>
    db.prepare(`INSERT INTO command_nonces (public_key, nonce, seq) VALUES ('k', 'n', 5)`).run()
  );
  t.equal(err?.code, 'SQLITE_CONSTRAINT_FOREIGNKEY');
});

t.test('a checkpoint cannot be recorded beyond the tree', async (t) => {
  const db = openDatabase(':memory:');
  t.teardown(() => db.close());
  const err = sqliteError(() =>
    db
      .prepare(`INSERT INTO checkpoints (size, root, note, signed_at) VALUES (1, ?, 'n', 0)`)
      .run(Buffer.alloc(32))
  );
  t.equal(err?.code, 'SQLITE_CONSTRAINT_TRIGGER');
});

t.test('the latest checkpoint row is a single row that cannot go backwards', async (t) => {
  const path = tempDbPath(t);
  seeded(path);
  const db = openDatabase(path);
  t.teardown(() => db.close());
  t.same(db.prepare('SELECT id, size, note FROM latest_checkpoint').all(), [
    { id: 1, size: 2, note: 'note-2' },
  ]);
  const backwards = sqliteError(() =>
    db.prepare(`UPDATE latest_checkpoint SET size = 1, note = 'old' WHERE id = 1`).run()
  );
  t.equal(backwards?.code, 'SQLITE_CONSTRAINT_TRIGGER');
  t.equal(backwards?.message, 'checkpoint-backwards');
  const unnote = sqliteError(() => db.prepare(`UPDATE latest_checkpoint SET note = NULL`).run());
  t.equal(unnote?.code, 'SQLITE_CONSTRAINT_TRIGGER');
  const second = sqliteError(() =>
    db.prepare(`INSERT INTO latest_checkpoint (id, size, note) VALUES (2, 9, 'x')`).run()
  );
  t.ok(second?.code.startsWith('SQLITE_CONSTRAINT'), 'no second row');
  const cas = db
    .prepare(`UPDATE latest_checkpoint SET size = 2, note = 'n' WHERE id = 1 AND size = 1`)
    .run();
  t.equal(cas.changes, 0, 'a compare-and-swap against a stale size changes nothing');
  t.equal(
    (db.prepare('SELECT note FROM latest_checkpoint').get() as { note: string }).note,
    'note-2'
  );
});
