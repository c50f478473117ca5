// One server per data directory. The lock is an exclusive SQLite lock on DIR/serve.lock
// (locking_mode = EXCLUSIVE, held from the first write until the connection closes): the
// operating system drops it when the process dies, however it dies, so a lock left by a killed
// server is never stale and is taken over by the next start without guessing from pids. The
// holder's pid is written beside it (DIR/serve.pid) only to name it in the refusal.
// See docs/decisions/0014-data-directory-lock.md.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** The data directory is used by another running server. */
export class DataDirLockedError extends Error {
  readonly code = 'DATA_DIR_LOCKED';
  constructor(
    readonly dir: string,
    readonly holderPid: number | undefined
  ) {
    super(
      `data directory ${dir} is in use by another yishi serve` +
        (holderPid !== undefined ? ` (pid ${holderPid})` : '') +
        '; stop that server first, or give this one another --data directory'
    );
    this.name = 'DataDirLockedError';
  }
}

/** A held lock on a data directory. */
export interface DataDirLock {
  /** Releases the lock (idempotent). */
  release(): void;
}

const isBusy = (e: unknown): boolean => {
  const code = (e as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
};

function holderPid(pidFile: string): number | undefined {
  try {
    const text = readFileSync(pidFile, 'utf8').trim();
    return /^[0-9]+$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the lock of the existing directory `dir` at once (no waiting).
 * @throws DataDirLockedError when another process (or another server in this one) holds it.
 */
export function lockDataDir(dir: string): DataDirLock {
  const lockFile = join(dir, 'serve.lock');
  const pidFile = join(dir, 'serve.pid');
  const db = new Database(lockFile, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec(
      'BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, since TEXT NOT NULL) STRICT;' +
        ' DELETE FROM holder;'
    );
    db.prepare('INSERT INTO holder (pid, since) VALUES (?, ?)').run(
      process.pid,
      new Date().toISOString()
    );
    db.exec('COMMIT');
  } catch (e) {
    db.close();
    if (isBusy(e)) throw new DataDirLockedError(dir, holderPid(pidFile));
    throw e;
  }
  writeFileSync(pidFile, `${process.pid}\n`);
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      if (holderPid(pidFile) === process.pid) rmSync(pidFile, { force: true });
      db.close();
    },
  };
}
