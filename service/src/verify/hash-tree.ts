// The RFC 6962 tree the parallel pass rebuilds on the main thread, hashed with node:crypto (the
// fast path; it gives the same bytes as @yishi/crypto's nodeHash and MerkleFrontier).
import { hash } from 'node:crypto';
import type { SubtreeHashReader } from '@yishi/crypto';
import { HASH } from './messages.js';

const nodeInput = Buffer.alloc(1 + 2 * HASH);
nodeInput[0] = 1;

/** RFC 6962 node hash, SHA-256(0x01 || left || right), by node:crypto: same as `nodeHash`. */
function nodeHashOf(left: Uint8Array, right: Uint8Array): Buffer {
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH);
  return hash('sha256', nodeInput, 'buffer');
}

class HashColumn {
  private buf = Buffer.alloc(HASH * 1024);
  length = 0;

  push(hash: Uint8Array): void {
    if ((this.length + 1) * HASH > this.buf.length) {
      const next = Buffer.alloc(this.buf.length * 2);
      this.buf.copy(next);
      this.buf = next;
    }
    this.buf.set(hash, this.length * HASH);
    this.length++;
  }

  get(index: number): Uint8Array {
    if (index < 0 || index >= this.length) throw new RangeError(`no subtree at index ${index}`);
    return this.buf.subarray(index * HASH, (index + 1) * HASH);
  }
}

/** Every perfect subtree of the RFC 6962 tree, hashed with node:crypto: ~64 bytes per leaf. */
export class HashTree implements SubtreeHashReader {
  private readonly levels: HashColumn[] = [new HashColumn()];
  size = 0;

  append(leaf: Uint8Array): void {
    let index = this.size++;
    let level = 0;
    let column = this.levels[0] as HashColumn;
    column.push(leaf);
    while (index % 2 === 1) {
      const parent = nodeHashOf(column.get(index - 1), column.get(index));
      index = (index - 1) / 2;
      level++;
      column = this.levels[level] ?? (this.levels[level] = new HashColumn());
      column.push(parent);
    }
  }

  hash(level: number, index: number): Uint8Array {
    const column = this.levels[level];
    if (column === undefined) throw new RangeError(`no subtree at level ${level}`);
    return column.get(index);
  }
}
