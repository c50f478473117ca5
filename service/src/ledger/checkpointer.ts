import {
  EMPTY_ROOT,
  createNoteSigner,
  createNoteVerifier,
  equalBytes,
  formatPublicKey,
  openCheckpoint,
  parseSecretKey,
  signCheckpoint,
  verifyConsistency,
  type NoteSigner,
  type NoteVerifier,
} from '@yishi/crypto';
import { fastPublicKey, fastVerify, NODE_ED25519_SIGNING } from '../crypto-fast/fast-ed25519.js';
import { LedgerError, isLedgerError, type LedgerErrorCode } from './error.js';
import type { LedgerStore } from './ledger-store.js';

/**
 * Fault-injection hooks for crash tests. A hook that throws aborts `checkpointNow` at that point:
 * after `afterSign` nothing was persisted; after `afterPersist` the checkpoint is already the
 * latest. Either way a checkpointer restarted on the same store carries on consistently.
 */
export interface CheckpointerFaults {
  afterSign?(note: string): void;
  afterPersist?(note: string): void;
}

export interface CheckpointerOptions {
  /** The log's C2SP signed-note secret key text (`PRIVATE+KEY+<origin>+...`). */
  skey: string;
  /**
   * Checkpoint origin, also the note key name. Defaults to the ledger's `origin` meta (set by
   * genesis), else `yishi.local/<ledgerId>`.
   */
  origin?: string;
  /** At most one timer-driven checkpoint per this many ms. Defaults to 1000. */
  checkpointIntervalMs?: number;
  /** ms since the epoch, recorded as `signed_at` and used for the interval. Defaults to Date.now. */
  clock?: () => number;
  faults?: CheckpointerFaults;
  /** Where timer-driven failures go; without it they are rethrown (an uncaught exception). */
  onError?: (err: unknown) => void;
}

/** What one attempt did. */
export type CheckpointResult =
  | { status: 'signed'; size: number; rootHash: Uint8Array; note: string }
  /** The latest checkpoint already covers the whole tree. */
  | { status: 'unchanged'; size: number; note: string }
  /** Another checkpointer moved the latest row first; nothing was written. */
  | { status: 'superseded'; size: number; note: string | undefined };

/** Errors after which the timer stops: signing must not go on over a tree we cannot trust. */
const FATAL: ReadonlySet<LedgerErrorCode> = new Set([
  'CHECKPOINT_INCONSISTENT',
  'CHECKPOINT_INVALID',
  'CHECKPOINT_AHEAD_OF_TREE',
  'TREE_CORRUPT',
  'TREE_NODE_MISSING',
]);

const DEFAULT_INTERVAL_MS = 1000;

/**
 * Signs C2SP checkpoints (c2sp.org/tlog-checkpoint, no extension lines) over a {@link LedgerStore}.
 *
 * The log never signs two inconsistent checkpoints: before signing size n it reads the latest
 * signed checkpoint (size m, verified under this key), builds the RFC 9162 consistency proof m → n
 * from the stored tree nodes and verifies it against the SIGNED old root and the new root; it
 * also checks the new root against the in-memory frontier. Any failure throws a coded LedgerError
 * and signs nothing.
 *
 * Durability and concurrency: a checkpoint is persisted (history row + compare-and-swap of the
 * latest row, one transaction) before {@link checkpointNow} returns 'signed'. The latest row is
 * re-read on every attempt, so several checkpointers over one database never overwrite each
 * other's newer checkpoint (the loser gets 'superseded'). Synchronous; safe to mix with a
 * LedgerWriter in the same process.
 */
export class Checkpointer {
  readonly store: LedgerStore;
  readonly origin: string;
  /** The C2SP verifier key of the checkpoints (`<origin>+<key id>+<base64>`). */
  readonly vkey: string;
  readonly intervalMs: number;
  readonly #signer: NoteSigner;
  readonly #verifier: NoteVerifier;
  readonly #clock: () => number;
  readonly #faults: CheckpointerFaults;
  readonly #onError: ((err: unknown) => void) | undefined;
  #lastSignedAt = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;

  constructor(store: LedgerStore, options: CheckpointerOptions) {
    const intervalMs = options.checkpointIntervalMs ?? DEFAULT_INTERVAL_MS;
    if (!Number.isSafeInteger(intervalMs) || intervalMs < 1) {
      throw new LedgerError(
        'INVALID_ARGUMENT',
        '"checkpointIntervalMs" expected a positive integer'
      );
    }
    const ledgerOrigin = store.getMeta('origin');
    let origin = options.origin ?? ledgerOrigin;
    if (origin === undefined) {
      const ledgerId = store.ledgerId;
      if (ledgerId === undefined) {
        throw new LedgerError('LEDGER_NOT_INITIALIZED', 'no origin given and the ledger has no id');
      }
      origin = `yishi.local/${ledgerId}`;
    }
    if (ledgerOrigin !== undefined && origin !== ledgerOrigin) {
      throw new LedgerError(
        'ORIGIN_MISMATCH',
        `origin ${origin} is not the ledger's origin ${ledgerOrigin}`
      );
    }
    let key;
    try {
      key = parseSecretKey(options.skey, fastPublicKey);
    } catch (err) {
      throw new LedgerError('INVALID_ARGUMENT', '"skey" is not a signed-note secret key', {
        cause: err,
      });
    }
    if (key.name !== origin) {
      throw new LedgerError('ORIGIN_MISMATCH', `key name ${key.name} is not the origin ${origin}`);
    }
    const publicKey = fastPublicKey(key.secretKey);
    this.store = store;
    this.origin = origin;
    this.vkey = formatPublicKey(origin, publicKey);
    this.intervalMs = intervalMs;
    this.#signer = createNoteSigner(origin, key.secretKey, NODE_ED25519_SIGNING);
    this.#verifier = createNoteVerifier(origin, publicKey, fastVerify);
    this.#clock = options.clock ?? Date.now;
    this.#faults = options.faults ?? {};
    this.#onError = options.onError;
    const latest = store.latestCheckpoint();
    if (latest !== undefined) {
      this.#lastSignedAt = store.checkpointAt(latest.size)?.signedAt ?? this.#lastSignedAt;
    }
  }

  /** The latest checkpoint, verified under this key and origin; undefined before the first. */
  #latest(): { size: number; root: Uint8Array; note: string } | undefined {
    const latest = this.store.latestCheckpoint();
    if (latest === undefined) return undefined;
    let checkpoint;
    try {
      ({ checkpoint } = openCheckpoint(latest.note, [this.#verifier], this.origin));
    } catch (err) {
      throw new LedgerError(
        'CHECKPOINT_INVALID',
        'the latest checkpoint does not verify under this key and origin',
        { cause: err }
      );
    }
    if (checkpoint.size !== latest.size) {
      throw new LedgerError('CHECKPOINT_INVALID', 'the latest row and its note disagree on size');
    }
    return { size: latest.size, root: checkpoint.rootHash, note: latest.note };
  }

  /** Refuses unless the tree of size n with root `root` extends the signed `previous`. */
  #proveConsistent(previous: { size: number; root: Uint8Array }, n: number, root: Uint8Array) {
    const m = previous.size;
    try {
      if (m === 0) {
        if (!equalBytes(previous.root, EMPTY_ROOT)) throw new Error('size 0 with a non-empty root');
        return;
      }
      verifyConsistency(m, n, this.store.consistencyProof(m, n), previous.root, root);
    } catch (err) {
      if (isLedgerError(err) && err.code !== 'CONSISTENCY_RANGE_INVALID') throw err;
      throw new LedgerError(
        'CHECKPOINT_INCONSISTENT',
        `the tree of size ${n} is not consistent with the signed checkpoint of size ${m}`,
        { cause: err }
      );
    }
  }

  /** Signs and persists a checkpoint of the current tree now, if it grew since the latest. */
  checkpointNow(): CheckpointResult {
    const previous = this.#latest();
    const n = this.store.size;
    if (previous !== undefined && previous.size > n) {
      throw new LedgerError(
        'CHECKPOINT_AHEAD_OF_TREE',
        `the latest checkpoint has size ${previous.size}, the tree ${n}`
      );
    }
    if (previous !== undefined && previous.size === n) {
      return { status: 'unchanged', size: n, note: previous.note };
    }
    const rootHash = this.store.root(n);
    if (!equalBytes(rootHash, this.store.frontierRoot())) {
      throw new LedgerError('TREE_CORRUPT', 'stored tree nodes disagree with the frontier');
    }
    if (previous !== undefined) this.#proveConsistent(previous, n, rootHash);

    const note = signCheckpoint({ origin: this.origin, size: n, rootHash, extensions: [] }, [
      this.#signer,
    ]);
    this.#faults.afterSign?.(note);
    const signedAt = this.#clock();
    const saved = this.store.saveCheckpoint(
      { size: n, root: rootHash, note, signedAt },
      previous?.size ?? 0
    );
    if (!saved) {
      const now = this.store.latestCheckpoint();
      return { status: 'superseded', size: now?.size ?? 0, note: now?.note };
    }
    this.#lastSignedAt = signedAt;
    this.#faults.afterPersist?.(note);
    return { status: 'signed', size: n, rootHash, note };
  }

  /**
   * Checkpoints if the tree grew beyond the latest checkpoint and the interval has passed since
   * the last one this checkpointer signed (or found at start); undefined when not due.
   */
  checkpointIfDue(): CheckpointResult | undefined {
    if (this.#clock() - this.#lastSignedAt < this.intervalMs) return undefined;
    const latest = this.store.latestCheckpoint();
    if (this.store.size === 0 || (latest !== undefined && latest.size >= this.store.size)) {
      return undefined;
    }
    return this.checkpointNow();
  }

  /** Checkpoints from an unref'd timer every interval while the tree grows. */
  start(): void {
    if (this.#timer !== undefined) return;
    // Tick faster than the interval: a tick exactly one interval after a signature made slightly
    // after its own tick would find the interval not yet over and wait a whole extra period.
    this.#timer = setInterval(() => this.#tick(), Math.max(1, Math.ceil(this.intervalMs / 4)));
    this.#timer.unref();
  }

  /** Stops the timer. */
  stop(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Whether the timer runs. */
  get running(): boolean {
    return this.#timer !== undefined;
  }

  #tick(): void {
    try {
      this.checkpointIfDue();
    } catch (err) {
      if (isLedgerError(err) && FATAL.has(err.code)) this.stop();
      if (this.#onError === undefined) throw err;
      this.#onError(err);
    }
  }
}
