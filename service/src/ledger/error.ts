/**
 * The ledger store's failure codes: one closed union, so callers (routes, the CLI) can tell them
 * apart without matching messages. Part of the service's error table (http/errors.ts checks that
 * only NONCE_REPLAYED, the same refusal, is also a reply code); kept here so that loading the
 * ledger never loads the rules engine.
 */
export const LEDGER_ERROR_CODES = [
  /** The database was written by a newer yishi: its schema_version is above what we know. */
  'SCHEMA_TOO_NEW',
  /** A caller passed an argument the store cannot accept (bad type, negative size, ...). */
  'INVALID_ARGUMENT',
  /** A leaf index is not inside the requested tree. */
  'INDEX_OUT_OF_RANGE',
  /** A tree size is larger than the ledger (or otherwise not a valid size). */
  'SIZE_OUT_OF_RANGE',
  /** A consistency proof was asked for with m < 1 or m > n. */
  'CONSISTENCY_RANGE_INVALID',
  /** A Merkle node the tree needs is not in tree_nodes: the store is damaged. */
  'TREE_NODE_MISSING',
  /** An entry row is missing or its body does not hash to its stored leaf hash. */
  'ENTRY_CORRUPT',
  /** A command's (publicKey, nonce) pair was already used by an earlier entry. */
  'NONCE_REPLAYED',
  /** An item cannot become an entry (missing nonce, derived undefined, not canonicalizable). */
  'ENTRY_INVALID',
  /** Genesis was asked for on a ledger that already has entries. */
  'LEDGER_NOT_EMPTY',
  /** The stored tree nodes disagree with the tree built from the entries' leaf hashes. */
  'TREE_CORRUPT',
  /** The ledger has no id yet (no genesis) and the caller needed one. */
  'LEDGER_NOT_INITIALIZED',
  /** The checkpoint origin differs from the ledger's (genesis) origin or the key's name. */
  'ORIGIN_MISMATCH',
  /** The writer was closed; no more appends are taken. */
  'WRITER_CLOSED',
  /** An fsync of the ledger failed: what is on disk is unknown, no more appends are taken. */
  'LEDGER_SYNC_FAILED',
  /** The stored latest checkpoint does not verify under our key, or does not parse. */
  'CHECKPOINT_INVALID',
  /** The new tree is not consistent with the previously signed checkpoint: nothing was signed. */
  'CHECKPOINT_INCONSISTENT',
  /** The latest signed checkpoint is larger than the tree we have. */
  'CHECKPOINT_AHEAD_OF_TREE',
] as const;

/** A ledger store failure code. */
export type LedgerErrorCode = (typeof LEDGER_ERROR_CODES)[number];

/** Every failure the ledger reports on purpose carries one of the codes above. */
export class LedgerError extends Error {
  readonly code: LedgerErrorCode;

  constructor(code: LedgerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LedgerError';
    this.code = code;
  }
}

/** True when `err` is a LedgerError, optionally with the given code. */
export function isLedgerError(err: unknown, code?: LedgerErrorCode): err is LedgerError {
  return err instanceof LedgerError && (code === undefined || err.code === code);
}
