// One instance's view of a ledger shared with other instances through PostgreSQL (issue 18 §3).
// The service reads synchronously from a LedgerStore; here that store is a local mirror (an
// in-memory SQLite ledger) filled from the database: every row copied is checked (leaf hash,
// chain, canonical bytes; see entry-import.ts), and every checkpoint copied is verified under
// the log key and against the mirror's own tree before it is served. Everything that touches the
// mirror runs one at a time in this process (a queue); appends and checkpoint signing run under
// the database's head lock (see docs/decisions/0026-postgresql.md).
import { bytesToHex, equalBytes, openCheckpoint, type NoteVerifier } from '@yishi/crypto';
import { LedgerError, type LedgerStore } from '../../ledger/index.js';
import { checkRows, storePrev, writeImported, type ImportedEntry } from '../entry-import.js';
import type { EntryRow, HeadLock, LedgerBackend, NewEntry } from '../ledger-backend.js';
import type { PublishedCheckpointFile } from './published-file.js';

/** Rows read per query while catching up. */
const PAGE = 1000;

export interface SharedLedgerOptions {
  backend: LedgerBackend;
  /** The local mirror: empty, or a prefix of the database's ledger. */
  mirror: LedgerStore;
  /** Verifies checkpoints before they are copied into the mirror (and so served). */
  verifier: NoteVerifier;
  origin: string;
  /** Where the largest checkpoint seen is kept (beside the keys); each one copied is recorded. */
  published?: PublishedCheckpointFile;
}

/** What a transaction under the head lock returns: its value and the entries it appends. */
export interface LockedWork<T> {
  value: T;
  entries?: readonly NewEntry[];
}

export class SharedLedger {
  readonly backend: LedgerBackend;
  readonly mirror: LedgerStore;
  readonly #verifier: NoteVerifier;
  readonly #origin: string;
  readonly #published: PublishedCheckpointFile | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  /** A catch-up queued and not yet started: later readers join it. */
  #pendingCatchUp: Promise<void> | undefined;
  /**
   * Told of entries copied from the database (appended by other instances, or by this one in a
   * transaction whose answer was lost), in seq order, once they are in the mirror.
   */
  onImport: ((entries: readonly ImportedEntry[]) => void) | undefined;
  /** Catch-ups and transactions done (metrics and tests). */
  readonly stats = { catchUps: 0, transactions: 0, imported: 0 };

  constructor(opts: SharedLedgerOptions) {
    this.backend = opts.backend;
    this.mirror = opts.mirror;
    this.#verifier = opts.verifier;
    this.#origin = opts.origin;
    this.#published = opts.published;
  }

  #closed = false;

  /** Refuses further work and waits for the work under way. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#queue;
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new LedgerError('WRITER_CLOSED', 'closed'));
    const run = this.#queue.then(fn);
    this.#queue = run.catch(() => {});
    return run;
  }

  /**
   * Copies into the mirror every entry and checkpoint committed before this call (no lock: what
   * is committed below the head is dense). Concurrent callers share one catch-up.
   */
  catchUp(): Promise<void> {
    if (this.#pendingCatchUp) return this.#pendingCatchUp;
    const p = this.#serial(async () => {
      this.#pendingCatchUp = undefined;
      this.stats.catchUps++;
      for (;;) {
        const rows = await this.backend.entries(this.mirror.size, this.mirror.size + PAGE);
        this.#import(rows);
        if (rows.length < PAGE) break;
      }
      await this.#importCheckpoints();
    });
    this.#pendingCatchUp = p;
    return p;
  }

  /**
   * Runs `fn` under the database's head lock, after copying into the mirror every entry other
   * instances appended: `fn` decides on that state. What it returns to append is written at the
   * head and committed; only then is it copied into the mirror and the promise resolved. If
   * anything fails, `onAbort` runs (before anything else touches the mirror) and the error is
   * rethrown: nothing `fn` appended is in the mirror, though the database may hold it if only the
   * commit's answer was lost (the next catch-up copies it).
   */
  transact<T>(fn: (lock: HeadLock) => Promise<LockedWork<T>>, onAbort?: () => void): Promise<T> {
    return this.#serial(async () => {
      let appended: readonly NewEntry[] = [];
      try {
        const value = await this.backend.withHead(async (lock) => {
          if (lock.head.size < this.mirror.size) {
            throw new LedgerError(
              'CHECKPOINT_AHEAD_OF_TREE',
              `the database holds ${lock.head.size} entries, this instance has seen ${this.mirror.size}`
            );
          }
          for (let from = this.mirror.size; from < lock.head.size; from += PAGE) {
            this.#import(await lock.entries(from, Math.min(lock.head.size, from + PAGE)));
          }
          const work = await fn(lock);
          appended = work.entries ?? [];
          if (appended.length > 0) await lock.append(appended);
          return work.value;
        });
        this.stats.transactions++;
        writeImported(this.mirror, checkRows(appended, this.mirror.size, storePrev(this.mirror)));
        return value;
      } catch (err) {
        onAbort?.();
        throw err;
      }
    });
  }

  #import(rows: readonly EntryRow[]): void {
    if (rows.length === 0) return;
    const imported = checkRows(rows, this.mirror.size, storePrev(this.mirror));
    writeImported(this.mirror, imported);
    this.stats.imported += imported.length;
    this.onImport?.(imported);
  }

  /**
   * Copies the database's checkpoints above the mirror's latest, each verified under the log key
   * and against the mirror's tree (a checkpoint whose root is not the mirror's at its size is a
   * fork: CHECKPOINT_INCONSISTENT, nothing copied).
   */
  async #importCheckpoints(): Promise<void> {
    // The checkpoint kept beside the keys must be this tree's: otherwise the database holds
    // another history than the one this service published (a fork); nothing is copied.
    const kept = this.#published?.current;
    if (kept !== undefined && kept.size <= this.mirror.size) {
      if (bytesToHex(this.mirror.root(kept.size)) !== kept.root) {
        throw new LedgerError(
          'CHECKPOINT_INCONSISTENT',
          `the database's tree at size ${kept.size} is not the one this service published`
        );
      }
    }
    for (;;) {
      const after = this.mirror.latestCheckpoint()?.size ?? 0;
      const cps = await this.backend.checkpointsAfter(after, PAGE);
      let expected = after;
      for (const cp of cps) {
        if (cp.size > this.mirror.size) return;
        this.verifyCheckpoint(cp.size, cp.root, cp.note);
        if (!this.mirror.saveCheckpoint(cp, expected)) return;
        this.#published?.record({ size: cp.size, root: bytesToHex(cp.root), note: cp.note });
        expected = cp.size;
      }
      if (cps.length < PAGE) return;
    }
  }

  /**
   * Refuses a checkpoint (size, root, note) that does not verify under the log key, or whose root
   * is not the mirror's tree at that size.
   * @throws LedgerError CHECKPOINT_INVALID, CHECKPOINT_INCONSISTENT
   */
  verifyCheckpoint(size: number, root: Uint8Array, note: string): void {
    let checkpoint;
    try {
      ({ checkpoint } = openCheckpoint(note, [this.#verifier], this.#origin));
    } catch (err) {
      throw new LedgerError('CHECKPOINT_INVALID', `checkpoint ${size} does not verify`, {
        cause: err,
      });
    }
    if (checkpoint.size !== size || !equalBytes(checkpoint.rootHash, root)) {
      throw new LedgerError('CHECKPOINT_INVALID', `checkpoint ${size}: its row and note disagree`);
    }
    if (!equalBytes(this.mirror.root(size), root)) {
      throw new LedgerError(
        'CHECKPOINT_INCONSISTENT',
        `checkpoint ${size} has another root than this ledger's tree at that size`
      );
    }
  }
}
