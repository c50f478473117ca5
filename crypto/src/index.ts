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
export { nobleHashBackend } from './hash-backend.js';
export type { HashBackend } from './hash-backend.js';
export {
  canonicalJson,
  canonicalBytes,
  canonicalJsonFast,
  canonicalObjectJson,
  canonicalEntryJson,
  canonicalSignedCommandJson,
  hasWellFormedStrings,
  signingMessage,
  SIGNING_CONTEXT_PATTERN,
} from './canonical.js';
export type { CanonicalEntryParts } from './canonical.js';
export {
  HASH_SIZE,
  EMPTY_ROOT,
  createTreeHasher,
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
export type { SubtreeHashReader, MerkleNode, TreeHasher } from './merkle.js';
export { MemoryMerkleTree } from './memory-tree.js';
export { entryLeafHash, entryLeafHashHex } from './entry.js';
export {
  SECRET_KEY_LENGTH,
  PUBLIC_KEY_LENGTH,
  SIGNATURE_LENGTH,
  generateSecretKey,
  getPublicKey,
  sign,
  verify,
  isAcceptablePublicKey,
  principalKeyId,
} from './ed25519.js';
export {
  ED25519_ALGORITHM,
  isValidKeyName,
  noteKeyId,
  formatSecretKey,
  formatPublicKey,
  parseSecretKey,
  parsePublicKey,
} from './key-text.js';
export type { ParsedSecretKey, ParsedPublicKey } from './key-text.js';
export {
  NOTE_MAX_BYTES,
  NOTE_MAX_SIGNATURES,
  createNoteSigner,
  createNoteVerifier,
  generateNoteKey,
  parseNoteSigner,
  parseNoteVerifier,
  signNote,
  openNote,
} from './note.js';
export type {
  Ed25519Signing,
  NoteSigner,
  NoteVerifier,
  NoteSignature,
  OpenedNote,
} from './note.js';
export { formatCheckpoint, parseCheckpoint, signCheckpoint, openCheckpoint } from './checkpoint.js';
export type { Checkpoint } from './checkpoint.js';
export {
  TLOG_PROOF_HEADER,
  TLOG_PROOF_MAX_HASHES,
  TLOG_PROOF_MAX_LENGTH,
  formatTlogProof,
  parseTlogProof,
  verifyTlogProof,
} from './tlog-proof.js';
export type { TlogProof } from './tlog-proof.js';
export * from './read-request.js';
