/**
 * The README says what the code does: default port and body limit, every YISHI_* variable the
 * configuration reads, every `yishi <command>` (and its options) it shows, the two set-up
 * commands; and the route it gives for putting `yishi` on the PATH works from an empty folder.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@yishi/service';
import { tempDir } from './helpers/ledger-fixture.js';
import { yishi } from './helpers/cli.js';
import { repoRoot } from './helpers/paths.js';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const defaults = loadConfig({}, {});

/** The README's code: fenced blocks' lines and inline code spans. */
function codeSnippets(text: string): string[] {
  const snippets: string[] = [];
  const fence = /```[a-z]*\n([\s\S]*?)```/g;
  for (const m of text.matchAll(fence)) snippets.push(...(m[1] as string).split('\n'));
  const prose = text.replace(fence, '');
  for (const m of prose.matchAll(/`([^`\n]+)`/g)) snippets.push(m[1] as string);
  return snippets;
}

/** Each `yishi <command> …` the README shows, with the options written after it. */
function invocations(text: string): { command: string; options: string[]; source: string }[] {
  const found = [];
  for (const snippet of codeSnippets(text)) {
    const code = snippet.replace(/\s#.*$/, '');
    for (const m of code.matchAll(/(?:^|[\s(])(?:npx )?yishi ([a-z][a-z-]*)((?: [^|]*)?)/g)) {
      const options = [...(m[2] ?? '').matchAll(/(?:^|[\s[])(--[a-z][a-z-]*)/g)].map(
        (o) => o[1] as string
      );
      found.push({ command: m[1] as string, options, source: snippet });
    }
  }
  return found;
}

t.test('the default port and address are the ones the README gives', async (t) => {
  t.equal(defaults.port, 8080);
  t.equal(defaults.host, '127.0.0.1');
  t.match(readme, `http://127.0.0.1:${defaults.port}`);
});

t.test('the body limit is the one the README gives', async (t) => {
  t.equal(defaults.bodyLimit, 128 * 1024);
  t.match(readme, `${defaults.bodyLimit / 1024} KiB (${defaults.bodyLimit} bytes`);
  t.notMatch(readme, /\b64 KiB\b/);
});

t.test('every YISHI_* variable the configuration reads is in the README', async (t) => {
  const config = readFileSync(join(repoRoot, 'service/src/config.ts'), 'utf8');
  const names = new Set(config.match(/YISHI_[A-Z_]+/g));
  t.ok(names.size >= 12, `${names.size} variables`);
  for (const name of names) t.match(readme, name, `${name} is documented`);
});

t.test('every `yishi <command>` in the README is a command, with options it takes', async (t) => {
  const shown = invocations(readme);
  t.ok(shown.length >= 10, `${shown.length} invocations`);
  const help = new Map<string, string>();
  for (const { command, options, source } of shown) {
    if (!help.has(command)) {
      const run = await yishi(command, '--help');
      t.equal(run.status, 0, `yishi ${command} is a command (${source})`);
      help.set(command, run.stdout);
    }
    for (const option of options) {
      t.match(help.get(command), option, `yishi ${command} takes ${option} (${source})`);
    }
  }
  const version = await yishi('--version');
  t.equal(version.status, 0);
  t.match(readme, 'yishi --version');
});

t.test('the README keeps the two set-up commands', async (t) => {
  t.match(readme, '```sh\nnpm install && npm start\n```');
  t.match(readme, '```sh\nnpm test\n```');
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  t.equal(pkg.scripts['start'], 'node service/bin/yishi.js serve', 'npm start needs no compiler');
  t.notOk('hypercore' in pkg.devDependencies, 'the bench installs hypercore itself');
});

t.test('`npm install -g ./service` puts a working yishi on the PATH', async (t) => {
  t.match(readme, 'npm install -g ./service');
  const dir = tempDir(t, 'yishi-global-');
  const prefix = join(dir, 'global');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const install = spawnSync(
    npm,
    [
      'install',
      '-g',
      '--prefix',
      prefix,
      join(repoRoot, 'service'),
      '--offline',
      '--no-audit',
      '--no-fund',
    ],
    { cwd: dir, encoding: 'utf8' }
  );
  t.equal(install.status, 0, install.stderr);
  const bin =
    process.platform === 'win32' ? join(prefix, 'yishi.cmd') : join(prefix, 'bin', 'yishi');
  const run = spawnSync(bin, ['--version'], { cwd: dir, encoding: 'utf8' });
  t.equal(run.status, 0, run.stderr);
  const { version } = JSON.parse(readFileSync(join(repoRoot, 'service/package.json'), 'utf8')) as {
    version: string;
  };
  t.equal(run.stdout.trim(), `yishi ${version}`);
});
