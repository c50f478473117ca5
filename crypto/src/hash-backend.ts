/**
 * The SHA-256 (FIPS 180-4) implementation behind the RFC 6962 / RFC 9162 §2.1.1 tree hashing of
 * merkle.ts. A backend is chosen once, by whoever builds a {@link TreeHasher}: the default is
 * @noble/hashes (pure JavaScript, browser-safe); on Node, `nodeHashBackend` from
 * `@yishi/crypto/node` (OpenSSL through node:crypto's one-shot `hash`) gives the same bytes
 * several times faster. Both are checked against each other and against RFC vectors in tests.
 *
 * Contract: each call is synchronous and returns a fresh 32-byte Uint8Array (never a Buffer,
 * whose `slice` shares memory) that the caller owns; the input is only read during the call, so
 * a caller may reuse its input buffer.
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

/** A SHA-256 implementation (see the file header for the contract). */
export interface HashBackend {
  /** A short name for messages and benches, e.g. `noble` or `node:crypto`. */
  readonly name: string;
  /** SHA-256 of `data`. */
  sha256(data: Uint8Array): Uint8Array;
  /**
   * SHA-256 of the UTF-8 encoding of `text` (WHATWG: a lone surrogate encodes as U+FFFD, as
   * TextEncoder and Node's Buffer both do). Lets a backend hash a string without an encode step.
   */
  sha256Utf8(text: string): Uint8Array;
}

const encoder = new TextEncoder();

/** SHA-256 by @noble/hashes: pure JavaScript, the default everywhere. */
export const nobleHashBackend: HashBackend = Object.freeze({
  name: 'noble',
  sha256: (data: Uint8Array): Uint8Array => nobleSha256(data),
  sha256Utf8: (text: string): Uint8Array => nobleSha256(encoder.encode(text)),
});
