// Data files are the owner's alone (issue 14.6): the ledger, service.db, their -wal/-shm files and
// the keys are 0600, the folder 0700, whatever the umask the service was started with; a folder
// that was readable by others is tightened and the log says so.
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import t from 'tap';
import { dataPaths, initDataDir, startServer } from '@yishi/service';
import { tempDir } from '../../helpers/ledger-fixture.js';
import { testServerConfig } from '../../helpers/test-server.js';

const mode = (p: string) => statSync(p).mode & 0o777;

t.test(
  'yishi init into an existing 0755 folder leaves it 0700 and every secret 0600',
  async (t) => {
    const old = process.umask(0o022);
    t.teardown(() => process.umask(old));
    const dir = join(tempDir(t), 'data');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    const r = await initDataDir(dir);
    t.equal(mode(dir), 0o700, 'the folder');
    t.match(r.tightened, [{ path: r.paths.dir, was: '0755', now: '0700' }], 'and says so');
    for (const f of [r.paths.logKey, r.paths.adminKey, r.paths.db]) t.equal(mode(f), 0o600, f);
    t.equal(mode(r.paths.logVkey), 0o644, 'the verifier key is public');
  }
);

t.test('the service runs with umask 077 and tightens what it finds open', async (t) => {
  const old = process.umask(0o022);
  t.teardown(() => process.umask(old));
  const dir = join(tempDir(t), 'data');
  const init = await initDataDir(dir);
  const paths = dataPaths(dir);
  // As a service of earlier versions left them: world-readable.
  chmodSync(dir, 0o755);
  chmodSync(paths.db, 0o644);
  writeFileSync(paths.service, '', { mode: 0o644 });
  chmodSync(paths.service, 0o644);
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    })
  );
  const config = testServerConfig(dir, 'info');
  const server = await startServer(config, logger);
  t.teardown(() => server.close());
  t.equal(process.umask(), 0o077, 'umask 077');
  t.ok(
    lines.some((l) => l['msg'] === 'the data folder was readable by others: modes tightened'),
    'logged'
  );
  t.equal(mode(dir), 0o700, 'the folder');
  const files = [
    init.paths.logKey,
    init.paths.adminKey,
    paths.db,
    `${paths.db}-wal`,
    `${paths.db}-shm`,
    paths.service,
    `${paths.service}-wal`,
    `${paths.service}-shm`,
  ];
  for (const f of files) t.equal(mode(f), 0o600, `${f.slice(dir.length + 1)} is 0600`);
});
