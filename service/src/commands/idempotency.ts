import type { Statement } from 'better-sqlite3';
import { ApiError, type ErrorCode } from '../http/errors.js';
import type { Bilingual } from '../http/i18n.js';
import type { ServiceDatabase } from '../storage/service-db.js';

/** A remembered answer: a success body, or a coded error re-rendered in the caller's language. */
export type StoredResponse =
  | { kind: 'result'; statusCode: number; body: unknown }
  | {
      kind: 'error';
      statusCode: number;
      code: ErrorCode;
      message: Bilingual;
      rule?: string;
      details?: Record<string, unknown>;
    };

/** Visible ASCII, 1 to 255 characters; an RFC 8941 sf-string's quotes are taken off. */
const KEY = /^[\x21-\x7e]{1,255}$/;

/** The Idempotency-Key header's value, or undefined without one. @throws IDEMPOTENCY_KEY_INVALID */
export function parseIdempotencyKey(header: unknown): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string') throw ApiError.of('IDEMPOTENCY_KEY_INVALID');
  const unquoted = /^"(.*)"$/.exec(header)?.[1] ?? header;
  if (!KEY.test(unquoted)) throw ApiError.of('IDEMPOTENCY_KEY_INVALID');
  return unquoted;
}

export function toStored(e: ApiError): StoredResponse {
  const r: StoredResponse = {
    kind: 'error',
    statusCode: e.statusCode,
    code: e.code,
    message: e.bilingual,
  };
  if (e.rule !== undefined) r.rule = e.rule;
  if (e.details !== undefined) r.details = e.details;
  return r;
}

export function fromStored(r: StoredResponse & { kind: 'error' }): ApiError {
  return new ApiError(r.code, r.statusCode, r.message, {
    ...(r.rule !== undefined ? { rule: r.rule } : {}),
    ...(r.details !== undefined ? { details: r.details } : {}),
  });
}

/**
 * Idempotency-Key (draft-ietf-httpapi-idempotency-key-header): the first request with a key, per
 * signing principal, has its answer remembered with a digest of the request; a later request with
 * the same key and digest gets that answer again, one with another digest is refused (422
 * IDEMPOTENCY_KEY_REUSED), one arriving while the first is still being processed is refused (409
 * IDEMPOTENCY_IN_FLIGHT). Answers are kept for `ttlMs` (default 24 hours).
 */
export class IdempotencyStore {
  readonly #clock: () => number;
  readonly #ttlMs: number;
  readonly #inFlight = new Map<string, string>();
  readonly #get: Statement<[string, string, number], { request_digest: string; response: string }>;
  readonly #put: Statement<[string, string, string, string, number]>;
  readonly #prune: Statement<[number]>;
  #lastPrune = 0;

  constructor(db: ServiceDatabase, opts: { clock?: () => number; ttlMs?: number } = {}) {
    this.#clock = opts.clock ?? Date.now;
    this.#ttlMs = opts.ttlMs ?? 24 * 3_600_000;
    this.#get = db.prepare(
      `SELECT request_digest, response FROM idempotency
       WHERE public_key = ? AND idem_key = ? AND created_at >= ?`
    );
    this.#put = db.prepare(
      `INSERT INTO idempotency (public_key, idem_key, request_digest, response, created_at)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (public_key, idem_key) DO UPDATE SET request_digest = excluded.request_digest,
         response = excluded.response, created_at = excluded.created_at`
    );
    this.#prune = db.prepare('DELETE FROM idempotency WHERE created_at < ?');
  }

  /**
   * Starts a request under `key`: returns the remembered answer for a repeat, or undefined after
   * marking the key in flight (then call {@link finish} or {@link abandon}).
   * @throws ApiError IDEMPOTENCY_KEY_REUSED (422) or IDEMPOTENCY_IN_FLIGHT (409)
   */
  begin(publicKey: string, key: string, digest: string): StoredResponse | undefined {
    const id = `${publicKey}\n${key}`;
    if (this.#inFlight.has(id)) throw ApiError.of('IDEMPOTENCY_IN_FLIGHT');
    const row = this.#get.get(publicKey, key, this.#clock() - this.#ttlMs);
    if (row) {
      if (row.request_digest !== digest) throw ApiError.of('IDEMPOTENCY_KEY_REUSED');
      return JSON.parse(row.response) as StoredResponse;
    }
    this.#inFlight.set(id, digest);
    return undefined;
  }

  /** Remembers the answer to the request started with {@link begin}. */
  finish(publicKey: string, key: string, digest: string, response: StoredResponse): void {
    const now = this.#clock();
    this.#inFlight.delete(`${publicKey}\n${key}`);
    this.#put.run(publicKey, key, digest, JSON.stringify(response), now);
    if (now - this.#lastPrune > 60_000) {
      this.#lastPrune = now;
      this.#prune.run(now - this.#ttlMs);
    }
  }

  /** Forgets a request that ended without an answer worth repeating (e.g. a 503). */
  abandon(publicKey: string, key: string): void {
    this.#inFlight.delete(`${publicKey}\n${key}`);
  }
}
