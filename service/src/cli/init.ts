import { initDataDir } from '../storage/data-dir.js';
import { dataDirFrom, out, parseCommandLine, UsageError, type Command } from './io.js';

const HELP = `Usage: yishi init [--data DIR] [--database URL] [--origin ORIGIN]

Creates a ledger in DIR (default ./data, or $YISHI_DATA): the SQLite ledger, the log's signing
key (log.key, mode 0600) and verifier key (log.vkey), the first admin's key (admin.key, mode
0600), the genesis entry and the first signed checkpoint. Refuses a directory that has a ledger.

Options:
  --data DIR       data directory
  --database URL   put the ledger in this empty PostgreSQL database (postgres://…) instead of
                   DIR/ledger.db; the keys are still written to DIR [YISHI_DATABASE_URL]
  --origin ORIGIN  checkpoint origin and log key name (default yishi.local/<ledger id>)
  -h, --help       show this help
`;

export const initCommand: Command = async (argv) => {
  const parsed = parseCommandLine(
    {
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        data: { type: 'string' },
        database: { type: 'string' },
        origin: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    HELP
  );
  if (parsed === null) return 0;
  const { values } = parsed;
  process.umask(0o077);
  const database = values.database ?? (process.env['YISHI_DATABASE_URL'] || undefined);
  if (database !== undefined && !/^postgres(ql)?:\/\//.test(database)) {
    throw new UsageError(
      '--database must be a postgres:// or postgresql:// URL (the value is not repeated: it may hold a password)'
    );
  }
  const result = await initDataDir(dataDirFrom(values.data), {
    ...(values.origin ? { origin: values.origin } : {}),
    ...(database ? { database } : {}),
  });
  out(
    `Created ledger ${result.ledgerId} (origin ${result.origin}) in ${result.paths.dir}\n` +
      `  log signing key:   ${result.paths.logKey} (keep it secret)\n` +
      `  log verifier key:  ${result.paths.logVkey}\n` +
      `  first admin's key: ${result.paths.adminKey} (give it to the higher-level organisation)\n` +
      `  vkey: ${result.vkey}\n` +
      result.tightened.map((c) => `  tightened ${c.path}: ${c.was} -> ${c.now}\n`).join('')
  );
  return 0;
};
