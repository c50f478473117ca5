/**
 * Ed25519 (RFC 8032 §5.1) over @noble/ed25519, with one strict verification rule that every
 * verifier in yishi (this package, the SDK, the service's node:crypto fast path) must share.
 *
 * Verification rule — RFC 8032 §5.1.7, strict, COFACTORLESS:
 *  1. the signature is 64 bytes and the public key 32 bytes (otherwise: false);
 *  2. A decodes strictly (RFC 8032 §5.1.3): y < p and not (x = 0 with the sign bit set), i.e.
 *     only canonical encodings (noble `zip215: false` decoding);
 *  3. A is not of small order ([8]A ≠ identity). With the identity as public key the trivial
 *     signature (R = identity, S = 0) verifies for ANY message under plain RFC 8032 (node:crypto,
 *     noble's default ZIP-215 mode); small-order keys are refused everywhere;
 *  4. S < L (RFC 8032 §5.1.7 step 1);
 *  5. k = SHA-512(R || A || M) mod L over the received bytes, and the encoding of [S]B − [k]A
 *     must equal the 32 bytes of R. This is the cofactorless equation [S]B = R + [k]A; comparing
 *     canonical encodings also refuses a non-canonical or off-curve R, exactly as decoding R
 *     strictly first would. R itself may be of small order (RFC 8032 does not forbid it, and
 *     noble strict and OpenSSL both accept it).
 * Cofactorless is chosen over noble's cofactored `zip215: false` equation ([8][S]B = [8]R +
 * [8][k]A) because node:crypto (OpenSSL), Go's crypto/ed25519 and Go's sumdb note verifiers are
 * cofactorless: the two rules differ only on signatures whose R has a small-order component
 * (the `low_order_residue` vectors of C2SP/CCTV), which an honest signer never produces.
 *
 * Key formats: a secret key is the RFC 8032 32-byte seed; a public key is the 32-byte encoding.
 * `principalKeyId` names a member's key in the ledger: lowercase hex of the first 16 bytes of
 * SHA-256(utf8("yishi/key/v1\n") || publicKey).
 *
 * Importing this module sets `hashes.sha512` of @noble/ed25519 to @noble/hashes' sha512, which
 * noble's synchronous API requires.
 */
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { assertBytes, bytesToHex, concatBytes, equalBytes, utf8Encode } from './bytes.js';
import { sha256 } from './sha256.js';

ed.hashes.sha512 = sha512;

const { Point } = ed;
/** Order L of the prime subgroup (RFC 8032 §5.1). */
const L = Point.CURVE().n;

/** Length of a secret key (RFC 8032 seed) in bytes. */
export const SECRET_KEY_LENGTH = 32;
/** Length of a public key in bytes. */
export const PUBLIC_KEY_LENGTH = 32;
/** Length of a signature in bytes. */
export const SIGNATURE_LENGTH = 64;

const littleEndian = (bytes: Uint8Array): bigint => {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = n * 256n + BigInt(bytes[i] as number);
  return n;
};

/** Strict decoding (RFC 8032 §5.1.3, canonical only) of a 32-byte point, or null. */
function decodePoint(bytes: Uint8Array): InstanceType<typeof Point> | null {
  try {
    return Point.fromBytes(bytes, false);
  } catch {
    return null;
  }
}

/** A fresh random 32-byte secret key (RFC 8032 seed) from the platform CSPRNG. */
export function generateSecretKey(): Uint8Array {
  return ed.utils.randomSecretKey();
}

/**
 * The 32-byte public key of a 32-byte secret key (RFC 8032 §5.1.5).
 * @throws TypeError / RangeError unless `secretKey` is a 32-byte Uint8Array.
 */
export function getPublicKey(secretKey: Uint8Array): Uint8Array {
  assertBytes(secretKey, 'secretKey', SECRET_KEY_LENGTH);
  return ed.getPublicKey(secretKey);
}

/**
 * The deterministic 64-byte signature of `message` (RFC 8032 §5.1.6).
 * @throws TypeError / RangeError unless `message` is a Uint8Array and `secretKey` 32 bytes.
 */
export function sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  assertBytes(message, 'message');
  assertBytes(secretKey, 'secretKey', SECRET_KEY_LENGTH);
  return ed.sign(message, secretKey);
}

/**
 * True if `publicKey` is one yishi accepts: 32 bytes, the canonical encoding of a curve point,
 * and not of small order. Keys failing this are refused when registered and never verify.
 * @throws TypeError if `publicKey` is not a Uint8Array.
 */
export function isAcceptablePublicKey(publicKey: Uint8Array): boolean {
  return classifyPublicKey(publicKey) === 'acceptable';
}

/**
 * Why a public key is (not) acceptable: `malformed` (wrong length, non-canonical, not a point),
 * `small-order`, or `acceptable`. Internal: the key-text parser reports the reason as a code.
 * @throws TypeError if `publicKey` is not a Uint8Array.
 */
export function classifyPublicKey(
  publicKey: Uint8Array
): 'acceptable' | 'malformed' | 'small-order' {
  assertBytes(publicKey, 'publicKey');
  if (publicKey.length !== PUBLIC_KEY_LENGTH) return 'malformed';
  const A = decodePoint(publicKey);
  if (A === null) return 'malformed';
  return A.isSmallOrder() ? 'small-order' : 'acceptable';
}

/**
 * Verifies an Ed25519 signature under the strict cofactorless rule in the file header.
 * Returns false — never throws — for any bad signature or key, including wrong lengths.
 * @throws TypeError only if an argument is not a Uint8Array.
 */
export function verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  assertBytes(signature, 'signature');
  assertBytes(message, 'message');
  assertBytes(publicKey, 'publicKey');
  if (signature.length !== SIGNATURE_LENGTH || publicKey.length !== PUBLIC_KEY_LENGTH) return false;
  const A = decodePoint(publicKey);
  if (A === null || A.isSmallOrder()) return false;
  const r = signature.subarray(0, 32);
  const s = littleEndian(signature.subarray(32, 64));
  if (s >= L) return false;
  const k = littleEndian(sha512(concatBytes(r, publicKey, message))) % L;
  const check = Point.BASE.multiply(s, false).subtract(A.multiply(k, false));
  return equalBytes(check.toBytes(), r);
}

const KEY_ID_PREFIX = utf8Encode('yishi/key/v1\n');

/**
 * The ledger's identifier of a member key: lowercase hex of the first 16 bytes of
 * SHA-256(utf8("yishi/key/v1\n") || publicKey).
 * @throws TypeError / RangeError unless `publicKey` is a 32-byte Uint8Array.
 */
export function principalKeyId(publicKey: Uint8Array): string {
  assertBytes(publicKey, 'publicKey', PUBLIC_KEY_LENGTH);
  return bytesToHex(sha256(concatBytes(KEY_ID_PREFIX, publicKey)).subarray(0, 16));
}
