import { createWriteStream, existsSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { dataPaths } from '../storage/data-dir.js';
import { LedgerStore } from '../ledger/index.js';
import { exportLines, scopeEntries, type ExportScope } from '../ledger/export-lines.js';
import { Progress } from './progress.js';
import { cliIo, dataDirFrom, err, parseCommandLine, UsageError, type Command } from './io.js';

const HELP = `Usage: yishi export [--data DIR] [--out FILE] [--body ID]...

Writes the ledger as JSON Lines, the file an auditor receives: a header line, every entry in
order (exactly the bytes that were hashed), then every checkpoint the log signed (with its
witnesses' cosignatures where they were gathered). Check it with 'yishi verify FILE --vkey VKEY'
or, against a witness policy, 'yishi audit FILE --policy POLICY'.

With --body, the export is scoped to those bodies (for an auditor appointed to them): their
entries and the ledger-wide ones in full, every other entry as a redacted line (its position,
prev and leaf hash), so the chain, the tree and every checkpoint still verify.

Options:
  --data DIR    data directory [YISHI_DATA] (default ./data)
  --out FILE    write to FILE instead of standard output
  --body ID     scope the export to body ID (repeat for several bodies)
  -h, --help    show this help

On a terminal, progress is shown on standard error.
`;

async function write(stream: Writable, line: string): Promise<void> {
  if (!stream.write(line)) await once(stream, 'drain');
}

/** What {@link writeExport} may be told. */
export interface WriteExportOptions {
  /** Show only these bodies' entries (and the ledger-wide ones) in full: a scoped export. */
  bodies?: readonly string[];
  /** Hears progress (a terminal's bar). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Streams the ledger in `dbPath` as an export to `stream`; returns the number of entries.
 * @throws UsageError when a body of `bodies` is not one the ledger created.
 */
export async function writeExport(
  dbPath: string,
  stream: Writable,
  options: WriteExportOptions = {}
): Promise<number> {
  const store = LedgerStore.open(dbPath);
  try {
    const size = store.size;
    const progress = options.onProgress ?? (() => {});
    let scope: ExportScope | undefined;
    let offset = 0;
    let total = size;
    if (options.bodies !== undefined) {
      total = 2 * size;
      scope = await scopeEntries(store, size, options.bodies, {
        onProgress: (done) => progress(done, total),
      });
      const unknown = options.bodies.filter((b) => !scope?.known.includes(b));
      if (unknown.length > 0) {
        throw new UsageError(`--body ${unknown.join(', ')}: no such body on this ledger`);
      }
      offset = size;
    }
    const lines = exportLines(store, size, {
      ...(scope ? { scope } : {}),
      onProgress: (done) => progress(offset + done, total),
    });
    for (const line of lines) await write(stream, line);
    return size;
  } finally {
    store.close();
  }
}

export const exportCommand: Command = async (argv) => {
  const parsed = parseCommandLine(
    {
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        data: { type: 'string' },
        out: { type: 'string' },
        body: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    },
    HELP
  );
  if (parsed === null) return 0;
  const { values } = parsed;
  const paths = dataPaths(dataDirFrom(values.data));
  if (!existsSync(paths.db)) throw new UsageError(`${paths.db}: no ledger (run 'yishi init')`);
  const bodies = values.body;
  if (bodies !== undefined && bodies.some((b) => b.trim() === '')) {
    throw new UsageError('--body expects a body id (e.g. body-1)');
  }
  // A bar on the terminal the export itself is written to would garble it.
  const toTerminal = values.out === undefined && (cliIo().stdout as NodeJS.WriteStream).isTTY;
  const progress = new Progress(cliIo().stderr as NodeJS.WriteStream, !toTerminal);
  const options: WriteExportOptions = {
    ...(bodies !== undefined ? { bodies } : {}),
    onProgress: (done, total) => progress.update(done, total),
  };
  if (values.out === undefined) {
    try {
      await writeExport(paths.db, cliIo().stdout, options);
    } finally {
      progress.done();
    }
    return 0;
  }
  const file = createWriteStream(values.out, { flags: 'wx' });
  await once(file, 'open');
  let n: number;
  try {
    n = await writeExport(paths.db, file, options);
  } catch (e) {
    // Nothing half-written stays behind (an unknown --body is found before any line).
    file.destroy();
    rmSync(values.out, { force: true });
    throw e;
  } finally {
    progress.done();
  }
  file.end();
  await once(file, 'finish');
  err(`wrote ${n} entries to ${values.out}\n`);
  return 0;
};
