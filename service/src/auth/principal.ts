import { base64Decode, canonicalJsonFast, isAcceptablePublicKey, utf8Encode } from '@yishi/crypto';
import { own, type Principal, type State } from '@yishi/procedure';
import { commandSigningContext, type SignedCommand } from '@yishi/schema';
import { ApiError } from '../http/errors.js';
import { fastVerify } from '../crypto-fast/fast-ed25519.js';

/** How far a client's `ts` may be from the service clock, either way. */
export const MAX_SKEW_MS = 5 * 60_000;

/** How many key verdicts {@link acceptableKey} remembers; the least recently used goes first. */
export const KEY_VERDICT_CACHE_LIMIT = 4096;

// Verdicts of the noble point decode, by key text. A key's verdict never changes, and the decode
// was 14% of the ingest server's busy time when it ran on every request. Only 32-byte keys reach
// it (44 characters of strict base64), so an entry is small whatever a client sends.
const keyVerdicts = new Map<string, Uint8Array | null>();

/** Number of key verdicts {@link acceptableKey} currently remembers (at most the limit). */
export function cachedKeyVerdicts(): number {
  return keyVerdicts.size;
}

/**
 * Decodes a base64 key and checks it is an acceptable Ed25519 key (canonical, not small order).
 * Returns fresh bytes the caller may keep or modify.
 */
export function acceptableKey(publicKey: string): Uint8Array | null {
  const known = keyVerdicts.get(publicKey);
  if (known !== undefined) {
    keyVerdicts.delete(publicKey); // refresh its place: the Map is kept in least-recently-used order
    keyVerdicts.set(publicKey, known);
    return known === null ? null : known.slice();
  }
  let bytes: Uint8Array;
  try {
    bytes = base64Decode(publicKey);
  } catch {
    return null;
  }
  if (bytes.length !== 32) return null;
  const verdict = isAcceptablePublicKey(bytes) ? bytes : null;
  if (keyVerdicts.size >= KEY_VERDICT_CACHE_LIMIT) {
    keyVerdicts.delete(keyVerdicts.keys().next().value!);
  }
  keyVerdicts.set(publicKey, verdict);
  return verdict === null ? null : verdict.slice();
}

/** A base64 key's 32 bytes, or null if it is not 32 bytes of strict base64. */
function keyBytes(publicKey: string): Uint8Array | null {
  try {
    const bytes = base64Decode(publicKey);
    return bytes.length === 32 ? bytes : null;
  } catch {
    return null;
  }
}

/**
 * Checks an Ed25519 signature by a signer's key. The hot path skips the point decode of
 * {@link acceptableKey}: fastVerify refuses non-canonical and small-order keys itself, and a key
 * that is not a curve point never verifies. Only a refusal pays for the decode, to say whether
 * the key or the signature was at fault.
 * @throws ApiError SIGNATURE_INVALID (401), with `why: 'public_key'` when the key is unacceptable
 */
export function verifySignerSignature(
  publicKey: string,
  signature: Uint8Array,
  message: Uint8Array
): void {
  const key = keyBytes(publicKey);
  if (key === null) throw ApiError.of('SIGNATURE_INVALID', { why: 'public_key' });
  if (fastVerify(signature, message, key)) return;
  if (acceptableKey(publicKey) === null) {
    throw ApiError.of('SIGNATURE_INVALID', { why: 'public_key' });
  }
  throw ApiError.of('SIGNATURE_INVALID');
}

/**
 * Verifies a command's signature over `yishi/command/v2\n || JCS(payload)` (`v1` for a payload
 * that names no ledger: refused later, see the pipeline), the payload exactly as parsed (nothing
 * added, removed or coerced by validation).
 * @returns the payload's RFC 8785 form (what was signed), for callers that need it again
 * @throws ApiError SIGNATURE_INVALID (401), VALIDATION_FAILED (400) if not canonicalisable.
 */
export function verifyCommandSignature(command: SignedCommand): string {
  if (keyBytes(command.publicKey) === null) {
    throw ApiError.of('SIGNATURE_INVALID', { why: 'public_key' });
  }
  let payloadJson: string;
  try {
    payloadJson = canonicalJsonFast(command.payload);
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
  const message = utf8Encode(`${commandSigningContext(command.payload)}\n${payloadJson}`);
  verifySignerSignature(command.publicKey, signature, message);
  return payloadJson;
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
