// ARCHITECTURE.md is where the next engineer starts: it must name what the tree holds.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { repoRoot } from '../helpers/paths.js';

const text = readFileSync(join(repoRoot, 'ARCHITECTURE.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  workspaces: string[];
};

t.test('names every workspace package', async (t) => {
  for (const ws of pkg.workspaces) {
    const name = (
      JSON.parse(readFileSync(join(repoRoot, ws, 'package.json'), 'utf8')) as {
        name: string;
      }
    ).name;
    t.match(text, `\`${name}\` (\`${ws}/\`)`, `${name} is in the packages table`);
  }
});

t.test('lists exactly the folders and top-level files of service/src', async (t) => {
  const block = /```\nservice\/src\/\n([\s\S]*?)```/.exec(text);
  t.ok(block, 'the service/src block is present');
  const listed = new Set(
    (block?.[1] ?? '')
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[0] ?? '')
      .filter((n) => n !== '')
      .map((n) => n.replace(/\/$/, ''))
  );
  const src = join(repoRoot, 'service/src');
  const actual = readdirSync(src).filter(
    (n) => statSync(join(src, n)).isDirectory() || n.endsWith('.ts')
  );
  t.same([...listed].sort(), actual.map((n) => n.replace(/\/$/, '')).sort());
});
