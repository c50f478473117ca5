// The storage contract of issue 18 (service/src/storage/ledger-backend.ts), run on the SQLite
// ledger and on PostgreSQL (the .ci/run server; skipped with its reason only outside CI).
import { randomBytes } from 'node:crypto';
import t, { type Test } from 'tap';
import { canonicalEntryJson, canonicalJson, createTreeHasher } from '@yishi/crypto';
import { nodeHashBackend } from '@yishi/crypto/node';
import { GENESIS_PREV } from '@yishi/schema';
import { LedgerStore, type StoredCheckpoint } from '../../../service/src/ledger/index.js';
import type { LedgerBackend, NewEntry } from '../../../service/src/storage/ledger-backend.js';
import { PostgresLedger } from '../../../service/src/storage/postgres/pg-ledger.js';
import { openServiceDatabase } from '../../../service/src/storage/service-db.js';
import { SqliteLedgerBackend } from '../../../service/src/storage/sqlite-backend.js';
import { freshDatabase, needsPostgres } from '../../helpers/postgres.js';

const hasher = createTreeHasher(nodeHashBackend);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const TS = 1_750_000_000_000;

/** A well-formed entry at `seq` after `prev`, filing `nonce` for key `pk`. */
function entry(seq: number, prev: string, nonce = `n-${seq}-${hex(randomBytes(4))}`, pk = 'pk-a') {
  const command = { publicKey: pk, signature: 'sig', payload: { type: 'test', nonce, ts: TS } };
  const body = canonicalEntryJson({
    seq,
    prev,
    time: TS + seq,
    salt: hex(randomBytes(16)),
    commandJson: canonicalJson(command),
    derivedJson: 'null',
  });
  const leafHash = hasher.hashLeafText(body);
  return { seq, leafHash, body, nonce: { publicKey: pk, nonce, ts: TS } } satisfies NewEntry;
}

/** `n` entries continuing (size, prev). */
function chain(size: number, prev: string, n: number): NewEntry[] {
  const out: NewEntry[] = [];
  for (let i = 0; i < n; i++) {
    const e = entry(size + i, prev);
    out.push(e);
    prev = hex(e.leafHash);
  }
  return out;
}

const checkpoint = (size: number, note = `note ${size}`): StoredCheckpoint => ({
  size,
  root: new Uint8Array(32).fill(size % 256),
  note,
  signedAt: TS + size,
});

/** Two handles on one storage: the same one for SQLite (one process), two pools for PostgreSQL. */
type Factory = (t: Test) => Promise<[LedgerBackend, LedgerBackend]>;

function contract(name: string, open: Factory, opts: { skip?: string } = {}) {
  t.test(name, opts, async (t) => {
    t.test('starts empty and appends at dense seqs', async (t) => {
      const [b] = await open(t);
      t.same(await b.head(), { size: 0, prev: GENESIS_PREV });
      const entries = chain(0, GENESIS_PREV, 3);
      const value = await b.withHead(async (lock) => {
        t.equal(lock.head.size, 0);
        await lock.append(entries);
        return 'done';
      });
      t.equal(value, 'done');
      const head = await b.head();
      t.equal(head.size, 3);
      t.equal(head.prev, hex((entries[2] as NewEntry).leafHash));
      const rows = await b.entries(0, 3);
      t.same(
        rows.map((r) => [r.seq, r.body, hex(r.leafHash)]),
        entries.map((e) => [e.seq, e.body, hex(e.leafHash)])
      );
      t.same(await b.entries(1, 2).then((r) => r.map((x) => x.seq)), [1]);
    });

    t.test('refuses a gap or a repeated seq and writes nothing of that transaction', async (t) => {
      const [b] = await open(t);
      await b.withHead((lock) => lock.append(chain(0, GENESIS_PREV, 2)));
      const head = await b.head();
      await t.rejects(b.withHead((lock) => lock.append([entry(3, head.prev)])));
      await t.rejects(b.withHead((lock) => lock.append([entry(1, head.prev)])));
      await t.rejects(
        b.withHead(async (lock) => {
          await lock.append(chain(2, head.prev, 2));
          throw new Error('the caller failed after appending');
        })
      );
      t.equal((await b.head()).size, 2, 'nothing of the failed transactions is written');
    });

    t.test('serialises concurrent appends through the head lock', async (t) => {
      const [a, b] = await open(t);
      const append = (x: LedgerBackend) =>
        x.withHead(async (lock) => {
          await lock.append(chain(lock.head.size, lock.head.prev, 2));
          return lock.head.size;
        });
      const ends = await Promise.all([append(a), append(b), append(a), append(b), append(a)]);
      t.same(
        [...ends].sort((x, y) => x - y),
        [2, 4, 6, 8, 10]
      );
      const rows = await a.entries(0, 10);
      t.same(
        rows.map((r) => r.seq),
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
      );
    });

    t.test('finds a nonce only near the ts it was filed under', async (t) => {
      const [b] = await open(t);
      const e = entry(0, GENESIS_PREV, 'the-nonce', 'pk-n');
      await b.withHead((lock) => lock.append([e]));
      t.equal(await b.nonceSeq('pk-n', 'the-nonce', TS), 0);
      t.equal(await b.nonceSeq('pk-n', 'the-nonce', TS + 60_000), 0);
      t.equal(await b.nonceSeq('pk-n', 'other', TS), undefined);
      t.equal(await b.nonceSeq('pk-x', 'the-nonce', TS), undefined);
      t.equal(await b.nonceSeq('pk-n', 'the-nonce', TS + 3_600_000), undefined);
    });

    t.test(
      'publishes checkpoints by compare-and-swap, never backwards, one per size',
      async (t) => {
        const [a, b] = await open(t);
        await a.withHead((lock) => lock.append(chain(0, GENESIS_PREV, 5)));
        t.equal(await a.latestCheckpoint(), undefined);
        t.ok(await a.withHead((lock) => lock.publishCheckpoint(checkpoint(2), 0)));
        t.same(await b.latestCheckpoint(), { size: 2, note: 'note 2' });
        t.notOk(
          await b.withHead((lock) => lock.publishCheckpoint(checkpoint(2, 'another'), 2)),
          'a second checkpoint at size 2'
        );
        t.notOk(await b.withHead((lock) => lock.publishCheckpoint(checkpoint(4), 0)), 'stale');
        t.notOk(await b.withHead((lock) => lock.publishCheckpoint(checkpoint(1), 2)), 'backwards');
        t.notOk(await b.withHead((lock) => lock.publishCheckpoint(checkpoint(6), 2)), 'beyond');
        t.ok(await b.withHead((lock) => lock.publishCheckpoint(checkpoint(5), 2)));
        t.same(await a.latestCheckpoint(), { size: 5, note: 'note 5' });
        t.same((await a.checkpointAt(2))?.note, 'note 2');
        t.same((await a.checkpointAt(2))?.root, checkpoint(2).root);
        t.equal(await a.checkpointAt(3), undefined);
        t.same(
          (await a.checkpointsAfter(0, 10)).map((c) => c.size),
          [2, 5]
        );
        t.same(
          (await a.checkpointsAfter(2, 10)).map((c) => c.size),
          [5]
        );
      }
    );

    t.test('two publishers racing at one size give one checkpoint', async (t) => {
      const [a, b] = await open(t);
      await a.withHead((lock) => lock.append(chain(0, GENESIS_PREV, 3)));
      const results = await Promise.all([
        a.withHead((lock) => lock.publishCheckpoint(checkpoint(3, 'from a'), 0)),
        b.withHead((lock) => lock.publishCheckpoint(checkpoint(3, 'from b'), 0)),
      ]);
      t.same(results.filter(Boolean).length, 1);
      t.same((await a.checkpointsAfter(0, 10)).length, 1);
    });

    t.test('remembers Idempotency-Key answers', async (t) => {
      const [a, b] = await open(t);
      const answer = { kind: 'result' as const, statusCode: 201, body: { seq: 7 } };
      t.same(await a.idempotencyBegin('pk', 'k1', 'd1', TS, 60_000), { kind: 'new' });
      t.same(await b.idempotencyBegin('pk', 'k1', 'd1', TS, 60_000), { kind: 'in-flight' });
      await a.idempotencyFinish('pk', 'k1', 'd1', answer, TS);
      t.same(await b.idempotencyBegin('pk', 'k1', 'd1', TS + 1, 60_000), {
        kind: 'answer',
        response: answer,
      });
      t.same(await b.idempotencyBegin('pk', 'k1', 'd2', TS + 1, 60_000), { kind: 'reused' });
      t.same(await b.idempotencyBegin('pk2', 'k1', 'd2', TS + 1, 60_000), { kind: 'new' });
      await b.idempotencyAbandon('pk2', 'k1');
      t.same(await a.idempotencyBegin('pk2', 'k1', 'd3', TS + 2, 60_000), { kind: 'new' });
      t.same(await a.idempotencyBegin('pk', 'k1', 'd2', TS + 120_000, 60_000), { kind: 'new' });
    });

    t.test('claims a webhook delivery once', async (t) => {
      const [a, b] = await open(t);
      const claims = await Promise.all([
        a.claimDelivery('hook-1', 'report-1', 'a', TS),
        b.claimDelivery('hook-1', 'report-1', 'b', TS),
        a.claimDelivery('hook-1', 'report-1', 'a', TS),
      ]);
      t.equal(claims.filter(Boolean).length, 1);
      t.ok(await b.claimDelivery('hook-1', 'report-2', 'b', TS));
      t.ok(await b.claimDelivery('hook-2', 'report-1', 'b', TS));
    });

    t.test('leases a webhook delivery to one claimant, taken over once it expires', async (t) => {
      const [a, b] = await open(t);
      const first = await Promise.all([
        a.leaseDelivery('hook-9', 'report-1', 'a', TS, 1000),
        b.leaseDelivery('hook-9', 'report-1', 'b', TS, 1000),
      ]);
      t.same([...first].sort(), ['ours', 'taken'], 'one holder');
      const holder = first[0] === 'ours' ? 'a' : 'b';
      const other = holder === 'a' ? 'b' : 'a';
      const [h, o] = holder === 'a' ? [a, b] : [b, a];
      t.equal(await h.leaseDelivery('hook-9', 'report-1', holder, TS + 10, 1000), 'ours');
      t.ok(await h.holdDelivery('hook-9', 'report-1', holder, TS + 5000), 'the holder extends');
      t.notOk(await o.holdDelivery('hook-9', 'report-1', other, TS + 9000), 'not another');
      t.equal(await o.leaseDelivery('hook-9', 'report-1', other, TS + 4000, 1000), 'taken');
      t.equal(await o.leaseDelivery('hook-9', 'report-1', other, TS + 5001, 1000), 'ours');
      t.notOk(await h.holdDelivery('hook-9', 'report-1', holder, TS + 9000), 'the old one lost it');
      await h.finishDelivery('hook-9', 'report-1', holder);
      t.equal(await h.leaseDelivery('hook-9', 'report-1', holder, TS + 5002, 1000), 'taken');
      await o.finishDelivery('hook-9', 'report-1', other);
      t.equal(await h.leaseDelivery('hook-9', 'report-1', holder, TS + 99_999, 1000), 'done');
      t.equal(await o.leaseDelivery('hook-9', 'report-1', other, TS + 99_999, 1000), 'done');
    });

    t.test('keeps meta values, the genesis ones fixed', async (t) => {
      const [a, b] = await open(t);
      t.equal(await a.getMeta('origin'), undefined);
      await a.setMeta('origin', 'example.org/log');
      t.equal(await b.getMeta('origin'), 'example.org/log');
      await a.setMeta('origin', 'example.org/log');
      await t.rejects(b.setMeta('origin', 'other.org/log'));
      await a.setMeta('note', 'one');
      await a.setMeta('note', 'two');
      t.equal(await b.getMeta('note'), 'two');
    });
  });
}

contract('the SQLite backend', async (t) => {
  const store = LedgerStore.open(':memory:');
  const db = openServiceDatabase(':memory:');
  const b = new SqliteLedgerBackend(store, db);
  t.teardown(async () => {
    await b.close();
    store.close();
    db.close();
  });
  return [b, b];
});

contract(
  'the PostgreSQL backend',
  async (t) => {
    const url = await freshDatabase(t);
    const [a, b] = await Promise.all([PostgresLedger.open(url), PostgresLedger.open(url)]);
    t.teardown(async () => {
      await a.close();
      await b.close();
    });
    return [a, b];
  },
  needsPostgres()
);
