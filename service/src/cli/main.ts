import { type CliIo, type Command, out, err, UsageError, withCliIo } from './io.js';

/** Each command is loaded only when run, so `yishi verify` never loads the web server. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./serve.js')).serveCommand,
  init: async () => (await import('./init.js')).initCommand,
  verify: async () => (await import('./verify.js')).verifyCommand,
  audit: async () => (await import('./audit.js')).auditCommand,
  export: async () => (await import('./export.js')).exportCommand,
  openapi: async () => (await import('./openapi.js')).openapiCommand,
  witness: async () => (await import('./witness.js')).witnessCommand,
};

const USAGE = `yishi — tamper-evident records of a leadership team's major decisions

Usage: yishi <command> [options]

Commands:
  serve    run the HTTP service (creates the ledger on first start)
  init     create a ledger, its log key and the first admin's key
  verify   check a ledger database or export offline
  audit    verify, then replay every entry under the rules of procedure
  export   write the ledger as JSON Lines for an auditor
  openapi  print the HTTP API's OpenAPI 3.1 document
  witness  run a C2SP witness that cosigns a log's checkpoints (init, serve)

Run 'yishi <command> --help' for a command's options.
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
  const load = COMMANDS[name];
  if (!load) {
    err(`yishi: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  try {
    const command = await load();
    return await command(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`yishi ${name}: ${e.message}\n`);
      return 2;
    }
    err(`yishi ${name}: ${(e as Error).message}\n`);
    return 1;
  }
}
