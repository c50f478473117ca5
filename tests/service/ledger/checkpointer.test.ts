import t, { type Test } from 'tap';
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  EMPTY_ROOT,
  equalBytes,
  generateNoteKey,
  openCheckpoint,
  parseNoteSigner,
  parseNoteVerifier,
  signCheckpoint,
  verifyConsistency,
} from '@yishi/crypto';
import { Checkpointer, LedgerStore, type CheckpointResult } from '@yishi/service/internal';
import { fakeCommand, tempDbPath } from './helpers/fixtures.js';

const ORIGIN = 'yishi.local/test-ledger';
const KEY = generateNoteKey(ORIGIN);

let nextNonce = 0;
function grow(store: LedgerStore, count: number): void {
  store.appendBatch(
    Array.from({ length: count }, () => ({
      command: fakeCommand(nextNonce++),
      derived: null,
      time: 1,
    }))
  );
}

function openStore(path = ':memory:'): LedgerStore {
  const store = LedgerStore.open(path);
  if (store.getMeta('origin') === undefined) {
    store.setMeta('ledger_id', 'test-ledger');
    store.setMeta('origin', ORIGIN);
  }
  return store;
}

function signed(result: CheckpointResult | undefined) {
  if (result?.status !== 'signed') throw new Error(`expected signed, got ${result?.status}`);
  return result;
}

/** Every stored checkpoint verifies with the vkey and is consistent with the one before it. */
function assertCheckpointChain(t: Test, store: LedgerStore, vkey: string): void {
  const verifier = parseNoteVerifier(vkey);
  let previous: { size: number; root: Uint8Array } | undefined;
  for (const stored of store.iterateCheckpoints()) {
    const { checkpoint } = openCheckpoint(stored.note, [verifier], ORIGIN);
    t.equal(checkpoint.size, stored.size);
    t.ok(equalBytes(checkpoint.rootHash, stored.root));
    t.ok(equalBytes(checkpoint.rootHash, store.root(stored.size)), `root at ${stored.size}`);
    if (previous !== undefined && previous.size > 0) {
      const proof = store.consistencyProof(previous.size, stored.size);
      verifyConsistency(previous.size, stored.size, proof, previous.root, checkpoint.rootHash);
    }
    previous = { size: stored.size, root: checkpoint.rootHash };
  }
  const latest = store.latestCheckpoint();
  t.equal(latest?.size, previous?.size, 'the latest row is the largest checkpoint');
}

t.test('signs a C2SP checkpoint of the current tree that verifies with the vkey', async (t) => {
  const store = openStore();
  t.teardown(() => store.close());
  grow(store, 7);
  const checkpointer = new Checkpointer(store, { skey: KEY.skey, clock: () => 5000 });
  t.equal(checkpointer.origin, ORIGIN, 'origin from the ledger');
  t.equal(checkpointer.vkey, KEY.vkey);
  const result = signed(checkpointer.checkpointNow());
  t.equal(result.size, 7);
  t.ok(equalBytes(result.rootHash, store.root(7)));
  const { checkpoint, note } = openCheckpoint(result.note, [parseNoteVerifier(KEY.vkey)], ORIGIN);
  t.same(checkpoint.extensions, [], 'no extension lines');
  t.equal(note.text.split('\n').length, 4, 'origin, size, root and the final newline');
  t.same(store.latestCheckpoint(), { size: 7, note: result.note });
  t.equal(store.checkpointAt(7)?.signedAt, 5000);
  const other = generateNoteKey(ORIGIN);
  t.throws(() => openCheckpoint(result.note, [parseNoteVerifier(other.vkey)]), {
    code: 'NOTE_UNVERIFIED',
  });
});

t.test('returns unchanged while the tree has not grown, and signs the empty tree', async (t) => {
  const store = openStore();
  t.teardown(() => store.close());
  const checkpointer = new Checkpointer(store, { skey: KEY.skey });
  const empty = signed(checkpointer.checkpointNow());
  t.equal(empty.size, 0);
  t.ok(equalBytes(empty.rootHash, EMPTY_ROOT));
  t.match(checkpointer.checkpointNow(), { status: 'unchanged', size: 0, note: empty.note });
  grow(store, 3);
  t.match(checkpointer.checkpointNow(), { status: 'signed', size: 3 });
  t.match(checkpointer.checkpointNow(), { status: 'unchanged', size: 3 });
  t.same(store.checkpointSizes(), [0, 3]);
  assertCheckpointChain(t, store, KEY.vkey);
});

t.test('defaults the origin to yishi.local/<ledgerId> and checks it against the key', async (t) => {
  const store = LedgerStore.open(':memory:');
  t.teardown(() => store.close());
  t.throws(() => new Checkpointer(store, { skey: KEY.skey }), { code: 'LEDGER_NOT_INITIALIZED' });
  store.setMeta('ledger_id', 'test-ledger');
  t.equal(new Checkpointer(store, { skey: KEY.skey }).origin, 'yishi.local/test-ledger');
  const elsewhere = generateNoteKey('example.com/log');
  t.throws(() => new Checkpointer(store, { skey: elsewhere.skey }), { code: 'ORIGIN_MISMATCH' });
  t.throws(() => new Checkpointer(store, { skey: KEY.skey, origin: 'example.com/log' }), {
    code: 'ORIGIN_MISMATCH',
  });
  t.equal(
    new Checkpointer(store, { skey: elsewhere.skey, origin: 'example.com/log' }).origin,
    'example.com/log',
    'an explicit origin is fine while the ledger has none'
  );
  store.setMeta('origin', ORIGIN);
  t.throws(() => new Checkpointer(store, { skey: elsewhere.skey, origin: 'example.com/log' }), {
    code: 'ORIGIN_MISMATCH',
  });
  for (const skey of ['', KEY.vkey, 'PRIVATE+KEY+x+00000000+AQ==']) {
    t.throws(() => new Checkpointer(store, { skey }), { code: 'INVALID_ARGUMENT' }, skey);
  }
  for (const checkpointIntervalMs of [0, -5, 1.5]) {
    t.throws(() => new Checkpointer(store, { skey: KEY.skey, checkpointIntervalMs }), {
      code: 'INVALID_ARGUMENT',
    });
  }
});

t.test('refuses to sign over a tree inconsistent with the last checkpoint', async (t) => {
  const path = tempDbPath(t, 'original.db');
  const original = openStore(path);
  grow(original, 40);
  signed(new Checkpointer(original, { skey: KEY.skey }).checkpointNow());
  original.close();

  // 40 = 32 + 8: the frontier is the stored node (5, 0) and (3, 4), rebuilt from leaves 32..39.
  for (const forgery of [
    { what: 'the leaf hash of entry 34', sql: 'UPDATE entries SET leaf_hash = ? WHERE seq = 34' },
    { what: 'the stored node (5, 0)', sql: 'UPDATE tree_nodes SET hash = ? WHERE level = 5' },
  ]) {
    const copy = tempDbPath(t, `tampered-${forgery.what.replace(/\W+/g, '-')}.db`);
    copyFileSync(path, copy);
    const raw = new Database(copy);
    raw.exec('DROP TRIGGER tree_nodes_no_update');
    raw.exec('DROP TRIGGER entries_no_update');
    t.equal(raw.prepare(forgery.sql).run(Buffer.alloc(32, 0xee)).changes, 1);
    raw.close();

    const store = openStore(copy);
    grow(store, 4);
    const checkpointer = new Checkpointer(store, { skey: KEY.skey });
    t.throws(() => checkpointer.checkpointNow(), { code: 'CHECKPOINT_INCONSISTENT' }, forgery.what);
    t.same(store.checkpointSizes(), [40], 'nothing signed');
    t.equal(store.latestCheckpoint()?.size, 40);
    store.close();
  }

  const untouched = openStore(path);
  t.teardown(() => untouched.close());
  grow(untouched, 4);
  t.match(new Checkpointer(untouched, { skey: KEY.skey }).checkpointNow(), {
    status: 'signed',
    size: 44,
  });
  assertCheckpointChain(t, untouched, KEY.vkey);
});

t.test('refuses to sign when the stored nodes or leaves disagree with the frontier', async (t) => {
  for (const forgery of [
    { what: 'a leaf hash under (2, 4)', sql: 'UPDATE entries SET leaf_hash = ? WHERE seq = 17' },
    { what: 'the stored node (4, 0)', sql: 'UPDATE tree_nodes SET hash = ? WHERE level = 4' },
  ]) {
    const path = tempDbPath(t, `${forgery.what.replace(/\W+/g, '-')}.db`);
    const store = openStore(path);
    t.teardown(() => store.close());
    grow(store, 22);
    const raw = new Database(path);
    raw.exec('DROP TRIGGER tree_nodes_no_update');
    raw.exec('DROP TRIGGER entries_no_update');
    t.equal(raw.prepare(forgery.sql).run(Buffer.alloc(32)).changes, 1);
    raw.close();
    t.throws(
      () => new Checkpointer(store, { skey: KEY.skey }).checkpointNow(),
      { code: 'TREE_CORRUPT' },
      forgery.what
    );
    t.equal(store.latestCheckpoint(), undefined);
  }
});

t.test('refuses a latest checkpoint that is forged or ahead of the tree', async (t) => {
  const path = tempDbPath(t);
  const store = openStore(path);
  t.teardown(() => store.close());
  grow(store, 5);
  const checkpointer = new Checkpointer(store, { skey: KEY.skey });
  signed(checkpointer.checkpointNow());
  const raw = new Database(path);
  t.teardown(() => raw.close());
  const setLatest = raw.prepare('UPDATE latest_checkpoint SET size = ?, note = ? WHERE id = 1');

  const forger = parseNoteSigner(generateNoteKey(ORIGIN).skey);
  setLatest.run(
    5,
    signCheckpoint({ origin: ORIGIN, size: 5, rootHash: store.root(5), extensions: [] }, [forger])
  );
  grow(store, 1);
  t.throws(() => checkpointer.checkpointNow(), { code: 'CHECKPOINT_INVALID' }, 'another key');

  const ours = parseNoteSigner(KEY.skey);
  const note = (size: number) =>
    signCheckpoint({ origin: ORIGIN, size, rootHash: store.root(5), extensions: [] }, [ours]);
  setLatest.run(6, note(5));
  t.throws(
    () => checkpointer.checkpointNow(),
    { code: 'CHECKPOINT_INVALID' },
    'row and note disagree'
  );
  setLatest.run(99, note(99));
  t.throws(() => checkpointer.checkpointNow(), { code: 'CHECKPOINT_AHEAD_OF_TREE' });
  t.same(store.checkpointSizes(), [5]);
});

t.test('does not overwrite a checkpoint another checkpointer persisted first', async (t) => {
  const store = openStore();
  t.teardown(() => store.close());
  grow(store, 4);
  const other = new Checkpointer(store, { skey: KEY.skey });
  signed(other.checkpointNow());
  grow(store, 2);
  const racing = new Checkpointer(store, {
    skey: KEY.skey,
    faults: {
      afterSign() {
        grow(store, 3);
        signed(other.checkpointNow()); // wins the race at size 9
      },
    },
  });
  t.match(racing.checkpointNow(), { status: 'superseded', size: 9 });
  t.same(store.checkpointSizes(), [4, 9], 'the loser wrote nothing');
  t.equal(store.latestCheckpoint()?.size, 9);
  assertCheckpointChain(t, store, KEY.vkey);
});

t.test('respects the interval with an injected clock', async (t) => {
  const store = openStore();
  t.teardown(() => store.close());
  let now = 10_000;
  const clock = () => now;
  const checkpointer = new Checkpointer(store, {
    skey: KEY.skey,
    clock,
    checkpointIntervalMs: 1000,
  });
  t.equal(checkpointer.checkpointIfDue(), undefined, 'an empty tree is not checkpointed');
  grow(store, 2);
  t.match(checkpointer.checkpointIfDue(), { status: 'signed', size: 2 });
  grow(store, 2);
  now += 999;
  t.equal(checkpointer.checkpointIfDue(), undefined, 'not before the interval');
  now += 1;
  t.match(checkpointer.checkpointIfDue(), { status: 'signed', size: 4 });
  now += 5000;
  t.equal(checkpointer.checkpointIfDue(), undefined, 'due, but the tree did not grow');
  grow(store, 1);
  t.match(checkpointer.checkpointNow(), { status: 'signed', size: 5 }, 'on demand, any time');
  grow(store, 1);
  now += 10;
  t.equal(checkpointer.checkpointIfDue(), undefined, 'checkpointNow restarts the interval');

  const restarted = new Checkpointer(store, { skey: KEY.skey, clock, checkpointIntervalMs: 1000 });
  t.equal(restarted.checkpointIfDue(), undefined, 'a restart remembers when the last was signed');
  now += 990;
  t.match(restarted.checkpointIfDue(), { status: 'signed', size: 6 });
  t.same(store.checkpointSizes(), [2, 4, 5, 6]);
});

t.test('recovers from a failure after signing: nothing was persisted', async (t) => {
  const path = tempDbPath(t);
  let store = openStore(path);
  grow(store, 5);
  signed(new Checkpointer(store, { skey: KEY.skey }).checkpointNow());
  grow(store, 3);
  let signedNote: string | undefined;
  const crashing = new Checkpointer(store, {
    skey: KEY.skey,
    faults: {
      afterSign(note) {
        signedNote = note;
        throw new Error('crash after sign');
      },
    },
  });
  t.throws(() => crashing.checkpointNow(), { message: 'crash after sign' });
  t.ok(signedNote?.startsWith(`${ORIGIN}\n8\n`));
  t.same(store.checkpointSizes(), [5], 'not persisted');
  t.equal(store.latestCheckpoint()?.size, 5);
  store.close();

  store = openStore(path);
  t.teardown(() => store.close());
  grow(store, 2);
  const restarted = new Checkpointer(store, { skey: KEY.skey });
  t.match(restarted.checkpointNow(), { status: 'signed', size: 10 });
  assertCheckpointChain(t, store, KEY.vkey);
  // the lost note was over a prefix of the same tree: consistent with what was signed after
  const lost = openCheckpoint(signedNote as string, [parseNoteVerifier(KEY.vkey)]).checkpoint;
  verifyConsistency(8, 10, store.consistencyProof(8, 10), lost.rootHash, store.root(10));
});

t.test('recovers from a failure after persisting: the checkpoint stands', async (t) => {
  const path = tempDbPath(t);
  let store = openStore(path);
  grow(store, 5);
  const crashing = new Checkpointer(store, {
    skey: KEY.skey,
    faults: {
      afterPersist() {
        throw new Error('crash after persist');
      },
    },
  });
  t.throws(() => crashing.checkpointNow(), { message: 'crash after persist' });
  t.same(store.checkpointSizes(), [5], 'persisted anyway');
  store.close();

  store = openStore(path);
  t.teardown(() => store.close());
  const restarted = new Checkpointer(store, { skey: KEY.skey });
  t.match(restarted.checkpointNow(), { status: 'unchanged', size: 5 });
  grow(store, 4);
  t.match(restarted.checkpointNow(), { status: 'signed', size: 9 });
  t.same(store.checkpointSizes(), [5, 9]);
  assertCheckpointChain(t, store, KEY.vkey);
});

t.test('checkpoints from an unref timer while the tree grows', async (t) => {
  const store = openStore();
  t.teardown(() => store.close());
  const errors: unknown[] = [];
  const checkpointer = new Checkpointer(store, {
    skey: KEY.skey,
    checkpointIntervalMs: 20,
    onError: (err) => errors.push(err),
  });
  t.teardown(() => checkpointer.stop());
  grow(store, 3);
  checkpointer.start();
  checkpointer.start();
  t.ok(checkpointer.running);
  for (let i = 0; i < 100 && store.latestCheckpoint()?.size !== 3; i++) await sleep(10);
  t.equal(store.latestCheckpoint()?.size, 3);
  grow(store, 2);
  for (let i = 0; i < 100 && store.latestCheckpoint()?.size !== 5; i++) await sleep(10);
  t.equal(store.latestCheckpoint()?.size, 5);
  await sleep(60);
  t.same(store.checkpointSizes(), [3, 5], 'nothing signed while the tree stood still');
  checkpointer.stop();
  t.notOk(checkpointer.running);
  grow(store, 1);
  await sleep(60);
  t.equal(store.latestCheckpoint()?.size, 5, 'stopped');
  t.same(errors, []);
});

t.test('the timer reports and stops on an inconsistent tree', async (t) => {
  const path = tempDbPath(t);
  const store = openStore(path);
  t.teardown(() => store.close());
  grow(store, 4);
  const errors: { code?: string }[] = [];
  const checkpointer = new Checkpointer(store, {
    skey: KEY.skey,
    checkpointIntervalMs: 10,
    onError: (err) => errors.push(err as { code?: string }),
  });
  t.teardown(() => checkpointer.stop());
  signed(checkpointer.checkpointNow());
  const raw = new Database(path);
  raw.exec('DROP TRIGGER entries_no_update');
  raw.prepare('UPDATE entries SET leaf_hash = ? WHERE seq = 1').run(Buffer.alloc(32));
  raw.close();
  grow(store, 2); // root(6) rebuilds node (2, 0) from the leaf hashes of entries 0..3
  checkpointer.start();
  for (let i = 0; i < 100 && checkpointer.running; i++) await sleep(10);
  t.notOk(checkpointer.running, 'stopped itself');
  t.same(
    errors.map((e) => e.code),
    ['TREE_CORRUPT']
  );
  t.same(store.checkpointSizes(), [4]);
});

t.test('the timer does not keep the process alive', async (t) => {
  // The ledger alone (not the whole internal entry, which loads fastify): a quick child start.
  const ledger = import.meta.resolve('@yishi/service/internal/ledger');
  const script = `
    const { LedgerStore, Checkpointer } = await import(${JSON.stringify(ledger)});
    const store = LedgerStore.open(':memory:');
    store.setMeta('ledger_id', 'test-ledger');
    new Checkpointer(store, { skey: ${JSON.stringify(KEY.skey)}, checkpointIntervalMs: 5 }).start();
  `;
  const started = Date.now();
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    timeout: 10_000,
    encoding: 'utf8',
  });
  t.equal(child.status, 0, child.stderr);
  t.equal(child.signal, null, 'exited on its own, not killed by the timeout');
  t.ok(Date.now() - started < 10_000);
});
