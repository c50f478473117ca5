import { MerkleFrontier, type SubtreeHashReader } from '@yishi/crypto';

const HASH = 32;

/** One level of perfect-subtree hashes, packed in a growable buffer (no object per node). */
class HashColumn {
  private buf = new Uint8Array(HASH * 1024);
  length = 0;

  push(hash: Uint8Array): void {
    if ((this.length + 1) * HASH > this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf.set(hash, this.length * HASH);
    this.length++;
  }

  get(index: number): Uint8Array {
    if (index < 0 || index >= this.length) {
      throw new RangeError(`no perfect subtree at index ${index} (have ${this.length})`);
    }
    return this.buf.subarray(index * HASH, (index + 1) * HASH);
  }
}

/**
 * An in-memory RFC 6962 tree for auditing: every perfect subtree hash, about 2 × 32 bytes per
 * leaf, so the root at any size and proofs between any sizes are O(log n) lookups.
 */
export class MemoryTree implements SubtreeHashReader {
  private readonly levels: HashColumn[] = [];
  private readonly frontier = new MerkleFrontier();

  get size(): number {
    return this.frontier.size;
  }

  append(leafHash: Uint8Array): void {
    for (const node of this.frontier.append(leafHash)) {
      let column = this.levels[node.level];
      if (column === undefined) {
        column = new HashColumn();
        this.levels[node.level] = column;
      }
      column.push(node.hash);
    }
  }

  root(): Uint8Array {
    return this.frontier.root();
  }

  hash(level: number, index: number): Uint8Array {
    const column = this.levels[level];
    if (column === undefined) throw new RangeError(`no perfect subtree at level ${level}`);
    return column.get(index);
  }
}
