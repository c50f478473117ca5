// Checkpoints of a ledger shared through PostgreSQL (issue 18 §3, §4): two instances racing to
// publish, with no advisory lock between them, never give two checkpoints for one size; an
// instance refuses to sign over a database behind the checkpoint it kept beside its keys.
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  bytesToHex,
  canonicalEntryJson,
  canonicalJson,
  createTreeHasher,
  openCheckpoint,
  parseNoteVerifier,
} from '@yishi/crypto';
import { nodeHashBackend } from '@yishi/crypto/node';
import { initDataDir, dataPaths } from '../../../service/src/storage/data-dir.js';
import type { NewEntry } from '../../../service/src/storage/ledger-backend.js';
import { openSharedLedger } from '../../../service/src/storage/postgres/open-shared.js';
import { PublishedCheckpointFile } from '../../../service/src/storage/postgres/published-file.js';
import { tempDir } from '../../helpers/ledger-fixture.js';
import { freshDatabase, needsPostgres } from '../../helpers/postgres.js';

const hasher = createTreeHasher(nodeHashBackend);
const quiet = { info() {}, warn() {}, error() {} };

/** `n` well-formed entries continuing (size, prev); the mirror checks chain and bytes only. */
function chain(size: number, prev: string, n: number): NewEntry[] {
  const out: NewEntry[] = [];
  for (let i = 0; i < n; i++) {
    const nonce = bytesToHex(randomBytes(8));
    const command = { publicKey: 'pk', signature: 'sig', payload: { type: 'test', nonce, ts: 1 } };
    const body = canonicalEntryJson({
      seq: size + i,
      prev,
      time: 1,
      salt: bytesToHex(randomBytes(16)),
      commandJson: canonicalJson(command),
      derivedJson: 'null',
    });
    const leafHash = hasher.hashLeafText(body);
    out.push({ seq: size + i, leafHash, body, nonce: { publicKey: 'pk', nonce, ts: 1 } });
    prev = bytesToHex(leafHash);
  }
  return out;
}

t.test('checkpoints on a shared database', needsPostgres(), async (t) => {
  const url = await freshDatabase(t);
  const dir = tempDir(t, 'yishi-pg-cp-');
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  await initDataDir(a, { database: url });
  mkdirSync(b, { mode: 0o700 });
  for (const f of ['log.key', 'log.vkey', 'published-checkpoint']) {
    copyFileSync(join(a, f), join(b, f));
  }
  const open = (d: string) =>
    openSharedLedger({
      database: url,
      paths: dataPaths(d),
      checkpointIntervalMs: 1000,
      log: quiet,
    });
  const [one, two] = await Promise.all([open(a), open(b)]);
  t.teardown(async () => {
    await one.close();
    await two.close();
  });
  const vkey = parseNoteVerifier(
    (await import('node:fs')).readFileSync(join(a, 'log.vkey'), 'utf8').trim()
  );

  t.test(
    'two publishers racing without the advisory lock give one checkpoint a size',
    async (t) => {
      for (let round = 0; round < 8; round++) {
        await one.shared.transact(async (lock) => ({
          value: null,
          entries: chain(lock.head.size, lock.head.prev, 1 + (round % 3)),
        }));
        const results = await Promise.all([
          one.sharedCheckpointer.checkpointNow(),
          two.sharedCheckpointer.checkpointNow(),
        ]);
        const signed = results.filter((r) => r.status === 'signed');
        t.equal(signed.length, 1, `round ${round}: one signs, the other finds it done`);
      }
      const cps = await one.backend.checkpointsAfter(0, 100);
      const sizes = cps.map((c) => c.size);
      t.equal(new Set(sizes).size, sizes.length, 'one checkpoint per size');
      await two.shared.catchUp();
      for (const cp of cps) {
        const { checkpoint } = openCheckpoint(cp.note, [vkey], vkey.name);
        t.same(
          checkpoint.rootHash,
          two.mirror.root(cp.size),
          `checkpoint ${cp.size} is the tree's`
        );
      }
      t.equal(two.mirror.latestCheckpoint()?.size, sizes.at(-1), 'the other instance serves it');
    }
  );

  t.test('refuses to sign over a database behind the checkpoint it kept', async (t) => {
    await two.shared.catchUp();
    const size = two.mirror.size;
    await one.shared.transact(async (lock) => ({
      value: null,
      entries: chain(lock.head.size, lock.head.prev, 1),
    }));
    const kept = new PublishedCheckpointFile(join(dir, 'b'));
    kept.record({ size: size + 50, root: '00'.repeat(32), note: 'from a database since lost' });
    const behind: Awaited<ReturnType<typeof open>> | Error = await open(b).catch((e: Error) => e);
    t.notOk(behind instanceof Error, 'it still starts and serves reads');
    if (behind instanceof Error) return;
    t.teardown(() => behind.close());
    await t.rejects(behind.sharedCheckpointer.checkpointNow(), {
      code: 'CHECKPOINT_AHEAD_OF_TREE',
    });
  });

  t.test('refuses to sign over a tree with another root at the kept size', async (t) => {
    const c = join(dir, 'c');
    mkdirSync(c, { mode: 0o700 });
    for (const f of ['log.key', 'log.vkey']) copyFileSync(join(a, f), join(c, f));
    new PublishedCheckpointFile(c).record({ size: 2, root: 'ab'.repeat(32), note: 'a fork' });
    await t.rejects(open(c), { code: 'CHECKPOINT_INCONSISTENT' }, 'it does not even start');
  });
});
