// The auditor's check in code: verify the export and replay it under the rules of procedure.
// Usage: node auditor.js ledger.jsonl log.vkey
import { readFileSync } from 'node:fs';
import { auditExport } from '@yishi/sdk';

const [ledgerFile = 'ledger.jsonl', vkeyFile = 'log.vkey'] = process.argv.slice(2);
const report = auditExport(readFileSync(ledgerFile, 'utf8'), {
  vkey: readFileSync(vkeyFile, 'utf8').trim(),
});
const v = report.verification;
console.log(`${v.entries} entries, ${v.checkpoints} checkpoints, ${report.replayed} replayed`);
if (v.failure) console.log(`integrity: ${v.failure.check} at entry ${v.failure.seq}`);
for (const f of report.findings) console.log(`entry ${f.seq}: ${f.code} ${f.rule ?? ''}`);
console.log(report.ok ? 'OK' : 'FAILED');
process.exitCode = report.ok ? 0 : 1;
