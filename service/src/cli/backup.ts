import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { LedgerStore } from '../ledger/index.js';
import { dataPaths } from '../storage/data-dir.js';
import { dataDirFrom, out, parseCommandLine, UsageError, type Command } from './io.js';

const BACKUP_HELP = `Usage: yishi backup [--data DIR] --out FILE

Copies the ledger (DIR/ledger.db) to FILE through SQLite's online backup API: a consistent copy
of the ledger as it was at one moment, taken while 'yishi serve' keeps running and writing.
FILE is itself a ledger database: 'yishi verify FILE' checks it.

The keys are not in FILE: back up log.vkey (public) and admin.pub with it, and keep log.key and
admin.key in your secret store (they are needed to serve, not to verify). service.db is a cache
of what the ledger implies (snapshot, closed records, idempotency, webhooks) and is not copied:
a restored service rebuilds it by replaying the ledger.

Options:
  --data DIR   data directory (default ./data, or $YISHI_DATA)
  --out FILE   the backup file to write; must not exist
  -h, --help   show this help
`;

const RESTORE_HELP = `Usage: yishi restore --from FILE [--data DIR] [--force]

Puts the ledger backup FILE (written by 'yishi backup') in place as DIR/ledger.db, after checking
that it is a readable ledger. Stop the service on DIR first. Refuses a DIR whose ledger has
entries unless --force is given; DIR/service.db is removed so the next start rebuilds it from the
restored ledger. log.key and log.vkey must be put back in DIR (or YISHI_LOG_KEY_FILE set) before
'yishi serve'.

Options:
  --from FILE  the backup to restore
  --data DIR   data directory (default ./data, or $YISHI_DATA)
  --force      replace a ledger that has entries
  -h, --help   show this help
`;

/** Pages SQLite copies per step after the first: all of them, so one step is one read snapshot. */
const ALL_PAGES = 0x7fffffff;

/** The SQLite files of a database: itself, its write-ahead log and shared memory. */
const sqliteFiles = (path: string): string[] => [path, `${path}-wal`, `${path}-shm`];

/** Entries in the ledger at `path`, opened as a ledger (schema brought up to date). */
function ledgerSize(path: string): { size: number; ledgerId: string | undefined } {
  const store = LedgerStore.open(path);
  try {
    return { size: store.size, ledgerId: store.ledgerId };
  } finally {
    store.close();
  }
}

/**
 * Copies the database at `from` to `to` with the online backup API. The source connection never
 * writes; in WAL mode the copy is one read transaction, so the writer is not blocked and the copy
 * is the database as of one commit.
 */
export async function backupDatabase(from: string, to: string): Promise<void> {
  const db = new Database(from, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    await db.backup(to, { progress: () => ALL_PAGES });
  } finally {
    db.close();
  }
}

export const backupCommand: Command = async (argv) => {
  const parsed = parseCommandLine(
    {
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        data: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    BACKUP_HELP
  );
  if (parsed === null) return 0;
  const { values } = parsed;
  if (values.out === undefined) throw new UsageError('give the backup file with --out FILE');
  const paths = dataPaths(dataDirFrom(values.data));
  if (!existsSync(paths.db)) throw new UsageError(`${paths.db}: no ledger here`);
  const target = resolve(values.out);
  if (existsSync(target)) throw new UsageError(`${target} exists; give a new file`);
  if (!existsSync(dirname(target))) throw new UsageError(`${dirname(target)}: no such folder`);
  // Written beside the target and renamed once complete: a FILE that exists is a whole backup.
  const partial = `${target}.partial`;
  for (const f of sqliteFiles(partial)) rmSync(f, { force: true });
  await backupDatabase(paths.db, partial);
  const { size, ledgerId } = ledgerSize(partial);
  for (const f of sqliteFiles(partial).slice(1)) rmSync(f, { force: true });
  renameSync(partial, target);
  out(`Backed up ledger ${ledgerId ?? '?'} (${size} entries) to ${target}\n`);
  return 0;
};

export const restoreCommand: Command = async (argv) => {
  const parsed = parseCommandLine(
    {
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        from: { type: 'string' },
        data: { type: 'string' },
        force: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    RESTORE_HELP
  );
  if (parsed === null) return 0;
  const { values } = parsed;
  if (values.from === undefined) throw new UsageError('give the backup file with --from FILE');
  const from = resolve(values.from);
  if (!existsSync(from) || !statSync(from).isFile()) throw new UsageError(`${from}: no such file`);
  const paths = dataPaths(dataDirFrom(values.data));
  if (existsSync(paths.db) && values.force !== true) {
    const { size } = ledgerSize(paths.db);
    if (size > 0) {
      throw new UsageError(
        `${paths.db} holds a ledger of ${size} entries; stop its service and add --force to replace it`
      );
    }
  }
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  // Copied (through the backup API again, so a backup left in WAL mode comes whole) and checked
  // beside the ledger, then renamed over it: a crash leaves the old ledger or the new one.
  const incoming = `${paths.db}.restore`;
  for (const f of sqliteFiles(incoming)) rmSync(f, { force: true });
  await backupDatabase(from, incoming);
  const check = new Database(incoming, { fileMustExist: true });
  let integrity: unknown;
  try {
    integrity = check.pragma('integrity_check', { simple: true });
  } finally {
    check.close();
  }
  if (integrity !== 'ok') {
    for (const f of sqliteFiles(incoming)) rmSync(f, { force: true });
    throw new Error(`${from} is damaged (integrity_check: ${String(integrity)})`);
  }
  const { size, ledgerId } = ledgerSize(incoming);
  if (size === 0) {
    for (const f of sqliteFiles(incoming)) rmSync(f, { force: true });
    throw new Error(`${from} holds no ledger entries`);
  }
  for (const f of sqliteFiles(incoming).slice(1)) rmSync(f, { force: true });
  for (const f of [...sqliteFiles(paths.db).slice(1), ...sqliteFiles(paths.service)]) {
    rmSync(f, { force: true });
  }
  renameSync(incoming, paths.db);
  const missing = [paths.logKey, paths.logVkey].filter((f) => !existsSync(f));
  out(
    `Restored ledger ${ledgerId ?? '?'} (${size} entries) to ${paths.db}\n` +
      (missing.length > 0 ? `  put back before 'yishi serve': ${missing.join(', ')}\n` : '') +
      `  the next start replays the whole ledger to rebuild service.db\n`
  );
  return 0;
};
