// Creating the data directory without `mkdirSync(…, { recursive: true })`: on procfs Node's
// recursive mkdir loops forever at 100% CPU (`yishi serve --data /proc/nope` hung). The directory
// is made one level at a time below its nearest existing ancestor, which must be a writable
// directory on an ordinary file system, so every failure is an error naming the path at once.
import { accessSync, constants, mkdirSync, statfsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** A data directory that cannot be used: the message names the path and why. */
export class DataDirError extends Error {
  readonly code = 'DATA_DIR_UNUSABLE';
  constructor(
    message: string,
    readonly path: string
  ) {
    super(message);
    this.name = 'DataDirError';
  }
}

/** Kernel file systems that hold no files of ours (statfs f_type). */
const PSEUDO_FS: Record<number, string> = {
  0x9fa0: 'procfs',
  0x62656572: 'sysfs',
  0x1cd1: 'devpts',
  0x64626720: 'debugfs',
  0x74726163: 'tracefs',
  0x27e0eb: 'cgroup',
  0x63677270: 'cgroup2',
  0x73636673: 'securityfs',
};

function fileSystemOf(path: string): string | undefined {
  try {
    return PSEUDO_FS[statfsSync(path).type];
  } catch {
    return undefined;
  }
}

/**
 * Makes sure `dir` exists as a writable directory, creating the missing levels (mode 0700).
 * @throws DataDirError naming the path and the reason: an ancestor that is not a directory, a
 *   kernel file system (/proc, /sys), no write permission, or mkdir's own error.
 */
export function ensureDataDir(dir: string): string {
  const target = resolve(dir);
  const missing: string[] = [];
  let existing = target;
  for (;;) {
    try {
      statSync(existing);
      break;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') {
        throw new DataDirError(`cannot use data directory ${target}: ${existing}: ${code}`, target);
      }
    }
    const parent = dirname(existing);
    if (parent === existing) break;
    missing.unshift(existing);
    existing = parent;
  }
  if (!statSync(existing).isDirectory()) {
    throw new DataDirError(
      `cannot use data directory ${target}: ${existing} is not a directory`,
      target
    );
  }
  const fs = fileSystemOf(existing);
  if (fs !== undefined) {
    throw new DataDirError(
      `cannot use data directory ${target}: ${existing} is on ${fs}, a kernel file system; ` +
        'choose a directory on a disk (--data DIR or YISHI_DATA)',
      target
    );
  }
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch {
    throw new DataDirError(
      `cannot use data directory ${target}: ${existing} is not writable by this user`,
      target
    );
  }
  for (const level of missing) {
    try {
      mkdirSync(level, { mode: 0o700 });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && statSync(level).isDirectory()) continue;
      throw new DataDirError(
        `cannot create data directory ${target}: mkdir ${level} failed (${code ?? (e as Error).message})`,
        target
      );
    }
  }
  return target;
}
