import t from 'tap';
import Database from 'better-sqlite3';
import { setImmediate as nextTick } from 'node:timers/promises';
import { canonicalJson, equalBytes, rootFromLeafHashes } from '@yishi/crypto';
import { LedgerStore, LedgerWriter, type AppendedEntry } from '@yishi/service/internal';
import { counterRandom, fakeCommand, tempDbPath } from './helpers/fixtures.js';

function settle<T>(p: Promise<T>): Promise<{ value?: T; error?: { code?: string } }> {
  return p.then(
    (value) => ({ value }),
    (error: { code?: string }) => ({ error })
  );
}

t.test('commits thousands of concurrent appends with no gap, duplicate or loss', async (t) => {
  const store = LedgerStore.open(':memory:');
  t.teardown(() => store.close());
  const writer = new LedgerWriter(store);

  const burst = Array.from({ length: 2000 }, (_, i) => writer.append(fakeCommand(i), { i }));
  t.equal(writer.pending, 2000, 'nothing is committed within the same turn');
  t.equal(store.size, 0);
  const first = await Promise.all(burst);
  t.equal(writer.stats.transactions, 1, 'one turn, one transaction');

  const trickle: Promise<AppendedEntry>[] = [];
  for (let tick = 0; tick < 6; tick++) {
    for (let j = 0; j < 50; j++) {
      trickle.push(writer.append(fakeCommand(10_000 + tick * 50 + j, 2), { tick, j }));
    }
    await nextTick();
  }
  const later = await Promise.all(trickle);
  const all = [...first, ...later];
  t.equal(store.size, 2300);
  t.same(
    all.map((r) => r.entry.seq),
    Array.from({ length: 2300 }, (_, i) => i),
    'seqs follow call order, without gap or duplicate'
  );
  const stats = writer.stats;
  t.equal(stats.appended, 2300);
  t.ok(stats.transactions < stats.appended / 100, `${stats.transactions} transactions`);
  t.ok(stats.transactions >= 7);
  for (const r of all) {
    if (store.entryBody(r.entry.seq) !== canonicalJson(r.entry)) {
      t.fail(`entry ${r.entry.seq} differs from what was stored`);
    }
  }
  const leaves = [...store.iterateEntries()].map((e) => e.leafHash);
  t.ok(equalBytes(store.root(), rootFromLeafHashes(leaves)));
});

t.test('resolves only once the entry is committed and visible to another connection', async (t) => {
  const path = tempDbPath(t);
  const store = LedgerStore.open(path);
  t.teardown(() => store.close());
  const reader = new Database(path, { readonly: true });
  t.teardown(() => reader.close());
  const count = reader.prepare('SELECT count(*) FROM entries').pluck();
  const writer = new LedgerWriter(store);
  const pending = [writer.append(fakeCommand(1), null), writer.append(fakeCommand(2), null)];
  t.equal(count.get(), 0, 'not yet committed in the calling turn');
  const seen = await Promise.all(pending.map((p) => p.then(() => count.get())));
  t.same(seen, [2, 2], 'each promise resolves after the commit');
});

t.test('refuses a replayed nonce and commits the rest of its batch', async (t) => {
  const store = LedgerStore.open(':memory:');
  t.teardown(() => store.close());
  const writer = new LedgerWriter(store);
  await writer.append(fakeCommand(1), null);
  const results = await Promise.all([
    settle(writer.append(fakeCommand(2), null)),
    settle(writer.append(fakeCommand(1), null)),
    settle(writer.append(fakeCommand(2), null)),
    settle(writer.append(fakeCommand(3), null)),
    settle(writer.append(fakeCommand(4), undefined)),
  ]);
  t.same(
    results.map((r) => r.value?.entry.seq ?? r.error?.code),
    [1, 'NONCE_REPLAYED', 'NONCE_REPLAYED', 2, 'ENTRY_INVALID']
  );
  t.match(writer.stats, { transactions: 2, appended: 3, refused: 3, failedTransactions: 0 });
  t.equal(store.size, 3);
});

t.test(
  'stamps the injected clock when append is called and salts from the injected random',
  async (t) => {
    const store = LedgerStore.open(':memory:');
    t.teardown(() => store.close());
    let now = 1000;
    const writer = new LedgerWriter(store, { clock: () => now, random: counterRandom(0x0a0b) });
    const a = writer.append(fakeCommand(1), null);
    now = 2000;
    const b = writer.append(fakeCommand(2), null);
    now = 3000;
    const [ea, eb] = await Promise.all([a, b]);
    t.equal(ea.entry.time, 1000);
    t.equal(eb.entry.time, 2000);
    t.equal(ea.entry.salt, '00000000000000000000000000000a0b');
    t.equal(eb.entry.salt, '00000000000000000000000000000a0c');
  }
);

t.test('an entry time given with the append is the entry time, not the clock', async (t) => {
  const store = LedgerStore.open(':memory:');
  t.teardown(() => store.close());
  const writer = new LedgerWriter(store, {
    clock: () => {
      throw new Error('the clock is not read when the time is given');
    },
  });
  const a = writer.append(fakeCommand(1), null, { time: 1234 });
  const b = writer.appendNow(fakeCommand(2), null, { time: 5678 });
  const [ea, eb] = await Promise.all([a, b]);
  t.equal(ea.entry.time, 1234);
  t.equal(eb.entry.time, 5678);
});

t.test('appendNow commits one entry per transaction, after what was queued', async (t) => {
  const store = LedgerStore.open(':memory:');
  t.teardown(() => store.close());
  const writer = new LedgerWriter(store);
  const queued = [writer.append(fakeCommand(1), null), writer.append(fakeCommand(2), null)];
  const now = writer.appendNow(fakeCommand(3), null);
  t.equal(store.size, 3, 'committed before appendNow returns');
  t.equal(writer.pending, 0);
  t.equal((await now).entry.seq, 2);
  t.same(
    (await Promise.all(queued)).map((r) => r.entry.seq),
    [0, 1]
  );
  for (let i = 4; i < 9; i++) await writer.appendNow(fakeCommand(i), null);
  t.match(writer.stats, { transactions: 7, appended: 8 });
  t.equal((await settle(writer.appendNow(fakeCommand(4), null))).error?.code, 'NONCE_REPLAYED');
});

t.test('rejects every append of a failed transaction, then carries on', async (t) => {
  const store = LedgerStore.open(':memory:');
  t.teardown(() => store.close());
  let broken = false;
  const writer = new LedgerWriter(store, {
    random: (n) => new Uint8Array(broken ? n + 1 : n).fill(broken ? 0 : store.size),
  });
  await writer.append(fakeCommand(1), null);
  broken = true;
  const failed = await Promise.all(
    [2, 3, 4].map((i) => settle(writer.append(fakeCommand(i), null)))
  );
  t.same(
    failed.map((r) => r.error?.code),
    ['INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT']
  );
  t.equal(store.size, 1, 'nothing of the failed batch is on disk');
  broken = false;
  const again = await Promise.all([2, 3].map((i) => writer.append(fakeCommand(i), null)));
  t.same(
    again.map((r) => r.entry.seq),
    [1, 2],
    'the nonces of the failed batch are still free'
  );
  t.match(writer.stats, { transactions: 2, failedTransactions: 1, appended: 3 });
  const leaves = [...store.iterateEntries()].map((e) => e.leafHash);
  t.ok(equalBytes(store.root(), rootFromLeafHashes(leaves)));
});

t.test('splits a queue longer than maxBatchSize into several transactions', async (t) => {
  const store = LedgerStore.open(':memory:');
  t.teardown(() => store.close());
  const writer = new LedgerWriter(store, { maxBatchSize: 100 });
  await Promise.all(Array.from({ length: 250 }, (_, i) => writer.append(fakeCommand(i), null)));
  t.equal(writer.stats.transactions, 3);
  t.equal(store.size, 250);
  for (const bad of [0, -1, 1.5, NaN]) {
    t.throws(() => new LedgerWriter(store, { maxBatchSize: bad }), { code: 'INVALID_ARGUMENT' });
  }
});

t.test('close commits the queue and refuses further appends', async (t) => {
  const store = LedgerStore.open(':memory:');
  t.teardown(() => store.close());
  const writer = new LedgerWriter(store);
  const queued = writer.append(fakeCommand(1), null);
  writer.close();
  t.equal(store.size, 1, 'flushed by close');
  t.equal((await queued).entry.seq, 0);
  t.equal((await settle(writer.append(fakeCommand(2), null))).error?.code, 'WRITER_CLOSED');
  t.equal((await settle(writer.appendNow(fakeCommand(3), null))).error?.code, 'WRITER_CLOSED');
  t.equal(store.size, 1);
});
