// When the running service writes state snapshots: every `every` durable entries, at a moment
// the in-memory state is exactly the ledger's (nothing decided and not yet durable), off the
// request that made the entry durable; and on a graceful close.
import type { LedgerStore } from '../ledger/index.js';
import type { ServiceDatabase } from '../storage/service-db.js';
import type { EntryFollower } from './followers.js';
import type { LedgerState } from './ledger-state.js';
import type { AppliedEntry } from './projections.js';
import { saveSnapshot, snapshotSize, type SavedSnapshot } from './snapshot.js';

/** The little of a logger the keeper needs. */
export interface KeeperLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Options of {@link SnapshotKeeper}. */
export interface SnapshotKeeperOptions {
  db: ServiceDatabase;
  store: LedgerStore;
  /** The current state, or undefined while there is none to trust (recovering, failed). */
  ledger: () => LedgerState | undefined;
  /** The snapshot key (`snapshotKey` of the log's secret key); without one no snapshot is written. */
  key: Uint8Array | undefined;
  /** Entries between periodic snapshots (default 50,000). */
  every?: number;
  log: KeeperLogger;
}

/**
 * Writes snapshots of the running service's state. A snapshot is taken only when the state is at
 * the ledger's last durable entry (`state.seq === store.size - 1`, read models there too); under sustained load it tries
 * again at the next durable entry until it finds such a moment, and at close.
 */
export class SnapshotKeeper implements EntryFollower {
  readonly #opts: SnapshotKeeperOptions;
  readonly #every: number;
  #last: number;
  #scheduled = false;
  #closed = false;

  constructor(opts: SnapshotKeeperOptions) {
    this.#opts = opts;
    this.#every = opts.every ?? 50_000;
    this.#last = snapshotSize(opts.db);
  }

  /** Entries the last snapshot covers (0: none). */
  get lastSize(): number {
    return this.#last;
  }

  /** A follower of durable entries: see {@link durable}. */
  onDurable(entry: AppliedEntry): void {
    this.durable(entry.seq);
  }

  /** Call once entry `seq` is durable. */
  durable(seq: number): void {
    if (this.#closed || this.#scheduled || seq + 1 - this.#last < this.#every) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      if (!this.#closed) this.#save();
    });
  }

  /** Writes a final snapshot if entries were added since the last one; stops periodic ones. */
  close(ledger: LedgerState | undefined = this.#opts.ledger()): void {
    this.#closed = true;
    if (ledger && this.#opts.store.size > this.#last) this.#save(ledger);
  }

  #save(ledger: LedgerState | undefined = this.#opts.ledger()): SavedSnapshot | undefined {
    const { store, db, log, key } = this.#opts;
    if (
      !key ||
      !ledger ||
      ledger.state.seq !== store.size - 1 ||
      ledger.settledSeq !== ledger.state.seq
    ) {
      return undefined;
    }
    try {
      const saved = saveSnapshot(db, store, ledger, key);
      this.#last = saved.size;
      log.info(
        { size: saved.size, bytes: saved.bytes, ms: Math.round(saved.ms) },
        'state snapshot written'
      );
      return saved;
    } catch (err) {
      log.error({ err }, 'the state snapshot could not be written');
      return undefined;
    }
  }
}
