// What `yishi serve` says: pretty lines for a person (`--log-format pretty`, the default on a
// terminal) and JSON otherwise; a new ledger starts without sounding like a fault; a clean stop
// says it stopped; the banner says where everything is; no key in any of it.
import t from 'tap';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { banner, dataPaths, formatRecord, loadConfig } from '@yishi/service/internal';
import { YISHI_BIN } from '../helpers/cli.js';
import { tempDir } from '../helpers/ledger-fixture.js';

/** Runs `yishi serve` until `ready` matches its output, then SIGTERM; resolves with everything. */
function serveUntil(
  args: string[],
  ready: RegExp,
  timeoutMs = 60_000
): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [YISHI_BIN, 'serve', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, YISHI_LOG_LEVEL: 'info' },
  });
  let out = '';
  let stopped = false;
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const onData = (c: Buffer) => {
    out += c.toString();
    if (!stopped && ready.test(out)) {
      stopped = true;
      child.kill('SIGTERM');
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    })
  );
}

t.test('pretty lines: a plain first start, a clean stop, no keys', async (t) => {
  const data = join(tempDir(t), 'pretty');
  const r = await serveUntil(['--data', data, '--log-format', 'pretty'], /yishi is listening/);
  t.equal(r.code, 0, r.out);
  const lines = r.out.trimEnd().split('\n');
  for (const line of lines.filter((l) => !l.startsWith(' '))) {
    t.match(line, /^[0-9]{2}:[0-9]{2}:[0-9]{2} (INFO |WARN |ERROR) \S/, line);
  }
  t.match(r.out, /a new ledger: the state starts from its genesis/);
  t.notMatch(r.out, /NO_SNAPSHOT|replaying the whole ledger/, 'a new ledger is not a fault');
  t.notMatch(r.out, /WARN|ERROR/);
  t.match(r.out, /INFO {2}stopping: .* signal=SIGTERM/);
  t.match(lines.at(-1), /INFO {2}yishi stopped/);
  t.notMatch(r.out, /PRIVATE\+KEY/);
});

t.test('JSON lines when standard output is not a terminal, the same words', async (t) => {
  const data = join(tempDir(t), 'json');
  const r = await serveUntil(['--data', data], /yishi is listening/);
  t.equal(r.code, 0, r.out);
  const records = r.out
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as { level: number; msg: string });
  t.ok(records.some((x) => x.msg === 'a new ledger: the state starts from its genesis'));
  t.equal(records.at(-1)?.msg, 'yishi stopped');
  t.notOk(
    records.some((x) => x.level >= 40),
    'no warning on a first start'
  );
});

t.test('the log format: pretty on a terminal, json otherwise, or as asked', async (t) => {
  t.equal(loadConfig({}, {}).logFormat, 'json');
  t.equal(loadConfig({}, {}, true).logFormat, 'pretty');
  t.equal(loadConfig({ 'log-format': 'json' }, {}, true).logFormat, 'json');
  t.equal(loadConfig({}, { YISHI_LOG_FORMAT: 'pretty' }).logFormat, 'pretty');
  t.throws(() => loadConfig({ 'log-format': 'fancy' }, {}), /pretty or json/);
});

t.test('a request line: method, path, status, time, principal and code', async (t) => {
  const line = formatRecord({
    level: 30,
    time: Date.UTC(2026, 0, 1, 8, 0, 0),
    msg: 'request completed',
    req: { method: 'POST', url: '/meetings' },
    res: { statusCode: 409 },
    responseTime: 12.3,
    principal: 'chair',
    code: 'QUORUM_NOT_MET',
    rule: 'P4',
  });
  t.match(line, /INFO {2}POST \/meetings 409 12ms {2}principal=chair code=QUORUM_NOT_MET rule=P4$/);
  const err = formatRecord({ level: 50, msg: 'boom', err: { message: 'bad', stack: 'E\n at x' } });
  t.match(err, /ERROR boom {2}err=bad\n {4}E\n {5}at x$/);
});

t.test('the banner names the URL, /docs, the folder, the keys and the demo', async (t) => {
  const paths = dataPaths('/srv/yishi');
  const text = banner({ url: 'http://127.0.0.1:8080', paths, created: true });
  t.match(text, 'http://127.0.0.1:8080/docs');
  t.match(text, '/srv/yishi/admin.key');
  t.match(text, '/srv/yishi/log.vkey');
  t.match(text, /give it to auditors/);
  t.match(text, /npm run demo/);
  t.match(text, /a new ledger/);
});
