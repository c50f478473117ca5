// The SDK as an integrator installs it: scripts/pack-sdk-check.mjs packs the five workspaces,
// installs them into a fresh "type": "module" project with strict TypeScript, compiles a client
// there and runs it against this service (127.0.0.1, a free port).
import t from 'tap';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startServer } from '@yishi/service';
import { pino } from 'pino';
import { tempDir } from '../helpers/ledger-fixture.js';
import { repoRoot } from '../helpers/paths.js';

const data = join(tempDir(t, 'yishi-packed-sdk-'), 'data');
const server = await startServer(
  {
    dataDir: data,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
    checkpointIntervalMs: 50,
    rateLimitPerMinute: 10_000,
    bodyLimit: 128 * 1024,
  },
  pino({ level: 'silent' })
);
t.teardown(() => server.close());

t.test('a strict TypeScript project compiles and runs a client of the packed SDK', async (t) => {
  // Asynchronous: the service answers from this process while the script runs.
  const script = join(repoRoot, 'scripts/pack-sdk-check.mjs');
  const child = spawn(
    process.execPath,
    [script, '--url', server.url, '--admin-key', join(data, 'admin.key')],
    { cwd: repoRoot, timeout: 540_000 }
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  t.equal(code, 0, stderr);
  t.match(stdout, /^packed SDK OK: 5 tarballs/);
  t.match(stdout, /"role":"member","refused":"ROLE_NOT_ALLOWED"/);
});
