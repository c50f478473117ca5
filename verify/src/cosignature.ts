/**
 * C2SP tlog-cosignature v1.0.1 (https://c2sp.org/tlog-cosignature), the Ed25519 type: a note
 * signature line `— <name> base64(keyID[4] || u64 BE timestamp || ed25519 sig[64])` whose
 * signed message is
 *
 *   "cosignature/v1\n" || "time <decimal>\n" || the whole checkpoint note text
 *
 * and whose key ID is SHA-256(<name> || "\n" || 0x04 || 32-byte public key)[:4] (signed-note
 * signature type 0x04). A cosigner's vkey is `<name>+<hex key ID>+base64(0x04 || public key)`.
 * Cosignatures plug into `@yishi/crypto`'s `openNote` as NoteSigner / NoteVerifier: the note
 * text handed to them is the checkpoint body, and the "signature" is timestamp || Ed25519 sig.
 */
import {
  KeyFormatError,
  base64Decode,
  base64Encode,
  bytesToHex,
  concatBytes,
  equalBytes,
  generateSecretKey,
  getPublicKey,
  hexToBytes,
  isAcceptablePublicKey,
  isValidKeyName,
  sha256,
  sign,
  utf8Encode,
  verify,
  type NoteSigner,
  type NoteVerifier,
} from '@yishi/crypto';

/** Signed-note signature type of timestamped Ed25519 checkpoint cosignatures. */
export const COSIGNATURE_V1_ALGORITHM = 0x04;
/** Bytes of a cosignature/v1 signature after the key ID: 8-byte timestamp + 64-byte Ed25519. */
export const COSIGNATURE_V1_LENGTH = 72;
/** Largest timestamp a cosignature may carry (2^63 − 1; JS numbers stop at 2^53 − 1). */
const MAX_TIMESTAMP = Number.MAX_SAFE_INTEGER;

function assertName(name: unknown): string {
  if (typeof name !== 'string') throw new TypeError('"name" expected string');
  if (!isValidKeyName(name))
    throw new RangeError(`"name" is not a valid key name: ${JSON.stringify(name)}`);
  return name;
}

function assertKey(publicKey: unknown, label: string): Uint8Array {
  if (!(publicKey instanceof Uint8Array)) throw new TypeError(`"${label}" expected Uint8Array`);
  if (publicKey.length !== 32) {
    throw new RangeError(
      `"${label}" expected Uint8Array of length 32, got length=${publicKey.length}`
    );
  }
  return publicKey;
}

/** SHA-256(name || "\n" || 0x04 || publicKey)[:4]. @throws TypeError / RangeError on bad input. */
export function cosignatureKeyId(name: string, publicKey: Uint8Array): Uint8Array {
  assertName(name);
  assertKey(publicKey, 'publicKey');
  return sha256(
    concatBytes(utf8Encode(`${name}\n`), Uint8Array.of(COSIGNATURE_V1_ALGORITHM), publicKey)
  ).slice(0, 4);
}

/**
 * The message a cosignature/v1 signs: `cosignature/v1\ntime <timestamp>\n` + the note text.
 * @throws RangeError if the timestamp is not a safe integer >= 0.
 */
export function cosignatureMessage(timestamp: number, text: Uint8Array | string): Uint8Array {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new RangeError('"timestamp" must be a safe integer >= 0');
  }
  const body = typeof text === 'string' ? utf8Encode(text) : text;
  return concatBytes(utf8Encode(`cosignature/v1\ntime ${timestamp}\n`), body);
}

function u64be(value: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value), false);
  return out;
}

/** A cosigner: a NoteSigner whose signatures are timestamp || Ed25519 signature. */
export interface Cosigner extends NoteSigner {
  readonly publicKey: Uint8Array;
  /** The cosigner's vkey text (type 0x04). */
  readonly vkey: string;
}

/**
 * A cosigner for an Ed25519 secret key. `now` gives the POSIX time in seconds (injected in
 * tests); it must be > 0, as tlog-witness forbids a zero timestamp.
 * @throws TypeError / RangeError on an invalid name or a non-32-byte key.
 */
export function createCosigner(
  name: string,
  secretKey: Uint8Array,
  now: () => number = () => Math.floor(Date.now() / 1000)
): Cosigner {
  assertName(name);
  const seed = assertKey(secretKey, 'secretKey').slice();
  const publicKey = getPublicKey(seed);
  const keyId = cosignatureKeyId(name, publicKey);
  return Object.freeze({
    name,
    keyId,
    publicKey,
    vkey: formatCosignerVkey(name, publicKey),
    sign(message: Uint8Array): Uint8Array {
      const timestamp = now();
      if (!Number.isSafeInteger(timestamp) || timestamp <= 0 || timestamp > MAX_TIMESTAMP) {
        throw new RangeError('the clock gave an invalid cosignature timestamp');
      }
      return concatBytes(u64be(timestamp), sign(cosignatureMessage(timestamp, message), seed));
    },
  });
}

/** A cosignature verifier: also records the timestamp of the last signature it accepted. */
export interface CosignatureVerifier extends NoteVerifier {
  readonly publicKey: Uint8Array;
}

/**
 * The timestamp of a cosignature/v1 signature (after the key ID), or undefined if it is not
 * 72 bytes or the timestamp exceeds 2^53 − 1.
 */
export function cosignatureTimestamp(signature: Uint8Array): number | undefined {
  if (signature.length !== COSIGNATURE_V1_LENGTH) return undefined;
  const value = new DataView(signature.buffer, signature.byteOffset, 8).getBigUint64(0, false);
  return value > BigInt(MAX_TIMESTAMP) ? undefined : Number(value);
}

/**
 * A NoteVerifier of a cosigner's cosignature/v1 signatures; never throws on a bad signature.
 * @throws TypeError / RangeError on an invalid name or a non-32-byte key.
 */
export function createCosignatureVerifier(
  name: string,
  publicKey: Uint8Array
): CosignatureVerifier {
  assertName(name);
  const key = assertKey(publicKey, 'publicKey').slice();
  return Object.freeze({
    name,
    keyId: cosignatureKeyId(name, key),
    publicKey: key,
    verify(message: Uint8Array, signature: Uint8Array): boolean {
      // The signature bytes come from an untrusted note line.
      const timestamp = cosignatureTimestamp(signature);
      if (timestamp === undefined) return false;
      return verify(signature.subarray(8), cosignatureMessage(timestamp, message), key);
    },
  });
}

/** `<name>+<hex key ID>+base64(0x04 || publicKey)`. */
export function formatCosignerVkey(name: string, publicKey: Uint8Array): string {
  const id = bytesToHex(cosignatureKeyId(name, publicKey));
  return `${name}+${id}+${base64Encode(concatBytes(Uint8Array.of(COSIGNATURE_V1_ALGORITHM), publicKey))}`;
}

/**
 * Parses a cosigner vkey (signature type 0x04).
 * @throws KeyFormatError `KEY_MALFORMED`, `KEY_UNSUPPORTED_ALGORITHM` (type ≠ 0x04),
 *   `KEY_SMALL_ORDER`, `KEY_ID_MISMATCH`.
 */
export function parseCosignerVkey(vkey: string): CosignatureVerifier {
  if (typeof vkey !== 'string') throw new TypeError('"vkey" expected string');
  const first = vkey.indexOf('+');
  const second = first < 0 ? -1 : vkey.indexOf('+', first + 1);
  if (second < 0) throw new KeyFormatError('KEY_MALFORMED', 'vkey needs <name>+<id>+<key>');
  const name = vkey.slice(0, first);
  const id = vkey.slice(first + 1, second);
  if (!isValidKeyName(name)) throw new KeyFormatError('KEY_MALFORMED', 'invalid key name');
  if (!/^[0-9a-f]{8}$/.test(id))
    throw new KeyFormatError('KEY_MALFORMED', 'key ID is not 8 lowercase hex');
  let raw: Uint8Array;
  try {
    raw = base64Decode(vkey.slice(second + 1));
  } catch {
    throw new KeyFormatError('KEY_MALFORMED', 'key is not strict base64');
  }
  if (raw[0] !== COSIGNATURE_V1_ALGORITHM) {
    throw new KeyFormatError('KEY_UNSUPPORTED_ALGORITHM', 'a cosigner vkey has type 0x04');
  }
  if (raw.length !== 33) throw new KeyFormatError('KEY_MALFORMED', 'an Ed25519 key is 32 bytes');
  const publicKey = raw.slice(1);
  if (!isAcceptablePublicKey(publicKey)) {
    throw new KeyFormatError('KEY_SMALL_ORDER', 'public key is small-order or not canonical');
  }
  if (!equalBytes(hexToBytes(id), cosignatureKeyId(name, publicKey))) {
    throw new KeyFormatError('KEY_ID_MISMATCH', 'key ID does not match the name and key');
  }
  return createCosignatureVerifier(name, publicKey);
}

/** A new cosigner key: the 32-byte seed, and the vkey. */
export function generateCosignerKey(name: string): { secretKey: Uint8Array; vkey: string } {
  const secretKey = generateSecretKey();
  return { secretKey, vkey: formatCosignerVkey(assertName(name), getPublicKey(secretKey)) };
}

/**
 * The signature line of `cosigner` over a checkpoint note text (`— <name> <base64>\n`).
 * @throws as the cosigner does.
 */
export function cosignatureLine(cosigner: NoteSigner, text: string): string {
  const signature = cosigner.sign(utf8Encode(text));
  return `\u2014 ${cosigner.name} ${base64Encode(concatBytes(cosigner.keyId, signature))}\n`;
}

/**
 * A cosigner's secret-key text: `PRIVATE+KEY+<name>+<hex key ID>+base64(0x04 || seed)`, the
 * signed-note skey shape with the cosignature type byte.
 */
export function formatCosignerSkey(name: string, secretKey: Uint8Array): string {
  const publicKey = getPublicKey(assertKey(secretKey, 'secretKey'));
  const id = bytesToHex(cosignatureKeyId(name, publicKey));
  return `PRIVATE+KEY+${name}+${id}+${base64Encode(concatBytes(Uint8Array.of(COSIGNATURE_V1_ALGORITHM), secretKey))}`;
}

/**
 * Parses {@link formatCosignerSkey}'s text.
 * @throws KeyFormatError `KEY_MALFORMED`, `KEY_UNSUPPORTED_ALGORITHM`, `KEY_ID_MISMATCH`.
 */
export function parseCosignerSkey(skey: string): { name: string; secretKey: Uint8Array } {
  if (typeof skey !== 'string') throw new TypeError('"skey" expected string');
  const text = skey.trim();
  // The key's base64 may itself hold '+': split off the first four fields only.
  const parts = text.split('+', 4);
  if (parts.length !== 4 || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY') {
    throw new KeyFormatError('KEY_MALFORMED', 'skey needs PRIVATE+KEY+<name>+<id>+<key>');
  }
  const [, , name, id] = parts as [string, string, string, string];
  const encoded = text.slice(parts.join('+').length + 1);
  if (!isValidKeyName(name)) throw new KeyFormatError('KEY_MALFORMED', 'invalid key name');
  let raw: Uint8Array;
  try {
    raw = base64Decode(encoded);
  } catch {
    throw new KeyFormatError('KEY_MALFORMED', 'key is not strict base64');
  }
  if (raw[0] !== COSIGNATURE_V1_ALGORITHM) {
    throw new KeyFormatError('KEY_UNSUPPORTED_ALGORITHM', 'a cosigner skey has type 0x04');
  }
  if (raw.length !== 33) throw new KeyFormatError('KEY_MALFORMED', 'an Ed25519 seed is 32 bytes');
  const secretKey = raw.slice(1);
  if (bytesToHex(cosignatureKeyId(name, getPublicKey(secretKey))) !== id) {
    throw new KeyFormatError('KEY_ID_MISMATCH', 'key ID does not match the name and key');
  }
  return { name, secretKey };
}
