import t from 'tap';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, initDataDir, loadConfig, startServer } from '@yishi/service';
import { tempDir } from '../helpers/ledger-fixture.js';

const dir = tempDir(t, 'yishi-logkey-');
const data = join(dir, 'data');
const secret = join(dir, 'secret-log.key');
const quiet = createLogger('silent');

t.test('YISHI_LOG_KEY_FILE: the log key is read from apart from the ledger', async (t) => {
  await initDataDir(data);
  renameSync(join(data, 'log.key'), secret);
  const config = loadConfig({ data, port: '0' }, { YISHI_LOG_KEY_FILE: secret });
  t.equal(config.logKeyFile, secret);
  const server = await startServer(config, quiet);
  t.teardown(() => server.close());
  t.equal((await fetch(`${server.url}/ready`)).status, 200);
  t.equal((await fetch(`${server.url}/log/checkpoint`)).status, 200);
});

t.test('YISHI_LOG_KEY_FILE naming no file, or no ledger beside it, stops the start', async (t) => {
  const missing = loadConfig({ data, port: '0' }, { YISHI_LOG_KEY_FILE: join(dir, 'none') });
  await t.rejects(startServer(missing, quiet), /YISHI_LOG_KEY_FILE: .*no such file/);
  const empty = loadConfig({ data: join(dir, 'empty'), port: '0' }, { YISHI_LOG_KEY_FILE: secret });
  await t.rejects(startServer(empty, quiet), /no ledger/);
});
