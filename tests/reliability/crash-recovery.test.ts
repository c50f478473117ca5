/**
 * Crashes: `yishi serve` runs as a child process under concurrent signed load over loopback and
 * is killed with SIGKILL at random moments, then restarted, again and again. After every kill:
 * every command answered 201 is on the ledger as answered, no entry is half-written, the chain
 * and every checkpoint verify, no checkpoint ever stored or served is inconsistent with the
 * ledger, commands left unanswered by the crash get exactly one entry when retried, and new
 * commands are accepted.
 *
 * YISHI_RELIABILITY=long: 100 kills and more load (run it with `npx tap --timeout=3600`).
 * YISHI_RELIABILITY_SEED fixes the moments.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { base64Encode, generateSecretKey, getPublicKey, parseSecretKey } from '@yishi/crypto';
import type { SignedCommand } from '@yishi/schema';
import { signCommand } from '@yishi/sdk';
import { tempDir } from '../helpers/ledger-fixture.js';
import { spawnServer, YISHI_BIN } from './helpers/child-server.js';
import { checkLedger, type Acknowledged } from './helpers/ledger-invariants.js';
import {
  LoadModel,
  postCommand,
  prng,
  record,
  runLoad,
  watchCheckpoints,
  type LoadResult,
} from './helpers/load.js';

const LONG = process.env['YISHI_RELIABILITY'] === 'long';
const KILLS = LONG ? 100 : 20;
const WORKERS = LONG ? 16 : 8;
/** A kill comes at a uniformly random moment within this long after the load starts. */
const MAX_KILL_DELAY_MS = LONG ? 1000 : 500;
const SEED = Number(process.env['YISHI_RELIABILITY_SEED'] ?? Date.now() % 2 ** 31);
const rng = prng(SEED);
t.comment(`seed ${SEED} (YISHI_RELIABILITY_SEED=${SEED} repeats these kill moments)`);

const SERVER_ENV = {
  // Sign checkpoints all the time, so kills land during checkpointing too (less often in the
  // long run, whose ledger grows large: every round verifies every checkpoint again).
  YISHI_CHECKPOINT_INTERVAL_MS: LONG ? '40' : '5',
  YISHI_RATE_LIMIT: '1000000',
};

const dir = tempDir(t, 'yishi-crash-');
const dataDir = join(dir, 'data');
const dbPath = join(dataDir, 'ledger.db');

const acknowledged: Acknowledged[] = [];
const servedNotes = new Set<string>();
let unanswered: SignedCommand[] = [];
let killsSurvived = 0;
/** Acknowledged commands missing from the ledger at the last check (must stay 0). */
let lostAtLastCheck = -1;
let retriedUnanswered = 0;

t.test(
  `survives ${KILLS} SIGKILLs under concurrent signed load, losing nothing acknowledged`,
  async (t) => {
    let server = await spawnServer(dataDir, SERVER_ENV);
    const vkey = readFileSync(join(dataDir, 'log.vkey'), 'utf8').trim();
    const admin = parseSecretKey(readFileSync(join(dataDir, 'admin.key'), 'utf8').trim()).secretKey;
    // More admins, so the load comes from several keys at once.
    const info = (await (await fetch(`${server.url}/ledger/info`)).json()) as { ledgerId: string };
    const model = new LoadModel([admin], rng, info.ledgerId);
    for (let i = 0; i < 3; i++) {
      const key = generateSecretKey();
      const reg = signCommand(
        {
          type: 'principal.register',
          ledger: info.ledgerId,
          principalId: `admin-${i}`,
          name: `管理员 ${i}`,
          publicKey: base64Encode(getPublicKey(key)),
          role: 'admin',
        },
        admin
      );
      const answer = await postCommand(server.url, reg);
      t.equal(answer.kind === 'answered' && answer.status, 201, `admin-${i} registered`);
      model.admins.push(key);
    }

    for (let round = 1; round <= KILLS; round++) {
      const t0 = Date.now();
      if (round > 1) server = await spawnServer(dataDir, SERVER_ENV);
      const restartMs = Date.now() - t0;

      // Commands the last crash left unanswered: a retry gets exactly one entry, whether or not
      // the first attempt had committed.
      const retry: LoadResult = { acknowledged: [], unanswered: [], refused: [] };
      for (const command of unanswered) {
        const outcome = await postCommand(server.url, command);
        record(retry, model, command, outcome);
      }
      retriedUnanswered += unanswered.length;
      t.same(retry.refused, [], `round ${round}: every unanswered command, retried, is accepted`);
      t.equal(retry.unanswered.length, 0);
      acknowledged.push(...retry.acknowledged);

      // New commands are accepted after the restart, and an old acknowledgement is repeated.
      const fresh = model.next();
      const first = await postCommand(server.url, fresh);
      t.equal(first.kind === 'answered' && first.status, 201, `round ${round}: accepting`);
      const accepted: LoadResult = { acknowledged: [], unanswered: [], refused: [] };
      record(accepted, model, fresh, first);
      acknowledged.push(...accepted.acknowledged);
      const old = acknowledged[Math.floor(rng() * acknowledged.length)] as Acknowledged;
      const again = await postCommand(server.url, old.command);
      t.ok(
        again.kind === 'answered' &&
          again.status === 201 &&
          again.replayed &&
          again.body['seq'] === old.seq &&
          again.body['leafHash'] === old.leafHash,
        `round ${round}: a retry of acknowledged seq ${old.seq} gets its original answer`
      );

      let stopped = false;
      const load = runLoad(server.url, model, WORKERS, () => stopped);
      const watch = watchCheckpoints(server.url, servedNotes, () => stopped);
      const delay = Math.floor(rng() * MAX_KILL_DELAY_MS);
      await new Promise((r) => setTimeout(r, delay));
      await server.kill();
      stopped = true;
      const result = await load;
      await watch;
      acknowledged.push(...result.acknowledged);
      unanswered = result.unanswered;
      t.same(result.refused, [], `round ${round}: the load is never refused`);

      const t1 = Date.now();
      const found = checkLedger(dbPath, vkey, acknowledged, servedNotes);
      const checkMs = Date.now() - t1;
      t.same(found.problems, [], `round ${round}: the ledger holds after a kill at ${delay} ms`);
      t.equal(found.lost.length, 0, `round ${round}: no acknowledged command is lost`);
      lostAtLastCheck = found.lost.length;
      if (found.problems.length === 0 && found.lost.length === 0) killsSurvived++;
      t.comment(
        `round ${round}: killed after ${delay} ms; ${result.acknowledged.length} acknowledged, ` +
          `${result.unanswered.length} unanswered; ledger ${found.size} entries, ` +
          `${found.checkpointSizes.length} checkpoints; restart ${restartMs} ms, check ${checkMs} ms, ` +
          `round ${Date.now() - t0} ms`
      );
    }
  }
);

t.test('after the last kill the ledger restarts, verifies and audits with the CLI', async (t) => {
  const server = await spawnServer(dataDir, SERVER_ENV);
  for (const command of unanswered) {
    const outcome = await postCommand(server.url, command);
    t.equal(outcome.kind === 'answered' && outcome.status, 201, 'an unanswered command, retried');
  }
  retriedUnanswered += unanswered.length;
  await server.kill();
  const vkeyFile = join(dataDir, 'log.vkey');
  const found = checkLedger(
    dbPath,
    readFileSync(vkeyFile, 'utf8').trim(),
    acknowledged,
    servedNotes
  );
  t.same(found.problems, []);
  t.equal(found.lost.length, 0, 'no acknowledged command is lost');
  lostAtLastCheck = found.lost.length;
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [YISHI_BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  const verify = run('verify', dbPath, '--vkey', vkeyFile, '--json');
  t.equal(verify.status, 0, verify.stderr);
  const report = JSON.parse(verify.stdout);
  t.equal(report.ok, true);
  const exportFile = join(dir, 'ledger.jsonl');
  const exported = run('export', '--data', dataDir, '--out', exportFile);
  t.equal(exported.status, 0, exported.stderr);
  const audit = run('audit', exportFile, '--vkey', vkeyFile, '--json');
  t.equal(audit.status, 0, audit.stdout + audit.stderr);
  t.equal(JSON.parse(audit.stdout).findings.length, 0, 'every entry replays under the rules');
  const seqs = new Set(acknowledged.map((a) => a.seq));
  t.equal(seqs.size, acknowledged.length, 'no two acknowledgements share a seq');
  t.comment(
    `reliability figures: kills survived ${killsSurvived}/${KILLS}; acknowledged commands ` +
      `${acknowledged.length}, lost ${lostAtLastCheck} (checked after every kill); unanswered ` +
      `commands retried ${retriedUnanswered}, each accepted once; checkpoints served and checked ` +
      `${servedNotes.size}; ledger ${report.entries} entries, ${report.checkpoints} checkpoints`
  );
});
