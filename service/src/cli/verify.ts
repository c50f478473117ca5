import {
  explainVerification,
  renderReportText,
  type EntryContext,
  type LedgerReport,
  type ReportLang,
} from '@yishi/verify';
import { contextOfEntry } from '../verify/audit-file.js';
import { openLedgerSource } from '../verify/sources.js';
import { defaultWorkers, verifyLedgerFile } from '../verify/verify-file.js';
import { out, readVkeyArgument, parseCommandLine, type Command } from './io.js';
import { readPolicyOption } from './policy-option.js';
import { Progress } from './progress.js';
import { ledgerFileOf, parseWorkers, reportLang } from './report-options.js';

const HELP = `Usage: yishi verify <ledger.db | export.jsonl> [--vkey VKEY] [--policy FILE] [--json]
                    [--workers N] [--lang en|zh]

Checks a ledger offline: re-hashes every entry, checks the hash chain and every command's
signature, rebuilds the Merkle tree and checks every stored checkpoint (root, size, signature)
and the consistency between successive checkpoints. Prints the report on standard output (the
first bad entry with who signed it, signatures verified out of how many, how much of the ledger
the latest checkpoint covers). Exits 0 when everything holds, 1 naming the first bad entry and
the check that failed, 2 on a usage error (NOT_A_LEDGER_FILE: the file is no export or ledger
database).

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
  --lang L      the report's language, en or zh (default: Chinese under a zh_* locale, LANG)
  -h, --help    show this help
`;

/** The readable report `yishi verify` prints. */
export function describeVerification(
  report: LedgerReport,
  lang: ReportLang = 'en',
  contexts: EntryContext[] = []
): string {
  return renderReportText(explainVerification(report, { lang, contexts }));
}

export const verifyCommand: Command = async (argv) => {
  const parsed = parseCommandLine(
    {
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        vkey: { type: 'string' },
        policy: { type: 'string' },
        json: { type: 'boolean' },
        workers: { type: 'string' },
        lang: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    HELP
  );
  if (parsed === null) return 0;
  const { values, positionals } = parsed;
  const lang = reportLang(values.lang);
  const path = ledgerFileOf(positionals, 'verify');
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
  if (values.json) {
    out(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    // The entry at fault, placed: who signed it, its meeting and item (a replay up to it).
    const seq = report.failure?.seq;
    const context =
      seq === undefined ? undefined : await contextOfEntry(openLedgerSource(path), seq);
    out(describeVerification(report, lang, context ? [context] : []));
  }
  return report.ok ? 0 : 1;
};
