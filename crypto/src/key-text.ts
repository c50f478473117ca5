/**
 * Key text: the one text format for yishi keys (service, CLI, SDK), which is the C2SP
 * signed-note v1.0.0 Ed25519 key encoding used by Go's golang.org/x/mod/sumdb/note:
 *
 *   public (vkey):  <name>+<key ID, 8 lowercase hex>+<base64(0x01 || 32-byte public key)>
 *   secret (skey):  PRIVATE+KEY+<name>+<key ID>+<base64(0x01 || 32-byte seed)>
 *
 * key ID = SHA-256(name || 0x0A || 0x01 || public key)[0:4] (signed-note "Ed25519 signatures").
 * Names must be non-empty, valid Unicode, without Unicode white space, '+' or control characters.
 * Parsing is defensive (key texts come from files and users): any deviation — wrong field count,
 * upper-case or short key ID, non-canonical base64, wrong length — is a coded KeyFormatError.
 */
import {
  assertBytes,
  assertString,
  base64Decode,
  base64Encode,
  bytesToHex,
  concatBytes,
  equalBytes,
  hexToBytes,
  isWellFormedString,
  utf8Encode,
} from './bytes.js';
import { classifyPublicKey, getPublicKey, PUBLIC_KEY_LENGTH } from './ed25519.js';
import { KeyFormatError } from './error.js';
import { sha256 } from './sha256.js';

/** Signature type byte of Ed25519 in C2SP signed-note. */
export const ED25519_ALGORITHM = 0x01;

const INVALID_NAME_CHAR = /[\p{White_Space}+\p{Cc}]/u;

/**
 * True if `name` is a valid signed-note key name: non-empty, well-formed Unicode, and free of
 * Unicode white space (`\p{White_Space}`, as Go's unicode.IsSpace), '+' and control characters.
 */
export function isValidKeyName(name: string): boolean {
  return (
    typeof name === 'string' &&
    name.length > 0 &&
    isWellFormedString(name) &&
    !INVALID_NAME_CHAR.test(name)
  );
}

function assertKeyName(name: string): string {
  assertString(name, 'name');
  if (!isValidKeyName(name))
    throw new RangeError(`"name" is not a valid key name: ${JSON.stringify(name)}`);
  return name;
}

/**
 * The 4-byte signed-note key ID of an Ed25519 key: SHA-256(name || 0x0A || 0x01 || pk)[0:4].
 * @throws TypeError / RangeError on a non-string or invalid name or a non-32-byte key.
 */
export function noteKeyId(name: string, publicKey: Uint8Array): Uint8Array {
  assertKeyName(name);
  assertBytes(publicKey, 'publicKey', PUBLIC_KEY_LENGTH);
  return sha256(
    concatBytes(utf8Encode(`${name}\n`), Uint8Array.of(ED25519_ALGORITHM), publicKey)
  ).slice(0, 4);
}

/** A parsed secret-key text. */
export type ParsedSecretKey = { name: string; keyId: Uint8Array; secretKey: Uint8Array };
/** A parsed public-key text. */
export type ParsedPublicKey = { name: string; keyId: Uint8Array; publicKey: Uint8Array };

/**
 * `PRIVATE+KEY+<name>+<key ID>+<base64(0x01 || seed)>`.
 * @throws TypeError / RangeError on an invalid name or a non-32-byte secret key.
 */
export function formatSecretKey(name: string, secretKey: Uint8Array): string {
  const publicKey = getPublicKey(secretKey);
  const id = bytesToHex(noteKeyId(name, publicKey));
  return `PRIVATE+KEY+${name}+${id}+${base64Encode(concatBytes(Uint8Array.of(ED25519_ALGORITHM), secretKey))}`;
}

/**
 * `<name>+<key ID>+<base64(0x01 || public key)>` — the C2SP verifier key.
 * @throws TypeError / RangeError on an invalid name or a non-32-byte public key.
 */
export function formatPublicKey(name: string, publicKey: Uint8Array): string {
  const id = bytesToHex(noteKeyId(name, publicKey));
  return `${name}+${id}+${base64Encode(concatBytes(Uint8Array.of(ED25519_ALGORITHM), publicKey))}`;
}

const KEY_ID_HEX = /^[0-9a-f]{8}$/;

/** Splits `<name>+<id>+<key>`; the key's base64 may itself contain '+'. */
function splitKeyText(text: string): { name: string; keyId: Uint8Array; key: Uint8Array } {
  const first = text.indexOf('+');
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  if (second < 0) throw new KeyFormatError('KEY_MALFORMED', 'key text needs <name>+<id>+<key>');
  const name = text.slice(0, first);
  const id = text.slice(first + 1, second);
  if (!isValidKeyName(name)) throw new KeyFormatError('KEY_MALFORMED', 'invalid key name');
  if (!KEY_ID_HEX.test(id))
    throw new KeyFormatError('KEY_MALFORMED', 'key ID is not 8 lowercase hex');
  let key: Uint8Array;
  try {
    key = base64Decode(text.slice(second + 1));
  } catch {
    throw new KeyFormatError('KEY_MALFORMED', 'key is not strict base64');
  }
  if (key.length === 0) throw new KeyFormatError('KEY_MALFORMED', 'empty key');
  if (key[0] !== ED25519_ALGORITHM) {
    throw new KeyFormatError(
      'KEY_UNSUPPORTED_ALGORITHM',
      `unsupported key type 0x${bytesToHex(key.subarray(0, 1))}`
    );
  }
  if (key.length !== 33) throw new KeyFormatError('KEY_MALFORMED', 'an Ed25519 key is 32 bytes');
  return { name, keyId: hexToBytes(id), key: key.slice(1) };
}

/**
 * Parses a public-key text (C2SP vkey).
 * @throws KeyFormatError `KEY_MALFORMED` (syntax, name, base64, length, not a canonical point),
 *   `KEY_UNSUPPORTED_ALGORITHM` (type byte ≠ 0x01), `KEY_SMALL_ORDER` (a small-order point),
 *   `KEY_ID_MISMATCH` (the key ID is not that of this name and key).
 * @throws TypeError if `text` is not a string.
 */
export function parsePublicKey(text: string): ParsedPublicKey {
  assertString(text, 'text');
  const { name, keyId, key: publicKey } = splitKeyText(text);
  const verdict = classifyPublicKey(publicKey);
  if (verdict === 'small-order') {
    throw new KeyFormatError('KEY_SMALL_ORDER', 'public key is of small order');
  }
  if (verdict === 'malformed') {
    throw new KeyFormatError('KEY_MALFORMED', 'public key is not a canonical curve point');
  }
  if (!equalBytes(keyId, noteKeyId(name, publicKey))) {
    throw new KeyFormatError('KEY_ID_MISMATCH', 'key ID does not match the name and key');
  }
  return { name, keyId, publicKey };
}

/**
 * Parses a secret-key text (C2SP skey); the key ID is checked against the derived public key.
 * `publicKeyOf` derives it (RFC 8032 §5.1.5); defaults to this package's, and another
 * implementation (the service passes node:crypto's) must give the same bytes.
 * @throws KeyFormatError `KEY_MALFORMED`, `KEY_UNSUPPORTED_ALGORITHM`, `KEY_ID_MISMATCH`.
 * @throws TypeError if `text` is not a string.
 */
export function parseSecretKey(
  text: string,
  publicKeyOf: (secretKey: Uint8Array) => Uint8Array = getPublicKey
): ParsedSecretKey {
  assertString(text, 'text');
  if (!text.startsWith('PRIVATE+KEY+')) {
    throw new KeyFormatError('KEY_MALFORMED', 'secret key text must start with PRIVATE+KEY+');
  }
  const { name, keyId, key: secretKey } = splitKeyText(text.slice('PRIVATE+KEY+'.length));
  if (!equalBytes(keyId, noteKeyId(name, publicKeyOf(secretKey)))) {
    throw new KeyFormatError('KEY_ID_MISMATCH', 'key ID does not match the name and key');
  }
  return { name, keyId, secretKey };
}
