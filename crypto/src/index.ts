/**
 * @yishi/crypto — pure, browser-safe crypto for yishi. This file is the package's only door.
 */
export * from './error.js';
export {
  bytesToHex,
  hexToBytes,
  base64Encode,
  base64Decode,
  utf8Encode,
  utf8Decode,
  concatBytes,
  equalBytes,
} from './bytes.js';
export { sha256 } from './sha256.js';
export {
  canonicalJson,
  canonicalBytes,
  signingMessage,
  SIGNING_CONTEXT_PATTERN,
} from './canonical.js';
export {
  HASH_SIZE,
  EMPTY_ROOT,
  leafHash,
  nodeHash,
  subtreeRoot,
  rootAt,
  rootFromLeafHashes,
  inclusionProof,
  consistencyProof,
  verifyInclusion,
  verifyConsistency,
  MerkleFrontier,
} from './merkle.js';
export type { SubtreeHashReader, MerkleNode } from './merkle.js';
export { entryLeafHash, entryLeafHashHex } from './entry.js';
