// A Bloom filter per nonce bucket, in front of the `recent_nonces` lookups: a command's nonce is
// looked up twice (the pipeline's retry check and the append's refusal of a reused nonce) and is
// new nearly always, so most lookups can be answered "not there" without a query.
//
// Contract: no false negatives. A filter for bucket b is built from every row of bucket b in the
// table and then told of every row inserted into b; nothing else writes the table (the store is
// its database's only writer). Likewise the lowest and highest bucket holding rows are read from
// the table once and then moved by every insert and prune: a bucket outside them holds no row.
// A "maybe" costs the query it replaces. Nonces are chosen by clients, so an adversary can make
// "maybe" likely and gain only the query.

/** Bits of one bucket's filter (128 KiB): ~1% false positives at 100,000 nonces, 3 probes. */
const BITS = 1 << 20;
const MASK = BITS - 1;
const FNV_PRIME = 0x01000193;
const SEED_A = 0x811c9dc5;
const SEED_B = 0x9747b28c;
/** The separator between public key and nonce in the hashed key `${publicKey}\n${nonce}`. */
const NEWLINE = 10;

/**
 * One key's two FNV-1a hashes (seeds A and B) over the UTF-16 code units of
 * `${publicKey}\n${nonce}`, taken in one pass without building that string; the probes are
 * a + i·b (double hashing). Kept for the last key hashed: a lookup probes up to five buckets and
 * the append that follows adds the same key.
 */
class KeyHash {
  publicKey = '';
  nonce = '';
  a = 0;
  b = 0;

  of(publicKey: string, nonce: string): this {
    if (publicKey === this.publicKey && nonce === this.nonce && this.b !== 0) return this;
    let a = SEED_A;
    let b = SEED_B;
    for (let i = 0; i < publicKey.length; i++) {
      const c = publicKey.charCodeAt(i);
      a = Math.imul(a ^ c, FNV_PRIME);
      b = Math.imul(b ^ c, FNV_PRIME);
    }
    a = Math.imul(a ^ NEWLINE, FNV_PRIME);
    b = Math.imul(b ^ NEWLINE, FNV_PRIME);
    for (let i = 0; i < nonce.length; i++) {
      const c = nonce.charCodeAt(i);
      a = Math.imul(a ^ c, FNV_PRIME);
      b = Math.imul(b ^ c, FNV_PRIME);
    }
    this.publicKey = publicKey;
    this.nonce = nonce;
    this.a = a >>> 0;
    this.b = (b | 1) >>> 0;
    return this;
  }
}

class Bloom {
  readonly #words = new Uint32Array(BITS / 32);

  add(k: KeyHash): void {
    const words = this.#words;
    const p0 = k.a & MASK;
    const p1 = (k.a + k.b) & MASK;
    const p2 = (k.a + 2 * k.b) & MASK;
    words[p0 >>> 5]! |= 1 << (p0 & 31);
    words[p1 >>> 5]! |= 1 << (p1 & 31);
    words[p2 >>> 5]! |= 1 << (p2 & 31);
  }

  has(k: KeyHash): boolean {
    const words = this.#words;
    const p0 = k.a & MASK;
    const p1 = (k.a + k.b) & MASK;
    const p2 = (k.a + 2 * k.b) & MASK;
    return (
      (words[p0 >>> 5]! & (1 << (p0 & 31))) !== 0 &&
      (words[p1 >>> 5]! & (1 << (p1 & 31))) !== 0 &&
      (words[p2 >>> 5]! & (1 << (p2 & 31))) !== 0
    );
  }
}

/** The lowest and highest bucket that hold rows; both null when the table is empty. */
export interface BucketBounds {
  low: number | null;
  high: number | null;
}

/**
 * The filters of the buckets a live lookup can reach; a bucket outside the ones holding rows is
 * certainly empty; every other bucket is left to the table.
 */
export class NonceFilter {
  readonly #filters = new Map<number, Bloom>();
  readonly #load: (bucket: number) => Iterable<{ public_key: string; nonce: string }>;
  readonly #readBounds: (() => BucketBounds) | undefined;
  /** The buckets holding rows: undefined until read, null when none does. */
  #rows: { low: number; high: number } | null | undefined;
  readonly #key = new KeyHash();
  /** Buckets [low, high] may have filters: those within the lookup span of the latest ts. */
  #low = 0;
  #high = -1;

  /**
   * `load(bucket)` reads every (public_key, nonce) row of a bucket from the table; `bounds()`,
   * when given, its lowest and highest bucket (without it every bucket may hold rows).
   */
  constructor(
    load: (bucket: number) => Iterable<{ public_key: string; nonce: string }>,
    bounds?: () => BucketBounds
  ) {
    this.#load = load;
    this.#readBounds = bounds;
  }

  /** Moves the range of filtered buckets; filters below it are dropped. */
  range(low: number, high: number): void {
    if (low !== this.#low || high !== this.#high) {
      for (const b of this.#filters.keys()) if (b < low || b > high) this.#filters.delete(b);
      this.#low = low;
      this.#high = high;
    }
  }

  /** False only when (publicKey, nonce) is certainly not in `bucket`. */
  mayHave(bucket: number, publicKey: string, nonce: string): boolean {
    return this.#mayHave(bucket, this.#key.of(publicKey, nonce));
  }

  /**
   * False only when (publicKey, nonce) is certainly in none of the buckets `from` to `to`: they
   * are probed in order until one may have it, as many calls of {@link mayHave} would, with the
   * key hashed once.
   */
  mayHaveIn(from: number, to: number, publicKey: string, nonce: string): boolean {
    const key = this.#key.of(publicKey, nonce);
    for (let bucket = from; bucket <= to; bucket++) {
      if (this.#mayHave(bucket, key)) return true;
    }
    return false;
  }

  #mayHave(bucket: number, key: KeyHash): boolean {
    if (this.#readBounds !== undefined) {
      const rows = this.#rowBounds();
      if (rows === null || bucket < rows.low || bucket > rows.high) return false;
    }
    if (bucket < this.#low || bucket > this.#high) return true;
    let f = this.#filters.get(bucket);
    if (f === undefined) {
      f = new Bloom();
      const rowKey = new KeyHash();
      for (const row of this.#load(bucket)) f.add(rowKey.of(row.public_key, row.nonce));
      this.#filters.set(bucket, f);
    }
    return f.has(key);
  }

  #rowBounds(): { low: number; high: number } | null {
    if (this.#rows === undefined && this.#readBounds !== undefined) {
      const { low, high } = this.#readBounds();
      this.#rows = low === null || high === null ? null : { low, high };
    }
    return this.#rows ?? null;
  }

  /** A row was inserted into `bucket` (its filter, if built, must know it). */
  added(bucket: number, publicKey: string, nonce: string): void {
    this.#filters.get(bucket)?.add(this.#key.of(publicKey, nonce));
    const rows = this.#rows;
    if (rows === null) {
      this.#rows = { low: bucket, high: bucket };
    } else if (rows !== undefined) {
      if (bucket < rows.low) rows.low = bucket;
      if (bucket > rows.high) rows.high = bucket;
    }
  }

  /** Every row of a bucket below `floor` was deleted from the table. */
  pruned(floor: number): void {
    const rows = this.#rows;
    if (rows === undefined || rows === null) return;
    if (rows.high < floor) this.#rows = null;
    else if (rows.low < floor) rows.low = floor;
  }

  /** Forgets every filter and the buckets holding rows (after the store reloaded from disk). */
  clear(): void {
    this.#filters.clear();
    this.#rows = undefined;
  }
}
