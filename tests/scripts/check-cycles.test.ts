// The repository has no import cycle (packages, src modules, built modules), and the check
// says so only when that is true: a planted cycle makes it fail and name the modules.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { tempDir } from '../helpers/ledger-fixture.js';

const script = join(import.meta.dirname, '..', '..', 'scripts', 'check-cycles.mjs');

function run(root?: string): { code: number; output: string } {
  try {
    const out = execFileSync(process.execPath, [script, ...(root ? [root] : [])], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { code: 0, output: out };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, output: `${e.stdout}${e.stderr}` };
  }
}

t.test('the repository has no import cycle', async (t) => {
  const r = run();
  t.equal(r.code, 0, r.output);
  t.match(r.output, /no import cycle/);
});

t.test('a cycle between two modules, a type-only one included, fails the check', async (t) => {
  const root = tempDir(t);
  writeFileSync(join(root, 'package.json'), JSON.stringify({ workspaces: ['a', 'b'] }));
  for (const p of ['a', 'b']) {
    mkdirSync(join(root, p, 'src'), { recursive: true });
    writeFileSync(join(root, p, 'package.json'), JSON.stringify({ name: `@yishi/${p}` }));
  }
  writeFileSync(
    join(root, 'a', 'src', 'x.ts'),
    "import { y } from './y.js';\nexport const x = y;\n"
  );
  writeFileSync(
    join(root, 'a', 'src', 'y.ts'),
    "import type { X } from './x.js';\nexport const y = 1;\n"
  );
  writeFileSync(join(root, 'b', 'src', 'index.ts'), 'export const b = 1;\n');
  const r = run(root);
  t.equal(r.code, 1);
  t.match(r.output, /a\/src: a\/src\/x\.ts -> a\/src\/y\.ts -> a\/src\/x\.ts/);
});

t.test('a cycle between packages fails the check', async (t) => {
  const root = tempDir(t);
  writeFileSync(join(root, 'package.json'), JSON.stringify({ workspaces: ['a', 'b'] }));
  for (const [p, other] of [
    ['a', 'b'],
    ['b', 'a'],
  ] as const) {
    mkdirSync(join(root, p, 'src'), { recursive: true });
    writeFileSync(join(root, p, 'package.json'), JSON.stringify({ name: `@yishi/${p}` }));
    writeFileSync(join(root, p, 'src', 'index.ts'), `export * from '@yishi/${other}';\n`);
  }
  const r = run(root);
  t.equal(r.code, 1);
  t.match(r.output, /packages: @yishi\/(a|b) -> @yishi\/(a|b) -> @yishi\/\1/);
});
