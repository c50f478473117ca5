// The witness service (C2SP tlog-witness v1.0.0) over HTTP on 127.0.0.1, on SQLite.
import t from 'tap';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openNote } from '@yishi/crypto';
import { formatAddCheckpoint, originHash, parseCosignerVkey } from '@yishi/verify';
import { startWitnessServer, WITNESS_BODY_LIMIT } from '@yishi/service/internal';
import { yishi } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/ledger-fixture.js';
import { makeTestLog, ORIGIN } from '../../helpers/witness-fixture.js';

const log = makeTestLog();
log.add(12);
const data = join(tempDir(t), 'w1');

const post = (url: string, body: string) =>
  fetch(`${url}/add-checkpoint`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'text/plain' },
  });
const submit = (url: string, old: number, size: number, note = log.checkpoint(size)) =>
  post(url, formatAddCheckpoint(old, log.proof(old, size), note));

t.test('yishi witness init writes witness.key (0600) and witness.vkey', async (t) => {
  const r = await yishi('witness', 'init', '--data', data, '--name', 'witness.test/w1');
  t.equal(r.status, 0, r.stderr);
  t.equal(statSync(join(data, 'witness.key')).mode & 0o777, 0o600);
  const vkey = readFileSync(join(data, 'witness.vkey'), 'utf8').trim();
  t.equal(parseCosignerVkey(vkey).name, 'witness.test/w1');
  t.equal(
    (await yishi('witness', 'init', '--data', data, '--name', 'x.test/w')).status,
    1,
    'no overwrite'
  );
  t.equal((await yishi('witness', 'init', '--data', data)).status, 2, '--name required');
  t.equal((await yishi('witness', 'serve', '--data', data)).status, 2, '--log-vkey required');
  t.equal((await yishi('witness', '--help')).status, 0);
});

t.test('answers every status over HTTP and keeps its state across a restart', async (t) => {
  let w = await startWitnessServer({ dataDir: data, logVkeys: [log.key.vkey] });
  t.teardown(() => w.close());
  const vkey = readFileSync(join(data, 'witness.vkey'), 'utf8').trim();
  t.equal((await fetch(`${w.url}/${originHash(ORIGIN)}/checkpoint`)).status, 404);
  const ok = await submit(w.url, 0, 5);
  t.equal(ok.status, 200);
  const line = await ok.text();
  t.equal(openNote(log.checkpoint(5) + line, [parseCosignerVkey(vkey)]).verified.length, 1);
  const conflict = await submit(w.url, 0, 8);
  t.equal(conflict.status, 409);
  t.equal(conflict.headers.get('content-type'), 'text/x.tlog.size');
  t.equal(await conflict.text(), '5\n');
  t.equal((await post(w.url, formatAddCheckpoint(9, [], log.checkpoint(8)))).status, 400);
  t.equal((await post(w.url, 'garbage')).status, 400);
  const other = makeTestLog('other.test/log');
  other.add(1);
  t.equal((await post(w.url, formatAddCheckpoint(0, [], other.checkpoint(1)))).status, 404);
  const forged = makeTestLog(ORIGIN);
  forged.add(6);
  t.equal(
    (await post(w.url, formatAddCheckpoint(5, log.proof(5, 6), forged.checkpoint(6)))).status,
    403
  );
  t.equal((await post(w.url, formatAddCheckpoint(5, [], log.checkpoint(6)))).status, 422);
  const big = await post(w.url, 'x'.repeat(WITNESS_BODY_LIMIT + 1));
  t.equal(big.status, 413, 'the body is capped');
  await w.close();

  // Restarted on the same directory, it remembers size 5.
  w = await startWitnessServer({ dataDir: data, logVkeys: [log.key.vkey] });
  const again = await submit(w.url, 0, 8);
  t.equal(again.status, 409);
  t.equal(await again.text(), '5\n');
  t.equal((await submit(w.url, 5, 8)).status, 200);
  const mon = await fetch(`${w.url}/${originHash(ORIGIN)}/checkpoint`);
  t.equal(mon.status, 200);
  const opened = openNote(await mon.text(), [log.verifier, parseCosignerVkey(vkey)]);
  t.equal(opened.verified.length, 2);
  t.match(opened.text, /^log\.test\/yishi\n8\n/);
});

t.test('the SQLite swap is atomic: a stalled smaller request cannot roll back', async (t) => {
  const dir = join(tempDir(t), 'w2');
  await yishi('witness', 'init', '--data', dir, '--name', 'witness.test/w2');
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  let first = true;
  let entered: () => void = () => {};
  const stalled = new Promise<void>((r) => (entered = r));
  const w = await startWitnessServer({
    dataDir: dir,
    logVkeys: [log.key.vkey],
    beforeSwap: async () => {
      if (first) {
        first = false;
        entered();
        await gate;
      }
    },
  });
  t.teardown(() => w.close());
  const a = submit(w.url, 0, 4);
  await stalled;
  const b = await submit(w.url, 0, 10);
  t.equal(b.status, 200);
  release();
  const ra = await a;
  t.equal(ra.status, 409);
  t.equal(await ra.text(), '10\n');
  const mon = await (await fetch(`${w.url}/${originHash(ORIGIN)}/checkpoint`)).text();
  t.match(mon, /^log\.test\/yishi\n10\n/);
});
