// The throwaway PostgreSQL server of .ci/run (see .ci/postgres.sh): a fresh database per suite.
// Outside CI a missing server skips the suite with its reason; inside CI (CI=true or YISHI_CI) it
// fails it: the PostgreSQL tests never pass silently by not running.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Test } from 'tap';

/** The server's URL (loopback only), or undefined when none was started. */
export const TEST_DATABASE_URL = process.env['YISHI_TEST_DATABASE_URL'] || undefined;

/** Whether these tests run under CI, where a missing server is a failure. */
export const IN_CI = process.env['CI'] === 'true' || Boolean(process.env['YISHI_CI']);

const NO_SERVER =
  'no PostgreSQL server: YISHI_TEST_DATABASE_URL is unset (source .ci/postgres.sh; start_test_postgres)';

/**
 * tap options for a suite that needs the server: `{ skip: reason }` outside CI when there is
 * none, else `{}` (inside CI the suite then fails in {@link freshDatabase}).
 */
export function needsPostgres(): { skip?: string } {
  return TEST_DATABASE_URL === undefined && !IN_CI ? { skip: NO_SERVER } : {};
}

/** Refuses any URL that is not on 127.0.0.1: the tests never reach another machine. */
function loopback(url: string): URL {
  const u = new URL(url);
  if (u.hostname !== '127.0.0.1') throw new Error(`the test database must be on 127.0.0.1: ${url}`);
  return u;
}

/**
 * Creates an empty database on the test server and returns its URL; it is dropped at the end of
 * `t`. Fails `t` (and throws) when there is no server.
 */
export async function freshDatabase(t: Test): Promise<string> {
  if (TEST_DATABASE_URL === undefined) {
    t.fail(NO_SERVER);
    throw new Error(NO_SERVER);
  }
  const admin = loopback(TEST_DATABASE_URL);
  const name = `yishi_test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin.href });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  t.teardown(async () => {
    const c = new pg.Client({ connectionString: admin.href });
    await c.connect();
    try {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await c.end();
    }
  });
  const u = new URL(admin.href);
  u.pathname = `/${name}`;
  return u.href;
}

/**
 * A PostgreSQL cluster of the suite's own (initdb into a temporary folder as the `postgres`
 * user, 127.0.0.1, a free port), for a suite that stops and restarts the server or terminates
 * sessions: the shared server of the other suites is left alone. Undefined when this process
 * cannot make one (not root, or no PostgreSQL binaries); stopped and removed at the end of `t`.
 */
export async function privateCluster(
  t: Test
): Promise<{ url: string; pgctl: (...args: string[]) => SpawnSyncReturns<string> } | undefined> {
  const bin = process.env['YISHI_TEST_PGBIN'] ?? '/usr/lib/postgresql/15/bin';
  if (process.getuid?.() !== 0 || !existsSync(join(bin, 'initdb'))) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'yishi-pg-own-'));
  const data = join(dir, 'data');
  const asPostgres = (cmd: string, ...args: string[]) =>
    spawnSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], {
      encoding: 'utf8',
      timeout: 120_000,
    });
  chownSync(dir, postgresUid(), postgresGid());
  chmodSync(dir, 0o700);
  const init = asPostgres('initdb', '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8');
  if (init.status !== 0) throw new Error(`initdb: ${init.stderr}`);
  const port = await freePort();
  appendFileSync(
    join(data, 'postgresql.conf'),
    `listen_addresses = '127.0.0.1'\nport = ${port}\nunix_socket_directories = '${dir}'\n` +
      `synchronous_commit = on\nfsync = on\n`
  );
  const pgctl = (...args: string[]) =>
    asPostgres('pg_ctl', '-D', data, '-l', join(dir, 'server.log'), ...args);
  const start = pgctl('start', '-w', '-t', '60');
  if (start.status !== 0) throw new Error(`pg_ctl start: ${start.stderr}`);
  t.teardown(() => {
    pgctl('stop', '-m', 'immediate', '-w');
    rmSync(dir, { recursive: true, force: true });
  });
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, pgctl };
}

function postgresUid(): number {
  return Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
}
function postgresGid(): number {
  return Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
