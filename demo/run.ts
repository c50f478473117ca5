/**
 * `npm run demo [-- --out DIR]`: the newcomer's first minute. Prints the story, the minutes
 * and the audit; with `--out DIR` keeps the data folder, the export and the log key in DIR.
 */
import { parseArgs } from 'node:util';
import { DemoError } from './error.js';

const HELP = `Usage: npm run demo [-- --out DIR]

Starts the yishi service on a temporary folder, plays two meetings of a nine-member Party
committee through the SDK, prints the minutes, exports the ledger and audits it.

Options:
  --out DIR    keep DIR/data, DIR/ledger.jsonl, DIR/log.vkey and the minutes (DIR must be empty)
  -h, --help   show this help
`;

async function main(argv: string[]): Promise<number> {
  let values: { out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  // Loaded only now: `--help` answers without starting the service's modules.
  const { runDemo } = await import('./run-demo.js');
  try {
    const result = await runDemo({
      ...(values.out !== undefined ? { out: values.out } : {}),
      log: (line) => process.stdout.write(`${line}\n`),
    });
    return result.audit.ok && result.decision.ok ? 0 : 1;
  } catch (e) {
    if (e instanceof DemoError) {
      process.stderr.write(`demo stopped: ${e.code}: ${e.message}\n`);
      return e.code === 'OUT_NOT_EMPTY' ? 2 : 1;
    }
    throw e;
  }
}

process.exitCode = await main(process.argv.slice(2));
