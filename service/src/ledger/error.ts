import type { LedgerErrorCode } from '../http/errors.js';

export { LEDGER_ERROR_CODES, type LedgerErrorCode } from '../http/errors.js';

/** Every failure the ledger reports on purpose carries a code of LEDGER_ERROR_CODES (http/errors.ts). */
export class LedgerError extends Error {
  readonly code: LedgerErrorCode;

  constructor(code: LedgerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LedgerError';
    this.code = code;
  }
}

/** True when `err` is a LedgerError, optionally with the given code. */
export function isLedgerError(err: unknown, code?: LedgerErrorCode): err is LedgerError {
  return err instanceof LedgerError && (code === undefined || err.code === code);
}
