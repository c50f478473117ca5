import { parseArgs } from 'node:util';
import type { LedgerReport } from '@yishi/verify';
import { defaultWorkers, verifyLedgerFile } from '../verify/verify-file.js';
import {
  err,
  ledgerFileArgument,
  out,
  readVkeyArgument,
  usage,
  UsageError,
  type Command,
} from './io.js';
import { readPolicyOption } from './policy-option.js';
import { Progress } from './progress.js';

const HELP = `Usage: yishi verify <ledger.db | export.jsonl> [--vkey VKEY] [--policy FILE] [--json]
                    [--workers N]

Checks a ledger offline: re-hashes every entry, checks the hash chain and every command's
signature, rebuilds the Merkle tree and checks every stored checkpoint (root, size, signature)
and the consistency between successive checkpoints. Exits 0 when everything holds, 1 naming the
first bad entry and the check that failed, 2 on a usage error.

Options:
  --vkey VKEY   the log's verifier key you trust: the vkey text or a file holding it. Without it,
                checkpoints are checked against the key the ledger's genesis declares, which
                proves consistency but not who signed.
  --policy FILE a witness policy (C2SP tlog-policy): every checkpoint must carry cosignatures
                meeting its quorum (CHECKPOINT_QUORUM otherwise); without --vkey, the log key
                is the policy's 'log' line.
  --json        print a machine-readable report
  --workers N   check entries on N worker threads (default: one per CPU, here ${defaultWorkers()});
                1 checks everything in this process. The verdict is the same either way.
  -h, --help    show this help
`;

function parseWorkers(text: string | undefined): number {
  if (text === undefined) return defaultWorkers();
  if (!/^[1-9][0-9]{0,2}$/.test(text) || Number(text) > 256) {
    throw new UsageError(`--workers expects a whole number from 1 to 256, got '${text}'`);
  }
  return Number(text);
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
        policy: { type: 'string' },
        json: { type: 'boolean' },
        workers: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  );
  if (values.help) {
    out(HELP);
    return 0;
  }
  const path = ledgerFileArgument(positionals, 'verify');
  const workers = parseWorkers(values.workers);
  const policy = values.policy === undefined ? undefined : readPolicyOption(values.policy);
  const progress = new Progress(process.stderr, !values.json);
  const { report } = await verifyLedgerFile(path, {
    workers,
    ...(values.vkey !== undefined ? { vkey: readVkeyArgument(values.vkey) } : {}),
    ...(policy ? { policy } : {}),
    onProgress: (done, total) => progress.update(done, total),
  });
  progress.done();
  if (values.json) out(`${JSON.stringify(report, null, 2)}\n`);
  else if (report.ok) out(describe(report));
  else err(describe(report));
  return report.ok ? 0 : 1;
};
