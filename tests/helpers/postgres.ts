// The throwaway PostgreSQL server of .ci/run (see .ci/postgres.sh): a fresh database per suite.
// Outside CI a missing server skips the suite with its reason; inside CI (CI=true or YISHI_CI) it
// fails it: the PostgreSQL tests never pass silently by not running.
import { randomBytes } from 'node:crypto';
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
