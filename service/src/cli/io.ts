import { existsSync, readFileSync, statSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseNoteVerifier } from '@yishi/crypto';
import type { Writable } from 'node:stream';
/** A CLI command: takes its arguments, resolves to the exit code. */
export type Command = (argv: string[]) => Promise<number>;

/** Wrong flags or arguments: exit code 2 with the message. */
export class UsageError extends Error {}

/** Where the CLI writes: the process's streams, or the ones a caller (a test) hands to `main`. */
export interface CliIo {
  stdout: Writable;
  stderr: Writable;
}

let current: CliIo | undefined;

/** The streams of the command running now. */
export const cliIo = (): CliIo => current ?? { stdout: process.stdout, stderr: process.stderr };

/** Runs `fn` with the CLI writing to `io` (one in-process run at a time). */
export async function withCliIo<T>(io: CliIo | undefined, fn: () => Promise<T>): Promise<T> {
  if (io === undefined) return fn();
  const previous = current;
  current = io;
  try {
    return await fn();
  } finally {
    current = previous;
  }
}

/** Writes to standard output (the CLI's report channel). */
export const out = (text: string): void => {
  cliIo().stdout.write(text);
};

/** Writes to standard error (diagnostics and progress). */
export const err = (text: string): void => {
  cliIo().stderr.write(text);
};

/** Runs an argument parser (node:util parseArgs), turning its errors into usage errors. */
export function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/**
 * A command's arguments through node:util parseArgs, its errors as usage errors; null when
 * `--help` was given (the help is printed). The config must declare a boolean `help` option.
 */
export function parseCommandLine<T extends ParseArgsConfig>(
  config: T,
  help: string
): ReturnType<typeof parseArgs<T>> | null {
  const parsed = usage(() => parseArgs(config));
  if ((parsed.values as Record<string, unknown>)['help'] === true) {
    out(help);
    return null;
  }
  return parsed;
}

/** The data directory: --data, else $YISHI_DATA, else ./data. */
export const dataDirFrom = (flag: string | undefined): string =>
  flag ?? process.env['YISHI_DATA'] ?? 'data';

/**
 * A `--vkey` argument: the vkey text itself, or a file holding it. A value that is neither (a
 * mistyped path, a file without a key) is a usage error, never a key that fails to match.
 */
export function readVkeyArgument(value: string): string {
  const isKey = (text: string): boolean => {
    try {
      parseNoteVerifier(text);
      return true;
    } catch {
      return false;
    }
  };
  if (isKey(value.trim())) return value.trim();
  let text: string;
  try {
    if (!statSync(value).isFile()) throw new UsageError(`--vkey ${value}: not a file`);
    text = readFileSync(value, 'utf8').trim();
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT'
        ? `--vkey ${value}: no such file, and not a verifier key text (name+hash+key)`
        : `--vkey ${value}: cannot read the file (${code ?? (e as Error).message})`
    );
  }
  if (!isKey(text)) throw new UsageError(`--vkey ${value}: the file holds no verifier key`);
  return text;
}

/** The one ledger file a command takes (`verify`, `audit`), checked to exist. */
export function ledgerFileArgument(positionals: string[], verb: string): string {
  if (positionals.length !== 1) throw new UsageError(`give exactly one ledger file to ${verb}`);
  const path = positionals[0] as string;
  if (!existsSync(path)) throw new UsageError(`${path}: no such file`);
  return path;
}
