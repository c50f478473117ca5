/**
 * Ledger entry hashing: a leaf of the log's RFC 6962 tree is the RFC 8785 canonical JSON of the
 * entry, so leaf hash = SHA-256(0x00 || canonicalBytes(entry)) (RFC 9162 §2.1.1).
 */
import { bytesToHex } from './bytes.js';
import { canonicalBytes } from './canonical.js';
import { leafHash } from './merkle.js';

/** The Merkle leaf hash of a ledger entry. @throws TypeError if not canonical-JSON representable */
export function entryLeafHash(entry: unknown): Uint8Array {
  return leafHash(canonicalBytes(entry));
}

/** Lowercase hex of {@link entryLeafHash}. @throws TypeError as entryLeafHash does. */
export function entryLeafHashHex(entry: unknown): string {
  return bytesToHex(entryLeafHash(entry));
}
