import { base64Encode, bytesToHex, getPublicKey, sign, signingMessage } from '@yishi/crypto';
import { SIGNING_CONTEXTS, type CommandPayload, type SignedCommand } from '@yishi/schema';
import { YishiSdkError } from './error.js';

/** A command's fields without the envelope the signer fills in (`ts`, `nonce`). */
export type UnsignedCommand = { type: string } & Record<string, unknown>;

/** Fresh 16-byte nonce, hex, from the platform's CSPRNG (Node 20 and browsers). */
export function newNonce(): string {
  return bytesToHex(globalThis.crypto.getRandomValues(new Uint8Array(16)));
}

/**
 * Signs a command as its principal: adds the client timestamp and a fresh nonce (unless given)
 * and signs `yishi/command/v2\n || JCS(payload)` with Ed25519. The command must name the ledger
 * it is for (`ledger`, the id `GET /ledger/info` reports).
 * @throws YishiSdkError SECRET_KEY_INVALID, LEDGER_REQUIRED
 */
export function signCommand(
  command: UnsignedCommand & { ts?: number; nonce?: string },
  secretKey: Uint8Array,
  now: () => number = Date.now
): SignedCommand {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== 32) {
    const got = secretKey instanceof Uint8Array ? `length=${secretKey.length}` : typeof secretKey;
    throw new YishiSdkError(
      'SECRET_KEY_INVALID',
      `"secretKey" expected Uint8Array of length 32, got ${got}`
    );
  }
  if (typeof command.ledger !== 'string' || command.ledger.length === 0) {
    throw new YishiSdkError(
      'LEDGER_REQUIRED',
      '"command.ledger" expected the id of the ledger the command is for'
    );
  }
  const payload = {
    ...command,
    ts: command.ts ?? now(),
    nonce: command.nonce ?? newNonce(),
  } as CommandPayload;
  const signature = sign(signingMessage(SIGNING_CONTEXTS.command, payload), secretKey);
  return {
    payload,
    publicKey: base64Encode(getPublicKey(secretKey)),
    signature: base64Encode(signature),
  };
}
