/**
 * `yishi backup` and `yishi restore`: a backup taken while a server child process receives signed
 * commands restores to a ledger that `yishi verify` passes and that a new server serves.
 */
import t from 'tap';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSecretKey } from '@yishi/crypto';
import { tempDir } from '../helpers/ledger-fixture.js';
import { yishi } from '../helpers/cli.js';
import { spawnServer } from '../reliability/helpers/child-server.js';
import { LoadModel, prng, runLoad } from '../reliability/helpers/load.js';

const dir = tempDir(t, 'yishi-backup-');
const data = join(dir, 'data');
const file = join(dir, 'ledger.backup');

t.test('a backup taken under load restores to a ledger that verifies and serves', async (t) => {
  const server = await spawnServer(data, { YISHI_RATE_LIMIT: '1000000' });
  t.teardown(() => server.kill());
  const admin = parseSecretKey(readFileSync(join(data, 'admin.key'), 'utf8').trim()).secretKey;
  const info = (await (await fetch(`${server.url}/ledger/info`)).json()) as { ledgerId: string };
  const model = new LoadModel([admin], prng(7), info.ledgerId);
  let stop = false;
  const load = runLoad(server.url, model, 4, () => stop);
  // Let entries pile up, then back up while the load keeps writing.
  while (model.bodies.length < 20) await new Promise((r) => setTimeout(r, 20));
  const backup = await yishi('backup', '--data', data, '--out', file);
  const afterBackup = model.bodies.length;
  await new Promise((r) => setTimeout(r, 100));
  stop = true;
  const result = await load;
  t.equal(backup.status, 0, backup.stderr);
  t.match(backup.stdout, /Backed up ledger .* \(\d+ entries\)/);
  t.same(result.refused, [], 'the load was not disturbed');
  t.ok(model.bodies.length > afterBackup, 'the server kept writing during and after the backup');
  t.notOk(existsSync(`${file}.partial`), 'no partial file is left');

  const vkey = join(data, 'log.vkey');
  const verified = await yishi('verify', '--vkey', vkey, file);
  t.equal(verified.status, 0, verified.stdout + verified.stderr);

  await server.kill();
  const restored = join(dir, 'restored');
  const put = await yishi('restore', '--from', file, '--data', restored);
  t.equal(put.status, 0, put.stderr);
  t.match(put.stdout, /put back before 'yishi serve'/);
  copyFileSync(join(data, 'log.key'), join(restored, 'log.key'));
  copyFileSync(vkey, join(restored, 'log.vkey'));
  const again = await yishi('verify', '--vkey', vkey, join(restored, 'ledger.db'));
  t.equal(again.status, 0, again.stdout + again.stderr);

  const second = await spawnServer(restored);
  t.teardown(() => second.kill());
  const ready = await fetch(`${second.url}/ready`);
  t.equal(ready.status, 200);
  const size = ((await ready.json()) as { size: number }).size;
  t.ok(size > 20, `the restored server serves ${size} entries`);
  const note = await fetch(`${second.url}/log/checkpoint`);
  t.equal(note.status, 200);
});

t.test('restore refuses to replace a ledger with entries unless forced', async (t) => {
  const before = await yishi('restore', '--from', file, '--data', data);
  t.equal(before.status, 2);
  t.match(before.stderr, /--force/);
  const forced = await yishi('restore', '--from', file, '--data', data, '--force');
  t.equal(forced.status, 0, forced.stderr);
  t.notOk(existsSync(join(data, 'service.db')), 'service.db is dropped, to be rebuilt');
});

t.test('backup and restore refuse wrong arguments with usage errors', async (t) => {
  t.equal((await yishi('backup', '--data', data)).status, 2, 'no --out');
  t.equal((await yishi('backup', '--data', data, '--out', file)).status, 2, '--out exists');
  t.equal((await yishi('backup', '--data', join(dir, 'none'), '--out', join(dir, 'x'))).status, 2);
  t.equal((await yishi('restore', '--data', data)).status, 2, 'no --from');
  t.equal((await yishi('restore', '--from', join(dir, 'none'), '--data', data)).status, 2);
  const junk = join(dir, 'junk');
  writeFileSync(junk, 'not a database');
  t.equal((await yishi('restore', '--from', junk, '--data', join(dir, 'r2'))).status, 1);
});
