/**
 * Signing as a principal, so a client never handles canonicalisation or signatures itself:
 * commands (`yishi/command/v2`) and the `Authorization` header of reads (`yishi/read/v2`), each
 * naming the ledger it is for.
 */
import { parseSecretKey, readRequestOf, signReadRequest } from '@yishi/crypto';
import type { SignedCommand } from '@yishi/schema';
import { parsingKey, YishiSdkError } from './error.js';
import { signCommand, type UnsignedCommand } from './sign-command.js';

/**
 * Signs for one principal. Create it from the principal's secret-key text.
 * @throws YishiSdkError with the key's refusal code.
 */
export class Signer {
  readonly #secretKey: Uint8Array;
  readonly #now: () => number;
  readonly name: string;

  constructor(secretKeyText: string, now: () => number = Date.now) {
    const parsed = parsingKey(() => parseSecretKey(secretKeyText.trim()));
    this.#secretKey = parsed.secretKey;
    this.name = parsed.name;
    this.#now = now;
  }

  /**
   * Signs a command for `ledger` (unless the command names its `ledger` itself); `ts` and a
   * fresh `nonce` are added unless given.
   * @throws YishiSdkError LEDGER_REQUIRED when no ledger is named
   */
  command(
    command: UnsignedCommand & { ts?: number; nonce?: string },
    ledger?: string
  ): SignedCommand {
    const withLedger =
      ledger !== undefined && command.ledger === undefined ? { ...command, ledger } : command;
    return signCommand(withLedger, this.#secretKey, this.#now);
  }

  /**
   * The `Authorization` header for a request to the service keeping `ledger`. `url` is the
   * request target as sent (path and query, or a full URL); `body` the exact bytes or text sent.
   * @throws YishiSdkError LEDGER_REQUIRED when `ledger` is missing
   */
  authorization(
    method: string,
    url: string,
    body: Uint8Array | string | undefined,
    ledger: string
  ): string {
    if (typeof ledger !== 'string' || ledger.length === 0) {
      throw new YishiSdkError('LEDGER_REQUIRED', '"ledger" expected the id of the ledger read');
    }
    return signReadRequest(readRequestOf(method, url, body, ledger, this.#now()), this.#secretKey);
  }
}
