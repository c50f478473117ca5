// The last checkpoint this instance published (or served), kept beside the keys in the data
// directory, where a database that failed over to a lagging replica cannot roll it back. Before
// signing, the service refuses a database whose head is below it, or whose tree at its size has
// another root: signing there would fork the log (issue 18 §4).
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

/** File name inside the data directory. */
export const PUBLISHED_CHECKPOINT_FILE = 'published-checkpoint';

export interface PublishedCheckpoint {
  size: number;
  /** The root hash, hex. */
  root: string;
  note: string;
}

export class PublishedCheckpointFile {
  readonly path: string;
  #current: PublishedCheckpoint | undefined;

  constructor(dir: string) {
    this.path = join(dir, PUBLISHED_CHECKPOINT_FILE);
    this.#current = existsSync(this.path)
      ? (JSON.parse(readFileSync(this.path, 'utf8')) as PublishedCheckpoint)
      : undefined;
  }

  /** The largest checkpoint recorded, if any. */
  get current(): PublishedCheckpoint | undefined {
    return this.#current;
  }

  /** Records `cp` if it is larger than the one kept: written to a temporary file, fsynced, renamed. */
  record(cp: PublishedCheckpoint): void {
    if (this.#current !== undefined && this.#current.size >= cp.size) return;
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(cp)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    this.#current = cp;
  }
}
