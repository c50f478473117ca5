/**
 * SHA-256 (FIPS 180-4) through node:crypto, for Node only: published as `@yishi/crypto/node`
 * under the `node` export condition and never imported by the package's index, so a browser
 * bundle of @yishi/crypto does not pull node:crypto. Byte for byte the digests of
 * `nobleHashBackend`; several times faster for the short inputs of tree hashing, since one-shot
 * `hash` (Node >= 20.12) creates no Hash object.
 */
import { hash } from 'node:crypto';
import type { HashBackend } from './hash-backend.js';

/** A Uint8Array over the Buffer's bytes: a Buffer's `slice` would share memory, this one copies. */
const view = (buf: Uint8Array): Uint8Array =>
  new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);

/** SHA-256 by node:crypto (OpenSSL). */
export const nodeHashBackend: HashBackend = Object.freeze({
  name: 'node:crypto',
  sha256: (data: Uint8Array): Uint8Array => view(hash('sha256', data, 'buffer')),
  // A string is hashed as its UTF-8 bytes, lone surrogates as U+FFFD, as TextEncoder does.
  sha256Utf8: (text: string): Uint8Array => view(hash('sha256', text, 'buffer')),
});

export type { HashBackend } from './hash-backend.js';
