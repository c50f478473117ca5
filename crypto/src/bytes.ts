/**
 * Byte helpers: hex, base64 (RFC 4648 §4, standard alphabet, padded), UTF-8 (WHATWG Encoding),
 * concatenation and comparison. Browser-safe: no Buffer, no node: imports.
 *
 * Decoders are strict, so that each byte string has exactly one accepted text form:
 * hex must have even length; base64 must be padded, use the standard alphabet, and have zero
 * trailing bits (RFC 4648 §3.5 "canonical encoding"); UTF-8 decoding is fatal and keeps a BOM.
 */

const isBytes = (value: unknown): value is Uint8Array =>
  value instanceof Uint8Array ||
  (ArrayBuffer.isView(value) &&
    value.constructor.name === 'Uint8Array' &&
    (value as Uint8Array).BYTES_PER_ELEMENT === 1);

/**
 * Asserts that `value` is a Uint8Array (and of `length` if given), noble style:
 * `"publicKey" expected Uint8Array of length 32, got length=31`.
 * @throws TypeError if `value` is not a Uint8Array; RangeError if its length is wrong.
 */
export function assertBytes(value: unknown, name: string, length?: number): Uint8Array {
  if (isBytes(value) && (length === undefined || value.length === length)) return value;
  const ofLength = length === undefined ? '' : ` of length ${length}`;
  if (!isBytes(value)) {
    const got = value === null ? 'null' : typeof value;
    throw new TypeError(`"${name}" expected Uint8Array${ofLength}, got type=${got}`);
  }
  throw new RangeError(`"${name}" expected Uint8Array${ofLength}, got length=${value.length}`);
}

/** Asserts `value` is a string, naming the parameter. @throws TypeError */
export function assertString(value: unknown, name: string): string {
  if (typeof value !== 'string') {
    throw new TypeError(
      `"${name}" expected string, got type=${value === null ? 'null' : typeof value}`
    );
  }
  return value;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lowercase hex of `bytes`. @throws TypeError if `bytes` is not a Uint8Array. */
export function bytesToHex(bytes: Uint8Array): string {
  assertBytes(bytes, 'bytes');
  let out = '';
  for (const b of bytes) out += HEX[b];
  return out;
}

const hexNibble = (code: number): number => {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  if (code >= 65 && code <= 70) return code - 55; // A-F
  return -1;
};

/**
 * Bytes of a hex string (either case).
 * @throws TypeError if `hex` is not a string, has odd length, or holds a non-hex character.
 */
export function hexToBytes(hex: string): Uint8Array {
  assertString(hex, 'hex');
  if (hex.length % 2 !== 0) {
    throw new TypeError(`"hex" expected even length, got length=${hex.length}`);
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexNibble(hex.charCodeAt(2 * i));
    const lo = hexNibble(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw new TypeError(`"hex" has a non-hex character near index ${2 * i}`);
    out[i] = hi * 16 + lo;
  }
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_VALUE = new Int16Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_VALUE[B64.charCodeAt(i)] = i;

/** Standard padded base64 (RFC 4648 §4) of `bytes`. @throws TypeError if not a Uint8Array. */
export function base64Encode(bytes: Uint8Array): string {
  assertBytes(bytes, 'bytes');
  let out = '';
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const n =
      (bytes[i] as number) * 65536 + (bytes[i + 1] as number) * 256 + (bytes[i + 2] as number);
    out +=
      B64[Math.floor(n / 262144)]! +
      B64[Math.floor(n / 4096) % 64]! +
      B64[Math.floor(n / 64) % 64]! +
      B64[n % 64]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] as number) * 65536;
    out += B64[Math.floor(n / 262144)]! + B64[Math.floor(n / 4096) % 64]! + '==';
  } else if (rest === 2) {
    const n = (bytes[i] as number) * 65536 + (bytes[i + 1] as number) * 256;
    out +=
      B64[Math.floor(n / 262144)]! +
      B64[Math.floor(n / 4096) % 64]! +
      B64[Math.floor(n / 64) % 64]! +
      '=';
  }
  return out;
}

const b64Value = (s: string, at: number): number => {
  const code = s.charCodeAt(at);
  const v = code < 128 ? (B64_VALUE[code] as number) : -1;
  if (v < 0) throw new TypeError(`"base64" has an invalid character at index ${at}`);
  return v;
};

/**
 * Bytes of strict standard padded base64 (RFC 4648 §4). The empty string decodes to no bytes.
 * @throws TypeError on anything else: wrong length, characters outside the standard alphabet,
 *   missing or misplaced padding, whitespace, or non-zero trailing bits (non-canonical).
 */
export function base64Decode(text: string): Uint8Array {
  assertString(text, 'base64');
  if (text.length % 4 !== 0) {
    throw new TypeError(`"base64" expected a multiple of 4 characters, got length=${text.length}`);
  }
  let pad = 0;
  if (text.endsWith('==')) pad = 2;
  else if (text.endsWith('=')) pad = 1;
  const quads = text.length / 4;
  const out = new Uint8Array(quads * 3 - pad);
  for (let q = 0; q < quads; q++) {
    const at = 4 * q;
    const last = q === quads - 1;
    const a = b64Value(text, at);
    const b = b64Value(text, at + 1);
    if (last && pad === 2) {
      if (b % 16 !== 0) throw new TypeError('"base64" has non-zero trailing bits');
      out[3 * q] = a * 4 + Math.floor(b / 16);
      continue;
    }
    const c = b64Value(text, at + 2);
    if (last && pad === 1) {
      if (c % 4 !== 0) throw new TypeError('"base64" has non-zero trailing bits');
      out[3 * q] = a * 4 + Math.floor(b / 16);
      out[3 * q + 1] = (b % 16) * 16 + Math.floor(c / 4);
      continue;
    }
    const d = b64Value(text, at + 3);
    out[3 * q] = a * 4 + Math.floor(b / 16);
    out[3 * q + 1] = (b % 16) * 16 + Math.floor(c / 4);
    out[3 * q + 2] = (c % 4) * 64 + d;
  }
  return out;
}

const LONE_SURROGATE = /\p{Cs}/u;

/** True if `text` has no lone UTF-16 surrogate (so it has exactly one UTF-8 encoding). */
export function isWellFormedString(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * UTF-8 bytes of `text`.
 * @throws TypeError if `text` is not a string or holds a lone surrogate (which TextEncoder would
 *   silently replace by U+FFFD, making two different strings encode alike).
 */
export function utf8Encode(text: string): Uint8Array {
  assertString(text, 'text');
  if (!isWellFormedString(text)) throw new TypeError('"text" has a lone surrogate');
  return encoder.encode(text);
}

/**
 * The string of UTF-8 `bytes`; a leading BOM is kept, not stripped.
 * @throws TypeError if `bytes` is not a Uint8Array or is not valid UTF-8.
 */
export function utf8Decode(bytes: Uint8Array): string {
  assertBytes(bytes, 'bytes');
  return decoder.decode(bytes);
}

/** One new Uint8Array holding every argument in order. @throws TypeError on a non-Uint8Array. */
export function concatBytes(...arrays: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const [i, a] of arrays.entries()) total += assertBytes(a, `arrays[${i}]`).length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/**
 * True if `a` and `b` hold the same bytes. For equal lengths the loop does not stop early, so its
 * time does not depend on where the first difference is (lengths are not secret).
 * @throws TypeError on a non-Uint8Array.
 */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  assertBytes(a, 'a');
  assertBytes(b, 'b');
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** True if `text` has an ASCII control character (below U+0020), newline excepted if allowed. */
export function hasControlCharacter(text: string, allowNewline: boolean): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && !(allowNewline && c === 0x0a)) return true;
  }
  return false;
}
