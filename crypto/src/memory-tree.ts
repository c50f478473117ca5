/**
 * An in-memory RFC 9162 §2.1 tree for auditors: every perfect subtree hash, packed in one growable
 * buffer per level (about 2 × 32 bytes per leaf, no object per node), so the root at any size and
 * inclusion or consistency proofs between any sizes are O(log n) lookups through the functions
 * of merkle.ts. Appending goes through {@link MerkleFrontier}: the tree code is not repeated.
 */
import { assertBytes } from './bytes.js';
import { HASH_SIZE, MerkleFrontier, type SubtreeHashReader, type TreeHasher } from './merkle.js';

/** One level of perfect-subtree hashes, packed. Hashes handed out are views never written again. */
class HashColumn {
  #buf = new Uint8Array(HASH_SIZE * 1024);
  length = 0;

  push(hash: Uint8Array): Uint8Array {
    if ((this.length + 1) * HASH_SIZE > this.#buf.length) {
      const next = new Uint8Array(this.#buf.length * 2);
      next.set(this.#buf);
      this.#buf = next;
    }
    this.#buf.set(hash, this.length * HASH_SIZE);
    this.length++;
    return this.get(this.length - 1);
  }

  get(index: number): Uint8Array {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.length) {
      throw new RangeError(`no perfect subtree at index ${index} (have ${this.length})`);
    }
    return this.#buf.subarray(index * HASH_SIZE, (index + 1) * HASH_SIZE);
  }
}

/**
 * Every perfect subtree of an append-only tree, in memory; a {@link SubtreeHashReader} for
 * `rootAt`, `inclusionProof` and `consistencyProof`.
 */
export class MemoryMerkleTree implements SubtreeHashReader {
  readonly #levels: HashColumn[] = [new HashColumn()];
  readonly #frontier: MerkleFrontier;
  readonly #store = (node: { level: number; hash: Uint8Array }): void => {
    if (node.level === 0) return; // stored before the append
    const column = (this.#levels[node.level] ??= new HashColumn());
    column.push(node.hash);
  };

  /** An empty tree hashing with `hasher` (default: @noble/hashes). @throws TypeError */
  constructor(hasher?: TreeHasher) {
    this.#frontier = new MerkleFrontier(hasher);
  }

  /** Number of leaves appended so far. */
  get size(): number {
    return this.#frontier.size;
  }

  /**
   * Appends one leaf hash (copied: the caller may reuse its buffer).
   * @throws TypeError / RangeError unless `leafHash` is a 32-byte Uint8Array.
   */
  append(leafHash: Uint8Array): void {
    assertBytes(leafHash, 'leafHash', HASH_SIZE);
    const stored = (this.#levels[0] as HashColumn).push(leafHash);
    this.#frontier.appendWith(stored, this.#store);
  }

  /** The current root (RFC 9162 §2.1.1 MTH), a fresh copy; EMPTY_ROOT for size 0. */
  root(): Uint8Array {
    return this.#frontier.root();
  }

  /**
   * The root of the 2^level leaves from leaf `index * 2^level` (do not write to it).
   * @throws RangeError if that subtree is not complete in this tree.
   */
  hash(level: number, index: number): Uint8Array {
    const column = this.#levels[level];
    if (column === undefined) throw new RangeError(`no perfect subtree at level ${level}`);
    return column.get(index);
  }
}
