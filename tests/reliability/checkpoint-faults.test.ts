/**
 * Failures between the SQLite commit and the checkpoint signature, injected with the
 * Checkpointer's fault hooks into a running service under concurrent signed commands: a signature
 * that fails before it is persisted ("failed and not persisted") and one that fails after
 * ("failed but persisted anyway"), at random, across restarts. Every note the log ever signed,
 * stored or not, and every note it served must stay consistent with the ledger; commands go on
 * being accepted; nothing acknowledged is lost. And a tree that was tampered with is never signed
 * over, whether the tampering happens under a running checkpointer or before a restart.
 */
import t from 'tap';
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseSecretKey } from '@yishi/crypto';
import { signCommand } from '@yishi/sdk';
import { buildApp, Checkpointer, initDataDir, LedgerStore } from '@yishi/service/internal';
import { tempDir } from '../helpers/ledger-fixture.js';
import { checkLedger, type Acknowledged } from './helpers/ledger-invariants.js';
import { prng } from './helpers/load.js';

const LONG = process.env['YISHI_RELIABILITY'] === 'long';
const RESTARTS = LONG ? 20 : 5;
const COMMANDS_PER_RUN = LONG ? 200 : 60;
const SEED = Number(process.env['YISHI_RELIABILITY_SEED'] ?? Date.now() % 2 ** 31);
t.comment(`seed ${SEED}`);

async function freshLedger(t: Parameters<typeof tempDir>[0]) {
  const dir = tempDir(t, 'yishi-faults-');
  const init = await initDataDir(join(dir, 'data'));
  return {
    init,
    skey: readFileSync(init.paths.logKey, 'utf8').trim(),
    admin: parseSecretKey(readFileSync(init.paths.adminKey, 'utf8').trim()).secretKey,
  };
}

t.test(
  `random faults after signing and after persisting, under load, over ${RESTARTS} restarts`,
  async (t) => {
    const rng = prng(SEED);
    const { init, skey, admin } = await freshLedger(t);
    const signed = new Set<string>();
    const served = new Set<string>();
    const acknowledged: Acknowledged[] = [];
    const injected = { notPersisted: 0, persisted: 0 };
    let n = 0;

    for (let run = 1; run <= RESTARTS; run++) {
      const store = LedgerStore.open(init.paths.db);
      const reported: unknown[] = [];
      const checkpointer = new Checkpointer(store, {
        skey,
        checkpointIntervalMs: 2,
        faults: {
          afterSign(note) {
            signed.add(note);
            if (rng() < 0.4) {
              injected.notPersisted++;
              throw new Error('injected: failed and not persisted');
            }
          },
          afterPersist(note) {
            signed.add(note);
            if (rng() < 0.4) {
              injected.persisted++;
              throw new Error('injected: failed but persisted');
            }
          },
        },
        onError: (err) => reported.push(err),
      });
      const app = await buildApp({
        store,
        checkpointer,
        logVkey: init.vkey,
        logSkey: skey,
        serviceDb: join(init.paths.dir, 'service.db'),
        rateLimitPerMinute: 1_000_000,
      });
      checkpointer.start();
      const before = store.checkpointSizes().length;

      for (let i = 0; i < COMMANDS_PER_RUN; i += 10) {
        const answers = await Promise.all(
          Array.from({ length: 10 }, async () => {
            const command = signCommand(
              { type: 'body.create', name: `班子 ${n++}`, ledger: init.ledgerId },
              admin
            );
            const res = await app.inject({ method: 'POST', url: '/bodies', payload: command });
            return { command, res };
          })
        );
        for (const { command, res } of answers) {
          t.equal(res.statusCode, 201, 'commands are accepted whatever the checkpointer does');
          const body = res.json() as { seq: number; leafHash: string };
          acknowledged.push({ seq: body.seq, leafHash: body.leafHash, command });
        }
        const cp = await app.inject('/log/checkpoint');
        if (cp.statusCode === 200) served.add(cp.body);
        await sleep(5);
        // Now and then a direct attempt too, as a shutdown would make.
        try {
          checkpointer.checkpointNow();
        } catch (err) {
          t.match((err as Error).message, /^injected: /, 'only the injected failures');
        }
      }
      t.ok(checkpointer.running, `run ${run}: the timer goes on after injected failures`);
      t.ok(store.checkpointSizes().length > before, `run ${run}: checkpoints were still signed`);
      t.ok(
        reported.every((e) => /^injected: /.test((e as Error).message)),
        `run ${run}: the timer reported only injected failures`
      );
      await app.close();
      checkpointer.stop();
      store.close();

      const found = checkLedger(init.paths.db, init.vkey, acknowledged, [...signed, ...served]);
      t.same(found.problems, [], `run ${run}: every note ever signed or served is consistent`);
      t.equal(found.lost.length, 0, `run ${run}: nothing acknowledged is lost`);
    }

    // After the last restart, a healthy checkpointer covers everything.
    const store = LedgerStore.open(init.paths.db);
    const result = new Checkpointer(store, { skey }).checkpointNow();
    t.not(result.status, 'superseded');
    t.equal(store.latestCheckpoint()?.size, store.size, 'the latest checkpoint covers the ledger');
    store.close();
    const found = checkLedger(init.paths.db, init.vkey, acknowledged, signed);
    t.same(found.problems, []);
    t.ok(injected.notPersisted > 0 && injected.persisted > 0, 'both kinds of failure happened');
    t.comment(
      `fault figures: ${injected.notPersisted} signatures failed and not persisted, ` +
        `${injected.persisted} failed but persisted, over ${RESTARTS} restarts and ` +
        `${acknowledged.length} acknowledged commands; ${signed.size} notes signed, all consistent`
    );
  }
);

/** Forges the stored hash of the tree node (level, idx) through a second connection. */
function forgeNode(dbPath: string, level: number, idx: number): void {
  const db = new Database(dbPath);
  try {
    db.exec('DROP TRIGGER IF EXISTS tree_nodes_no_update');
    db.prepare('UPDATE tree_nodes SET hash = ? WHERE level = ? AND idx = ?').run(
      Buffer.alloc(32, 0x42),
      level,
      idx
    );
  } finally {
    db.close();
  }
}

function grow(store: LedgerStore, admin: Uint8Array, count: number): void {
  const ledger = store.getMeta('ledger_id') ?? '';
  store.appendBatch(
    Array.from({ length: count }, (_, i) => ({
      command: signCommand({ type: 'body.create', name: `增长 ${i}`, ledger }, admin),
      derived: null,
      time: Date.now(),
    }))
  );
}

t.test('a tampered tree is never signed over, live or after a restart', async (t) => {
  const { init, skey, admin } = await freshLedger(t);
  let store = LedgerStore.open(init.paths.db);
  grow(store, admin, 19); // 20 entries
  t.equal(new Checkpointer(store, { skey }).checkpointNow().status, 'signed');
  const good = store.latestCheckpoint();
  grow(store, admin, 4); // 24 entries: the next checkpoint needs a proof from 20

  // Live: the node the frontier holds for entries 0..15 is forged under the running store.
  forgeNode(init.paths.db, 4, 0);
  const reported: unknown[] = [];
  const live = new Checkpointer(store, {
    skey,
    checkpointIntervalMs: 1,
    onError: (e) => reported.push(e),
  });
  t.throws(() => live.checkpointNow(), { code: 'TREE_CORRUPT' });
  live.start();
  await sleep(30);
  t.equal(live.running, false, 'the timer stopped rather than sign over a corrupt tree');
  t.match(reported[0], { code: 'TREE_CORRUPT' });
  t.same(store.latestCheckpoint(), good, 'nothing was signed');
  store.close();

  // After a restart the forged node is all the store knows: the signed checkpoint disagrees.
  store = LedgerStore.open(init.paths.db);
  t.throws(() => new Checkpointer(store, { skey }).checkpointNow(), {
    code: 'CHECKPOINT_INCONSISTENT',
  });
  t.same(store.latestCheckpoint(), good, 'nothing was signed');
  store.close();
});
