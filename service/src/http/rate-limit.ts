import { ApiError } from './errors.js';

/** Windows kept at most by default: see {@link RateLimiterOptions.maxKeys}. */
export const RATE_LIMIT_MAX_KEYS = 50_000;

/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions {
  /** Requests allowed per key per window. */
  max: number;
  /** Window length in ms (default one minute). */
  windowMs?: number;
  /**
   * Most keys remembered at once (default {@link RATE_LIMIT_MAX_KEYS}, about 5 MB). Past it the
   * least recently counted key is forgotten: memory stays bounded whatever the number of
   * addresses or keys seen, at the price that a flood of more than `maxKeys` distinct keys within
   * one window can make the limiter forget (and so reset) the oldest of them.
   */
  maxKeys?: number;
  clock?: () => number;
}

/**
 * Fixed-window request counting per key, in a bounded LRU (a Map in least recently counted
 * order). The service counts every request per address as it arrives, and signed requests per
 * signing key once the signature verified (so nobody can spend another principal's allowance).
 * In memory: a restart forgets the counts.
 */
export class RateLimiter {
  readonly max: number;
  readonly windowMs: number;
  readonly maxKeys: number;
  readonly #clock: () => number;
  readonly #windows = new Map<string, { start: number; count: number }>();
  /** The key counted last, the Map's last entry: counting it again needs no reordering. */
  #newest: string | undefined;

  constructor(opts: RateLimiterOptions) {
    if (!Number.isSafeInteger(opts.max) || opts.max < 1) {
      throw new RangeError(`"max" expected a positive integer, got ${String(opts.max)}`);
    }
    const maxKeys = opts.maxKeys ?? RATE_LIMIT_MAX_KEYS;
    if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) {
      throw new RangeError(`"maxKeys" expected a positive integer, got ${String(opts.maxKeys)}`);
    }
    this.max = opts.max;
    this.windowMs = opts.windowMs ?? 60_000;
    this.maxKeys = maxKeys;
    this.#clock = opts.clock ?? Date.now;
  }

  /** How many keys are remembered (never more than {@link maxKeys}). */
  get size(): number {
    return this.#windows.size;
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
    const expired = !w || now - w.start >= this.windowMs || now < w.start;
    if (w && key === this.#newest) {
      // Already the most recently counted: its place in the order stays (no delete and re-insert).
      if (expired) w.start = now;
      w.count = expired ? 1 : w.count + 1;
      return;
    }
    if (w) this.#windows.delete(key);
    if (!w || expired) w = { start: now, count: 0 };
    w.count++;
    this.#windows.set(key, w);
    this.#newest = key;
    while (this.#windows.size > this.maxKeys) {
      const oldest = this.#windows.keys().next().value as string;
      this.#windows.delete(oldest);
    }
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
}
