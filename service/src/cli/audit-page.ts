import { writeFileSync } from 'node:fs';
import { readAuditPage } from '../routes/audit-page.js';
import { parseCommandLine, UsageError, type Command } from './io.js';

const HELP = `Usage: yishi audit-page --out FILE

Writes the auditor's page: one self-contained HTML file that verifies and audits a ledger export
in the browser, offline (open it from the disk; it fetches nothing). The service also serves it
at GET /audit.

Options:
  --out FILE    where to write the page
  -h, --help    show this help
`;

export const auditPageCommand: Command = async (argv) => {
  const parsed = parseCommandLine(
    {
      args: argv,
      strict: true,
      allowPositionals: false,
      options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    },
    HELP
  );
  if (parsed === null) return 0;
  const { values } = parsed;
  if (values.out === undefined) throw new UsageError('--out FILE is required');
  const page = readAuditPage();
  if (!page) throw new Error('the page is not built: run `npm run build`');
  writeFileSync(values.out, page.html);
  return 0;
};
