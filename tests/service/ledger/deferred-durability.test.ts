// A store with `deferred` durability commits without an fsync and counts an entry (`size`, reads,
// the frontier root a checkpoint is checked against) only once LedgerStore.sync has fsynced the
// WAL; the writer answers an append only then. A failed fsync stops every further append.
import t from 'tap';
import { fdatasync } from 'node:fs';
import Database from 'better-sqlite3';
import { equalBytes } from '@yishi/crypto';
import { LedgerStore, LedgerWriter, isLedgerError, type AppendItem } from '@yishi/service/internal';
import { fakeCommand, tempDbPath } from './helpers/fixtures.js';

const item = (i: number): AppendItem => ({ command: fakeCommand(i), derived: { i }, time: i });

/** An fsync that counts its calls and holds each until `release()`. */
function heldFsync() {
  const waiting: (() => void)[] = [];
  let calls = 0;
  return {
    fsync(fd: number, done: (err: NodeJS.ErrnoException | null) => void) {
      calls++;
      waiting.push(() => fdatasync(fd, done));
    },
    get calls() {
      return calls;
    },
    release() {
      for (const go of waiting.splice(0)) go();
    },
  };
}

t.test('committed entries are unseen until synced; then size, reads and root agree', async (t) => {
  const held = heldFsync();
  const store = LedgerStore.open(tempDbPath(t), { durability: 'deferred', fsync: held.fsync });
  t.teardown(() => store.close());
  store.appendBatch([item(0), item(1)]);
  t.equal(store.size, 0, 'nothing is durable before the sync');
  t.equal(store.durable, false);
  t.throws(() => store.entry(0), { code: 'INDEX_OUT_OF_RANGE' }, 'readers do not see it');
  t.throws(() => store.root(2), { code: 'SIZE_OUT_OF_RANGE' });
  t.ok(equalBytes(store.frontierRoot(), store.root(0)), 'the frontier root is the durable one');

  const synced = store.sync();
  store.appendBatch([item(2)]);
  const second = store.sync();
  t.equal(held.calls, 1, 'a sync asked for during one fsync waits for it');
  held.release();
  await synced;
  t.equal(store.size, 2, 'the first fsync made the entries committed before it durable');
  t.ok(equalBytes(store.frontierRoot(), store.root(2)));
  t.equal(store.entry(1).seq, 1);
  await new Promise((r) => setImmediate(r));
  t.equal(held.calls, 2, 'the entry committed during it needs a second fsync');
  held.release();
  await second;
  t.equal(store.size, 3);
  t.equal(store.durable, true);
  t.ok(equalBytes(store.frontierRoot(), store.root()));
  await store.sync();
  t.equal(held.calls, 2, 'nothing to sync: no fsync');
});

t.test('the writer answers once the entry is fsynced, in seq order', async (t) => {
  const held = heldFsync();
  const path = tempDbPath(t);
  const store = LedgerStore.open(path, { durability: 'deferred', fsync: held.fsync });
  t.teardown(() => store.close());
  const writer = new LedgerWriter(store);
  const order: number[] = [];
  const first = Array.from({ length: 5 }, (_, i) =>
    writer.append(fakeCommand(i), { i }).then((r) => order.push(r.entry.seq))
  );
  await new Promise((r) => setImmediate(r));
  t.equal(writer.pending, 0, 'committed');
  const reader = new Database(path, { readonly: true });
  t.teardown(() => reader.close());
  t.equal(reader.prepare('SELECT count(*) FROM entries').pluck().get(), 5, 'on the ledger file');
  await new Promise((r) => setTimeout(r, 20));
  t.same(order, [], 'no answer before the fsync');
  const later = writer.append(fakeCommand(99), {}).then((r) => order.push(r.entry.seq));
  await new Promise((r) => setImmediate(r));
  held.release();
  await Promise.all(first);
  await new Promise((r) => setImmediate(r));
  held.release();
  await later;
  t.same(order, [0, 1, 2, 3, 4, 5]);
  t.equal(store.size, 6);
  t.equal(writer.stats.appended, 6);
});

t.test('a refused append is answered at once; a replayed nonce still is refused', async (t) => {
  const store = LedgerStore.open(tempDbPath(t), { durability: 'deferred' });
  t.teardown(() => store.close());
  const writer = new LedgerWriter(store);
  await writer.append(fakeCommand(1), {});
  await t.rejects(writer.append(fakeCommand(1), {}), { code: 'NONCE_REPLAYED' });
  t.equal(store.size, 1);
});

t.test('a failed fsync fails its appends and every later one', async (t) => {
  const store = LedgerStore.open(tempDbPath(t), {
    durability: 'deferred',
    fsync: (_fd, done) => done(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' })),
  });
  t.teardown(() => store.close());
  const writer = new LedgerWriter(store);
  await t.rejects(writer.append(fakeCommand(1), {}), { message: /EIO/ });
  t.equal(store.size, 0, 'never counted as durable');
  t.equal(writer.stats.failedTransactions, 1);
  await t.rejects(writer.append(fakeCommand(2), {}), { code: 'LEDGER_SYNC_FAILED' });
  try {
    store.appendBatch([item(3)]);
    t.fail('appended after a failed fsync');
  } catch (err) {
    t.ok(isLedgerError(err, 'LEDGER_SYNC_FAILED'));
  }
});

t.test('close fsyncs what is committed; a reopened store has it all', async (t) => {
  const path = tempDbPath(t);
  const held = heldFsync();
  const store = LedgerStore.open(path, { durability: 'deferred', fsync: held.fsync });
  store.appendBatch([item(0), item(1), item(2)]);
  const pending = store.sync();
  store.close();
  held.release();
  await pending;
  const again = LedgerStore.open(path);
  t.teardown(() => again.close());
  t.equal(again.size, 3);
  t.equal(again.entry(2).seq, 2);
});

t.test('an in-memory store has no WAL: deferred is the same as commit', async (t) => {
  const store = LedgerStore.open(':memory:', { durability: 'deferred' });
  t.teardown(() => store.close());
  store.appendBatch([item(0)]);
  t.equal(store.size, 1);
  t.equal(store.durable, true);
});
