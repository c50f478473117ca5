import {
  explainAudit,
  renderReportText,
  type AuditReport,
  type EntryContext,
  type ReportLang,
} from '@yishi/verify';
import { auditLedgerFile } from '../verify/audit-file.js';
import { defaultWorkers } from '../verify/verify-file.js';
import { out, readVkeyArgument, parseCommandLine, type Command } from './io.js';
import { readPolicyOption } from './policy-option.js';
import { Progress } from './progress.js';
import { ledgerFileOf, parseWorkers, reportLang } from './report-options.js';

const HELP = `Usage: yishi audit <export.jsonl | ledger.db> [--vkey VKEY] [--policy FILE] [--json]
                   [--workers N] [--lang en|zh]

Everything 'yishi verify' checks, plus procedure replay: the same rules code the service decides
with re-derives every outcome from the signed commands and reports each entry whose recorded
outcome differs (DERIVED_MISMATCH), each command on the ledger although the rules refuse it
(ENTRY_REFUSED, with the rule id: a vote without quorum, a chair's statement before the others,
an adopted item without the majority), and each entry that cannot be replayed (MALFORMED_ENTRY).

The report goes to standard output: an integrity failure first (a changed entry, a broken chain,
a checkpoint that does not verify), with the replay findings that follow from it under it; each
finding names the entry, who signed it, the meeting and item, the rule, and for a mismatch each
field that differs. Progress goes to standard error when it is a terminal.
Exits 0 when the ledger verifies and replay finds nothing, 1 otherwise, 2 on a usage error
(NOT_A_LEDGER_FILE: the file is no export or ledger database).

Options:
  --vkey VKEY   the log's verifier key you trust (text or a file holding it)
  --policy FILE a witness policy (C2SP tlog-policy): every checkpoint must carry cosignatures
                meeting its quorum (CHECKPOINT_QUORUM otherwise); without --vkey, the log key
                is the policy's 'log' line.
  --json        print a machine-readable report
  --workers N   verify on N worker threads while this one replays (default: one per CPU, here
                ${defaultWorkers()}); 1 does everything in this process. The report is the same.
  --lang L      the report's language, en or zh (default: Chinese under a zh_* locale, LANG)
  -h, --help    show this help
`;

/** The human-readable report `yishi audit` prints. */
export function describeAudit(
  report: AuditReport,
  lang: ReportLang = 'en',
  contexts: EntryContext[] = []
): string {
  return renderReportText(explainAudit(report, { lang, contexts }));
}

export const auditCommand: Command = async (argv) => {
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
  const path = ledgerFileOf(positionals, 'audit');
  const workers = parseWorkers(values.workers);
  const vkey = values.vkey === undefined ? undefined : readVkeyArgument(values.vkey);
  const policy = values.policy === undefined ? undefined : readPolicyOption(values.policy);
  const progress = new Progress(process.stderr, !values.json);
  const { report, contexts } = await auditLedgerFile(path, {
    workers,
    ...(vkey ? { vkey } : {}),
    ...(policy ? { policy } : {}),
    onProgress: (fraction) => progress.update(Math.floor(fraction * 1000), 1000),
  });
  progress.done();
  if (values.json) out(`${JSON.stringify(report, null, 2)}\n`);
  else out(describeAudit(report, lang, contexts));
  return report.ok ? 0 : 1;
};
