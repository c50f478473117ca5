import { parseArgs } from 'node:util';
import {
  createReadStream,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  closeSync,
  statSync,
} from 'node:fs';
import { createInterface } from 'node:readline';
import {
  feedExportLines,
  LedgerVerifier,
  type LedgerReport,
  type LedgerVerifierOptions,
} from '@yishi/sdk';
import { openLedgerReadOnly } from '../ledger-reader.js';
import { fastVerify } from '../fast-ed25519.js';
import { err, out, usage, UsageError, type Command } from './io.js';
import { Progress } from './progress.js';

const HELP = `Usage: yishi verify <ledger.db | export.jsonl> [--vkey VKEY] [--json]

Checks a ledger offline: re-hashes every entry, checks the hash chain and every command's
signature, rebuilds the Merkle tree and checks every stored checkpoint (root, size, signature)
and the consistency between successive checkpoints. Exits 0 when everything holds, 1 naming the
first bad entry and the check that failed, 2 on a usage error.

Options:
  --vkey VKEY   the log's verifier key you trust: the vkey text or a file holding it. Without it,
                checkpoints are checked against the key the ledger's genesis declares, which
                proves consistency but not who signed.
  --json        print a machine-readable report
  -h, --help    show this help
`;

const SQLITE_MAGIC = 'SQLite format 3\0';

function isSqlite(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(16);
    readSync(fd, buf, 0, 16, 0);
    return buf.toString('latin1') === SQLITE_MAGIC;
  } finally {
    closeSync(fd);
  }
}

function readVkey(value: string): string {
  if (existsSync(value) && statSync(value).isFile()) return readFileSync(value, 'utf8').trim();
  return value.trim();
}

async function verifyExportFile(
  path: string,
  options: LedgerVerifierOptions,
  progress: Progress
): Promise<LedgerReport> {
  const verifier = new LedgerVerifier(options);
  const total = statSync(path).size;
  const stream = createReadStream(path, { encoding: 'utf8' });
  let read = 0;
  let lineNumber = 1;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  const batch: string[] = [];
  for await (const line of lines) {
    read += Buffer.byteLength(line) + 1;
    batch.push(line);
    if (batch.length >= 1000) {
      lineNumber = feedExportLines(verifier, batch.splice(0), lineNumber);
      progress.update(read, total);
    }
  }
  feedExportLines(verifier, batch, lineNumber);
  progress.update(total, total);
  return verifier.finish();
}

function verifyDatabase(
  path: string,
  options: LedgerVerifierOptions,
  progress: Progress
): LedgerReport {
  const ledger = openLedgerReadOnly(path);
  try {
    const verifier = new LedgerVerifier(options);
    const total = ledger.count();
    let n = 0;
    for (const row of ledger.entries()) {
      let value: unknown;
      try {
        value = JSON.parse(row.body);
      } catch {
        value = undefined;
      }
      verifier.addEntry(value, row.leafHash);
      if (++n % 1000 === 0) progress.update(n, total);
    }
    for (const note of ledger.checkpointNotes()) verifier.addCheckpoint(note);
    progress.update(total, total);
    return verifier.finish();
  } finally {
    ledger.close();
  }
}

function describe(report: LedgerReport): string {
  const lines: string[] = [];
  if (report.ok) {
    lines.push(`OK: the ledger verifies.`);
  } else {
    const f = report.failure!;
    const where =
      f.seq !== undefined
        ? `entry ${f.seq}`
        : f.checkpointSize !== undefined
          ? `checkpoint at size ${f.checkpointSize}`
          : 'the ledger';
    lines.push(`FAILED: ${f.check} at ${where}`, `  ${f.detail}`);
  }
  if (report.ledgerId) lines.push(`  ledger:      ${report.ledgerId} (${report.origin})`);
  lines.push(`  entries:     ${report.entries} (${report.signaturesVerified} signatures verified)`);
  lines.push(`  checkpoints: ${report.checkpoints}`);
  if (report.latestCheckpoint) {
    lines.push(
      `  latest:      size ${report.latestCheckpoint.size}, root ${report.latestCheckpoint.rootHash}`
    );
  }
  if (report.uncheckpointedEntries > 0 && report.ok) {
    lines.push(
      `  note:        ${report.uncheckpointedEntries} entries after the latest checkpoint`
    );
  }
  if (report.logKeySource === 'genesis') {
    lines.push(
      `  warning:     checked against the log key the ledger itself declares; pass --vkey with the key you trust`
    );
  }
  return `${lines.join('\n')}\n`;
}

export const verifyCommand: Command = async (argv) => {
  const { values, positionals } = usage(() =>
    parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        vkey: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  );
  if (values.help) {
    out(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('give exactly one ledger file to verify');
  const path = positionals[0] as string;
  if (!existsSync(path)) throw new UsageError(`${path}: no such file`);
  const options: LedgerVerifierOptions = { verifySignature: fastVerify };
  if (values.vkey !== undefined) options.vkey = readVkey(values.vkey);
  const progress = new Progress(process.stderr, !values.json);
  const report = isSqlite(path)
    ? verifyDatabase(path, options, progress)
    : await verifyExportFile(path, options, progress);
  progress.done();
  if (values.json) out(`${JSON.stringify(report, null, 2)}\n`);
  else if (report.ok) out(describe(report));
  else err(describe(report));
  return report.ok ? 0 : 1;
};
