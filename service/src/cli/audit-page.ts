import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readAuditPage } from '../routes/audit-page.js';
import { out, usage, UsageError, type Command } from './io.js';

const HELP = `Usage: yishi audit-page --out FILE

Writes the auditor's page: one self-contained HTML file that verifies and audits a ledger export
in the browser, offline (open it from the disk; it fetches nothing). The service also serves it
at GET /audit.

Options:
  --out FILE    where to write the page
  -h, --help    show this help
`;

export const auditPageCommand: Command = async (argv) => {
  const { values } = usage(() =>
    parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    })
  );
  if (values.help) {
    out(HELP);
    return 0;
  }
  if (values.out === undefined) throw new UsageError('--out FILE is required');
  const page = readAuditPage();
  if (!page) throw new Error('the page is not built: run `npm run build`');
  writeFileSync(values.out, page.html);
  return 0;
};
