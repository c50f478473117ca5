/**
 * SHA-256 (FIPS 180-4) through @noble/hashes.
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { assertBytes } from './bytes.js';

/** The 32-byte SHA-256 digest of `data`. @throws TypeError if `data` is not a Uint8Array. */
export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(assertBytes(data, 'data'));
}
