// Ed25519 verification with exactly the verdict of `verify` from @yishi/crypto (strict,
// cofactorless; see crypto/src/ed25519.ts), fast.
//
// libsodium first (sodium-native, ~2x OpenSSL here): crypto_sign_verify_detached is strict and
// cofactorless too. It refuses S >= L, a non-canonical or small-order A, and a small-order R, and
// compares the canonical encoding of [S]B - [k]A with R's bytes. So whatever libsodium accepts,
// yishi's rule accepts; the one thing it refuses that yishi's rule accepts is a small-order R.
// On any libsodium refusal the signature goes on to node:crypto (OpenSSL, ~15x faster than
// noble) with pre-checks, which gives yishi's verdict on its own: OpenSSL already refuses S >= L
// and compares the encoding of [S]B - [k]A with R (so a non-canonical or off-curve R fails), but
// it accepts non-canonical and small-order public keys; those are refused here before OpenSSL
// sees them. A refusal therefore costs both checks; an honest signature only libsodium's.
// If sodium-native cannot be loaded, node:crypto alone answers (same verdicts).
import {
  createPrivateKey,
  createPublicKey,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import { createRequire } from 'node:module';

type DetachedVerify = (
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array
) => boolean;

/** libsodium's crypto_sign_verify_detached, or null where sodium-native does not load. */
function loadSodium(): DetachedVerify | null {
  try {
    const sodium = createRequire(import.meta.url)('sodium-native') as {
      crypto_sign_verify_detached?: unknown;
    };
    const fn = sodium.crypto_sign_verify_detached;
    return typeof fn === 'function' ? (fn as DetachedVerify) : null;
  } catch {
    return null;
  }
}

const sodiumVerifyDetached = loadSodium();

/** Which library answers first in {@link fastVerify}: libsodium if it loaded, else node:crypto. */
export const ED25519_BACKEND: 'libsodium' | 'node:crypto' = sodiumVerifyDetached
  ? 'libsodium'
  : 'node:crypto';

/**
 * libsodium's own verdict (crypto_sign_verify_detached), or null if sodium-native is not
 * loaded. Stricter than yishi's rule (it also refuses a small-order R); for tests and benchmarks.
 * @throws TypeError only if an argument is not a Uint8Array.
 */
export function sodiumVerify(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array
): boolean | null {
  assertBytes(signature, 'signature');
  assertBytes(message, 'message');
  assertBytes(publicKey, 'publicKey');
  if (!sodiumVerifyDetached) return null;
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  try {
    return sodiumVerifyDetached(signature, message, publicKey);
  } catch {
    return false;
  }
}

/**
 * How many public KeyObjects {@link fastVerify} keeps, least recently used evicted first. Above
 * the number of keys that sign in practice (the 1M-entry bench ledger has 2,401 signers), so a
 * busy service does not rebuild a KeyObject per request.
 */
export const KEY_CACHE_LIMIT = 8192;
const publicKeys = new Map<string, KeyObject>();

/** Number of public KeyObjects currently cached (at most {@link KEY_CACHE_LIMIT}). */
export function cachedPublicKeys(): number {
  return publicKeys.size;
}

// The 8 points of order dividing 8, canonically encoded: identity, order 2, the two of order 4,
// the four of order 8. With non-canonical encodings refused first, a key is of small order iff
// its bytes are one of these (tests/service/fast-ed25519.test.ts checks the list with noble).
const SMALL_ORDER = new Set([
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
]);

// L = 2^252 + 27742317777372353535851937790883648493, little-endian.
const L_BYTES = Buffer.from(
  'edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010',
  'hex'
);

function assertBytes(value: unknown, name: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`"${name}" expected Uint8Array, got type=${typeof value}`);
  }
}

/** RFC 8032 §5.1.3 strict decoding preconditions: y < p, and not x = 0 with the sign bit set. */
function isCanonicalEncoding(b: Uint8Array): boolean {
  // y >= p = 2^255 - 19 only if bytes 1..30 are 0xff, byte 31 is 0x7f (sign bit aside) and
  // byte 0 >= 0xed.
  let high = (b[31]! & 0x7f) === 0x7f;
  for (let i = 1; high && i < 31; i++) high = b[i] === 0xff;
  if (high && b[0]! >= 0xed) return false;
  // x = 0 exactly when y = 1 or y = p - 1; with the sign bit set that encoding is refused.
  if (b[31]! & 0x80) {
    const rest = b.subarray(1, 31);
    if (b[0] === 0x01 && b[31] === 0x80 && rest.every((x) => x === 0)) return false;
    if (b[0] === 0xec && b[31] === 0xff && rest.every((x) => x === 0xff)) return false;
  }
  return true;
}

/** S < L, S little-endian in the signature's last 32 bytes. */
function isReducedScalar(s: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    if (s[i]! < L_BYTES[i]!) return true;
    if (s[i]! > L_BYTES[i]!) return false;
  }
  return false;
}

function publicKeyObject(publicKey: Uint8Array): KeyObject | null {
  const id = Buffer.from(publicKey.buffer, publicKey.byteOffset, 32).toString('base64url');
  const cached = publicKeys.get(id);
  if (cached) {
    publicKeys.delete(id); // refresh its place: the Map is kept in least-recently-used order
    publicKeys.set(id, cached);
    return cached;
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: id }, format: 'jwk' });
  } catch {
    return null;
  }
  if (publicKeys.size >= KEY_CACHE_LIMIT) publicKeys.delete(publicKeys.keys().next().value!);
  publicKeys.set(id, key);
  return key;
}

/** Which check settled a {@link fastVerify} verdict (see {@link explainVerify}). */
export type VerifyAnswer =
  'libsodium-accepted' | 'node-accepted' | 'node-refused' | 'refused-before-any-library';

/**
 * {@link fastVerify}'s verdict and which check settled it: what the tests use to show that the
 * libsodium path and the node:crypto path both agree with yishi's rule.
 * @throws TypeError only if an argument is not a Uint8Array.
 */
export function explainVerify(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array
): VerifyAnswer {
  assertBytes(signature, 'signature');
  assertBytes(message, 'message');
  assertBytes(publicKey, 'publicKey');
  if (signature.length !== 64 || publicKey.length !== 32) return 'refused-before-any-library';
  if (sodiumVerifyDetached) {
    let ok: boolean;
    try {
      ok = sodiumVerifyDetached(signature, message, publicKey);
    } catch {
      ok = false;
    }
    if (ok) return 'libsodium-accepted';
  }
  if (!isCanonicalEncoding(publicKey)) return 'refused-before-any-library';
  if (SMALL_ORDER.has(Buffer.from(publicKey.buffer, publicKey.byteOffset, 32).toString('hex'))) {
    return 'refused-before-any-library';
  }
  if (!isCanonicalEncoding(signature.subarray(0, 32))) return 'refused-before-any-library';
  if (!isReducedScalar(signature.subarray(32, 64))) return 'refused-before-any-library';
  const key = publicKeyObject(publicKey);
  if (key === null) return 'refused-before-any-library';
  try {
    return nodeVerify(null, message, key, signature) ? 'node-accepted' : 'node-refused';
  } catch {
    return 'node-refused';
  }
}

/**
 * Verifies an Ed25519 signature under yishi's strict cofactorless rule (libsodium first, then
 * node:crypto); same verdict as `verify` from @yishi/crypto. Returns false, never throws, for a
 * bad signature or key.
 * @throws TypeError only if an argument is not a Uint8Array.
 */
export function fastVerify(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array
): boolean {
  const answer = explainVerify(signature, message, publicKey);
  return answer === 'libsodium-accepted' || answer === 'node-accepted';
}

// PKCS#8 DER of an Ed25519 private key (RFC 8410 §7) is this prefix followed by the 32-byte seed.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * A node:crypto private KeyObject for a 32-byte secret key (seed); the DER copy of the seed is
 * wiped before returning.
 * @throws TypeError / RangeError unless `secretKey` is a Uint8Array of 32 bytes.
 */
function privateKeyObject(secretKey: Uint8Array): KeyObject {
  assertBytes(secretKey, 'secretKey');
  if (secretKey.length !== 32) {
    throw new RangeError(
      `"secretKey" expected Uint8Array of length 32, got length=${secretKey.length}`
    );
  }
  const der = Buffer.concat([PKCS8_PREFIX, secretKey]);
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } finally {
    der.fill(0);
  }
}

/**
 * The deterministic Ed25519 signature (RFC 8032 §5.1.6) of `message` under a 32-byte secret key
 * (seed), computed by node:crypto; identical bytes to `sign` from @yishi/crypto.
 * @throws TypeError / RangeError unless `message` is a Uint8Array and `secretKey` 32 bytes.
 */
export function fastSign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  assertBytes(message, 'message');
  return new Uint8Array(nodeSign(null, message, privateKeyObject(secretKey)));
}

/**
 * The Ed25519 public key (RFC 8032 §5.1.5) of a 32-byte secret key (seed), derived by
 * node:crypto; identical bytes to `getPublicKey` from @yishi/crypto, without noble's one-time
 * base-point table (~70 ms, which the service's start no longer pays).
 * @throws TypeError / RangeError unless `secretKey` is a Uint8Array of 32 bytes.
 */
export function fastPublicKey(secretKey: Uint8Array): Uint8Array {
  const jwk = createPublicKey(privateKeyObject(secretKey)).export({ format: 'jwk' });
  return new Uint8Array(Buffer.from(jwk.x as string, 'base64url'));
}

/** Ed25519 signing through node:crypto, for createNoteSigner (same bytes as noble's). */
export const NODE_ED25519_SIGNING = Object.freeze({ getPublicKey: fastPublicKey, sign: fastSign });
