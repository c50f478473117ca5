// `--database postgres://…` for `yishi export|verify|audit|backup`: the ledger is first copied
// from PostgreSQL into a temporary SQLite ledger (each row checked), then the command runs on it
// as on any data folder or ledger file; the copy is removed afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { err, out, UsageError } from './io.js';

/** The commands that accept --database, and how the copy is handed to each. */
const TAKES: Record<string, 'data' | 'file'> = {
  export: 'data',
  backup: 'data',
  verify: 'file',
  audit: 'file',
};

/** Splits `--database URL` / `--database=URL` out of `argv`. */
function takeDatabase(argv: readonly string[]): { url: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let url: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === '--database') {
      url = argv[++i];
      if (url === undefined) throw new UsageError('--database needs a postgres:// URL');
    } else if (a.startsWith('--database=')) {
      url = a.slice('--database='.length);
    } else {
      rest.push(a);
    }
  }
  return { url, rest };
}

/**
 * Runs `command` with `argv`; for export, backup, verify and audit given `--database URL`, on a
 * temporary copy of that database's ledger.
 */
export async function withDatabaseOption(
  name: string,
  argv: string[],
  command: (argv: string[]) => Promise<number>
): Promise<number> {
  const how = TAKES[name];
  if (how === undefined) return command(argv);
  if (argv.includes('--help') || argv.includes('-h')) {
    const status = await command(argv);
    out(
      `  --database URL  work on a checked copy of the ledger in this PostgreSQL database\n` +
        `                (postgres://user@host:port/db) instead of ${how === 'data' ? '--data DIR' : 'a file'}\n`
    );
    return status;
  }
  const { url, rest } = takeDatabase(argv);
  if (url === undefined) return command(argv);
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new UsageError(
      '--database must be a postgres:// or postgresql:// URL (the value is not repeated: it may hold a password)'
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'yishi-db-copy-'));
  try {
    const db = join(dir, 'ledger.db');
    const { copyDatabaseToFile } = await import('../storage/postgres/copy-to-file.js');
    const size = await copyDatabaseToFile(url, db);
    err(`copied ${size} entries from the database\n`);
    return await command(how === 'data' ? [...rest, '--data', dir] : [db, ...rest]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
