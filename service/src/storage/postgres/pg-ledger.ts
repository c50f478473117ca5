// The ledger on PostgreSQL (node-postgres). Any number of yishi instances may share one database:
// every append locks the single head row (SELECT ... FOR UPDATE) for its transaction, so appends
// are serialised by the database, never by a process. Integers are bigint in the tables and
// numbers here (below 2^53: seqs and sizes count entries, times are ms since the epoch).
import pg from 'pg';
import type { StoredCheckpoint } from '../../ledger/index.js';
import type { StoredResponse } from '../../commands/idempotency.js';
import {
  nonceBuckets,
  NONCE_BUCKET,
  type EntryRow,
  type HeadLock,
  type IdempotencyBegin,
  type LedgerBackend,
  type LedgerHead,
  type NewEntry,
} from '../ledger-backend.js';
import type { SharedWebhookRow } from '../../webhooks/webhooks.js';
import { PG_MIGRATIONS } from './schema.js';

/** bigint (OID 20) as a JavaScript number; every other type as node-postgres parses it. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as never,
};

/** Advisory lock key under which migrations run (any 64-bit number unique to yishi). */
const MIGRATION_LOCK = 0x79697368; // 'yish'
/** Meta keys fixed once set (genesis). */
const FIXED_META: ReadonlySet<string> = new Set(['ledger_id', 'origin']);
/** An Idempotency-Key claimed this long ago without an answer is taken over (its holder died). */
const IDEMPOTENCY_CLAIM_MS = 60_000;

export interface PostgresLedgerOptions {
  /** Connections in the pool (default 4). */
  max?: number;
  /** Where errors of idle connections go (a terminated backend, a restarted server). */
  onError?: (err: unknown) => void;
  /** Name of this instance in delivery claims and the server's pg_stat_activity. */
  applicationName?: string;
}

const bytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
const buf = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

interface CheckpointRecord {
  size: number;
  root: Buffer;
  note: string;
  signed_at: number;
}
const checkpointOf = (r: CheckpointRecord): StoredCheckpoint => ({
  size: r.size,
  root: bytes(r.root),
  note: r.note,
  signedAt: r.signed_at,
});
interface EntryRecord {
  seq: number;
  leaf_hash: Buffer;
  body: string;
}
const entryOf = (r: EntryRecord): EntryRow => ({
  seq: r.seq,
  leafHash: bytes(r.leaf_hash),
  body: r.body,
});

/** The database URL without its password, for logs and messages. */
export function describeDatabase(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.username ? `${u.username}@` : ''}${u.host}${u.pathname}`;
  } catch {
    return '(unparsable database URL)';
  }
}

/** Whether `text` names a PostgreSQL database (`postgres://` or `postgresql://`). */
export const isPostgresUrl = (text: string): boolean => /^postgres(ql)?:\/\//.test(text);

export class PostgresLedger implements LedgerBackend {
  readonly kind = 'postgres' as const;
  readonly pool: pg.Pool;
  readonly #onError: (err: unknown) => void;
  /** Clients given an 'error' listener (a checked-out client whose backend dies emits one). */
  readonly #listening = new WeakSet<pg.PoolClient>();

  /** Connects and brings the schema up to date (under an advisory lock: instances may race). */
  static async open(url: string, opts: PostgresLedgerOptions = {}): Promise<PostgresLedger> {
    const ledger = new PostgresLedger(url, opts);
    try {
      await ledger.#migrate();
      return ledger;
    } catch (err) {
      await ledger.close();
      throw err;
    }
  }

  private constructor(url: string, opts: PostgresLedgerOptions) {
    this.pool = new pg.Pool({
      connectionString: url,
      max: opts.max ?? 4,
      types,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30_000,
      application_name: opts.applicationName ?? 'yishi',
    });
    const onError = opts.onError ?? (() => {});
    this.#onError = onError;
    // An idle connection whose backend was terminated must not crash the process.
    this.pool.on('error', onError);
  }

  /** A pooled connection whose death (terminated backend, stopped server) is logged, not thrown. */
  async #connect(): Promise<pg.PoolClient> {
    const c = await this.pool.connect();
    if (!this.#listening.has(c)) {
      this.#listening.add(c);
      c.on('error', this.#onError);
    }
    return c;
  }

  async #migrate(): Promise<void> {
    const c = await this.#connect();
    try {
      await c.query('BEGIN');
      await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const has = await c.query(`SELECT to_regclass('yishi_meta') IS NOT NULL AS has`);
      let version = 0;
      if (has.rows[0].has) {
        const r = await c.query(`SELECT value FROM yishi_meta WHERE key = 'schema_version'`);
        version = r.rows.length ? Number(r.rows[0].value) : 0;
      }
      if (version > PG_MIGRATIONS.length) {
        throw new Error(
          `database schema ${version} is newer than this code (${PG_MIGRATIONS.length})`
        );
      }
      for (let v = version; v < PG_MIGRATIONS.length; v++)
        await c.query(PG_MIGRATIONS[v] as string);
      await c.query(
        `INSERT INTO yishi_meta (key, value) VALUES ('schema_version', $1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
        [String(PG_MIGRATIONS.length)]
      );
      await c.query('COMMIT');
      c.release();
    } catch (err) {
      await c.query('ROLLBACK').catch(() => {});
      c.release(true);
      throw err;
    }
  }

  async head(): Promise<LedgerHead> {
    const r = await this.pool.query('SELECT size, prev FROM ledger_head WHERE id = 1');
    return { size: r.rows[0].size, prev: r.rows[0].prev };
  }

  async entries(from: number, to: number): Promise<EntryRow[]> {
    return entriesOn(this.pool, from, to);
  }

  async withHead<T>(fn: (lock: HeadLock) => Promise<T>): Promise<T> {
    const c = await this.#connect();
    let done = false;
    try {
      await c.query('BEGIN');
      const r = await c.query('SELECT size, prev FROM ledger_head WHERE id = 1 FOR UPDATE');
      const head: LedgerHead = { size: r.rows[0].size, prev: r.rows[0].prev };
      const lock: HeadLock = {
        head,
        entries: (from, to) => entriesOn(c, from, to),
        append: async (entries) => {
          await appendOn(c, head, entries);
        },
        latestCheckpoint: () => latestOn(c),
        publishCheckpoint: (cp, expected) =>
          cp.size > head.size || cp.size < expected
            ? Promise.resolve(false)
            : publishOn(c, cp, expected),
      };
      const value = await fn(lock);
      await c.query('COMMIT');
      done = true;
      c.release();
      return value;
    } catch (err) {
      if (!done) {
        await c.query('ROLLBACK').catch(() => {});
        // A connection that failed mid-transaction is not reused.
        c.release(true);
      }
      throw err;
    }
  }

  async nonceSeq(publicKey: string, nonce: string, near: number): Promise<number | undefined> {
    const r = await this.pool.query(
      `SELECT seq FROM nonces WHERE bucket = ANY($1::bigint[]) AND public_key = $2 AND nonce = $3
       LIMIT 1`,
      [nonceBuckets(near), publicKey, nonce]
    );
    return r.rows[0]?.seq;
  }

  latestCheckpoint(): Promise<{ size: number; note: string } | undefined> {
    return latestOn(this.pool);
  }

  async checkpointAt(size: number): Promise<StoredCheckpoint | undefined> {
    const r = await this.pool.query<CheckpointRecord>(
      'SELECT size, root, note, signed_at FROM checkpoints WHERE size = $1',
      [size]
    );
    return r.rows[0] ? checkpointOf(r.rows[0]) : undefined;
  }

  async checkpointsAfter(afterSize: number, limit: number): Promise<StoredCheckpoint[]> {
    const r = await this.pool.query<CheckpointRecord>(
      'SELECT size, root, note, signed_at FROM checkpoints WHERE size > $1 ORDER BY size LIMIT $2',
      [afterSize, limit]
    );
    return r.rows.map(checkpointOf);
  }

  async getMeta(key: string): Promise<string | undefined> {
    const r = await this.pool.query('SELECT value FROM yishi_meta WHERE key = $1', [key]);
    return r.rows[0]?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    if (key === 'schema_version') throw new Error('schema_version is set by the migrations only');
    if (FIXED_META.has(key)) {
      const r = await this.pool.query(
        `INSERT INTO yishi_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING
         RETURNING key`,
        [key, value]
      );
      if (r.rowCount === 0 && (await this.getMeta(key)) !== value) {
        throw new Error(`"${key}" is fixed once set`);
      }
      return;
    }
    await this.pool.query(
      `INSERT INTO yishi_meta (key, value) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [key, value]
    );
  }

  async idempotencyBegin(
    publicKey: string,
    key: string,
    digest: string,
    now: number,
    ttlMs: number
  ): Promise<IdempotencyBegin> {
    // Claim the key, or take over an expired answer or an abandoned claim, in one statement.
    const claimed = await this.pool.query(
      `INSERT INTO idempotency (public_key, idem_key, request_digest, response, created_at)
       VALUES ($1, $2, $3, NULL, $4)
       ON CONFLICT (public_key, idem_key) DO UPDATE
         SET request_digest = excluded.request_digest, response = NULL, created_at = excluded.created_at
         WHERE idempotency.created_at < $5
            OR (idempotency.response IS NULL AND idempotency.created_at < $6)
       RETURNING 1`,
      [publicKey, key, digest, now, now - ttlMs, now - IDEMPOTENCY_CLAIM_MS]
    );
    if (claimed.rowCount === 1) return { kind: 'new' };
    const r = await this.pool.query(
      'SELECT request_digest, response FROM idempotency WHERE public_key = $1 AND idem_key = $2',
      [publicKey, key]
    );
    const row = r.rows[0] as { request_digest: string; response: string | null } | undefined;
    if (row === undefined) return this.idempotencyBegin(publicKey, key, digest, now, ttlMs);
    if (row.request_digest !== digest) return { kind: 'reused' };
    if (row.response === null) return { kind: 'in-flight' };
    return { kind: 'answer', response: JSON.parse(row.response) as StoredResponse };
  }

  async idempotencyFinish(
    publicKey: string,
    key: string,
    digest: string,
    response: StoredResponse,
    now: number
  ): Promise<void> {
    await this.pool.query(
      `INSERT INTO idempotency (public_key, idem_key, request_digest, response, created_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (public_key, idem_key) DO UPDATE
         SET request_digest = excluded.request_digest, response = excluded.response,
             created_at = excluded.created_at`,
      [publicKey, key, digest, JSON.stringify(response), now]
    );
  }

  async idempotencyAbandon(publicKey: string, key: string): Promise<void> {
    await this.pool.query(
      'DELETE FROM idempotency WHERE public_key = $1 AND idem_key = $2 AND response IS NULL',
      [publicKey, key]
    );
  }

  async claimDelivery(
    target: string,
    reportId: string,
    claimant: string,
    now: number
  ): Promise<boolean> {
    const r = await this.pool.query(
      `INSERT INTO delivery_claims (target, report_id, claimant, claimed_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (target, report_id) DO NOTHING`,
      [target, reportId, claimant, now]
    );
    return r.rowCount === 1;
  }

  async leaseDelivery(
    target: string,
    reportId: string,
    claimant: string,
    now: number,
    leaseMs: number
  ): Promise<'ours' | 'taken' | 'done'> {
    // Claim, keep, or take over an expired lease, in one statement (row-locked by the upsert).
    const r = await this.pool.query(
      `INSERT INTO delivery_claims (target, report_id, claimant, claimed_at, expires_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (target, report_id) DO UPDATE
         SET claimant = excluded.claimant, claimed_at = excluded.claimed_at,
             expires_at = excluded.expires_at
         WHERE NOT delivery_claims.done
           AND (delivery_claims.claimant = excluded.claimant
                OR delivery_claims.expires_at < excluded.claimed_at)
       RETURNING 1`,
      [target, reportId, claimant, now, now + leaseMs]
    );
    if (r.rowCount === 1) return 'ours';
    const row = await this.pool.query(
      'SELECT done FROM delivery_claims WHERE target = $1 AND report_id = $2',
      [target, reportId]
    );
    return (row.rows[0] as { done: boolean } | undefined)?.done ? 'done' : 'taken';
  }

  async holdDelivery(
    target: string,
    reportId: string,
    claimant: string,
    until: number
  ): Promise<boolean> {
    const r = await this.pool.query(
      `UPDATE delivery_claims SET expires_at = $4
       WHERE target = $1 AND report_id = $2 AND claimant = $3 AND NOT done`,
      [target, reportId, claimant, until]
    );
    return r.rowCount === 1;
  }

  async finishDelivery(target: string, reportId: string, claimant: string): Promise<void> {
    await this.pool.query(
      `UPDATE delivery_claims SET done = true, expires_at = NULL
       WHERE target = $1 AND report_id = $2 AND claimant = $3`,
      [target, reportId, claimant]
    );
  }

  /** Webhook registrations shared by every instance (service commands, not on the ledger). */
  async webhookRegister(w: {
    url: string;
    registeredBy: string;
    createdAt: number;
    afterSeq: number;
    command: string;
  }): Promise<number> {
    const r = await this.pool.query(
      `INSERT INTO webhooks (url, registered_by, created_at, after_seq, active, command)
       VALUES ($1, $2, $3, $4, true, $5)
       ON CONFLICT (command) DO UPDATE SET command = excluded.command
       RETURNING id`,
      [w.url, w.registeredBy, w.createdAt, w.afterSeq, w.command]
    );
    return (r.rows[0] as { id: number }).id;
  }

  async webhookDeactivate(id: number): Promise<void> {
    await this.pool.query('UPDATE webhooks SET active = false WHERE id = $1', [id]);
  }

  async webhooksAll(): Promise<SharedWebhookRow[]> {
    const r = await this.pool.query(
      `SELECT id, url, registered_by, created_at, after_seq, active, command
       FROM webhooks ORDER BY id`
    );
    return r.rows as SharedWebhookRow[];
  }

  /**
   * Runs `fn` holding the session advisory lock `key`, or returns undefined at once when another
   * session holds it. Only to avoid duplicate work: the lock dies with its connection.
   */
  async tryAdvisory<T>(key: number, fn: () => Promise<T>): Promise<T | undefined> {
    const c = await this.#connect();
    let broken = false;
    try {
      const r = await c.query('SELECT pg_try_advisory_lock($1) AS ok', [key]);
      if (!r.rows[0].ok) return undefined;
      try {
        return await fn();
      } finally {
        await c.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => {
          broken = true;
        });
      }
    } catch (err) {
      broken = true;
      throw err;
    } finally {
      c.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

async function entriesOn(q: Queryable, from: number, to: number): Promise<EntryRow[]> {
  if (to <= from) return [];
  const r = await q.query<EntryRecord>(
    'SELECT seq, leaf_hash, body FROM entries WHERE seq >= $1 AND seq < $2 ORDER BY seq',
    [from, to]
  );
  return r.rows.map(entryOf);
}

async function latestOn(q: Queryable): Promise<{ size: number; note: string } | undefined> {
  const r = await q.query('SELECT size, note FROM latest_checkpoint WHERE id = 1');
  const row = r.rows[0] as { size: number; note: string | null };
  return row.note === null ? undefined : { size: row.size, note: row.note };
}

/** Appends at the locked head; the entries trigger refuses any seq but the head's size. */
async function appendOn(c: pg.PoolClient, head: LedgerHead, entries: readonly NewEntry[]) {
  if (entries.length === 0) return;
  let seq = head.size;
  for (const e of entries) {
    if (e.seq !== seq) throw new Error(`entry seq ${e.seq}, the head is at ${seq}`);
    seq++;
  }
  // One round trip for the batch: rows in seq order (the trigger runs per row, in order).
  await c.query(
    `INSERT INTO entries (seq, leaf_hash, body)
     SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::text[]) ORDER BY 1`,
    [entries.map((e) => e.seq), entries.map((e) => buf(e.leafHash)), entries.map((e) => e.body)]
  );
  await c.query(
    `INSERT INTO nonces (bucket, public_key, nonce, seq)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[])`,
    [
      entries.map((e) => Math.floor(e.nonce.ts / NONCE_BUCKET)),
      entries.map((e) => e.nonce.publicKey),
      entries.map((e) => e.nonce.nonce),
      entries.map((e) => e.seq),
    ]
  );
  const last = entries[entries.length - 1] as NewEntry;
  head.size = last.seq + 1;
  head.prev = Buffer.from(buf(last.leafHash)).toString('hex');
}

async function publishOn(
  c: pg.PoolClient,
  cp: StoredCheckpoint,
  expected: number
): Promise<boolean> {
  await c.query('SAVEPOINT publish');
  try {
    const moved = await c.query(
      `UPDATE latest_checkpoint SET size = $1, note = $2 WHERE id = 1 AND size = $3
         AND (note IS NOT NULL OR $3 = 0)`,
      [cp.size, cp.note, expected]
    );
    if (moved.rowCount !== 1) {
      await c.query('ROLLBACK TO SAVEPOINT publish');
      return false;
    }
    const ins = await c.query(
      `INSERT INTO checkpoints (size, root, note, signed_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (size) DO NOTHING`,
      [cp.size, buf(cp.root), cp.note, cp.signedAt]
    );
    if (ins.rowCount !== 1) {
      await c.query('ROLLBACK TO SAVEPOINT publish');
      return false;
    }
    await c.query('RELEASE SAVEPOINT publish');
    return true;
  } catch (err) {
    await c.query('ROLLBACK TO SAVEPOINT publish').catch(() => {});
    throw err;
  }
}
