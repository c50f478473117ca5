/**
 * Issue 18 §6: three `yishi serve` instances on one PostgreSQL database under concurrent signed
 * load, with faults at random moments: an instance killed (SIGKILL) and restarted, every
 * instance's database session terminated (pg_terminate_backend), and PostgreSQL itself stopped
 * (`pg_ctl stop -m immediate`) and started again. After every round: no acknowledged command is
 * lost, seqs are dense, every command is on the ledger once (retries of unanswered commands are
 * answered once, at one seq), every checkpoint served is consistent with the ledger and no size
 * has two checkpoints; at the end `yishi verify` and `yishi audit` pass on the export.
 *
 * Runs on a PostgreSQL cluster of its own (initdb'd here, as root) so that its restarts and
 * terminated sessions leave the .ci/run server to the other suites; without root, on that server,
 * with no restarts. Bounded: ROUNDS rounds of about a second of load each.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import {
  base64Encode,
  canonicalJson,
  generateSecretKey,
  getPublicKey,
  parseSecretKey,
} from '@yishi/crypto';
import type { SignedCommand } from '@yishi/schema';
import { signCommand } from '@yishi/sdk';
import { LedgerStore } from '@yishi/service/internal';
import { copyDatabaseToFile } from '../../service/src/storage/postgres/copy-to-file.js';
import { tempDir } from '../helpers/ledger-fixture.js';
import { freshDatabase, needsPostgres, privateCluster } from '../helpers/postgres.js';
import { spawnServer, YISHI_BIN, type ChildServer } from './helpers/child-server.js';
import { checkLedger, type Acknowledged } from './helpers/ledger-invariants.js';
import {
  LoadModel,
  postCommand,
  prng,
  watchCheckpoints,
  type PostOutcome,
} from './helpers/load.js';

const ROUNDS = Number(process.env['YISHI_PG_ROUNDS'] ?? 3);
const WORKERS = 6;
const MAX_FAULT_DELAY_MS = 800;
const SEED = Number(process.env['YISHI_RELIABILITY_SEED'] ?? Date.now() % 2 ** 31);
const rng = prng(SEED);

const SERVER_ENV = { YISHI_CHECKPOINT_INTERVAL_MS: '30', YISHI_RATE_LIMIT: '1000000' };
const KEY_FILES = ['log.key', 'log.vkey', 'admin.key', 'admin.pub', 'published-checkpoint'];

type Fault = 'kill' | 'terminate' | 'restart';

t.test('three instances on one database lose nothing acknowledged', needsPostgres(), async (t) => {
  // A cluster of this suite's own when it can make one: it stops and restarts the server and
  // terminates sessions, which must not disturb the suites sharing the .ci/run server.
  const own = await privateCluster(t);
  const canRestart = own !== undefined;
  t.comment(`seed ${SEED}; PostgreSQL restarts ${canRestart ? 'on' : 'off (not root)'}`);
  const url = own ? own.url : await freshDatabase(t);
  const dir = tempDir(t, 'yishi-pg-');
  const dirs = ['a', 'b', 'c'].map((n) => join(dir, n));
  const init = spawnSync(
    process.execPath,
    [YISHI_BIN, 'init', '--data', dirs[0] as string, '--database', url],
    { encoding: 'utf8', timeout: 120_000 }
  );
  t.equal(init.status, 0, init.stderr);
  // Every instance has the keys in its own data directory (one server per directory).
  for (const d of dirs.slice(1)) {
    mkdirSync(d, { mode: 0o700 });
    for (const f of KEY_FILES) copyFileSync(join(dirs[0] as string, f), join(d, f));
  }
  const env = { ...SERVER_ENV, YISHI_DATABASE_URL: url };
  const servers: (ChildServer | undefined)[] = await Promise.all(
    dirs.map((d) => spawnServer(d, env))
  );
  t.teardown(async () => {
    for (const s of servers) await s?.kill();
  });
  const vkey = readFileSync(join(dirs[0] as string, 'log.vkey'), 'utf8').trim();
  const admin = parseSecretKey(
    readFileSync(join(dirs[0] as string, 'admin.key'), 'utf8').trim()
  ).secretKey;
  const live = () => servers.filter((s): s is ChildServer => s !== undefined);
  const anyUrl = () => {
    const l = live();
    return (l[Math.floor(rng() * l.length)] as ChildServer).url;
  };
  const info = (await (await fetch(`${anyUrl()}/ledger/info`)).json()) as { ledgerId: string };
  const model = new LoadModel([admin], rng, info.ledgerId);

  const acknowledged: Acknowledged[] = [];
  const served = new Set<string>();
  let unanswered: SignedCommand[] = [];
  const figures = { kills: 0, terminations: 0, restarts: 0, retried: 0, answered503: 0 };

  /** Posts until an answer other than 503 (the database may be restarting). */
  const settle = async (command: SignedCommand): Promise<PostOutcome> => {
    for (let i = 0; i < 200; i++) {
      const outcome = await postCommand(anyUrl(), command, 10_000);
      if (outcome.kind === 'answered' && outcome.status !== 503) return outcome;
      await new Promise((r) => setTimeout(r, 100));
    }
    return { kind: 'no-answer', error: 'no answer after 200 tries' };
  };
  const acknowledge = (command: SignedCommand, outcome: PostOutcome): boolean => {
    if (outcome.kind !== 'answered' || outcome.status !== 201) return false;
    const { seq, leafHash, derived } = outcome.body;
    acknowledged.push({ seq: seq as number, leafHash: leafHash as string, command });
    model.learn(command, derived);
    return true;
  };

  for (let i = 0; i < 2; i++) {
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
    t.ok(acknowledge(reg, await settle(reg)), `admin-${i} registered`);
    model.admins.push(key);
  }

  for (let round = 1; round <= ROUNDS; round++) {
    // Whatever the last fault left unanswered: retried on any instance, answered once.
    for (const command of unanswered) {
      const outcome = await settle(command);
      t.ok(
        acknowledge(command, outcome),
        `round ${round}: an unanswered command, retried, is answered 201`,
        { outcome, logs: live().map((s) => s.log().slice(-8)) }
      );
      figures.retried++;
    }
    unanswered = [];
    // An old acknowledgement, asked again of any instance, is the same answer.
    const old = acknowledged[Math.floor(rng() * acknowledged.length)] as Acknowledged;
    const again = await settle(old.command);
    t.ok(
      again.kind === 'answered' &&
        again.status === 201 &&
        again.body['seq'] === old.seq &&
        again.body['leafHash'] === old.leafHash,
      `round ${round}: a retry of seq ${old.seq} gets its original answer`
    );

    let stopped = false;
    const refused: unknown[] = [];
    const worker = async () => {
      while (!stopped) {
        const command = model.next();
        const outcome = await postCommand(anyUrl(), command, 10_000);
        if (outcome.kind === 'no-answer' || outcome.status === 503) {
          if (outcome.kind === 'answered') figures.answered503++;
          unanswered.push(command);
          await new Promise((r) => setTimeout(r, 50));
        } else if (!acknowledge(command, outcome)) {
          refused.push(outcome.body);
        }
      }
    };
    const load = Promise.all(Array.from({ length: WORKERS }, worker));
    const watchers = live().map((s) => watchCheckpoints(s.url, served, () => stopped, 20));
    const faults: Fault[] = canRestart ? ['kill', 'terminate', 'restart'] : ['kill', 'terminate'];
    const fault = faults[round % faults.length] as Fault;
    const delay = Math.floor(rng() * MAX_FAULT_DELAY_MS);
    await new Promise((r) => setTimeout(r, delay));
    if (fault === 'kill') {
      const i = Math.floor(rng() * servers.length);
      await servers[i]?.kill();
      servers[i] = undefined;
      figures.kills++;
      await new Promise((r) => setTimeout(r, 300));
      stopped = true;
      await load;
      await Promise.all(watchers);
      servers[i] = await spawnServer(dirs[i] as string, env);
    } else if (fault === 'terminate') {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      const r = await c.query(
        `SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity
         WHERE application_name LIKE 'yishi %' AND datname = current_database()
         AND pid <> pg_backend_pid()`
      );
      await c.end();
      figures.terminations += Number(r.rows[0].n);
      await new Promise((r) => setTimeout(r, 300));
      stopped = true;
      await load;
      await Promise.all(watchers);
    } else {
      const pgctl = (own as NonNullable<typeof own>).pgctl;
      const stop = pgctl('stop', '-m', 'immediate', '-w');
      t.equal(stop.status, 0, `pg_ctl stop: ${stop.stderr}`);
      await new Promise((r) => setTimeout(r, 200));
      const start = pgctl('start', '-w', '-t', '60');
      t.equal(start.status, 0, `pg_ctl start: ${start.stderr}`);
      figures.restarts++;
      await new Promise((r) => setTimeout(r, 300));
      stopped = true;
      await load;
      await Promise.all(watchers);
    }
    t.same(refused, [], `round ${round}: the load is never refused`);

    // The database's ledger, copied row by row (each checked) into a file, holds every
    // acknowledgement, is dense, verifies, and every checkpoint served is consistent with it.
    const file = join(dir, `round-${round}.db`);
    await copyDatabaseToFile(url, file);
    const found = checkLedger(file, vkey, acknowledged, served);
    t.same(found.problems, [], `round ${round}: the ledger holds after a ${fault} at ${delay} ms`);
    t.equal(found.lost.length, 0, `round ${round}: no acknowledged command is lost`);
    t.comment(
      `round ${round}: ${fault} at ${delay} ms; ${acknowledged.length} acknowledged so far, ` +
        `${unanswered.length} unanswered; ledger ${found.size} entries, ` +
        `${found.checkpointSizes.length} checkpoints`
    );
  }

  // Last: the unanswered retried, then the CLI on the database itself.
  for (const command of unanswered) {
    t.ok(acknowledge(command, await settle(command)), 'an unanswered command, retried');
    figures.retried++;
  }
  for (const s of servers) await s?.kill();
  servers.fill(undefined);
  const file = join(dir, 'final.db');
  await copyDatabaseToFile(url, file);
  const found = checkLedger(file, vkey, acknowledged, served);
  t.same(found.problems, []);
  t.equal(found.lost.length, 0, 'no acknowledged command is lost');
  const seqs = new Set(acknowledged.map((a) => a.seq));
  t.equal(seqs.size, acknowledged.length, 'no two acknowledgements share a seq');
  const store = LedgerStore.open(file);
  const commands = new Set<string>();
  for (const { entry } of store.iterateEntries()) commands.add(canonicalJson(entry.command));
  const sizes = store.checkpointSizes();
  store.close();
  t.equal(commands.size, found.size, 'every command is on the ledger once');
  t.equal(new Set(sizes).size, sizes.length, 'one checkpoint per size');

  const vkeyFile = join(dirs[0] as string, 'log.vkey');
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [YISHI_BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  const verify = run('verify', '--database', url, '--vkey', vkeyFile, '--json');
  t.equal(verify.status, 0, verify.stderr);
  t.equal(JSON.parse(verify.stdout).ok, true, 'yishi verify --database passes');
  const exportFile = join(dir, 'ledger.jsonl');
  const exported = run('export', '--database', url, '--out', exportFile);
  t.equal(exported.status, 0, exported.stderr);
  t.ok(existsSync(exportFile));
  const audit = run('audit', exportFile, '--vkey', vkeyFile, '--json');
  t.equal(audit.status, 0, audit.stdout + audit.stderr);
  t.equal(JSON.parse(audit.stdout).findings.length, 0, 'every entry replays under the rules');
  t.comment(
    `reliability figures (PostgreSQL, 3 instances): rounds ${ROUNDS}; instances killed ` +
      `${figures.kills}, sessions terminated ${figures.terminations}, PostgreSQL restarts ` +
      `${figures.restarts}; acknowledged ${acknowledged.length}, lost ${found.lost.length}; ` +
      `retried after no answer or 503 ${figures.retried} (503s ${figures.answered503}), each ` +
      `on the ledger once; checkpoints served ${served.size}, stored ${sizes.length}; ` +
      `ledger ${found.size} entries`
  );
});
