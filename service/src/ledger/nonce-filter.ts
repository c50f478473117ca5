// A Bloom filter per nonce bucket, in front of the `recent_nonces` lookups: a command's nonce is
// looked up twice (the pipeline's retry check and the append's refusal of a reused nonce) and is
// new nearly always, so most lookups can be answered "not there" without a query.
//
// Contract: no false negatives. A filter for bucket b is built from every row of bucket b in the
// table and then told of every row inserted into b; nothing else writes the table (the store is
// its database's only writer). A "maybe" costs the query it replaces. Nonces are chosen by
// clients, so an adversary can make "maybe" likely and gain only the query.

/** Bits of one bucket's filter (128 KiB): ~1% false positives at 100,000 nonces, 3 probes. */
const BITS = 1 << 20;
const PROBES = 3;

function fnv1a(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

class Bloom {
  readonly #words = new Uint32Array(BITS / 32);

  #positions(key: string): number[] {
    const a = fnv1a(key, 0x811c9dc5);
    const b = fnv1a(key, 0x9747b28c) | 1;
    const out: number[] = [];
    for (let i = 0; i < PROBES; i++) out.push(((a + Math.imul(i, b)) >>> 0) & (BITS - 1));
    return out;
  }

  add(key: string): void {
    for (const p of this.#positions(key)) this.#words[p >>> 5]! |= 1 << (p & 31);
  }

  has(key: string): boolean {
    for (const p of this.#positions(key)) {
      if ((this.#words[p >>> 5]! & (1 << (p & 31))) === 0) return false;
    }
    return true;
  }
}

/** The filters of the buckets a live lookup can reach; every other bucket is left to the table. */
export class NonceFilter {
  readonly #filters = new Map<number, Bloom>();
  readonly #load: (bucket: number) => Iterable<{ public_key: string; nonce: string }>;
  /** Buckets [low, high] may have filters: those within the lookup span of the latest ts. */
  #low = 0;
  #high = -1;

  /** `load(bucket)` reads every (public_key, nonce) row of a bucket from the table. */
  constructor(load: (bucket: number) => Iterable<{ public_key: string; nonce: string }>) {
    this.#load = load;
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
    if (bucket < this.#low || bucket > this.#high) return true;
    let f = this.#filters.get(bucket);
    if (f === undefined) {
      f = new Bloom();
      for (const row of this.#load(bucket)) f.add(`${row.public_key}\n${row.nonce}`);
      this.#filters.set(bucket, f);
    }
    return f.has(`${publicKey}\n${nonce}`);
  }

  /** A row was inserted into `bucket` (its filter, if built, must know it). */
  added(bucket: number, publicKey: string, nonce: string): void {
    this.#filters.get(bucket)?.add(`${publicKey}\n${nonce}`);
  }

  /** Forgets every filter (after the store reloaded from disk). */
  clear(): void {
    this.#filters.clear();
  }
}
