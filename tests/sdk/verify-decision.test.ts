import t from 'tap';
import { generateNoteKey } from '@yishi/crypto';
import type { LedgerEntry } from '@yishi/schema';
import { LogWatcher, signCommand, verifyDecision, watchLog, WatchError } from '@yishi/sdk';
import { buildApp, Checkpointer, LedgerStore, LedgerWriter } from '@yishi/service/internal';
import { makeLedger } from '../helpers/ledger-fixture.js';

const fixture = await makeLedger(t, 9, 3);
const store = LedgerStore.open(fixture.paths.db);
const checkpointer = new Checkpointer(store, { skey: fixture.skey });
const app = await buildApp({ store, checkpointer, logVkey: fixture.vkey });
t.teardown(async () => {
  await app.close();
  store.close();
});
const injectFetch = async (url: string) => {
  const res = await app.inject(url.replace('http://log.test', ''));
  return { ok: res.statusCode < 300, status: res.statusCode, text: async () => res.body };
};

t.test('verifyDecision accepts each entry with its proof and the trusted vkey', async (t) => {
  for (let i = 0; i < store.size; i++) {
    const proof = (await app.inject(`/log/proof/${i}`)).body;
    const verdict = verifyDecision(proof, store.entry(i), fixture.vkey);
    t.equal(verdict.ok, true, `entry ${i}`);
    if (verdict.ok) t.equal(verdict.checkpoint.size, store.size);
  }
});

t.test('verifyDecision refuses a changed entry, another entry, another key, garbage', async (t) => {
  const proof = (await app.inject('/log/proof/3')).body;
  const changed = structuredClone(store.entry(3)) as LedgerEntry;
  changed.derived = { note: 'changed' };
  t.match(verifyDecision(proof, changed, fixture.vkey), {
    ok: false,
    code: 'INCLUSION_PROOF_INVALID',
  });
  t.match(verifyDecision(proof, store.entry(4), fixture.vkey), { ok: false });
  const other = generateNoteKey(fixture.origin).vkey;
  t.match(verifyDecision(proof, store.entry(3), other), { ok: false, code: 'NOTE_UNVERIFIED' });
  t.match(verifyDecision('nonsense', store.entry(3), fixture.vkey), {
    ok: false,
    code: /^TLOG_PROOF_/,
  });
  t.match(verifyDecision(proof, store.entry(3), 'not a vkey'), { ok: false, code: /^KEY_/ });
});

t.test('a watcher trusts a growing log and catches rollback and forks', async (t) => {
  const watcher = new LogWatcher('http://log.test', fixture.vkey, { fetch: injectFetch });
  const first = await watcher.check();
  t.equal(first.size, store.size);
  const writer = new LedgerWriter(store);
  await writer.append(
    signCommand(
      { type: 'test.note', ledger: fixture.ledgerId, text: 'more' },
      fixture.adminSecretKey
    ),
    {}
  );
  checkpointer.checkpointNow();
  const second = await watcher.check();
  t.equal(second.size, first.size + 1);

  const rolledBack = new LogWatcher('http://log.test', fixture.vkey, {
    fetch: injectFetch,
    trusted: { ...second, size: second.size + 5 },
  });
  await t.rejects(rolledBack.check(), { code: 'LOG_ROLLED_BACK' });
  const forked = new LogWatcher('http://log.test', fixture.vkey, {
    fetch: injectFetch,
    trusted: { ...second, rootHash: 'ab'.repeat(32) },
  });
  await t.rejects(forked.check(), { code: 'LOG_FORKED' });
  const rewritten = new LogWatcher('http://log.test', fixture.vkey, {
    fetch: injectFetch,
    trusted: { ...first, rootHash: 'cd'.repeat(32) },
  });
  await t.rejects(rewritten.check(), { code: 'LOG_INCONSISTENT' });
  const wrongKey = new LogWatcher('http://log.test', generateNoteKey(fixture.origin).vkey, {
    fetch: injectFetch,
  });
  await t.rejects(wrongKey.check(), { code: 'CHECKPOINT_UNVERIFIED' });
  const down = new LogWatcher('http://log.test', fixture.vkey, {
    fetch: async () => {
      throw new Error('connection refused');
    },
  });
  await t.rejects(down.check(), WatchError);
});

t.test('watchLog reports checkpoints and stops on misbehaviour', async (t) => {
  const seen: number[] = [];
  const error = await new Promise<WatchError>((resolve) => {
    watchLog('http://log.test', fixture.vkey, {
      fetch: injectFetch,
      intervalMs: 5,
      trusted: { size: 10_000, rootHash: 'ab'.repeat(32), note: '' },
      onCheckpoint: (c) => seen.push(c.size),
      onError: resolve,
    });
  });
  t.equal(error.code, 'LOG_ROLLED_BACK');
  t.same(seen, []);
  const ok = await new Promise<number>((resolve) => {
    const w = watchLog('http://log.test', fixture.vkey, {
      fetch: injectFetch,
      intervalMs: 5,
      onCheckpoint: (c) => {
        w.stop();
        resolve(c.size);
      },
    });
  });
  t.equal(ok, store.size);
});

t.test('verifyDecision and the watcher check the origin pinned with the ledger', async (t) => {
  const proof = (await app.inject('/log/proof/3')).body;
  const pinned = { origin: fixture.origin };
  t.match(verifyDecision(proof, store.entry(3), fixture.vkey, pinned), { ok: true });
  t.match(verifyDecision(proof, store.entry(3), fixture.vkey, { origin: 'yishi.local/other' }), {
    ok: false,
    code: 'ORIGIN_MISMATCH',
  });
  const watcher = new LogWatcher('http://log.test', fixture.vkey, {
    fetch: injectFetch,
    ...pinned,
  });
  t.equal((await watcher.check()).size, store.size);
  t.throws(() => new LogWatcher('http://log.test', fixture.vkey, { origin: 'yishi.local/other' }), {
    code: 'ORIGIN_MISMATCH',
  });
});
