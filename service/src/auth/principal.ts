import { base64Decode, isAcceptablePublicKey, signingMessage } from '@yishi/crypto';
import type { Principal, State } from '@yishi/procedure';
import { SIGNING_CONTEXTS, type SignedCommand } from '@yishi/schema';
import { ApiError } from '../errors.js';
import { fastVerify } from '../fast-ed25519.js';

/** How far a client's `ts` may be from the service clock, either way. */
export const MAX_SKEW_MS = 5 * 60_000;

const own = <T>(rec: Record<string, T>, key: string): T | undefined =>
  Object.hasOwn(rec, key) ? rec[key] : undefined;

/** Decodes a base64 key and checks it is an acceptable Ed25519 key (canonical, not small order). */
export function acceptableKey(publicKey: string): Uint8Array | null {
  try {
    const bytes = base64Decode(publicKey);
    return bytes.length === 32 && isAcceptablePublicKey(bytes) ? bytes : null;
  } catch {
    return null;
  }
}

/**
 * Verifies a command's signature over `yishi/command/v1\n || JCS(payload)`, the payload exactly
 * as parsed (nothing added, removed or coerced by validation).
 * @throws ApiError SIGNATURE_INVALID (401), VALIDATION_FAILED (400) if not canonicalisable.
 */
export function verifyCommandSignature(command: SignedCommand): void {
  const key = acceptableKey(command.publicKey);
  if (key === null) throw ApiError.of('SIGNATURE_INVALID', { why: 'public_key' });
  let message: Uint8Array;
  try {
    message = signingMessage(SIGNING_CONTEXTS.command, command.payload);
  } catch {
    // e.g. a lone surrogate sent as a \ud800 escape: it has no canonical JSON form.
    throw ApiError.of('VALIDATION_FAILED', { why: 'not_canonical_json' });
  }
  let signature: Uint8Array;
  try {
    signature = base64Decode(command.signature);
  } catch {
    throw ApiError.of('SIGNATURE_INVALID', { why: 'signature_encoding' });
  }
  if (!fastVerify(signature, message, key)) throw ApiError.of('SIGNATURE_INVALID');
}

/** @throws ApiError CLOCK_SKEW (401) when `ts` is more than {@link MAX_SKEW_MS} from `now`. */
export function checkSkew(ts: number, now: number): void {
  if (Math.abs(ts - now) > MAX_SKEW_MS) {
    throw ApiError.of('CLOCK_SKEW', { ts, now, maxSkewMs: MAX_SKEW_MS });
  }
}

/**
 * The principal of a key that may act now: registered, not revoked (by ledger position), its
 * principal active and not suspended. The same test the engine applies to commands.
 * @throws ApiError UNKNOWN_KEY / KEY_REVOKED (401), PRINCIPAL_INACTIVE / PRINCIPAL_SUSPENDED (403)
 */
export function principalOfKey(state: State, publicKey: string): Principal {
  const key = own(state.keys, publicKey);
  if (!key) throw ApiError.of('UNKNOWN_KEY');
  if (key.revokedSeq !== null) throw ApiError.of('KEY_REVOKED', { revokedSeq: key.revokedSeq });
  const p = own(state.principals, key.principalId);
  if (!p) throw ApiError.of('UNKNOWN_KEY');
  if (!p.active) throw ApiError.of('PRINCIPAL_INACTIVE');
  if (p.suspended) throw ApiError.of('PRINCIPAL_SUSPENDED');
  return p;
}
