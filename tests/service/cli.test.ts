// The CLI runs in process (`yishi` from helpers/cli.ts) except where the process itself is under
// test: the binary's exit code and output, and `serve` answering and stopping on SIGTERM.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { YISHI_BIN, yishi } from '../helpers/cli.js';
import { exportLedger, makeLedger, tempDir } from '../helpers/ledger-fixture.js';

const binary = (...args: string[]) =>
  spawnSync(process.execPath, [YISHI_BIN, ...args], { encoding: 'utf8', timeout: 60_000 });

t.test('the binary prints its usage and exits with the code main returns', async (t) => {
  const top = binary('--help');
  t.equal(top.status, 0);
  t.match(top.stdout, /Commands:/);
  const bad = binary('verify', '--bogus');
  t.equal(bad.status, 2, 'a usage error');
  t.match(bad.stderr, /^yishi verify: /);
});

t.test('--help on the command and each subcommand', async (t) => {
  const top = await yishi('--help');
  t.equal(top.status, 0);
  t.match(top.stdout, /Commands:/);
  for (const cmd of ['serve', 'init', 'verify', 'export']) {
    const r = await yishi(cmd, '--help');
    t.equal(r.status, 0, cmd);
    t.match(r.stdout, new RegExp(`Usage: yishi ${cmd}`));
  }
  t.equal((await yishi()).status, 2, 'no command is a usage error');
  t.equal((await yishi('frobnicate')).status, 2);
  t.equal((await yishi('verify', '--bogus')).status, 2);
  t.equal((await yishi('verify')).status, 2);
});

t.test('init creates the ledger, keys with mode 0600, and refuses to run twice', async (t) => {
  const data = join(tempDir(t), 'data');
  const r = await yishi('init', '--data', data);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /log signing key: .*log\.key/);
  for (const f of ['log.key', 'admin.key']) {
    t.equal(statSync(join(data, f)).mode & 0o777, 0o600, f);
  }
  t.ok(existsSync(join(data, 'ledger.db')));
  t.match(readFileSync(join(data, 'log.vkey'), 'utf8'), /^yishi\.local\/[0-9a-f-]+\+[0-9a-f]{8}\+/);
  const again = await yishi('init', '--data', data);
  t.equal(again.status, 1);
  t.match(again.stderr, /already holds a ledger/);
  const v = await yishi('verify', join(data, 'ledger.db'), '--vkey', join(data, 'log.vkey'));
  t.equal(v.status, 0, v.stderr);
  t.match(v.stdout, /OK: the ledger verifies/);
});

t.test('export then verify, and verify a database in place, with --json', async (t) => {
  const fixture = await makeLedger(t, 30, 3);
  const out = join(fixture.paths.dir, 'cli-export.jsonl');
  const e = await yishi('export', '--data', fixture.paths.dir, '--out', out);
  t.equal(e.status, 0, e.stderr);
  const exported = readFileSync(out, 'utf8').trimEnd().split('\n');
  t.equal(exported.filter((l) => l.startsWith('{"entry"')).length, 31);
  t.equal(exported.filter((l) => l.startsWith('{"checkpoint"')).length, 4, 'init signs one');
  t.equal(
    (await yishi('export', '--data', fixture.paths.dir, '--out', out)).status,
    1,
    'never clobbers'
  );
  for (const target of [out, fixture.paths.db]) {
    const v = await yishi('verify', target, '--vkey', fixture.vkey, '--json');
    t.equal(v.status, 0, v.stderr);
    const report = JSON.parse(v.stdout);
    t.equal(report.ok, true);
    t.equal(report.entries, 31);
    t.equal(report.signaturesVerified, 31);
  }
});

t.test('verify exits 1 naming the first bad entry', async (t) => {
  const fixture = await makeLedger(t, 10, 2);
  const { path, lines } = await exportLedger(fixture);
  const entry = JSON.parse(lines[4] as string);
  entry.entry.derived = { note: 'changed' };
  lines[4] = JSON.stringify(entry);
  const bad = join(fixture.paths.dir, 'bad.jsonl');
  writeFileSync(bad, `${lines.join('\n')}\n`);
  const v = await yishi('verify', bad, '--vkey', fixture.vkey);
  t.equal(v.status, 1);
  t.match(v.stdout, /FAILED: ENTRY_CHAIN at entry 3/, 'the report goes to stdout');
  const j = JSON.parse((await yishi('verify', bad, '--json')).stdout);
  t.match(j.failure, { check: 'ENTRY_CHAIN', seq: 3 });
  t.equal(
    (await yishi('verify', path, '--vkey', fixture.vkey)).status,
    0,
    'the original still verifies'
  );
  const other = await makeLedger(t, 3, 1);
  const w = await yishi('verify', path, '--vkey', other.paths.logVkey);
  t.equal(w.status, 1);
  t.match(w.stdout, /LOG_KEY_MISMATCH/);
});

t.test('serve starts on a fresh data directory, answers, and stops on SIGTERM', async (t) => {
  const data = join(tempDir(t), 'fresh');
  const child = spawn(process.execPath, [YISHI_BIN, 'serve', '--port', '0', '--data', data], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, YISHI_LOG_LEVEL: 'info' },
  });
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listen line in: ${log}`)), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const m = /"url":"(http:\/\/[^"]+)"/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    child.on('exit', () => reject(new Error(`exited early: ${log}`)));
  });
  t.match(log, /created a new ledger/);
  t.notMatch(log, /PRIVATE\+KEY/, 'no secret key in the logs');
  const health = await fetch(`${url}/health`);
  t.equal(health.status, 200);
  const cp = await fetch(`${url}/log/checkpoint`);
  t.equal(cp.status, 200);
  t.match(await cp.text(), /^yishi\.local\//);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  t.equal(await exited, 0);
});
