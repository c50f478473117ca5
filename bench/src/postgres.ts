// Issue 18 §7: signed-vote ingest on PostgreSQL with one and two instances, beside the same votes
// on SQLite, and pgbench on the same server in the same run (its TPS is the database's own
// ceiling). Run after `npm run build && npx tsc -p bench`, with a PostgreSQL server on 127.0.0.1
// (`source .ci/postgres.sh && start_test_postgres` starts a throwaway one):
//   YISHI_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:PORT/postgres node bench/dist/postgres.js [--quick]
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { copyStoreToDatabase, LedgerStore } from '@yishi/service/internal';
import { signVotes, type Vote } from './ingest.js';
import { votingLedger } from './ledgers.js';
import { forkServer, load, type Load, type Served } from './processes.js';
import { note, since, tempFolder } from './util.js';

const CONNECTIONS = 50;
const quick = process.argv.includes('--quick');
const admin = process.env['YISHI_TEST_DATABASE_URL'];
if (!admin || new URL(admin).hostname !== '127.0.0.1') {
  throw new Error('set YISHI_TEST_DATABASE_URL to a PostgreSQL server on 127.0.0.1');
}

type Ledger = Awaited<ReturnType<typeof votingLedger>>;

async function sql(url: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

/** A fresh database holding a copy of the voting ledger; its URL. */
async function databaseWith(ledger: Ledger, name: string): Promise<string> {
  await sql(admin as string, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await sql(admin as string, `CREATE DATABASE ${name}`);
  const u = new URL(admin as string);
  u.pathname = `/${name}`;
  const store = LedgerStore.open(join(ledger.dir, 'ledger.db'));
  try {
    await copyStoreToDatabase(u.href, store);
  } finally {
    store.close();
  }
  return u.href;
}

/** Splits the votes over the servers (each vote once), `CONNECTIONS` connections in all. */
async function ingest(servers: Served[], votes: Vote[]): Promise<Load> {
  const warm = Math.max(100, Math.floor(votes.length / 20));
  let i = 0;
  const next = () => votes[i++] as Vote;
  await load({
    url: (servers[0] as Served).url,
    connections: 10,
    amount: warm,
    method: 'POST',
    next,
  });
  const share = Math.floor((votes.length - warm) / servers.length);
  const t0 = performance.now();
  const loads = await Promise.all(
    servers.map((s) =>
      load({
        url: s.url,
        connections: Math.ceil(CONNECTIONS / servers.length),
        amount: share,
        method: 'POST',
        next,
      })
    )
  );
  const seconds = since(t0);
  const ok = loads.reduce((n, l) => n + l.ok, 0);
  const failed = loads.reduce((n, l) => n + l.failed, 0);
  return {
    rps: (ok + failed) / seconds,
    p50: Math.max(...loads.map((l) => l.p50)),
    p99: Math.max(...loads.map((l) => l.p99)),
    ok,
    failed,
  };
}

async function runSqlite(ledger: Ledger): Promise<Load> {
  const tmp = tempFolder('pg-bench-sqlite');
  try {
    cpSync(ledger.dir, join(tmp.dir, 'data'), { recursive: true });
    const base = ledger.lastTime + 60_000;
    const server = await forkServer('ingest-server', [join(tmp.dir, 'data'), String(base)]);
    try {
      return await ingest([server], signVotes(ledger, base + 30_000));
    } finally {
      await server.stop();
    }
  } finally {
    tmp.remove();
  }
}

async function runPostgres(ledger: Ledger, instances: number): Promise<Load> {
  const url = await databaseWith(ledger, `yishi_bench_${instances}`);
  const tmp = tempFolder('pg-bench');
  try {
    const base = ledger.lastTime + 60_000;
    const servers: Served[] = [];
    for (let i = 0; i < instances; i++) {
      const dir = join(tmp.dir, `data-${i}`);
      mkdirSync(dir, { mode: 0o700 });
      for (const f of ['log.key', 'log.vkey']) copyFileSync(join(ledger.dir, f), join(dir, f));
      servers.push(await forkServer('ingest-pg-server', [dir, url, String(base)]));
    }
    try {
      return await ingest(servers, signVotes(ledger, base + 30_000));
    } finally {
      for (const s of servers) await s.stop();
    }
  } finally {
    tmp.remove();
    await sql(admin as string, `DROP DATABASE IF EXISTS yishi_bench_${instances} WITH (FORCE)`);
  }
}

/** pgbench (TPC-B-like, scale 1) on the same server: 8 clients for `seconds`. */
async function pgbench(seconds: number): Promise<number | string> {
  const bin = process.env['YISHI_TEST_PGBIN'] ?? '/usr/lib/postgresql/15/bin';
  const u = new URL(admin as string);
  const common = ['-h', '127.0.0.1', '-p', u.port || '5432', '-U', u.username || 'postgres'];
  const db = 'yishi_pgbench';
  await sql(admin as string, `DROP DATABASE IF EXISTS ${db}`);
  const create = spawnSync(join(bin, 'createdb'), [...common, db], { encoding: 'utf8' });
  if (create.status !== 0 && !/already exists/.test(create.stderr)) return create.stderr.trim();
  const init = spawnSync(join(bin, 'pgbench'), [...common, '-i', '-s', '1', '-q', db], {
    encoding: 'utf8',
  });
  if (init.status !== 0) return init.stderr.trim();
  const run = spawnSync(
    join(bin, 'pgbench'),
    [...common, '-c', '8', '-j', '2', '-T', String(seconds), db],
    { encoding: 'utf8' }
  );
  spawnSync(join(bin, 'dropdb'), [...common, db]);
  const m = /tps = ([0-9.]+)/.exec(run.stdout);
  return m ? Number(m[1]) : run.stderr.trim();
}

const committees = quick ? 60 : 150;
const voters = quick ? 15 : 15;
const ledger = await votingLedger(committees, voters);
const count = ledger.votes.length * voters;
note(`postgres bench: ${count} pre-signed votes by ${committees} committees`);
const rows: string[] = [];
const row = (name: string, l: Load) =>
  rows.push(
    `| ${name} | ${l.rps.toFixed(0)} req/s | ${l.p50} / ${l.p99} ms | ${l.ok} accepted, ${l.failed} not |`
  );
note('postgres bench: SQLite, one instance');
row('signed-vote ingest, SQLite (WAL, synchronous = FULL), 1 instance', await runSqlite(ledger));
note('postgres bench: PostgreSQL, one instance');
row(
  'signed-vote ingest, PostgreSQL (synchronous_commit = on), 1 instance',
  await runPostgres(ledger, 1)
);
note('postgres bench: PostgreSQL, two instances');
row('signed-vote ingest, PostgreSQL, 2 instances on one database', await runPostgres(ledger, 2));
note('postgres bench: pgbench');
const tps = await pgbench(quick ? 5 : 10);
rows.push(
  `| pgbench -c 8 -j 2 (TPC-B-like, scale 1), same server | ${typeof tps === 'number' ? `${tps.toFixed(0)} tps` : `failed: ${tps}`} | | |`
);
process.stdout.write(
  `| figure | throughput | latency p50 / p99 | votes |\n| --- | --- | --- | --- |\n${rows.join('\n')}\n`
);
