// Small helpers shared by the benchmarks: timing, percentiles, folders, progress on stderr.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/dist/util.js is two folders below it). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Where generated ledgers are kept between runs (git-ignored). */
export const cacheDir = join(repoRoot, 'bench', '.cache');

/** How big and how long: `--quick` finishes within a minute, the full run within ~10. */
export interface BenchOptions {
  quick: boolean;
  /** Profile the ingest server during a second run even with --quick (the full run always does). */
  profile: boolean;
}

/** Progress and notes go to stderr, so that `--json` keeps stdout to the JSON. */
export const note = (text: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
};

/** Seconds since `start` (a performance.now() value). */
export const since = (start: number): number => (performance.now() - start) / 1000;

/** The q-quantile (0..1) of `values` (sorted in place), nearest rank. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  values.sort((a, b) => a - b);
  const i = Math.min(values.length - 1, Math.max(0, Math.ceil(q * values.length) - 1));
  return values[i] as number;
}

/** A temporary folder, removed by the returned function. */
export function tempFolder(prefix: string): { dir: string; remove: () => void } {
  mkdirSync(cacheDir, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), `yishi-bench-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Resolves after `ms`; the timer does not keep the process alive. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

/** Rejects with `message` unless `promise` settles within `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
