/**
 * The README's shell forms work: the blocks marked `<!-- readme-test: shell -->` run in order, in
 * one bash script with `yishi` on the PATH, in a temporary folder, against a service this test
 * starts there (127.0.0.1, a free port, in place of the README's http://127.0.0.1:8080).
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { tempDir } from './helpers/ledger-fixture.js';
import { repoRoot } from './helpers/paths.js';
import { startTestServer } from './helpers/test-server.js';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

/** The code of each ```sh block right after a `readme-test: shell` marker. */
function shellBlocks(text: string): string[] {
  const marked = /<!-- readme-test: shell -->\s*```sh\n([\s\S]*?)```/g;
  return [...text.matchAll(marked)].map((m) => m[1] as string);
}

t.test('the README marks its shell forms for testing', async (t) => {
  const blocks = shellBlocks(readme);
  t.ok(blocks.length >= 2, `${blocks.length} blocks`);
  const code = blocks.join('\n');
  for (const command of ['yishi keygen', 'yishi submit', 'yishi get']) t.match(code, command);
  t.match(code, /test "\$OUTCOME" = deferred/, 'the deferral is asserted, not only shown');
  t.equal(
    (readme.match(/readme-test: shell/g) ?? []).length - 1,
    blocks.length,
    'each marker has its block'
  );
});

t.test('the marked shell blocks run against a live service', async (t) => {
  const dir = tempDir(t, 'yishi-readme-shell-');
  const server = await startTestServer(join(dir, 'data'));
  t.teardown(() => server.close());
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const shim = join(bin, 'yishi');
  writeFileSync(
    shim,
    `#!/bin/sh\nexec "${process.execPath}" "${join(repoRoot, 'service/bin/yishi.js')}" "$@"\n`
  );
  chmodSync(shim, 0o755);
  const script = ['set -euo pipefail', ...shellBlocks(readme)]
    .join('\n')
    .replaceAll('http://127.0.0.1:8080', server.url);
  // Asynchronous: the service answers from this process while bash runs.
  const child = spawn('bash', ['-c', script], {
    cwd: dir,
    env: { ...process.env, PATH: `${bin}${delimiter}${process.env['PATH'] ?? ''}` },
    timeout: 540_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  t.equal(code, 0, `every command succeeded (set -e), yishi verify included: ${stderr}`);
  t.equal(statSync(join(dir, 'sun-lihua.key')).mode & 0o777, 0o600, 'the member key is 0600');
  t.match(stdout, /"principalId": "sun-lihua"/, 'the member reads as herself');
  t.match(stdout, /"role": "member"/);
  t.match(stdout, 'refused (exit 1)');
  t.match(stderr, /HTTP 403 ROLE_NOT_ALLOWED/);
  t.match(stdout, /"code": "ROLE_NOT_ALLOWED"/);
  t.match(readFileSync(join(dir, 'export.jsonl'), 'utf8'), /^\{"yishi":"ledger-export\//);
  // The SDK section's deferral in shell form: `test "$OUTCOME" = deferred` stops the script (set -e)
  // when vote.open answers anything else.
  t.match(stdout, 'deferred (P8): no vote opened', 'vote.open was deferred by P8');
});
