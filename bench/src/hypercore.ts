// hypercore is the append benchmark's outside baseline only. It pulls a native RocksDB (~160 MB),
// so it is not a dependency of the repository: the bench installs the pinned version on first use
// into bench/.deps (npm install --no-save --prefix), and skips its rows when that fails or when
// YISHI_BENCH_HYPERCORE=0.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type Hypercore from 'hypercore';
import { repoRoot } from './util.js';

/** The hypercore constructor (its types: bench/src/modules.d.ts). */
export type HypercoreCtor = typeof Hypercore;

/** The hypercore the published figures were measured with. */
export const HYPERCORE_VERSION = '11.39.5';
/** Where the bench installs it (ignored by git, never part of `npm install`). */
export const DEPS_DIR = join(repoRoot, 'bench', '.deps');

const resolveFromDeps = (): string | undefined => {
  try {
    return createRequire(join(DEPS_DIR, 'package.json')).resolve('hypercore');
  } catch {
    return undefined;
  }
};

/**
 * The hypercore constructor, installing it into bench/.deps first if needed; or why there is
 * none (the caller skips the hypercore rows and prints the reason).
 */
export async function loadHypercore(
  log: (line: string) => void
): Promise<{ Hypercore: typeof Hypercore } | { skipped: string }> {
  if (process.env['YISHI_BENCH_HYPERCORE'] === '0') {
    return { skipped: 'YISHI_BENCH_HYPERCORE=0' };
  }
  let path = resolveFromDeps();
  if (path === undefined) {
    log(`append: installing hypercore@${HYPERCORE_VERSION} into bench/.deps (once)`);
    mkdirSync(DEPS_DIR, { recursive: true });
    const manifest = join(DEPS_DIR, 'package.json');
    if (!existsSync(manifest)) writeFileSync(manifest, '{ "private": true }\n');
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const run = spawnSync(
      npm,
      [
        'install',
        '--no-save',
        '--no-audit',
        '--no-fund',
        '--prefix',
        DEPS_DIR,
        `hypercore@${HYPERCORE_VERSION}`,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] }
    );
    path = resolveFromDeps();
    if (run.status !== 0 || path === undefined) {
      return {
        skipped:
          `could not install hypercore@${HYPERCORE_VERSION} into bench/.deps ` +
          `(npm exit ${String(run.status)}); run 'npm install --no-save --prefix bench/.deps ` +
          `hypercore@${HYPERCORE_VERSION}' and run the bench again`,
      };
    }
  }
  const mod = (await import(pathToFileURL(path).href)) as { default: typeof Hypercore };
  return { Hypercore: mod.default };
}
