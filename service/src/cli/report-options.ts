// What `yishi verify` and `yishi audit` share beyond io.ts: the report's language, the check that
// the file handed over is a ledger at all, and --workers.
import type { ReportLang } from '@yishi/verify';
import { notALedgerFile } from '../verify/sources.js';
import { defaultWorkers } from '../verify/verify-file.js';
import { ledgerFileArgument, UsageError } from './io.js';

/** A file that is neither a ledger export nor a ledger database: one usage error, exit 2. */
export class NotALedgerFile extends UsageError {
  readonly code = 'NOT_A_LEDGER_FILE';
}

/**
 * The report's language: `--lang en|zh`, else Chinese when the locale is (LC_ALL, then
 * LC_MESSAGES, then LANG, as POSIX orders them: `zh_CN.UTF-8`, `zh_TW`, `zh`), else English.
 */
export function reportLang(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env
): ReportLang {
  if (flag !== undefined) {
    if (flag === 'en' || flag === 'zh') return flag;
    throw new UsageError(`--lang expects en or zh, got '${flag}'`);
  }
  const locale = env['LC_ALL'] || env['LC_MESSAGES'] || env['LANG'] || '';
  return /^zh([_.@-]|$)/i.test(locale) ? 'zh' : 'en';
}

/** The one ledger file a command takes, checked to exist and to be a ledger file. */
export function ledgerFileOf(positionals: string[], verb: string): string {
  const path = ledgerFileArgument(positionals, verb);
  const why = notALedgerFile(path);
  if (why !== undefined) {
    throw new NotALedgerFile(
      `NOT_A_LEDGER_FILE: ${path} is neither a ledger export nor a ledger database: ${why}`
    );
  }
  return path;
}

/** `--workers N`: 1 to 256, default one per CPU. */
export function parseWorkers(text: string | undefined): number {
  if (text === undefined) return defaultWorkers();
  if (!/^[1-9][0-9]{0,2}$/.test(text) || Number(text) > 256) {
    throw new UsageError(`--workers expects a whole number from 1 to 256, got '${text}'`);
  }
  return Number(text);
}
