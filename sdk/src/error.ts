/**
 * The SDK's one coded error. The client never throws on an HTTP status (the service's reply
 * codes are in `error.code` of each result); it throws only when the caller hands it something it
 * cannot use, so the class extends TypeError, as @yishi/crypto does for wrong input.
 */
import { KeyFormatError, type KeyFormatErrorCode } from '@yishi/crypto';

/** The SDK's own codes; a key text that does not parse keeps @yishi/crypto's code. */
export const SDK_ERROR_CODES = [
  /** No route of the service takes commands of this type. */
  'COMMAND_TYPE_UNKNOWN',
  /** The command lacks a field its route's path needs (`{itemId}` ← `payload.itemId`). */
  'COMMAND_FIELD_MISSING',
  /** `submit` was called without a signer, in the client options or the call. */
  'SIGNER_REQUIRED',
  /** A secret key given as bytes is not 32 bytes. */
  'SECRET_KEY_INVALID',
  /** Something was to be signed without the ledger id it is for (protocol v2). */
  'LEDGER_REQUIRED',
  /** The service reports another ledger than the one the client is pinned to. */
  'LEDGER_MISMATCH',
  /** The service's `GET /ledger/info` did not answer with a ledger. */
  'LEDGER_INFO_UNAVAILABLE',
] as const;

/** Every code a {@link YishiSdkError} carries: a closed union. */
export type SdkErrorCode = (typeof SDK_ERROR_CODES)[number] | KeyFormatErrorCode;

/** Thrown by the SDK for input it cannot use; `code` is stable, `message` is for humans. */
export class YishiSdkError extends TypeError {
  readonly code: SdkErrorCode;
  constructor(code: SdkErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    // `name` stays 'TypeError': callers (and tap's `throws(fn, TypeError)`) match on it.
    this.code = code;
  }
}

/** Runs `parse`, answering a refused key text as a {@link YishiSdkError} with crypto's code. */
export function parsingKey<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof KeyFormatError) throw new YishiSdkError(e.code, e.message, { cause: e });
    throw e;
  }
}
