// The storage contract shared by the SQLite and the PostgreSQL ledgers (issue 18): entries at
// dense seqs, their leaf hashes, checkpoints keyed by size behind a compare-and-swap row, command
// nonces, Idempotency-Key answers and webhook delivery claims. Asynchronous, because PostgreSQL
// is; the service's synchronous reads go to a LedgerStore (see docs/decisions/0026-postgresql.md).
// One contract test suite (tests/service/storage/ledger-backend.test.ts) runs on both.
import type { StoredCheckpoint } from '../ledger/index.js';
import type { StoredResponse } from '../commands/idempotency.js';

/** An entry as stored: `body` is its canonical JSON, `leafHash` the RFC 6962 hash of it. */
export interface EntryRow {
  seq: number;
  leafHash: Uint8Array;
  body: string;
}

/** The (publicKey, nonce) an entry carries, filed under `ts` (its command's signed ts). */
export interface NonceKey {
  publicKey: string;
  nonce: string;
  ts: number;
}

/** An entry to append with the nonce it files. */
export interface NewEntry extends EntryRow {
  nonce: NonceKey;
}

/** The ledger's single head row: its size and the hex leaf hash of its last entry. */
export interface LedgerHead {
  size: number;
  prev: string;
}

/** What a repeat of an Idempotency-Key finds. */
export type IdempotencyBegin =
  | { kind: 'new' }
  | { kind: 'answer'; response: StoredResponse }
  | { kind: 'in-flight' }
  | { kind: 'reused' };

/**
 * The ledger's head, locked for the length of one transaction (PostgreSQL: `SELECT … FOR UPDATE`
 * on the head row; SQLite: the store's single writer). Nothing another writer commits moves the
 * head while the lock is held; what is appended becomes visible to others only at commit, all of
 * it or none.
 */
export interface HeadLock {
  /** The head as locked: every entry below `head.size` is committed. */
  readonly head: LedgerHead;
  /** Committed entries `from` (inclusive) to `to` (exclusive), by seq. */
  entries(from: number, to: number): Promise<EntryRow[]>;
  /** Appends at the head: the first must have seq `head.size`, each next one seq + 1. */
  append(entries: readonly NewEntry[]): Promise<void>;
  /** The latest checkpoint as of the lock. */
  latestCheckpoint(): Promise<{ size: number; note: string } | undefined>;
  /**
   * Records a checkpoint (size at most the head's) and moves the latest row to it, only if that
   * row is still at `expectedPreviousSize`; false, and nothing written, otherwise. A size already
   * recorded is refused (one checkpoint per size, ever).
   */
  publishCheckpoint(cp: StoredCheckpoint, expectedPreviousSize: number): Promise<boolean>;
}

/**
 * A ledger's storage. Durability: a promise that resolved has committed (SQLite: WAL,
 * synchronous = FULL; PostgreSQL: synchronous_commit = on). Concurrency: {@link withHead} runs one
 * transaction at a time per head; any number of processes may share a PostgreSQL backend.
 */
export interface LedgerBackend {
  readonly kind: 'sqlite' | 'postgres';
  /** The committed head (no lock). */
  head(): Promise<LedgerHead>;
  /** Committed entries `from` to `to`, by seq (no lock). */
  entries(from: number, to: number): Promise<EntryRow[]>;
  /**
   * Locks the head, runs `fn`, commits what it appended or published, then resolves with its
   * value. If `fn` or the commit throws, nothing of it is written (or, for a commit whose answer
   * was lost with the connection, it may be: the next caller finds it at the head).
   */
  withHead<T>(fn: (lock: HeadLock) => Promise<T>): Promise<T>;
  /** The seq of the committed entry holding (publicKey, nonce) with a ts near `near`. */
  nonceSeq(publicKey: string, nonce: string, near: number): Promise<number | undefined>;
  latestCheckpoint(): Promise<{ size: number; note: string } | undefined>;
  checkpointAt(size: number): Promise<StoredCheckpoint | undefined>;
  /** Checkpoints above `afterSize`, ascending, at most `limit`. */
  checkpointsAfter(afterSize: number, limit: number): Promise<StoredCheckpoint[]>;
  getMeta(key: string): Promise<string | undefined>;
  /** Sets a meta value; `ledger_id` and `origin` are fixed once set. */
  setMeta(key: string, value: string): Promise<void>;
  /**
   * Starts a request under an Idempotency-Key: 'new' claims it (then {@link idempotencyFinish}
   * or {@link idempotencyAbandon}); a repeat gets the answer, 'in-flight' while the first is not
   * answered, 'reused' with another digest. Answers older than `ttlMs` are forgotten.
   */
  idempotencyBegin(
    publicKey: string,
    key: string,
    digest: string,
    now: number,
    ttlMs: number
  ): Promise<IdempotencyBegin>;
  idempotencyFinish(
    publicKey: string,
    key: string,
    digest: string,
    response: StoredResponse,
    now: number
  ): Promise<void>;
  idempotencyAbandon(publicKey: string, key: string): Promise<void>;
  /**
   * Claims the delivery of `reportId` to webhook `target`: true for exactly one caller, ever,
   * across every process sharing the backend.
   */
  claimDelivery(target: string, reportId: string, claimant: string, now: number): Promise<boolean>;
  /**
   * Claims the delivery of `reportId` to webhook `target` under a lease of `leaseMs`: 'ours' when
   * nobody held it, `claimant` already holds it, or its holder let the lease run out without
   * finishing (it died mid-delivery); 'taken' while another holds a live lease; 'done' once it
   * was finished. At most one claimant holds a live lease at a time, across every process.
   */
  leaseDelivery(
    target: string,
    reportId: string,
    claimant: string,
    now: number,
    leaseMs: number
  ): Promise<'ours' | 'taken' | 'done'>;
  /** Extends `claimant`'s lease to `until`; false (nothing written) if it is no longer its. */
  holdDelivery(target: string, reportId: string, claimant: string, until: number): Promise<boolean>;
  /** Marks the delivery done (delivered or given up) if `claimant` holds it. */
  finishDelivery(target: string, reportId: string, claimant: string): Promise<void>;
  close(): Promise<void>;
}

/** Width (ms) of a nonce bucket, as in the SQLite ledger (NONCE_BUCKET_MS). */
export const NONCE_BUCKET = 300_000;

/** The buckets a nonce lookup near `near` probes (two either side, as the SQLite ledger does). */
export function nonceBuckets(near: number): number[] {
  const b = Math.floor(near / NONCE_BUCKET);
  return [b - 2, b - 1, b, b + 1, b + 2];
}
