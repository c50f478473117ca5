// The running service writes a closed meeting's record to service.db only once its close is
// durable on the ledger (a close that failed to append leaves no row), and writes state
// snapshots every `snapshotEvery` entries at a moment its state is the ledger's.
import Database from 'better-sqlite3';
import { base64Encode, generateSecretKey, getPublicKey } from '@yishi/crypto';
import t from 'tap';
import { ServiceWorld } from '../helpers/service-world.js';

const w = await ServiceWorld.create(t, { rateLimitPerMinute: 100_000, snapshotEvery: 10 });
await w.populate();
const service = new Database(w.init.paths.service, { readonly: true });
t.teardown(() => service.close());
const rowOf = (meetingId: string) =>
  service
    .prepare('SELECT body_id, close_seq, record_digest FROM meeting_records WHERE meeting_id = ?')
    .get(meetingId) as { body_id: string; close_seq: number; record_digest: string } | undefined;
const snapshotSize = () =>
  (service.prepare('SELECT size FROM state_snapshot').get() as { size: number } | undefined)?.size;

t.test('snapshots are written every snapshotEvery durable entries', async (t) => {
  await new Promise((resolve) => setImmediate(resolve));
  const size = snapshotSize();
  t.ok(size !== undefined && size >= 10, `a snapshot at ${size}`);
  t.ok((size ?? 0) <= w.size, 'never past the ledger');
  t.ok(w.size - (size ?? 0) < 10, 'taken within snapshotEvery entries of the end');
});

t.test('a close that failed to append leaves no record row; a durable one has it', async (t) => {
  const M = await w.schedule(48);
  await w.submit(M, 'm1', 'routine');
  const start = w.app.pipeline.state.meetings[M]?.scheduledStart ?? 0;
  await w.open(M, start);
  const store = w.store as unknown as { appendBatch: (...a: unknown[]) => unknown };
  const original = store.appendBatch;
  store.appendBatch = () => {
    throw new Error('disk full');
  };
  const failed = await w.send('rec', { type: 'meeting.close', meetingId: M });
  store.appendBatch = original;
  t.equal(failed.statusCode, 503);
  t.equal(failed.json().code, 'LEDGER_UNAVAILABLE');
  await w.app.pipeline.settled();
  t.equal(w.app.pipeline.status, 'ok');
  t.equal(rowOf(M), undefined, 'no row describes the close that is not on the ledger');
  t.equal(w.app.pipeline.projections.closed.has(M), false, 'nor does memory');

  const closed = await w.ok('rec', { type: 'meeting.close', meetingId: M });
  const row = rowOf(M);
  t.match(
    row,
    { body_id: w.bodyId, record_digest: closed['recordDigest'] },
    'written once durable'
  );
  t.equal(w.store.entry(row?.close_seq ?? -1).command.payload.type, 'meeting.close');

  for (const who of ['rec', 'chair']) {
    await w.ok(who, { type: 'record.sign', meetingId: M, recordDigest: closed['recordDigest'] });
  }
  const summary = await w.get(`/meetings/${M}`, 'm2');
  t.equal(summary.json().state, 'archived');
  const list = await w.get(`/bodies/${w.bodyId}/meetings`, 'm2');
  t.match(
    (list.json() as Array<{ meetingId: string; state: string }>).find((m) => m.meetingId === M),
    { state: 'archived', recordDigest: closed['recordDigest'] }
  );
  const record = await w.get(`/meetings/${M}/record`, 'm2');
  t.match(record.json(), {
    final: true,
    recordDigest: closed['recordDigest'],
    signatures: { recorder: Number, chair: Number },
  });
});

t.test('read models follow durable entries only: a failed append changes no read', async (t) => {
  const M = await w.schedule(72);
  await w.submit(M, 'm1', 'routine');
  const start = w.app.pipeline.state.meetings[M]?.scheduledStart ?? 0;
  await w.open(M, start);
  const reads = async () => ({
    meeting: (await w.get(`/meetings/${M}`, 'm2')).json(),
    record: (await w.get(`/meetings/${M}/record`, 'm2')).json(),
    minutes: (await w.get(`/meetings/${M}/minutes`, 'm2')).json().code,
    list: (await w.get(`/bodies/${w.bodyId}/meetings`, 'm2')).json(),
  });
  const before = await reads();
  t.equal(before.record.final, false, 'open: a provisional record');

  // What the read models say while the close is being appended, and then the append fails.
  let during: { closed: boolean; record: unknown } | undefined;
  const store = w.store as unknown as { appendBatch: (...a: unknown[]) => unknown };
  const original = store.appendBatch;
  store.appendBatch = () => {
    const p = w.app.pipeline.projections;
    during = { closed: p.closed.has(M), record: p.closedRecord(M) };
    throw new Error('disk full');
  };
  const failed = await w.send('rec', { type: 'meeting.close', meetingId: M });
  store.appendBatch = original;
  t.equal(failed.json().code, 'LEDGER_UNAVAILABLE');
  t.same(
    during,
    { closed: false, record: undefined },
    'while the close was not durable, the read models did not hold it'
  );
  await w.app.pipeline.settled();
  t.equal(w.app.pipeline.status, 'ok');
  t.same(await reads(), before, 'every read answers as before the failed close');
  t.equal(rowOf(M), undefined, 'no record row');

  const closed = await w.ok('rec', { type: 'meeting.close', meetingId: M });
  const after = await reads();
  t.match(after.record, { final: true, recordDigest: closed['recordDigest'] }, 'durable: final');
});

t.test(
  'a close of the service follows the entries it commits: the last snapshot has them',
  async (t) => {
    const v = await ServiceWorld.create(t, {
      rateLimitPerMinute: 100_000,
      snapshotEvery: 1_000_000,
    });
    await v.populate();
    const ledger = v.app.pipeline.ledger;
    // Decide a command and keep the writer from committing it on its own (its flush is scheduled
    // with setImmediate): only the app's close commits it.
    const setImmediateReal = globalThis.setImmediate;
    globalThis.setImmediate = ((_fn: () => void) =>
      setImmediateReal(() => {})) as unknown as typeof setImmediate;
    let submitted;
    try {
      submitted = v.app.pipeline.submit(
        v.sign('admin', { type: 'body.create', name: '关闭时' }),
        {}
      );
    } finally {
      globalThis.setImmediate = setImmediateReal;
    }
    t.equal(ledger.state.seq, v.store.size, 'decided, not yet on the ledger');
    await v.app.close();
    t.equal((await submitted).statusCode, 201);
    t.equal(ledger.settledSeq, ledger.state.seq, 'the read models took it');
    const db = new Database(v.init.paths.service, { readonly: true });
    t.teardown(() => db.close());
    const snap = db.prepare('SELECT size FROM state_snapshot').get() as
      { size: number } | undefined;
    t.equal(snap?.size, v.store.size, 'the snapshot written at close covers every entry');
  }
);

t.test('a read arriving while an entry is in flight waits for it to be durable', async (t) => {
  const store = w.store as unknown as { appendBatch: (...a: unknown[]) => unknown };
  const original = store.appendBatch;
  store.appendBatch = () => {
    throw new Error('disk full');
  };
  t.teardown(() => {
    store.appendBatch = original;
  });
  // Keep the writer's flush (scheduled with setImmediate) until the read is under way.
  const setImmediateReal = globalThis.setImmediate;
  let flush: (() => void) | undefined;
  globalThis.setImmediate = ((fn: () => void) => {
    if (flush === undefined) flush = fn;
    else return setImmediateReal(fn);
    return setImmediateReal(() => {});
  }) as unknown as typeof setImmediate;
  let submitted: Promise<string>;
  try {
    submitted = w.app.pipeline
      .submit(
        w.sign('admin', {
          type: 'principal.register',
          principalId: 'ghost',
          name: 'never durable',
          publicKey: base64Encode(getPublicKey(generateSecretKey())),
          role: 'auditor',
        }),
        {}
      )
      .then(
        (a) => `answered ${a.statusCode}`,
        (e: { code?: string }) => String(e.code)
      );
    for (let i = 0; i < 1000 && flush === undefined; i++) await Promise.resolve();
  } finally {
    globalThis.setImmediate = setImmediateReal;
  }
  t.ok(w.app.pipeline.state.principals['ghost'], 'the engine decided it (ahead of the disk)');
  let caughtUp = false;
  const barrier = w.app.pipeline.caughtUp().then(() => (caughtUp = true));
  await new Promise((r) => setTimeout(r, 30));
  t.notOk(caughtUp, 'reads (which wait for caughtUp) wait while the entry is in flight');
  flush?.();
  t.equal(await submitted, 'LEDGER_UNAVAILABLE', 'the append failed');
  await barrier;
  store.appendBatch = original;
  t.notOk(w.app.pipeline.state.principals['ghost'], 'the state was rebuilt without it');
  const res = await w.get('/principals/ghost', 'admin');
  t.equal(res.statusCode, 404, 'the read never saw the entry the ledger lost');
  t.equal(res.json().code, 'PRINCIPAL_NOT_FOUND');
});
