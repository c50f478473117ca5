// `npm start` and `npm install` (prepare) build with the TypeScript compiler when it is installed
// (a clone with dev dependencies); where dev dependencies are pruned (`npm ci --omit=dev`, the
// Docker image) the compiled output must already be there, and nothing is compiled. The
// auditor's page (audit-page/dist/audit.html) is bundled by esbuild after the compiler ran.
// Usage: node scripts/build-if-needed.mjs [--require-dist]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built =
  ['schema', 'crypto', 'procedure', 'verify', 'service', 'sdk'].every((p) =>
    existsSync(join(root, p, 'dist', 'index.js'))
  ) && existsSync(join(root, 'audit-page', 'dist', 'audit.html'));

let tsc;
try {
  tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
} catch {
  tsc = undefined;
}

if (tsc !== undefined) {
  const run = spawnSync(process.execPath, [tsc, '-b'], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
  const page = spawnSync(process.execPath, [join(root, 'audit-page', 'build.mjs')], {
    cwd: root,
    stdio: 'inherit',
  });
  process.exit(page.status ?? 1);
}
if (!built && process.argv.includes('--require-dist')) {
  process.stderr.write(
    'yishi is not built and the TypeScript compiler is not installed: run `npm install` ' +
      '(with dev dependencies) and `npm run build`, then `npm start`.\n'
  );
  process.exit(1);
}
