// The README's "Running on PostgreSQL" commands, run as written (bash, `yishi` being this
// repository's CLI) against a fresh database on the .ci/run server.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { tempDir } from '../../helpers/ledger-fixture.js';
import { repoRoot } from '../../helpers/paths.js';
import { freshDatabase, needsPostgres } from '../../helpers/postgres.js';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

/** The first sh block of the section. */
function sectionCommands(): string {
  const start = readme.indexOf('## Running on PostgreSQL');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end);
  const m = /```sh\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error('no sh block in "Running on PostgreSQL"');
  return m[1] as string;
}

t.test('the README runs yishi on PostgreSQL as it says', needsPostgres(), async (t) => {
  const commands = sectionCommands();
  t.match(commands, 'yishi init --data data-1 --database');
  const url = await freshDatabase(t);
  const dir = tempDir(t, 'yishi-pg-readme-');
  const bin = join(repoRoot, 'service/bin/yishi.js');
  // `yishi` on the PATH execs node, so `kill $(jobs -p)` reaches the servers themselves.
  const binDir = join(dir, 'bin');
  mkdirSync(binDir);
  writeFileSync(join(binDir, 'yishi'), `#!/bin/sh\nexec "${process.execPath}" "${bin}" "$@"\n`, {
    mode: 0o755,
  });
  const run = spawnSync('bash', ['-e', '-c', commands], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 300_000,
    env: {
      ...process.env,
      PATH: `${binDir}:${process.env['PATH'] ?? ''}`,
      YISHI_DATABASE_URL: url,
      YISHI_LOG_LEVEL: 'warn',
    },
  });
  t.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  t.match(run.stdout, /"ledgerId"/, 'the first instance answers');
  t.match(run.stdout, /yishi\.local\/[0-9a-f-]+\n1\n/, 'the second serves the checkpoint');
  t.ok(existsSync(join(dir, 'ledger.jsonl')), 'the export was written');
  t.match(run.stdout, /ok|verified|passed/i);
});
