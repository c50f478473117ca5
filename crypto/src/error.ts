/**
 * The coded errors of @yishi/crypto.
 *
 * Wrong-typed or out-of-range arguments from the calling code throw `TypeError` / `RangeError`;
 * signature checks return booleans. The classes here are for checks over attacker-controlled
 * input that must say WHY they failed (a Merkle proof, a signed note, a checkpoint, a key text):
 * each carries a `code` from a closed union, and tests assert codes, never messages.
 */

/** Codes of {@link MerkleProofError} (RFC 9162 §2.1.3, §2.1.4). */
export const MERKLE_PROOF_ERROR_CODES = [
  'INCLUSION_PROOF_INVALID',
  'CONSISTENCY_PROOF_INVALID',
  'PROOF_WRONG_LENGTH',
  'HASH_WRONG_LENGTH',
  'INDEX_OUT_OF_RANGE',
  'SIZE_INVALID',
] as const;
/** Why a Merkle proof was refused. */
export type MerkleProofErrorCode = (typeof MERKLE_PROOF_ERROR_CODES)[number];

/** Codes of {@link NoteError} (C2SP signed-note v1.0.0). */
export const NOTE_ERROR_CODES = [
  'NOTE_MALFORMED',
  'NOTE_TOO_LARGE',
  'NOTE_TOO_MANY_SIGNATURES',
  'NOTE_DUPLICATE_SIGNATURE',
  'NOTE_INVALID_SIGNATURE',
  'NOTE_UNVERIFIED',
] as const;
/** Why a signed note was refused. */
export type NoteErrorCode = (typeof NOTE_ERROR_CODES)[number];

/** Codes of {@link CheckpointError} (C2SP tlog-checkpoint v1.0.0). */
export const CHECKPOINT_ERROR_CODES = [
  'CHECKPOINT_MALFORMED',
  'CHECKPOINT_ORIGIN_INVALID',
  'CHECKPOINT_SIZE_INVALID',
  'CHECKPOINT_ROOT_INVALID',
  'CHECKPOINT_EXTENSION_INVALID',
] as const;
/** Why a checkpoint body was refused. */
export type CheckpointErrorCode = (typeof CHECKPOINT_ERROR_CODES)[number];

/** Codes of {@link TlogProofError} (c2sp.org/tlog-proof@v1). */
export const TLOG_PROOF_ERROR_CODES = [
  'TLOG_PROOF_MALFORMED',
  'TLOG_PROOF_HEADER_INVALID',
  'TLOG_PROOF_EXTRA_INVALID',
  'TLOG_PROOF_INDEX_INVALID',
  'TLOG_PROOF_HASH_INVALID',
  'TLOG_PROOF_CHECKPOINT_MISSING',
  'TLOG_PROOF_TOO_LARGE',
] as const;
/** Why a tlog-proof text was refused. */
export type TlogProofErrorCode = (typeof TLOG_PROOF_ERROR_CODES)[number];

/** Codes of {@link KeyFormatError} (key text, the C2SP signed-note key encoding). */
export const KEY_FORMAT_ERROR_CODES = [
  'KEY_MALFORMED',
  'KEY_ID_MISMATCH',
  'KEY_UNSUPPORTED_ALGORITHM',
  'KEY_SMALL_ORDER',
] as const;
/** Why a key text was refused. */
export type KeyFormatErrorCode = (typeof KEY_FORMAT_ERROR_CODES)[number];

/** Every code a {@link YishiCryptoError} can carry. */
export type CryptoErrorCode =
  | MerkleProofErrorCode
  | NoteErrorCode
  | CheckpointErrorCode
  | TlogProofErrorCode
  | KeyFormatErrorCode;

/** Base class of the package's coded errors; `code` is stable, `message` is for humans. */
export class YishiCryptoError<C extends CryptoErrorCode = CryptoErrorCode> extends Error {
  /** Stable machine-readable reason. */
  readonly code: C;
  constructor(code: C, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A Merkle inclusion or consistency proof (or its size/index arguments) was refused. */
export class MerkleProofError extends YishiCryptoError<MerkleProofErrorCode> {}

/** A signed note was malformed, too large, or not verified by a known key. */
export class NoteError extends YishiCryptoError<NoteErrorCode> {}

/** A checkpoint body was malformed. */
export class CheckpointError extends YishiCryptoError<CheckpointErrorCode> {}

/** A tlog-proof text was malformed. */
export class TlogProofError extends YishiCryptoError<TlogProofErrorCode> {}

/** A secret- or public-key text was malformed, mislabelled, or holds an unacceptable key. */
export class KeyFormatError extends YishiCryptoError<KeyFormatErrorCode> {}
