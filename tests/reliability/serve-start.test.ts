// `yishi serve` as an operator starts it, where the start itself is what goes wrong: a data path
// that cannot be made (it used to spin forever on /proc), a port already taken (it used to leave
// a new ledger behind), a data folder another server uses (two servers used to sign on one
// ledger), and the lock a killed server leaves. Each run has a timeout (generous: the machine may
// be busy), so a hang fails rather than blocks.
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { lockDataDir } from '@yishi/service/internal';
import { tempDir } from '../helpers/ledger-fixture.js';
import { spawnServer, YISHI_BIN } from './helpers/child-server.js';

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the binary; kills it and reports a hang if it has not exited within `timeoutMs`. */
function run(args: string[], timeoutMs = 60_000): Promise<Run> {
  const t0 = Date.now();
  const child = spawn(process.execPath, [YISHI_BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, YISHI_LOG_LEVEL: 'info' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - t0 });
    })
  );
}

async function occupiedPort(t: { teardown(fn: () => void): void }): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  t.teardown(() => server.close());
  return (server.address() as { port: number }).port;
}

t.test('a data path under /proc fails at once with a message, for serve and init', async (t) => {
  for (const args of [
    ['serve', '--port', '0', '--data', '/proc/nope'],
    ['init', '--data', '/proc/nope/deeper'],
  ]) {
    const r = await run(args);
    t.equal(r.signal, null, `${args[0]} did not hang`);
    t.equal(r.code, 1, args[0] as string);
    t.match(r.stderr, /cannot use data directory \/proc\/nope/);
    t.match(r.stderr, /kernel file system/);
  }
});

t.test('a data path below a file fails naming the file', async (t) => {
  const r = await run(['init', '--data', join(YISHI_BIN, 'data')]);
  t.equal(r.code, 1);
  t.match(r.stderr, /yishi\.js is not a directory/);
});

t.test('a taken port fails before anything is created and says how to pick another', async (t) => {
  const port = await occupiedPort(t);
  const data = join(tempDir(t), 'never');
  const r = await run(['serve', '--host', '127.0.0.1', '--port', String(port), '--data', data]);
  t.equal(r.code, 1);
  t.match(r.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use`));
  t.match(r.stderr, /--port/);
  t.match(r.stderr, /YISHI_PORT/);
  t.notOk(existsSync(data), 'no data directory, no ledger, no keys');
});

t.test('a second server on a data folder exits naming the folder and the holder', async (t) => {
  const data = join(tempDir(t), 'shared');
  const first = await spawnServer(data);
  t.teardown(() => first.kill());
  const second = await run(['serve', '--port', '0', '--data', data], 60_000);
  t.equal(second.signal, null, 'it did not hang');
  t.equal(second.code, 1);
  t.ok(second.ms < 60_000, `exited in ${second.ms} ms`);
  t.match(second.stderr, `data directory ${data} is in use`);
  t.match(second.stderr, `(pid ${first.pid})`);
  t.equal((await fetch(`${first.url}/health`)).status, 200, 'the first still serves');
});

t.test('the lock of a killed server is taken over by the next start', async (t) => {
  const data = join(tempDir(t), 'killed');
  const first = await spawnServer(data);
  await first.kill();
  const next = await spawnServer(data);
  t.teardown(() => next.kill());
  t.equal((await fetch(`${next.url}/health`)).status, 200);
  const third = await run(['serve', '--port', '0', '--data', data], 60_000);
  t.equal(third.code, 1, 'and it holds the lock in turn');
  t.match(third.stderr, `(pid ${next.pid})`);
});

t.test('the lock refuses a second holder in the same process too, and is released', async (t) => {
  const dir = tempDir(t);
  const first = lockDataDir(dir);
  t.throws(() => lockDataDir(dir), { code: 'DATA_DIR_LOCKED', holderPid: process.pid });
  first.release();
  first.release();
  const again = lockDataDir(dir);
  again.release();
  t.notOk(existsSync(join(dir, 'serve.pid')), 'a clean release removes the pid file');
});
