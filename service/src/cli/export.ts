import { parseArgs } from 'node:util';
import { createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { formatExportCheckpoint, formatExportEntry, formatExportHeader } from '@yishi/verify';
import { dataPaths } from '../storage/data-dir.js';
import { LedgerStore } from '../ledger/index.js';
import { cliIo, dataDirFrom, err, out, usage, UsageError, type Command } from './io.js';

const HELP = `Usage: yishi export [--data DIR] [--out FILE]

Writes the ledger as JSON Lines, the file an auditor receives: a header line, every entry in
order (exactly the bytes that were hashed), then every checkpoint the log signed (with its
witnesses' cosignatures where they were gathered). Check it with 'yishi verify FILE --vkey VKEY'
or, against a witness policy, 'yishi audit FILE --policy POLICY'.

Options:
  --data DIR    data directory [YISHI_DATA] (default ./data)
  --out FILE    write to FILE instead of standard output
  -h, --help    show this help
`;

async function write(stream: Writable, line: string): Promise<void> {
  if (!stream.write(`${line}\n`)) await once(stream, 'drain');
}

/** Streams the ledger in `dbPath` as an export to `stream`. */
export async function writeExport(dbPath: string, stream: Writable): Promise<number> {
  const store = LedgerStore.open(dbPath);
  try {
    const size = store.size;
    const sizes = store.checkpointSizes();
    await write(
      stream,
      formatExportHeader({
        ledgerId: store.getMeta('ledger_id') ?? '',
        origin: store.getMeta('origin') ?? '',
        entries: size,
        checkpoints: sizes.length,
      })
    );
    for (const stored of store.iterateEntries(0, size)) {
      await write(stream, formatExportEntry(stored.body));
    }
    for (const cp of store.iterateCheckpoints()) {
      // The cosigned form where the witnesses' quorum was gathered: the same signed note with
      // cosignature lines appended, which a verifier without a policy ignores.
      if (cp.size > size) continue;
      for (const note of store.exportNotes(cp)) await write(stream, formatExportCheckpoint(note));
    }
    return size;
  } finally {
    store.close();
  }
}

export const exportCommand: Command = async (argv) => {
  const { values } = usage(() =>
    parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        data: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  );
  if (values.help) {
    out(HELP);
    return 0;
  }
  const paths = dataPaths(dataDirFrom(values.data));
  if (!existsSync(paths.db)) throw new UsageError(`${paths.db}: no ledger (run 'yishi init')`);
  if (values.out === undefined) {
    await writeExport(paths.db, cliIo().stdout);
    return 0;
  }
  const file = createWriteStream(values.out, { flags: 'wx' });
  await once(file, 'open');
  const n = await writeExport(paths.db, file);
  file.end();
  await once(file, 'finish');
  err(`wrote ${n} entries to ${values.out}\n`);
  return 0;
};
