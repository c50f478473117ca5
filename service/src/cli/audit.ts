import { parseArgs } from 'node:util';
import { LedgerAuditor, type AuditReport } from '@yishi/verify';
import { fastVerify } from '../crypto-fast/fast-ed25519.js';
import { openLedgerSource } from '../verify/sources.js';
import { err, ledgerFileArgument, out, readVkeyArgument, usage, type Command } from './io.js';
import { readPolicyOption } from './policy-option.js';

const HELP = `Usage: yishi audit <export.jsonl | ledger.db> [--vkey VKEY] [--policy FILE] [--json]

Everything 'yishi verify' checks, plus procedure replay: the same rules code the service decides
with re-derives every outcome from the signed commands and reports each entry whose recorded
outcome differs (DERIVED_MISMATCH), each command on the ledger although the rules refuse it
(ENTRY_REFUSED, with the rule id: a vote without quorum, a chair's statement before the others,
an adopted item without the majority), and each entry that cannot be replayed (MALFORMED_ENTRY).
Exits 0 when the ledger verifies and replay finds nothing, 1 otherwise, 2 on a usage error.

Options:
  --vkey VKEY   the log's verifier key you trust (text or a file holding it)
  --policy FILE a witness policy (C2SP tlog-policy): every checkpoint must carry cosignatures
                meeting its quorum (CHECKPOINT_QUORUM otherwise); without --vkey, the log key
                is the policy's 'log' line.
  --json        print a machine-readable report
  -h, --help    show this help
`;

async function auditFile(path: string, auditor: LedgerAuditor): Promise<AuditReport> {
  await openLedgerSource(path).feed(auditor);
  return auditor.finish();
}

/** The human-readable report `yishi audit` prints. */
export function describeAudit(report: AuditReport): string {
  const v = report.verification;
  const lines: string[] = [];
  lines.push(
    report.ok
      ? 'OK: the ledger verifies and every entry replays under the rules.'
      : 'FAILED: the audit found problems.'
  );
  lines.push(
    `  entries:     ${v.entries} (${v.signaturesVerified} signatures verified, ${report.replayed} replayed)`
  );
  lines.push(`  checkpoints: ${v.checkpoints}`);
  if (v.failure) {
    const where =
      v.failure.seq !== undefined
        ? `entry ${v.failure.seq}`
        : `checkpoint ${v.failure.checkpointSize ?? ''}`;
    lines.push(`  integrity:   ${v.failure.check} at ${where}: ${v.failure.detail}`);
  } else {
    lines.push('  integrity:   hash chain, signatures, tree and checkpoints hold');
  }
  if (v.logKeySource === 'genesis') {
    lines.push(
      '  warning:     checked against the log key the ledger itself declares; pass --vkey'
    );
  }
  for (const f of report.findings) {
    lines.push(
      `  finding:     entry ${f.seq}: ${f.code}${f.rule ? ` (${f.rule})` : ''} ${JSON.stringify(f.evidence)}`
    );
  }
  if (report.truncated) lines.push('  (more findings were not listed)');
  const NOTICE: Record<string, string> = {
    KEY_SET_BY_ADMIN: 'key set by admin',
    SIGNED_WITH_RESET_KEY: 'signed with a key set by admin, not confirmed by its principal',
    KEY_CONFIRMED: 'key confirmed by its principal with the previous key',
  };
  for (const n of report.notices) {
    lines.push(
      `  notice:      entry ${n.seq}: ${n.code} ${n.type} principal=${n.principalId ?? '?'}${n.by ? ` by=${n.by}` : ''} (${NOTICE[n.code] ?? ''})`
    );
  }
  return `${lines.join('\n')}\n`;
}

export const auditCommand: Command = async (argv) => {
  const { values, positionals } = usage(() =>
    parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        vkey: { type: 'string' },
        policy: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  );
  if (values.help) {
    out(HELP);
    return 0;
  }
  const path = ledgerFileArgument(positionals, 'audit');
  const vkey = values.vkey === undefined ? undefined : readVkeyArgument(values.vkey);
  const policy = values.policy === undefined ? undefined : readPolicyOption(values.policy);
  const auditor = new LedgerAuditor({
    verifySignature: fastVerify,
    ...(vkey ? { vkey } : {}),
    ...(policy ? { policy } : {}),
  });
  const report = await auditFile(path, auditor);
  if (values.json) out(`${JSON.stringify(report, null, 2)}\n`);
  else if (report.ok) out(describeAudit(report));
  else err(describeAudit(report));
  return report.ok ? 0 : 1;
};
