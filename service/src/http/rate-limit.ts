import { ApiError } from './errors.js';

/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions {
  /** Requests allowed per key per window. */
  max: number;
  /** Window length in ms (default one minute). */
  windowMs?: number;
  clock?: () => number;
}

/**
 * Fixed-window request counting per key. The service keys signed requests by the signing key,
 * once the signature verified (so nobody can spend another principal's allowance), and every
 * other request by the client's address. In memory: a restart forgets the counts.
 */
export class RateLimiter {
  readonly max: number;
  readonly windowMs: number;
  readonly #clock: () => number;
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(opts: RateLimiterOptions) {
    if (!Number.isSafeInteger(opts.max) || opts.max < 1) {
      throw new RangeError(`"max" expected a positive integer, got ${String(opts.max)}`);
    }
    this.max = opts.max;
    this.windowMs = opts.windowMs ?? 60_000;
    this.#clock = opts.clock ?? Date.now;
  }

  /** Counts one request for `key`. @throws ApiError RATE_LIMITED (429, Retry-After) when over. */
  take(key: string): void {
    this.count(key);
    this.check(key);
  }

  /** Counts one request for `key` without refusing it (a failed authentication). */
  count(key: string): void {
    const now = this.#clock();
    let w = this.#windows.get(key);
    if (!w || now - w.start >= this.windowMs || now < w.start) {
      if (this.#windows.size >= 100_000) this.#sweep(now);
      w = { start: now, count: 0 };
      this.#windows.set(key, w);
    }
    w.count++;
  }

  /** @throws ApiError RATE_LIMITED (429, Retry-After) when `key` is over its allowance. */
  check(key: string): void {
    const now = this.#clock();
    const w = this.#windows.get(key);
    if (!w || now - w.start >= this.windowMs || now < w.start || w.count <= this.max) return;
    const retryAfter = Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000));
    throw ApiError.of(
      'RATE_LIMITED',
      { retryAfterSeconds: retryAfter },
      { 'retry-after': String(retryAfter) }
    );
  }

  #sweep(now: number): void {
    for (const [key, w] of this.#windows) {
      if (now - w.start >= this.windowMs) this.#windows.delete(key);
    }
  }
}
