/**
 * The coded errors of @yishi/verify: one table, every code a closed union, tests assert codes.
 *
 * - {@link LEDGER_CHECKS}: what `verifyLedger` / `yishi verify` report as the first failure;
 * - {@link EXPORT_ERROR_CODES}: an export line that cannot be read ({@link ExportFormatError});
 * - {@link WATCH_ERROR_CODES}: why a log watcher refused a checkpoint ({@link WatchError});
 * - {@link DECISION_ERROR_CODES}: why `verifyDecision` refused a decision, besides the codes of
 *   `@yishi/crypto` it passes through (`TLOG_PROOF_*`, `NOTE_*`, `CHECKPOINT_*`, `KEY_*`, …).
 * Replay findings (`ENTRY_REFUSED`, `DERIVED_MISMATCH`, `MALFORMED_ENTRY`) are `@yishi/procedure`'s.
 */
import type { CryptoErrorCode } from '@yishi/crypto';
import type { PolicyErrorCode } from './policy.js';

/**
 * The checks `verifyLedger` / `yishi verify` run, as a closed list of stable codes. A failure
 * names one of these, the entry (or checkpoint size) where it was found, and the evidence.
 */
export const LEDGER_CHECKS = [
  /** An export line or database row that is not a well-formed ledger entry. */
  'ENTRY_MALFORMED',
  /** Entries are not numbered 0, 1, 2, … without gaps (deleted, reordered, inserted rows). */
  'ENTRY_SEQUENCE',
  /** An entry's bytes do not hash to what the next entry recorded as `prev`. */
  'ENTRY_CHAIN',
  /** A database row's stored leaf hash is not the hash of the entry beside it. */
  'ENTRY_HASH_STORED',
  /** A command's signature does not verify under the public key it names. */
  'ENTRY_SIGNATURE',
  /** The public key a command names is not an acceptable Ed25519 key (small order, non-canonical). */
  'ENTRY_KEY_UNACCEPTABLE',
  /** Entry 0 is not a genesis signed by the log key it declares. */
  'GENESIS_INVALID',
  /** The ledger's log key (from its genesis) is not the key the auditor trusts (`--vkey`). */
  'LOG_KEY_MISMATCH',
  /** A checkpoint is not a well-formed signed note with a C2SP checkpoint body. */
  'CHECKPOINT_MALFORMED',
  /** A checkpoint is not signed by the trusted log key. */
  'CHECKPOINT_SIGNATURE',
  /** A checkpoint names another log (origin). */
  'CHECKPOINT_ORIGIN',
  /** A checkpoint commits to more entries than the ledger holds: its tail was dropped. */
  'CHECKPOINT_BEYOND_LEDGER',
  /** The entries do not hash to the root a checkpoint signed. */
  'CHECKPOINT_ROOT_MISMATCH',
  /** Two checkpoints are not consistent (the log forked or was rewritten). */
  'CHECKPOINT_INCONSISTENT',
  /**
   * Checked against a witness policy (`--policy`): the latest checkpoint's cosignatures do not
   * meet the policy's quorum (earlier ones are covered by their consistency with it), or a
   * cosignature of a witness the policy names does not verify.
   */
  'CHECKPOINT_QUORUM',
  /** The ledger has no entries at all. */
  'LEDGER_EMPTY',
] as const;

/** One of {@link LEDGER_CHECKS}. */
export type LedgerCheck = (typeof LEDGER_CHECKS)[number];

/** The first thing that did not hold. */
export interface LedgerFailure {
  check: LedgerCheck;
  /** The entry at fault, where one can be named. */
  seq?: number;
  /** The checkpoint at fault, by its tree size. */
  checkpointSize?: number;
  /** Human-readable evidence. */
  detail: string;
}

/** Codes of {@link ExportFormatError}. */
export const EXPORT_ERROR_CODES = ['EXPORT_MALFORMED'] as const;
/** Why an export line could not be read. */
export type ExportErrorCode = (typeof EXPORT_ERROR_CODES)[number];

/** Why an export line could not be read; `line` is 1-based. */
export class ExportFormatError extends Error {
  readonly code: ExportErrorCode = 'EXPORT_MALFORMED';
  constructor(
    readonly line: number,
    message: string
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'ExportFormatError';
  }
}

/** Why a watcher refused a checkpoint. */
export const WATCH_ERROR_CODES = [
  'LOG_UNREACHABLE',
  'CHECKPOINT_UNVERIFIED',
  'LOG_ROLLED_BACK',
  'LOG_FORKED',
  'LOG_INCONSISTENT',
  /** With a policy: the checkpoint's valid cosignatures do not meet the quorum. */
  'CHECKPOINT_QUORUM_UNMET',
  /** The log key names another origin than the one the watcher was pinned to. */
  'ORIGIN_MISMATCH',
  /** Watching a principal: its key events (`GET /principals/{id}/key-events`) could not be read. */
  'KEY_EVENTS_UNREADABLE',
] as const;
export type WatchErrorCode = (typeof WATCH_ERROR_CODES)[number];

/** A checkpoint the watcher refused; `code` says why. */
export class WatchError extends Error {
  constructor(
    readonly code: WatchErrorCode,
    message: string
  ) {
    super(message);
    this.name = 'WatchError';
  }
}

/** The codes `verifyDecision` gives of its own. */
export const DECISION_ERROR_CODES = [
  /** The proof is for another index than the entry's seq. */
  'ENTRY_INDEX_MISMATCH',
  /** The input could not be checked at all (an exception without a crypto code). */
  'ENTRY_MALFORMED',
  /** The log key names another origin than the one the caller pinned. */
  'ORIGIN_MISMATCH',
] as const;
/** Why `verifyDecision` refused: one of its own codes or a `@yishi/crypto` code. */
export type DecisionErrorCode =
  (typeof DECISION_ERROR_CODES)[number] | CryptoErrorCode | PolicyErrorCode;

/** Every code @yishi/verify reports. */
export type VerifyErrorCode = LedgerCheck | ExportErrorCode | WatchErrorCode | DecisionErrorCode;
