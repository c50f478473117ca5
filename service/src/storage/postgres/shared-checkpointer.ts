// Signs checkpoints of a ledger shared through PostgreSQL (issue 18 §3, §4). Only over a
// (size, root) read under the database's head lock: the mirror is caught up to the locked head,
// the root is the mirror's (checked against its frontier), the previous checkpoint is read from
// the database and verified, the new tree is proved consistent with it, and the note is
// published by compare-and-swap in the same transaction. A checkpoint row exists at most once
// per size, so two instances racing never publish two checkpoints for one size. An advisory lock
// only spares the others the work: correctness never rests on it.
import {
  EMPTY_ROOT,
  bytesToHex,
  createNoteSigner,
  createNoteVerifier,
  equalBytes,
  openCheckpoint,
  parseSecretKey,
  signCheckpoint,
  verifyConsistency,
  type NoteSigner,
  type NoteVerifier,
} from '@yishi/crypto';
import { fastPublicKey, NODE_ED25519_SIGNING } from '../../crypto-fast/fast-ed25519.js';
import { isLedgerError, LedgerError, type CheckpointResult } from '../../ledger/index.js';
import type { PublishedCheckpointFile } from './published-file.js';
import type { SharedLedger } from './shared-ledger.js';

export interface SharedCheckpointerOptions {
  skey: string;
  origin: string;
  intervalMs?: number;
  clock?: () => number;
  /** The last checkpoint published, kept beside the keys. */
  published: PublishedCheckpointFile;
  /** Takes the advisory lock of the publisher: false when another instance holds it. */
  tryPublisherLock?: <T>(fn: () => Promise<T>) => Promise<T | undefined>;
  onError?: (err: unknown) => void;
}

/** Errors after which the timer stops: the database is behind, or the tree is not trusted. */
const FATAL = new Set([
  'CHECKPOINT_INCONSISTENT',
  'CHECKPOINT_INVALID',
  'CHECKPOINT_AHEAD_OF_TREE',
  'TREE_CORRUPT',
]);

export function verifierFor(skey: string, origin: string): NoteVerifier {
  const key = parseSecretKey(skey, fastPublicKey);
  return createNoteVerifier(origin, fastPublicKey(key.secretKey));
}

export class SharedCheckpointer {
  readonly #shared: SharedLedger;
  readonly #origin: string;
  readonly #signer: NoteSigner;
  readonly #verifier: NoteVerifier;
  readonly #clock: () => number;
  readonly #published: PublishedCheckpointFile;
  readonly #tryLock: SharedCheckpointerOptions['tryPublisherLock'];
  readonly #onError: ((err: unknown) => void) | undefined;
  readonly intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  /** Why signing stopped for good, once it did. */
  stopped: unknown;

  constructor(shared: SharedLedger, opts: SharedCheckpointerOptions) {
    const key = parseSecretKey(opts.skey, fastPublicKey);
    if (key.name !== opts.origin) {
      throw new LedgerError(
        'ORIGIN_MISMATCH',
        `key name ${key.name} is not the origin ${opts.origin}`
      );
    }
    this.#shared = shared;
    this.#origin = opts.origin;
    this.#signer = createNoteSigner(opts.origin, key.secretKey, NODE_ED25519_SIGNING);
    this.#verifier = createNoteVerifier(opts.origin, fastPublicKey(key.secretKey));
    this.#clock = opts.clock ?? Date.now;
    this.#published = opts.published;
    this.#tryLock = opts.tryPublisherLock;
    this.#onError = opts.onError;
    this.intervalMs = opts.intervalMs ?? 1000;
  }

  /**
   * Signs and publishes a checkpoint of the database's tree now if it grew beyond the latest.
   * @throws LedgerError CHECKPOINT_AHEAD_OF_TREE when the database is behind the checkpoint this
   * instance last published (a failover lost entries), CHECKPOINT_INCONSISTENT on another root
   */
  checkpointNow(): Promise<CheckpointResult> {
    const mirror = this.#shared.mirror;
    let signed: { size: number; root: Uint8Array; note: string } | undefined;
    return this.#shared
      .transact(async (lock) => {
        const n = lock.head.size; // the mirror was caught up to it under the lock
        this.#checkNotBehind(n);
        const latest = await lock.latestCheckpoint();
        let previous = { size: 0, root: EMPTY_ROOT };
        if (latest !== undefined) {
          const { checkpoint } = this.#open(latest.note);
          if (checkpoint.size !== latest.size) {
            throw new LedgerError('CHECKPOINT_INVALID', 'the latest row and its note disagree');
          }
          previous = { size: checkpoint.size, root: checkpoint.rootHash };
          if (previous.size > n) {
            throw new LedgerError(
              'CHECKPOINT_AHEAD_OF_TREE',
              `the latest checkpoint has size ${previous.size}, the tree ${n}`
            );
          }
          if (previous.size === n) {
            return {
              value: { status: 'unchanged', size: n, note: latest.note } as CheckpointResult,
            };
          }
        }
        const root = mirror.root(n);
        if (!equalBytes(root, mirror.frontierRoot())) {
          throw new LedgerError('TREE_CORRUPT', 'stored tree nodes disagree with the frontier');
        }
        this.#proveConsistent(previous, n, root);
        const note = signCheckpoint(
          { origin: this.#origin, size: n, rootHash: root, extensions: [] },
          [this.#signer]
        );
        // Recorded before the commit: if the commit's answer is lost, the file errs on the side
        // of having published (the same root is signed again at this size, never another).
        this.#published.record({ size: n, root: bytesToHex(root), note });
        const ok = await lock.publishCheckpoint(
          { size: n, root, note, signedAt: this.#clock() },
          previous.size
        );
        if (!ok) {
          const now = await lock.latestCheckpoint();
          return {
            value: {
              status: 'superseded',
              size: now?.size ?? 0,
              note: now?.note,
            } as CheckpointResult,
          };
        }
        signed = { size: n, root, note };
        return { value: { status: 'signed', size: n, rootHash: root, note } as CheckpointResult };
      })
      .then((result) => {
        if (signed) {
          const expected = mirror.latestCheckpoint()?.size ?? 0;
          mirror.saveCheckpoint(
            { size: signed.size, root: signed.root, note: signed.note, signedAt: this.#clock() },
            expected
          );
        }
        return result;
      });
  }

  #open(note: string) {
    try {
      return openCheckpoint(note, [this.#verifier], this.#origin);
    } catch (err) {
      throw new LedgerError('CHECKPOINT_INVALID', 'a checkpoint does not verify under this key', {
        cause: err,
      });
    }
  }

  /** Refuses a database below (or beside) the checkpoint recorded in the data directory. */
  #checkNotBehind(n: number): void {
    const kept = this.#published.current;
    if (kept === undefined) return;
    if (n < kept.size) {
      throw new LedgerError(
        'CHECKPOINT_AHEAD_OF_TREE',
        `the database holds ${n} entries, below the checkpoint of size ${kept.size} this service published: refusing to sign`
      );
    }
    if (!equalBytes(this.#shared.mirror.root(kept.size), Buffer.from(kept.root, 'hex'))) {
      throw new LedgerError(
        'CHECKPOINT_INCONSISTENT',
        `the database's tree at size ${kept.size} is not the one this service published`
      );
    }
  }

  #proveConsistent(previous: { size: number; root: Uint8Array }, n: number, root: Uint8Array) {
    const m = previous.size;
    if (m === 0) return;
    try {
      verifyConsistency(m, n, this.#shared.mirror.consistencyProof(m, n), previous.root, root);
    } catch (err) {
      throw new LedgerError(
        'CHECKPOINT_INCONSISTENT',
        `the tree of size ${n} is not consistent with the signed checkpoint of size ${m}`,
        { cause: err }
      );
    }
  }

  /** Checkpoints on a timer while the tree grows (one instance at a time, by advisory lock). */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => void this.#tick(), this.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #tick(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const mirror = this.#shared.mirror;
      await this.#shared.catchUp();
      if (mirror.size === 0 || (mirror.latestCheckpoint()?.size ?? 0) >= mirror.size) return;
      if (this.#tryLock) await this.#tryLock(() => this.checkpointNow());
      else await this.checkpointNow();
    } catch (err) {
      if (isLedgerError(err) && err.code === 'WRITER_CLOSED') return;
      if (isLedgerError(err) && FATAL.has(err.code)) {
        this.stopped = err;
        this.stop();
      }
      this.#onError?.(err);
    } finally {
      this.#busy = false;
    }
  }
}
