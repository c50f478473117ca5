/**
 * The right border of the ledger's append-only RFC 9162 tree, hashed with node:crypto: the same
 * nodes and root as @yishi/crypto's MerkleFrontier (a property test compares them), without its
 * per-append copies and noble hashing, which were a tenth of a grouped append.
 */
import type { SubtreeHashReader } from '@yishi/crypto';
import { treeNodeHash } from './tree-hash.js';

/** A perfect subtree an append completed: 2^level leaves starting at leaf index * 2^level. */
export interface CompletedNode {
  level: number;
  index: number;
  hash: Uint8Array;
}

const EMPTY_ROOT = new Uint8Array(
  Buffer.from('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'hex')
);

/**
 * One perfect-subtree hash per set bit of `size`, largest first (a compact range [0, size)).
 * Hashes handed in and out are never written to, so none is copied.
 */
export class TreeFrontier {
  #size = 0;
  readonly #border: Uint8Array[] = [];

  /**
   * The frontier of the first `size` leaves, read from the perfect subtrees of size's binary
   * decomposition (at most ~log2(size) reads).
   */
  static restore(size: number, reader: SubtreeHashReader): TreeFrontier {
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new RangeError(`"size" expected a non-negative safe integer, got ${String(size)}`);
    }
    const frontier = new TreeFrontier();
    let start = 0;
    for (let level = 52; level >= 0; level--) {
      const width = 2 ** level;
      if (size - start >= width) {
        frontier.#border.push(reader.hash(level, start / width));
        start += width;
      }
    }
    frontier.#size = size;
    return frontier;
  }

  /** Number of leaves appended so far. */
  get size(): number {
    return this.#size;
  }

  /**
   * Appends one 32-byte leaf hash and calls `completed` for every perfect subtree of two or more
   * leaves this closes, level by level (the leaf itself is level 0 and is not reported).
   */
  append(leafHash: Uint8Array, completed: (node: CompletedNode) => void): void {
    if (!(leafHash instanceof Uint8Array) || leafHash.length !== 32) {
      throw new TypeError('"leafHash" expected a 32-byte Uint8Array');
    }
    let hash = leafHash;
    let index = this.#size;
    let level = 0;
    while (index % 2 === 1) {
      hash = treeNodeHash(this.#border.pop() as Uint8Array, hash);
      index = (index - 1) / 2;
      level += 1;
      completed({ level, index, hash });
    }
    this.#border.push(hash);
    this.#size += 1;
  }

  /** The current root (RFC 9162 §2.1.1 MTH); SHA-256 of nothing for size 0. */
  root(): Uint8Array {
    const border = this.#border;
    if (border.length === 0) return EMPTY_ROOT.slice();
    let acc = border[border.length - 1] as Uint8Array;
    for (let j = border.length - 2; j >= 0; j--) acc = treeNodeHash(border[j] as Uint8Array, acc);
    return acc.slice();
  }
}
