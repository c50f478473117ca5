const HASH_BYTES = 32;
/** Nodes a level's array holds at first; it doubles as higher indexes arrive. */
const FIRST_CAPACITY = 64;

interface Level {
  hashes: Uint8Array;
  /** One bit a node: whether `hashes` holds it. */
  known: Uint8Array;
}

/**
 * Stored Merkle subtree hashes kept in memory, one flat array a level (a Map of Uint8Arrays costs
 * several times the hashes' own bytes). Level L keeps nodes 0 … 2^(span − L) − 1, those over the
 * first 2^span leaves, so with `lowest` the lowest level kept the cache never holds more than
 * 2^(span − lowest + 1) hashes and a bit for each. A level's array grows as its indexes do: over
 * a ledger of n ≤ 2^span entries, about 32·n / 2^(lowest − 1) bytes. Stored nodes never change,
 * so nothing is evicted.
 */
export class NodeCache {
  readonly span: number;
  readonly lowest: number;
  #levels: (Level | undefined)[] = [];

  constructor(span: number, lowest: number) {
    if (!Number.isSafeInteger(span) || span < 0 || span > 40) {
      throw new RangeError(`"span" expected an integer in [0, 40], got ${String(span)}`);
    }
    if (!Number.isSafeInteger(lowest) || lowest < 0 || lowest > span) {
      throw new RangeError(`"lowest" expected an integer in [0, span], got ${String(lowest)}`);
    }
    this.span = span;
    this.lowest = lowest;
  }

  /** Most hashes the cache can hold. */
  get limit(): number {
    return 2 ** (this.span - this.lowest + 1) - 1;
  }

  /** Whether node (level, index) is one the cache keeps. */
  covers(level: number, index: number): boolean {
    return level >= this.lowest && level <= this.span && index < 2 ** (this.span - level);
  }

  /** A copy of node (level, index), if kept. */
  get(level: number, index: number): Uint8Array | undefined {
    const l = this.#levels[level];
    if (l === undefined || index * HASH_BYTES >= l.hashes.length) return undefined;
    if (((l.known[index >>> 3] as number) & (1 << (index & 7))) === 0) return undefined;
    return l.hashes.slice(index * HASH_BYTES, (index + 1) * HASH_BYTES);
  }

  /** Keeps node (level, index) if the cache {@link covers} it; false if it does not. */
  set(level: number, index: number, hash: Uint8Array): boolean {
    return hash.length === HASH_BYTES && this.setRun(level, index, hash) === 1;
  }

  /**
   * Keeps the nodes (level, start), (level, start + 1), … whose hashes `run` holds one after the
   * other, as far as the cache {@link covers} them. Returns how many it kept.
   */
  setRun(level: number, start: number, run: Uint8Array): number {
    if (!this.covers(level, start)) return 0;
    const count = Math.min(Math.floor(run.length / HASH_BYTES), 2 ** (this.span - level) - start);
    const last = start + count - 1;
    let l = this.#levels[level];
    if (l === undefined || last * HASH_BYTES >= l.hashes.length) {
      const held = l === undefined ? 0 : l.hashes.length / HASH_BYTES;
      let n = Math.max(FIRST_CAPACITY, held);
      while (n <= last) n *= 2;
      n = Math.min(n, 2 ** (this.span - level));
      const grown = {
        hashes: new Uint8Array(n * HASH_BYTES),
        known: new Uint8Array((n + 7) >>> 3),
      };
      if (l !== undefined) {
        grown.hashes.set(l.hashes);
        grown.known.set(l.known);
      }
      this.#levels[level] = l = grown;
    }
    l.hashes.set(run.subarray(0, count * HASH_BYTES), start * HASH_BYTES);
    for (let i = start; i <= last; i++) {
      l.known[i >>> 3] = (l.known[i >>> 3] as number) | (1 << (i & 7));
    }
    return count;
  }

  /** Forgets every node. */
  clear(): void {
    this.#levels = [];
  }

  /** Bytes of the arrays allocated. */
  get bytes(): number {
    let total = 0;
    for (const l of this.#levels) if (l !== undefined) total += l.hashes.length + l.known.length;
    return total;
  }
}
