// The storage contract (ledger-backend.ts) on the embedded SQLite ledger: the LedgerStore the
// service has always used, and its service.db beside it. One process is the only writer of both,
// so the head "lock" is a queue in this process; what a transaction appends is written at its end
// in one LedgerStore transaction (the store builds each body again from the entry's fields and
// salt and must arrive at the same bytes).
import { type LedgerStore, type StoredCheckpoint } from '../ledger/index.js';
import type { StoredResponse } from '../commands/idempotency.js';
import { checkRows, storePrev, writeImported } from './entry-import.js';
import type {
  EntryRow,
  HeadLock,
  IdempotencyBegin,
  LedgerBackend,
  LedgerHead,
  NewEntry,
} from './ledger-backend.js';
import type { ServiceDatabase } from './service-db.js';

export class SqliteLedgerBackend implements LedgerBackend {
  readonly kind = 'sqlite' as const;
  readonly #store: LedgerStore;
  readonly #db: ServiceDatabase;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #inFlight = new Set<string>();
  /** Leases of leaseDelivery: one process holds a SQLite ledger, so they live in memory. */
  readonly #leases = new Map<string, { claimant: string; expiresAt: number; done: boolean }>();

  constructor(store: LedgerStore, serviceDb: ServiceDatabase) {
    this.#store = store;
    this.#db = serviceDb;
    serviceDb.exec(`CREATE TABLE IF NOT EXISTS delivery_claims (
      target TEXT NOT NULL, report_id TEXT NOT NULL, claimant TEXT NOT NULL,
      claimed_at INTEGER NOT NULL, PRIMARY KEY (target, report_id)) STRICT, WITHOUT ROWID`);
  }

  async head(): Promise<LedgerHead> {
    return { size: this.#store.size, prev: storePrev(this.#store) };
  }

  async entries(from: number, to: number): Promise<EntryRow[]> {
    const rows: EntryRow[] = [];
    if (to <= from) return rows;
    for (const e of this.#store.iterateEntries(from, Math.min(to, this.#store.size))) {
      rows.push({ seq: e.entry.seq, leafHash: e.leafHash, body: e.body });
    }
    return rows;
  }

  withHead<T>(fn: (lock: HeadLock) => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => this.#transaction(fn));
    this.#queue = run.catch(() => {});
    return run;
  }

  async #transaction<T>(fn: (lock: HeadLock) => Promise<T>): Promise<T> {
    const store = this.#store;
    const head: LedgerHead = { size: store.size, prev: storePrev(store) };
    const appended: NewEntry[] = [];
    const published: { cp: StoredCheckpoint; expected: number }[] = [];
    const lock: HeadLock = {
      head,
      entries: (from, to) => this.entries(from, to),
      append: async (entries) => {
        checkRows(entries, head.size, head.prev);
        appended.push(...entries);
        const last = entries[entries.length - 1];
        if (last) {
          head.size = last.seq + 1;
          head.prev = Buffer.from(last.leafHash).toString('hex');
        }
      },
      latestCheckpoint: async () => {
        const p = published[published.length - 1];
        return p ? { size: p.cp.size, note: p.cp.note } : store.latestCheckpoint();
      },
      publishCheckpoint: async (cp, expected) => {
        const latest = await lock.latestCheckpoint();
        if ((latest?.size ?? 0) !== expected || cp.size > head.size || cp.size < expected) {
          return false;
        }
        if (store.checkpointAt(cp.size) || published.some((p) => p.cp.size === cp.size)) {
          return false;
        }
        published.push({ cp, expected });
        return true;
      },
    };
    const value = await fn(lock);
    writeImported(store, checkRows(appended, store.size, storePrev(store)));
    for (const p of published) {
      if (!store.saveCheckpoint(p.cp, p.expected)) throw new Error('checkpoint superseded');
    }
    return value;
  }

  async nonceSeq(publicKey: string, nonce: string, near: number): Promise<number | undefined> {
    return this.#store.nonceSeq(publicKey, nonce, near);
  }

  async latestCheckpoint(): Promise<{ size: number; note: string } | undefined> {
    return this.#store.latestCheckpoint();
  }

  async checkpointAt(size: number): Promise<StoredCheckpoint | undefined> {
    return this.#store.checkpointAt(size);
  }

  async checkpointsAfter(afterSize: number, limit: number): Promise<StoredCheckpoint[]> {
    const out: StoredCheckpoint[] = [];
    for (const cp of this.#store.iterateCheckpoints()) {
      if (cp.size <= afterSize) continue;
      if (out.length >= limit) break;
      out.push(cp);
    }
    return out;
  }

  async getMeta(key: string): Promise<string | undefined> {
    return this.#store.getMeta(key);
  }

  async setMeta(key: string, value: string): Promise<void> {
    const fixed = key === 'ledger_id' || key === 'origin';
    const now = this.#store.getMeta(key);
    if (fixed && now !== undefined && now !== value) throw new Error(`"${key}" is fixed once set`);
    this.#store.setMeta(key, value);
  }

  async idempotencyBegin(
    publicKey: string,
    key: string,
    digest: string,
    now: number,
    ttlMs: number
  ): Promise<IdempotencyBegin> {
    const id = `${publicKey}\n${key}`;
    const row = this.#db
      .prepare<[string, string, number], { request_digest: string; response: string }>(
        `SELECT request_digest, response FROM idempotency
         WHERE public_key = ? AND idem_key = ? AND created_at >= ?`
      )
      .get(publicKey, key, now - ttlMs);
    if (row) {
      if (row.request_digest !== digest) return { kind: 'reused' };
      return { kind: 'answer', response: JSON.parse(row.response) as StoredResponse };
    }
    if (this.#inFlight.has(id)) return { kind: 'in-flight' };
    this.#inFlight.add(id);
    return { kind: 'new' };
  }

  async idempotencyFinish(
    publicKey: string,
    key: string,
    digest: string,
    response: StoredResponse,
    now: number
  ): Promise<void> {
    this.#inFlight.delete(`${publicKey}\n${key}`);
    this.#db
      .prepare(
        `INSERT INTO idempotency (public_key, idem_key, request_digest, response, created_at)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (public_key, idem_key) DO UPDATE SET request_digest = excluded.request_digest,
           response = excluded.response, created_at = excluded.created_at`
      )
      .run(publicKey, key, digest, JSON.stringify(response), now);
  }

  async idempotencyAbandon(publicKey: string, key: string): Promise<void> {
    this.#inFlight.delete(`${publicKey}\n${key}`);
  }

  async claimDelivery(
    target: string,
    reportId: string,
    claimant: string,
    now: number
  ): Promise<boolean> {
    const r = this.#db
      .prepare(
        `INSERT INTO delivery_claims (target, report_id, claimant, claimed_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (target, report_id) DO NOTHING`
      )
      .run(target, reportId, claimant, now);
    return r.changes === 1;
  }

  async leaseDelivery(
    target: string,
    reportId: string,
    claimant: string,
    now: number,
    leaseMs: number
  ): Promise<'ours' | 'taken' | 'done'> {
    const key = `${target}\n${reportId}`;
    const held = this.#leases.get(key);
    if (held?.done) return 'done';
    if (held && held.claimant !== claimant && held.expiresAt >= now) return 'taken';
    this.#leases.set(key, { claimant, expiresAt: now + leaseMs, done: false });
    return 'ours';
  }

  async holdDelivery(
    target: string,
    reportId: string,
    claimant: string,
    until: number
  ): Promise<boolean> {
    const held = this.#leases.get(`${target}\n${reportId}`);
    if (!held || held.done || held.claimant !== claimant) return false;
    held.expiresAt = until;
    return true;
  }

  async finishDelivery(target: string, reportId: string, claimant: string): Promise<void> {
    const held = this.#leases.get(`${target}\n${reportId}`);
    if (held && held.claimant === claimant) held.done = true;
  }

  async close(): Promise<void> {
    await this.#queue;
  }
}
