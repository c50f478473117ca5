import type { SignedCommand } from '@yishi/schema';
import { LedgerError } from './error.js';
import type { AppendedEntry, AppendItem, CanonicalTexts, LedgerStore } from './ledger-store.js';

export interface LedgerWriterOptions {
  /** Receive time of an append without its own `time`, ms since the epoch. Defaults to Date.now. */
  clock?: () => number;
  /** Source of the entries' salts. Defaults to the store's (node:crypto randomBytes). */
  random?: (n: number) => Uint8Array;
  /** Most entries committed in one transaction; a larger queue is split. Defaults to 4096. */
  maxBatchSize?: number;
}

/**
 * What an append may carry besides its command: the canonical texts the caller already built
 * (see {@link AppendItem}) and the entry's time, when the caller decided it (the pipeline decides
 * each entry at a time and the entry must carry that time); without it the writer's clock.
 */
export interface AppendOptions extends CanonicalTexts {
  time?: number;
}

/** Counters since the writer was made: how many transactions carried how many appends. */
export interface LedgerWriterStats {
  transactions: number;
  appended: number;
  refused: number;
  failedTransactions: number;
}

interface Pending {
  item: AppendItem;
  /** performance.now() when queued. */
  queued: number;
  resolve: (entry: AppendedEntry) => void;
  reject: (err: unknown) => void;
}

const DEFAULT_MAX_BATCH = 4096;

/**
 * Group-commit writer in front of a {@link LedgerStore}.
 *
 * Durability: the promise of {@link append} resolves only once the transaction that holds its
 * entry is durable: fsynced to the WAL, so a resolved entry survives a process crash or power
 * loss. On a store with `commit` durability (synchronous = FULL) that is when the commit returns;
 * on a `deferred` one (the service's), the writer commits, goes on, and resolves the batch when
 * {@link LedgerStore.sync} has fsynced it on libuv's thread pool: the event loop never waits for
 * the disk, and batches committed during one fsync share the next. A promise
 * that rejects with `NONCE_REPLAYED` or `ENTRY_INVALID` wrote nothing for its command and did not
 * disturb the others of its batch. If the transaction itself fails (I/O error, SQLITE_BUSY), every
 * promise of that batch rejects with that error and nothing of the batch is on disk.
 *
 * Concurrency: JavaScript is single-threaded and every transaction is synchronous, so there are
 * no interleaved writes within a process. Calls to {@link append} made in the same turn of the
 * event loop are queued and committed together in one transaction, scheduled with setImmediate;
 * seqs follow call order. {@link appendNow} commits the queue and then its own command at once,
 * one transaction per call. Promises resolve in seq order. The writer must be the only writer of
 * its store, and the store the only writer of its database file (the frontier lives in memory);
 * other connections may read.
 * Time is the caller's `time`, or taken when `append` is called, never when the batch commits.
 */
export class LedgerWriter {
  readonly store: LedgerStore;
  readonly #clock: () => number;
  readonly #random: ((n: number) => Uint8Array) | undefined;
  readonly #maxBatchSize: number;
  #queue: Pending[] = [];
  #scheduled: NodeJS.Immediate | undefined;
  #closed = false;
  readonly #stats: LedgerWriterStats = {
    transactions: 0,
    appended: 0,
    refused: 0,
    failedTransactions: 0,
  };

  constructor(store: LedgerStore, options: LedgerWriterOptions = {}) {
    const maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH;
    if (!Number.isSafeInteger(maxBatchSize) || maxBatchSize < 1) {
      throw new LedgerError('INVALID_ARGUMENT', `"maxBatchSize" expected a positive integer`);
    }
    this.store = store;
    this.#clock = options.clock ?? Date.now;
    this.#random = options.random;
    this.#maxBatchSize = maxBatchSize;
  }

  /**
   * Queues a command; resolves once its entry is committed, rejects with a coded LedgerError.
   * `opts.commandJson`/`opts.derivedJson`, when given, must be `canonicalJson(command)` and
   * `canonicalJson(derived)` (see {@link AppendItem}): the store then does not canonicalize them
   * again. `opts.time` is the entry's time (default: the writer's clock, now).
   */
  append(command: SignedCommand, derived: unknown, opts?: AppendOptions): Promise<AppendedEntry> {
    if (this.#closed) {
      return Promise.reject(new LedgerError('WRITER_CLOSED', 'the ledger writer is closed'));
    }
    const item: AppendItem = { ...opts, command, derived, time: opts?.time ?? this.#clock() };
    return new Promise<AppendedEntry>((resolve, reject) => {
      this.#queue.push({ item, queued: performance.now(), resolve, reject });
      this.#scheduled ??= setImmediate(() => {
        this.#scheduled = undefined;
        this.flush();
      });
    });
  }

  /**
   * Commits the queue, then this command alone in its own transaction (a batch of one). On a
   * store with `commit` durability the returned promise is already settled when this returns.
   */
  appendNow(
    command: SignedCommand,
    derived: unknown,
    opts?: AppendOptions
  ): Promise<AppendedEntry> {
    if (this.#closed) {
      return Promise.reject(new LedgerError('WRITER_CLOSED', 'the ledger writer is closed'));
    }
    this.flush();
    const item: AppendItem = { ...opts, command, derived, time: opts?.time ?? this.#clock() };
    let settle!: Pending;
    const promise = new Promise<AppendedEntry>((resolve, reject) => {
      settle = { item, queued: performance.now(), resolve, reject };
    });
    this.#commit([settle]);
    return promise;
  }

  /** Commits everything queued now (normally called from setImmediate). */
  flush(): void {
    if (this.#scheduled !== undefined) {
      clearImmediate(this.#scheduled);
      this.#scheduled = undefined;
    }
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxBatchSize);
      this.#commit(batch);
    }
  }

  /** Number of appends queued and not yet committed. */
  get pending(): number {
    return this.#queue.length;
  }

  /** A copy of the counters. */
  get stats(): LedgerWriterStats {
    return { ...this.#stats };
  }

  /** Commits what is queued and refuses further appends. Does not close the store. */
  close(): void {
    this.flush();
    this.#closed = true;
  }

  #commit(batch: Pending[]): void {
    let results;
    try {
      results = this.store.appendBatch(
        batch.map((p) => p.item),
        this.#random
      );
    } catch (err) {
      this.#stats.failedTransactions++;
      for (const p of batch) p.reject(err);
      return;
    }
    this.#stats.transactions++;
    const accepted: { pending: Pending; entry: AppendedEntry }[] = [];
    batch.forEach((p, i) => {
      const result = results[i];
      if (result === undefined) {
        p.reject(new LedgerError('ENTRY_INVALID', 'no result for this append'));
      } else if (result.ok) {
        accepted.push({ pending: p, entry: result });
      } else {
        this.#stats.refused++;
        p.reject(new LedgerError(result.code, result.message));
      }
    });
    if (accepted.length === 0) return;
    const settle = (): void => {
      const observer = this.store.observer;
      const now = observer ? performance.now() : 0;
      for (const { pending, entry } of accepted) {
        this.#stats.appended++;
        observer?.append((now - pending.queued) / 1000);
        pending.resolve(entry);
      }
    };
    if (this.store.durable) {
      settle();
      return;
    }
    this.store.sync().then(settle, (err: unknown) => {
      this.#stats.failedTransactions++;
      for (const { pending } of accepted) pending.reject(err);
    });
  }
}
