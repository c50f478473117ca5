import { readFileSync } from 'node:fs';
import { type CliIo, type Command, out, err, UsageError, withCliIo } from './io.js';

/** Each command is loaded only when run, so `yishi verify` never loads the web server. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./serve.js')).serveCommand,
  init: async () => (await import('./init.js')).initCommand,
  verify: async () => (await import('./verify.js')).verifyCommand,
  audit: async () => (await import('./audit.js')).auditCommand,
  'audit-page': async () => (await import('./audit-page.js')).auditPageCommand,
  export: async () => (await import('./export.js')).exportCommand,
  openapi: async () => (await import('./openapi.js')).openapiCommand,
  backup: async () => (await import('./backup.js')).backupCommand,
  restore: async () => (await import('./backup.js')).restoreCommand,
  witness: async () => (await import('./witness.js')).witnessCommand,
  keygen: async () => (await import('./keygen.js')).keygenCommand,
  submit: async () => (await import('./remote.js')).submitCommand,
  get: async () => (await import('./remote.js')).getCommand,
  sign: async () => (await import('./remote.js')).signCommand,
};

/** The CLI's version: @yishi/service's package.json (two folders up from src/cli and dist/cli). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

const USAGE = `yishi — tamper-evident records of a leadership team's major decisions

Usage: yishi <command> [options]

Commands:
  serve    run the HTTP service (creates the ledger on first start)
  init     create a ledger, its log key and the first admin's key
  verify   check a ledger database or export offline
  audit    verify, then replay every entry under the rules of procedure
  audit-page  write the auditor's page (one HTML file that audits an export offline)
  export   write the ledger as JSON Lines for an auditor
  openapi  print the HTTP API's OpenAPI 3.1 document
  backup   copy the ledger and service databases while the service runs
  restore  put a backup in place as a data folder
  witness  run a C2SP witness that cosigns a log's checkpoints (init, serve)
  keygen   make a principal's key pair (NAME.key, mode 0600, and NAME.pub)
  submit   sign a command with a key and post it to a running service
  get      read a path from a running service, signed with a key
  sign     sign a command or a read without sending it (for curl)

export, backup, verify and audit also take --database postgres://… (a ledger in PostgreSQL).
Run 'yishi <command> --help' for a command's options; 'yishi --version' prints the version.
`;

/**
 * Runs the CLI; resolves to the process exit code (0 ok, 1 check failed, 2 usage error). `io`
 * replaces standard output and error (tests run the CLI in process).
 */
export async function main(argv: string[], io?: CliIo): Promise<number> {
  return withCliIo(io, () => run(argv));
}

async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    out(`yishi ${version()}\n`);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    err(`yishi: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  try {
    const command = await load();
    const { withDatabaseOption } = await import('./database-option.js');
    return await withDatabaseOption(name, rest, command);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`yishi ${name}: ${e.message}\n`);
      return 2;
    }
    err(`yishi ${name}: ${(e as Error).message}\n`);
    return 1;
  }
}
