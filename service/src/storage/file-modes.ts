// File modes of a data directory (issue 14.6). The ledger, the service database, their SQLite
// side files and the keys are the owner's alone (0600), the folder too (0700). A folder readable
// or writable by others is tightened, not refused, and the caller logs that it was: refusing
// would only make the operator run `chmod` by hand, and leaving it open would let any local user
// read the keys or edit service.db. Public files (log.vkey, admin.pub) keep 0644.
import { chmodSync, existsSync, statSync } from 'node:fs';
import type { DataPaths } from './data-paths.js';

/** The umask the service runs with: nothing it creates is readable by group or others. */
export const SERVICE_UMASK = 0o077;

/** Files that must be 0600, where present. */
export function privateFiles(paths: DataPaths): string[] {
  const out = [paths.logKey, paths.adminKey];
  for (const db of [paths.db, paths.service]) out.push(db, `${db}-wal`, `${db}-shm`);
  return out;
}

/** What {@link secureDataDir} changed: each path with its mode before (octal text). */
export interface Tightened {
  path: string;
  was: string;
  now: string;
}

const octal = (mode: number): string => `0${(mode & 0o777).toString(8)}`;

/**
 * Tightens the data folder to 0700 and its private files to 0600 where they allow more.
 * Returns what it changed (empty when nothing did). POSIX only: a no-op on Windows.
 */
export function secureDataDir(paths: DataPaths): Tightened[] {
  if (process.platform === 'win32') return [];
  const changed: Tightened[] = [];
  const tighten = (path: string, want: number) => {
    if (!existsSync(path)) return;
    const mode = statSync(path).mode & 0o777;
    if ((mode & ~want) === 0) return;
    chmodSync(path, mode & want);
    changed.push({ path, was: octal(mode), now: octal(mode & want) });
  };
  tighten(paths.dir, 0o700);
  for (const f of privateFiles(paths)) tighten(f, 0o600);
  return changed;
}

/** Sets the process umask to {@link SERVICE_UMASK} (main thread only). Returns the old one. */
export function restrictUmask(): number {
  return process.umask(SERVICE_UMASK);
}
