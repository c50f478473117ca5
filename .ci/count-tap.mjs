// Counts the leaf test points (assertions and childless subtests) in tap's saved per-file results
// and prints the closing line CI reads: "N passed, N failed". A test point is a parent when the line
// before it is indented deeper (its subtest's body); parents are not counted twice.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const [dir = '.tap/test-results', exitCode = '0'] = process.argv.slice(2);

function* files(d) {
  let names;
  try {
    names = readdirSync(d);
  } catch {
    return;
  }
  for (const n of names) {
    const p = join(d, n);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (p.endsWith('.tap')) yield p;
  }
}

const indent = (l) => l.length - l.trimStart().length;
let passed = 0;
let failed = 0;
let skipped = 0;
for (const f of files(dir)) {
  const lines = readFileSync(f, 'utf8').split('\n');
  let prev = '';
  for (const line of lines) {
    const m = /^(\s*)(not ok|ok) \d+/.exec(line);
    if (m) {
      const isParent = prev !== '' && indent(prev) > m[1].length;
      if (!isParent) {
        if (/# (SKIP|TODO)\b/i.test(line)) skipped++;
        else if (m[2] === 'ok') passed++;
        else failed++;
      }
    }
    if (line.trim() !== '' && !/^\s*(---|\.\.\.)\s*$/.test(line) && !/^\s+[\w-]+:/.test(line))
      prev = line;
  }
}
if (Number(exitCode) !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
