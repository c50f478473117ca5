import { hash as nodeHash, randomBytes } from 'node:crypto';
import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';
import {
  canonicalEntryJson,
  canonicalJsonFast,
  createTreeHasher,
  equalBytes,
  consistencyProof,
  inclusionProof,
  MerkleFrontier,
  rootAt,
  rootFromLeafHashes,
  type MerkleNode,
  type SubtreeHashReader,
} from '@yishi/crypto';
import { nodeHashBackend } from '@yishi/crypto/node';
import { GENESIS_PREV, type LedgerEntry } from '@yishi/schema';
import type Database from 'better-sqlite3';
import {
  NONCE_BUCKET_MS,
  openDatabase,
  STORED_TREE_LEVEL,
  type CommitDurability,
  type LedgerDatabase,
} from './database.js';
import { LedgerError } from './error.js';
import { NodeCache } from './node-cache.js';
import { NonceFilter } from './nonce-filter.js';

/** RFC 6962 hashing through node:crypto: the same bytes as the noble default, faster. */
const hasher = createTreeHasher(nodeHashBackend);

/**
 * One command to append, with what the service derived from it and when it received it (`time`,
 * ms since the epoch): the entry's own fields, which the store completes with seq, prev and salt.
 */
export interface AppendItem extends Pick<LedgerEntry, 'command' | 'derived' | 'time'> {
  /**
   * `canonicalJson(command)` when the caller already has it (the pipeline does): the store then
   * writes this text as the entry's command instead of canonicalizing the command again. It must
   * be the canonical text of `command`; the stored body, the returned entry (parsed from the
   * body) and the leaf hash all follow this text.
   */
  commandJson?: string;
  /** `canonicalJson(derived)` when the caller already has it; the same contract as commandJson. */
  derivedJson?: string;
}

/** The canonical texts a caller may hand over with an append (see {@link AppendItem}). */
export type CanonicalTexts = Pick<AppendItem, 'commandJson' | 'derivedJson'>;

/** An entry as committed, with its RFC 6962 leaf hash. */
export interface AppendedEntry {
  entry: LedgerEntry;
  leafHash: Uint8Array;
}

/**
 * A committed append. `entry` is parsed from the stored body when first read: callers that only
 * need the leaf hash (or the seq they already know) skip a parse whose garbage was a quarter of a
 * grouped append's CPU time.
 */
class Committed implements AppendedEntry {
  readonly ok = true;
  #entry: LedgerEntry | undefined;

  constructor(
    /** The entry's canonical JSON as stored: exactly the bytes its leaf hash covers. */
    readonly body: string,
    readonly leafHash: Uint8Array
  ) {}

  get entry(): LedgerEntry {
    return (this.#entry ??= JSON.parse(this.body) as LedgerEntry);
  }
}

/** Why one item of a batch was refused; the rest of the batch is unaffected. */
export type AppendRefusalCode = 'NONCE_REPLAYED' | 'ENTRY_INVALID';

export type AppendResult =
  ({ ok: true } & AppendedEntry) | { ok: false; code: AppendRefusalCode; message: string };

/** An entry as stored: `body` is its canonical JSON, exactly the bytes its leaf hash covers. */
export interface StoredEntry extends AppendedEntry {
  body: string;
}

/** A signed checkpoint as stored in the append-only `checkpoints` table. */
export interface StoredCheckpoint {
  size: number;
  root: Uint8Array;
  note: string;
  signedAt: number;
}

/** Told how appends went: for metrics, never for control. Must not throw. */
export interface LedgerObserver {
  /** One append transaction took `seconds`, its commit's fsync of the WAL included. */
  commit(seconds: number, items: number): void;
  /** One append waited `seconds` from the writer's queue until its entry was durable. */
  append(seconds: number): void;
}

export interface LedgerStoreOptions {
  /** Source of the 16-byte salts; node:crypto randomBytes unless a test injects one. */
  random?: (n: number) => Uint8Array;
  /**
   * `commit` (the default): an append is durable when appendBatch returns. `deferred`: appends
   * commit without an fsync and become durable at the next {@link LedgerStore.sync}, which
   * fsyncs the WAL on libuv's thread pool; until then readers do not see them (`size` counts
   * durable entries only). The service's writer uses it to keep the fsync off the event loop.
   */
  durability?: CommitDurability;
  /** How a deferred sync flushes the WAL: node:fs fdatasync unless a test injects a failure. */
  fsync?: (fd: number, done: (err: NodeJS.ErrnoException | null) => void) => void;
}

const SALT_BYTES = 16;
/** Leaves under one stored tree node: the block a node below the stored levels is rebuilt from. */
const BLOCK_LEAVES = 2 ** STORED_TREE_LEVEL;
/**
 * Stored nodes at this level and above are kept in memory once read: a proof reads one per level
 * and the top of the tree is the same for every proof. 2^16 nodes (~6 MB) at most; one per 256
 * entries, so a ledger of 16M entries fits them all.
 */
const CACHED_TREE_LEVEL = 8;
const UPPER_NODE_CACHE_LIMIT = 1 << 16;
/**
 * Served inclusion proofs keep every stored node they read over the first 2^PROOF_NODE_SPAN
 * leaves in a flat cache (node-cache.ts): at most 2^17 hashes, 4 MiB (~3.75 MB at 1M entries).
 * A proof then reads the disk only for its own block of leaves (decision 0028).
 */
const PROOF_NODE_SPAN = 20;
/** A miss in that cache reads the aligned run of this many nodes around it in one query. */
const PROOF_NODE_RUN = 128;
const PAGE_SIZE = 256;
/** Meta keys fixed by genesis: they may not change once the ledger has entries. */
const GENESIS_META_KEYS: ReadonlySet<string> = new Set(['ledger_id', 'origin']);

function bytes(buf: Uint8Array): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

const hex = (b: Uint8Array): string =>
  Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');

/** Salts drawn from node:crypto this many at a time (one CSPRNG call per 256 entries). */
const SALT_POOL = 256;

/** randomBytes, served from a pool refilled SALT_POOL salts at a time. */
function pooledRandom(): (n: number) => Uint8Array {
  let pool = Buffer.alloc(0);
  let offset = 0;
  return (n: number) => {
    if (n !== SALT_BYTES) return bytes(randomBytes(n));
    if (offset + n > pool.length) {
      pool = randomBytes(SALT_BYTES * SALT_POOL);
      offset = 0;
    }
    offset += n;
    return pool.subarray(offset - n, offset);
  };
}

/**
 * Buckets either side of an entry's own that a nonce lookup probes: two entries of the same
 * command lie within 2 × 5 minutes of each other (each within 5 minutes of its ts).
 */
const NONCE_SPAN = 2;

const bucketOf = (time: number): number => Math.floor(time / NONCE_BUCKET_MS);

/**
 * The time a nonce is filed under: the command's signed ts (a replay of the same command carries
 * the same ts, so it always meets its first copy), or the entry time when ts is not usable.
 */
function nonceTime(item: AppendItem): number {
  const ts = (item.command.payload as { ts?: unknown } | undefined)?.ts;
  return typeof ts === 'number' && Number.isSafeInteger(ts) && ts >= 0 ? ts : item.time;
}

function requireIndex(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new LedgerError(
      'INVALID_ARGUMENT',
      `"${name}" expected a non-negative safe integer, got ${String(value)}`
    );
  }
  return value;
}

/** Why an item cannot become an entry, or undefined when it can. */
function itemProblem(item: AppendItem): string | undefined {
  if (typeof item !== 'object' || item === null) return 'item is not an object';
  const { command, time, derived } = item;
  if (typeof time !== 'number' || !Number.isSafeInteger(time) || time < 0) {
    return `"time" expected a non-negative safe integer, got ${String(time)}`;
  }
  if (derived === undefined) return '"derived" is undefined (use null)';
  if (typeof command !== 'object' || command === null) return '"command" is not an object';
  if (typeof command.publicKey !== 'string' || command.publicKey.length === 0) {
    return '"command.publicKey" expected a non-empty string';
  }
  if (typeof command.signature !== 'string') return '"command.signature" expected a string';
  if (item.commandJson !== undefined && typeof item.commandJson !== 'string') {
    return '"commandJson" expected a string';
  }
  if (item.derivedJson !== undefined && typeof item.derivedJson !== 'string') {
    return '"derivedJson" expected a string';
  }
  const payload = command.payload as unknown;
  if (typeof payload !== 'object' || payload === null) return '"command.payload" is not an object';
  const nonce = (payload as { nonce?: unknown }).nonce;
  if (typeof nonce !== 'string' || nonce.length === 0) {
    return '"command.payload.nonce" expected a non-empty string';
  }
  return undefined;
}

/**
 * The ledger on SQLite: entries, the Merkle tree's perfect-subtree hashes, command nonces and
 * signed checkpoints.
 *
 * One LedgerStore is the only writer of its database file (the in-memory frontier and size are
 * its own); other connections may read. Every method but {@link sync} is synchronous; appends and
 * checkpoint writes are single transactions, durable once the method returns (WAL,
 * synchronous = FULL), or with `deferred` durability once {@link sync} has fsynced them
 * (decision 0030).
 */
export class LedgerStore {
  readonly db: LedgerDatabase;
  /**
   * Perfect-subtree hashes: from `tree_nodes` at level STORED_TREE_LEVEL and above, rebuilt from
   * the entries' leaf hashes below it (at most 2^STORED_TREE_LEVEL − 1 leaves read per node), so
   * proofs and roots cost O(log n) reads.
   */
  readonly reader: SubtreeHashReader;
  /**
   * The same hashes for served inclusion proofs: stored nodes through {@link #proofNodes}. The
   * root and consistency proofs a checkpoint is checked with read the stored nodes below
   * CACHED_TREE_LEVEL from disk, as {@link reader} does.
   */
  readonly #proofReader: SubtreeHashReader;
  readonly #proofNodes = new NodeCache(PROOF_NODE_SPAN, STORED_TREE_LEVEL);
  /**
   * The right edge of the last tree size proved against: every proof at that size hashes the same
   * ranges [start, end) that are not perfect subtrees (fewer than 64, by start).
   */
  readonly #edge = { end: -1, hashes: new Map<number, Uint8Array>() };
  /** Watches appends (the service's metrics); none by default. */
  observer: LedgerObserver | undefined;

  /** Durable entries: what readers see (`size`). */
  #size = 0;
  /** Committed entries, durable or not: where the next append goes. */
  #committed = 0;
  /** The frontier's root at `#size`, while committed entries are not yet durable. */
  #durableRoot: Uint8Array | undefined;
  readonly #deferred: boolean;
  readonly #fsync: NonNullable<LedgerStoreOptions['fsync']>;
  /** The WAL, opened for fsync at the first deferred sync. */
  #walFd: number | undefined;
  #syncing: Promise<void> | undefined;
  /** Set when an fsync failed: nothing more is appended (what is on disk is unknown). */
  #syncFailure: unknown;
  #closed = false;
  #prev = GENESIS_PREV;
  /** The latest time a nonce was filed under (its command's ts), and the lowest bucket kept. */
  #lastTime = 0;
  #nonceFloor = 0;
  #frontier = new MerkleFrontier(hasher);
  /** Stored subtree hashes at CACHED_TREE_LEVEL and above, by `index * 64 + level` (immutable). */
  readonly #upperNodes = new Map<number, Uint8Array>();
  /** The last complete block of leaf hashes read (entries are immutable once committed). */
  readonly #leafBlock: LeafBlock = { start: -1, size: -1, leaves: [], nodes: [] };
  /**
   * The last incomplete block read: the ledger's tail, which every proof against a recent tree
   * size reads beside its own block. Kept until the ledger's size changes.
   */
  readonly #tailBlock: LeafBlock = { start: -1, size: -1, leaves: [], nodes: [] };
  readonly #random: (n: number) => Uint8Array;
  /** Answers most nonce lookups "not there" without a query (see nonce-filter.ts). */
  readonly #nonceFilter: NonceFilter;

  readonly #stmt: Statements;
  readonly #appendTxn: Database.Transaction<
    (items: readonly AppendItem[], random: (n: number) => Uint8Array) => AppendResult[]
  >;
  readonly #saveCheckpointTxn: Database.Transaction<
    (checkpoint: StoredCheckpoint, expected: number) => boolean
  >;
  readonly #readTxn: Database.Transaction<(fn: () => unknown) => unknown>;

  /** Opens (creating and migrating if needed) the ledger at `path` or `':memory:'`. */
  static open(path: string, options: LedgerStoreOptions = {}): LedgerStore {
    const db = openDatabase(path, options.durability);
    try {
      return new LedgerStore(db, options);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  private constructor(db: LedgerDatabase, options: LedgerStoreOptions) {
    this.db = db;
    this.#deferred = options.durability === 'deferred' && !db.memory;
    this.#fsync = options.fsync ?? fdatasync;
    this.#random = options.random ?? pooledRandom();
    this.#stmt = prepareStatements(db);
    const { bucketNonces, nonceBuckets } = this.#stmt;
    this.#nonceFilter = new NonceFilter(
      (bucket) => bucketNonces.all(bucket),
      () => nonceBuckets.get() ?? { low: null, high: null }
    );
    const { node: nodeStmt, nodeRun, leafRange, leafBlock } = this.#stmt;
    /**
     * The leaf hashes of the contiguous entries from `blockStart` within its block: one row of
     * them all (a row per entry cost twice as much), or row by row where seq has a gap.
     */
    const readLeafBlock = (blockStart: number): Uint8Array[] => {
      const end = blockStart + BLOCK_LEAVES;
      const one = leafBlock.get(blockStart, end);
      if (one !== undefined && one.last === blockStart + one.n - 1) {
        const all = one.hashes === null ? new Uint8Array(0) : bytes(one.hashes);
        if (all.length === one.n * 32) {
          return Array.from({ length: one.n }, (_, i) => all.subarray(i * 32, i * 32 + 32));
        }
      }
      const rows = leafRange.all(blockStart, end);
      let n = 0;
      while (n < rows.length && (rows[n] as { seq: number }).seq === blockStart + n) n++;
      return rows.slice(0, n).map((r) => bytes(r.leaf_hash));
    };
    const upper = this.#upperNodes;
    const block = this.#leafBlock;
    const tail = this.#tailBlock;
    const sizeNow = (): number => this.#size;
    const readStored = (level: number, index: number): Uint8Array => {
      const row = nodeStmt.get(level, index);
      if (row === undefined) {
        throw new LedgerError('TREE_NODE_MISSING', `tree node (${level}, ${index}) is missing`);
      }
      return bytes(row.hash);
    };
    const reader: SubtreeHashReader = {
      hash(level: number, index: number): Uint8Array {
        if (level >= STORED_TREE_LEVEL) {
          const key = index * 64 + level;
          const known = level >= CACHED_TREE_LEVEL ? upper.get(key) : undefined;
          if (known !== undefined) return known.slice();
          const hash = readStored(level, index);
          if (level >= CACHED_TREE_LEVEL) {
            if (upper.size >= UPPER_NODE_CACHE_LIMIT) upper.clear();
            upper.set(key, hash.slice());
          }
          return hash;
        }
        // Below the stored levels a node is rebuilt from its leaves: read the whole aligned block
        // of 2^STORED_TREE_LEVEL leaves once, since a proof asks for a sibling at every level of it.
        const width = 2 ** level;
        const start = index * width;
        const blockStart = start - (start % BLOCK_LEAVES);
        const from = start - blockStart;
        let slot: LeafBlock | undefined = block.start === blockStart ? block : undefined;
        // The tail as last read serves until the next append (which a checkpoint then reads
        // afresh: its consistency check looks at the leaves on disk).
        if (slot === undefined && tail.start === blockStart && tail.size === sizeNow()) {
          slot = tail;
        }
        if (slot === undefined) {
          const leaves = readLeafBlock(blockStart);
          // A complete block and the ledger's tail each have their slot: a proof reads both.
          slot = leaves.length === BLOCK_LEAVES ? block : tail;
          slot.start = blockStart;
          slot.size = sizeNow();
          slot.leaves = leaves;
          slot.nodes = [];
        }
        if (from + width > slot.leaves.length) {
          throw new LedgerError(
            'TREE_NODE_MISSING',
            `tree node (${level}, ${index}) lacks entries to rebuild it from`
          );
        }
        // Nodes rebuilt are kept with their block: every proof against a recent size asks for the
        // same ones of the tail.
        const key = from * STORED_TREE_LEVEL + level;
        let node = slot.nodes[key];
        if (node === undefined) {
          node = rootFromLeafHashes(slot.leaves.slice(from, from + width), hasher);
          slot.nodes[key] = node;
        }
        return node.slice();
      },
    };
    this.reader = reader;
    const proofNodes = this.#proofNodes;
    const edge = this.#edge;
    this.#proofReader = {
      rangeHash(start: number, end: number): Uint8Array | undefined {
        return end === edge.end ? edge.hashes.get(start)?.slice() : undefined;
      },
      keepRangeHash(start: number, end: number, hash: Uint8Array): void {
        if (end !== edge.end) {
          edge.hashes.clear();
          edge.end = end;
        }
        if (edge.hashes.size < 64) edge.hashes.set(start, hash.slice());
      },
      hash(level: number, index: number): Uint8Array {
        if (!proofNodes.covers(level, index)) return reader.hash(level, index);
        const known = proofNodes.get(level, index);
        if (known !== undefined) return known;
        // The nodes of a level were stored in order: its run from `start` is contiguous, and
        // ends early only at the tree's edge (else the node is read alone).
        const start = index - (index % PROOF_NODE_RUN);
        const run = nodeRun.get(level, start, start + PROOF_NODE_RUN);
        if (
          run !== undefined &&
          run.first === start &&
          run.last === start + run.n - 1 &&
          run.hashes !== null &&
          run.hashes.length === run.n * 32
        ) {
          proofNodes.setRun(level, start, bytes(run.hashes));
          const hash = proofNodes.get(level, index);
          if (hash !== undefined) return hash;
        }
        const hash = readStored(level, index);
        proofNodes.set(level, index, hash);
        return hash;
      },
    };
    this.#appendTxn = db.transaction(
      (items: readonly AppendItem[], random: (n: number) => Uint8Array) =>
        this.#appendInTransaction(items, random)
    );
    this.#saveCheckpointTxn = db.transaction((cp: StoredCheckpoint, expected: number) => {
      if (this.#stmt.casLatest.run(cp.size, cp.note, expected).changes === 0) return false;
      this.#stmt.insertCheckpoint.run(cp.size, cp.root, cp.note, cp.signedAt);
      return true;
    });
    this.#readTxn = db.transaction((fn: () => unknown) => fn());
    this.#reload();
  }

  /**
   * Re-reads size, chain head and frontier from disk (at open, and after a failed append). The
   * last entry's body must hash to its stored leaf hash: it is the next entry's `prev`.
   */
  #reload(): void {
    this.#upperNodes.clear();
    this.#proofNodes.clear();
    this.#edge.end = -1;
    this.#edge.hashes.clear();
    for (const slot of [this.#leafBlock, this.#tailBlock]) {
      slot.start = -1;
      slot.leaves = [];
      slot.nodes = [];
    }
    const size = this.#stmt.size.get()?.size ?? 0;
    this.#frontier = MerkleFrontier.restore(size, this.reader, hasher);
    if (size === 0) {
      this.#prev = GENESIS_PREV;
    } else {
      const last = this.#stmt.entry.get(size - 1);
      if (last === undefined)
        throw new LedgerError('ENTRY_CORRUPT', `entry ${size - 1} is missing`);
      if (!equalBytes(bytes(last.leaf_hash), hasher.hashLeafText(last.body))) {
        throw new LedgerError(
          'ENTRY_CORRUPT',
          `the body of entry ${size - 1} does not hash to its stored leaf hash`
        );
      }
      this.#prev = hex(last.leaf_hash);
      const entry = JSON.parse(last.body) as LedgerEntry;
      this.#lastTime = nonceTime({ command: entry.command, time: entry.time, derived: null });
    }
    this.#nonceFloor = 0;
    this.#nonceFilter.clear();
    this.#filterRange();
    // At open everything on disk counts as durable; after a failed append, entries whose sync is
    // still under way stay unseen until it ends.
    const durable = this.#committed === 0 ? size : Math.min(size, this.#size);
    this.#committed = size;
    this.#size = durable;
    this.#durableRoot = durable === size ? undefined : this.root(durable);
  }

  /** Filters for the buckets a lookup near the latest ts filed can reach; no row lies above. */
  #filterRange(latest = this.#lastTime): void {
    const b = bucketOf(latest);
    this.#nonceFilter.range(b - NONCE_SPAN, b + NONCE_SPAN);
  }

  /**
   * Closes the database. Entries committed and not yet synced are fsynced first; a sync under
   * way ends on its own (the WAL's descriptor is closed after it).
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const fd = this.#walFd;
    if (fd !== undefined && this.#syncFailure === undefined && this.#size < this.#committed) {
      fdatasyncSync(fd);
      this.#size = this.#committed;
      this.#durableRoot = undefined;
    }
    this.db.close();
    if (fd !== undefined) {
      if (this.#syncing) void this.#syncing.finally(() => closeSync(fd));
      else closeSync(fd);
    }
  }

  /**
   * Runs `fn`, which only reads, in one read transaction: its reads see one snapshot of the
   * database, and a statement outside a transaction pays for opening and closing its own (in WAL
   * mode several times the cost of a cached point read). Inside a transaction, `fn` just runs.
   */
  read<T>(fn: () => T): T {
    return this.db.inTransaction ? fn() : (this.#readTxn(fn) as T);
  }

  /** Number of durable entries (all committed ones unless the store defers its fsyncs). */
  get size(): number {
    return this.#size;
  }

  /** Whether every committed entry is durable (always, unless the store defers its fsyncs). */
  get durable(): boolean {
    return this.#size === this.#committed;
  }

  /**
   * Resolves once every entry committed before the call is durable (at once unless the store
   * defers its fsyncs). Calls made while an fsync is under way share the next one, so a busy
   * writer pays one fsync per round of commits, not one per commit.
   * @throws the fsync's error; the store then refuses further appends
   */
  async sync(): Promise<void> {
    const target = this.#committed;
    while (this.#size < target) {
      if (this.#syncFailure !== undefined) throw this.#syncFailure;
      if (this.#syncing === undefined) this.#syncing = this.#fsyncCommitted();
      await this.#syncing;
    }
  }

  /** One fsync of the WAL; at its end the entries committed before it began are durable. */
  #fsyncCommitted(): Promise<void> {
    const upTo = this.#committed;
    const root = this.#frontier.root();
    let fd: number;
    try {
      fd = this.#walFd ??= openSync(`${this.db.name}-wal`, 'r');
    } catch (err) {
      this.#syncFailure = err;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.#fsync(fd, (err) => {
        this.#syncing = undefined;
        if (err) {
          this.#syncFailure = err;
        } else if (upTo > this.#size) {
          this.#size = upTo;
          this.#durableRoot = upTo === this.#committed ? undefined : root;
        }
        resolve();
      });
    });
  }

  /** The ledger's id, set by genesis; undefined before. */
  get ledgerId(): string | undefined {
    return this.getMeta('ledger_id');
  }

  getMeta(key: string): string | undefined {
    const row = this.#stmt.getMeta.get(key);
    return row?.value;
  }

  /**
   * Sets a meta value. `schema_version` is the migrator's; `ledger_id` and `origin` are fixed once
   * the ledger has entries.
   */
  setMeta(key: string, value: string): void {
    if (typeof key !== 'string' || key.length === 0 || typeof value !== 'string') {
      throw new LedgerError('INVALID_ARGUMENT', '"key" and "value" expected strings');
    }
    if (key === 'schema_version') {
      throw new LedgerError('INVALID_ARGUMENT', 'schema_version is set by the migrations only');
    }
    if (GENESIS_META_KEYS.has(key) && this.#committed > 0 && this.getMeta(key) !== value) {
      throw new LedgerError('LEDGER_NOT_EMPTY', `"${key}" is fixed once the ledger has entries`);
    }
    this.#stmt.setMeta.run(key, value);
  }

  /**
   * Appends a batch in ONE transaction: each item gets the next seq, the previous leaf hash as
   * `prev` and a fresh 16-byte salt; its canonical body, leaf hash, the tree nodes it completes
   * and its nonce row are written together. Items whose (publicKey, nonce) was seen before (on the
   * ledger with a ts within the nonce window of theirs, or earlier in the batch) or that cannot become an entry are refused on their own and
   * take no seq. If the transaction fails anyway, nothing of the batch is written, the in-memory
   * state is reloaded from disk and the error is rethrown.
   */
  appendBatch(
    items: readonly AppendItem[],
    random: (n: number) => Uint8Array = this.#random
  ): AppendResult[] {
    if (!Array.isArray(items))
      throw new LedgerError('INVALID_ARGUMENT', '"items" expected an array');
    if (this.db.inTransaction) {
      // A savepoint inside someone else's transaction could be rolled back behind our back,
      // leaving the in-memory frontier ahead of the disk.
      throw new LedgerError('INVALID_ARGUMENT', 'appendBatch must not run inside a transaction');
    }
    if (this.#syncFailure !== undefined) {
      throw new LedgerError('LEDGER_SYNC_FAILED', 'an fsync of the ledger failed; reopen it', {
        cause: this.#syncFailure,
      });
    }
    // Readers keep the tree of the durable entries until the sync: its root, from the frontier.
    if (this.#deferred) this.#durableRoot ??= this.#frontier.root();
    try {
      const t0 = performance.now();
      const results = this.#appendTxn.immediate(items, random);
      this.observer?.commit((performance.now() - t0) / 1000, results.length);
      return results;
    } catch (err) {
      this.#reload();
      throw err;
    }
  }

  #appendInTransaction(
    items: readonly AppendItem[],
    random: (n: number) => Uint8Array
  ): AppendResult[] {
    const results: AppendResult[] = [];
    const seen = new Set<string>();
    const { insertEntry, insertNode, insertNonce } = this.#stmt;
    let lastTime = this.#lastTime;
    const storeNode = (node: MerkleNode): void => {
      if (node.level >= STORED_TREE_LEVEL) insertNode.run(node.level, node.index, node.hash);
    };
    let seq = this.#committed;
    let prev = this.#prev;
    for (const item of items) {
      const problem = itemProblem(item);
      if (problem !== undefined) {
        results.push({ ok: false, code: 'ENTRY_INVALID', message: problem });
        continue;
      }
      const { publicKey } = item.command;
      const nonce = item.command.payload.nonce;
      const key = `${publicKey}\n${nonce}`;
      const ts = nonceTime(item);
      if (seen.has(key) || this.#recentNonce(publicKey, nonce, ts) !== undefined) {
        results.push({
          ok: false,
          code: 'NONCE_REPLAYED',
          message: 'nonce already used by this key',
        });
        continue;
      }
      const salt = random(SALT_BYTES);
      if (!(salt instanceof Uint8Array) || salt.length !== SALT_BYTES) {
        throw new LedgerError('INVALID_ARGUMENT', `"random" must return ${SALT_BYTES} bytes`);
      }
      // The leaf hash (RFC 9162 §2.1.1, hasher.hashLeafText) covers 0x00 || body: one digest, in
      // hex, gives the stored hash and the next prev; the body is a slice of that text, no copy.
      let leafText: string;
      try {
        leafText =
          '\u0000' +
          canonicalEntryJson({
            seq,
            prev,
            time: item.time,
            salt: hex(salt),
            commandJson: item.commandJson ?? canonicalJsonFast(item.command),
            derivedJson: item.derivedJson ?? canonicalJsonFast(item.derived),
          });
      } catch (err) {
        results.push({ ok: false, code: 'ENTRY_INVALID', message: String(err) });
        continue;
      }
      seen.add(key);
      const hashHex = nodeHash('sha256', leafText, 'hex');
      const hash = bytes(Buffer.from(hashHex, 'hex'));
      const body = leafText.slice(1);
      insertEntry.run(seq, hash, body);
      this.#frontier.appendWith(hash, storeNode);
      insertNonce.run(bucketOf(ts), publicKey, nonce, seq);
      this.#nonceFilter.added(bucketOf(ts), publicKey, nonce);
      if (ts > lastTime) {
        // The filters follow the latest ts filed, so that the batch's next lookups meet them.
        if (bucketOf(ts) !== bucketOf(lastTime)) this.#filterRange(ts);
        lastTime = ts;
      }
      results.push(new Committed(body, hash));
      prev = hashHex;
      seq++;
    }
    // Buckets below the lookup span of the latest ts filed are never probed again: drop them.
    const floor = bucketOf(lastTime) - NONCE_SPAN;
    if (floor > this.#nonceFloor) {
      this.#stmt.pruneNonces.run(floor);
      this.#nonceFilter.pruned(floor);
      this.#nonceFloor = floor;
    }
    this.#committed = seq;
    if (!this.#deferred) this.#size = seq;
    this.#prev = prev;
    this.#lastTime = lastTime;
    this.#filterRange();
    return results;
  }

  /**
   * The seq of the entry holding (publicKey, nonce), filed by its ts, among the buckets within
   * NONCE_SPAN of the bucket of `near`: a point lookup per bucket in a table of recent nonces only.
   */
  #recentNonce(publicKey: string, nonce: string, near: number): number | undefined {
    const b = bucketOf(near);
    if (!this.#nonceFilter.mayHaveIn(b - NONCE_SPAN, b + NONCE_SPAN, publicKey, nonce)) {
      return undefined;
    }
    return this.#stmt.nonce.get(b - 2, b - 1, b, b + 1, b + 2, publicKey, nonce)?.seq;
  }

  #row(seq: number): { seq: number; leaf_hash: Uint8Array; body: string } {
    requireIndex('seq', seq);
    if (seq >= this.#size) {
      throw new LedgerError('INDEX_OUT_OF_RANGE', `seq ${seq} is not below size ${this.#size}`);
    }
    const row = this.#stmt.entry.get(seq);
    if (row === undefined) throw new LedgerError('ENTRY_CORRUPT', `entry ${seq} is missing`);
    return row;
  }

  /** The entry at `seq`, parsed from its stored canonical body. */
  entry(seq: number): LedgerEntry {
    return JSON.parse(this.#row(seq).body) as LedgerEntry;
  }

  /** The stored canonical JSON of entry `seq`: exactly the bytes its leaf hash covers. */
  entryBody(seq: number): string {
    return this.#row(seq).body;
  }

  /** The RFC 6962 leaf hash of entry `seq`. */
  leafHash(seq: number): Uint8Array {
    return bytes(this.#row(seq).leaf_hash);
  }

  /**
   * Entries `from` (inclusive) to `to` (exclusive), read in pages so a large ledger streams and
   * the connection is free between pages (appends may interleave; entries are immutable).
   */
  *iterateEntries(from = 0, to: number = this.#size): Generator<StoredEntry> {
    requireIndex('from', from);
    requireIndex('to', to);
    if (to > this.#size) {
      throw new LedgerError('SIZE_OUT_OF_RANGE', `"to" ${to} is above size ${this.#size}`);
    }
    let next = from;
    while (next < to) {
      const rows = this.#stmt.page.all(next, to, PAGE_SIZE);
      if (rows.length === 0) throw new LedgerError('ENTRY_CORRUPT', `entry ${next} is missing`);
      for (const row of rows) {
        if (row.seq !== next) throw new LedgerError('ENTRY_CORRUPT', `entry ${next} is missing`);
        yield {
          entry: JSON.parse(row.body) as LedgerEntry,
          body: row.body,
          leafHash: bytes(row.leaf_hash),
        };
        next++;
      }
    }
  }

  #requireSize(name: string, size: number): number {
    requireIndex(name, size);
    if (size > this.#size) {
      throw new LedgerError('SIZE_OUT_OF_RANGE', `"${name}" ${size} is above size ${this.#size}`);
    }
    return size;
  }

  /**
   * Root of the tree of the durable entries (`size`) from the in-memory frontier, which was built
   * from the leaf hashes as they were appended (or restored at open): a cross-check on
   * {@link root}.
   */
  frontierRoot(): Uint8Array {
    return (this.#durableRoot ?? this.#frontier.root()).slice();
  }

  /** RFC 6962 root of the first `size` entries, from the stored nodes. */
  root(size: number = this.#size): Uint8Array {
    this.#requireSize('size', size);
    return this.read(() => rootAt(this.reader, size, hasher));
  }

  /** RFC 9162 §2.1.3 inclusion proof of leaf `index` in the tree of `size` entries. */
  inclusionProof(index: number, size: number = this.#size): Uint8Array[] {
    this.#requireSize('size', size);
    requireIndex('index', index);
    if (index >= size) {
      throw new LedgerError('INDEX_OUT_OF_RANGE', `index ${index} is not below tree size ${size}`);
    }
    return this.read(() => inclusionProof(this.#proofReader, index, size, hasher));
  }

  /** RFC 9162 §2.1.4 consistency proof from size `m` (at least 1) to size `n`. */
  consistencyProof(m: number, n: number = this.#size): Uint8Array[] {
    this.#requireSize('n', n);
    requireIndex('m', m);
    if (m < 1 || m > n) {
      throw new LedgerError('CONSISTENCY_RANGE_INVALID', `no consistency proof from ${m} to ${n}`);
    }
    return this.read(() => consistencyProof(this.reader, m, n, hasher));
  }

  /**
   * Whether this (publicKey, nonce) pair is on the ledger with a ts within the nonce window of
   * `near` (by default the latest ts filed). Nonces are unique only within that window: a command's ts
   * must lie within 5 minutes of its entry's time, so a replay of it cannot land further away.
   */
  hasNonce(publicKey: string, nonce: string, near: number = this.#lastTime): boolean {
    return this.#recentNonce(publicKey, nonce, near) !== undefined;
  }

  /** The compare-and-swap row: the latest signed checkpoint, undefined before the first. */
  latestCheckpoint(): { size: number; note: string } | undefined {
    const row = this.#stmt.latest.get();
    if (row === undefined || row.note === null) return undefined;
    return { size: row.size, note: row.note };
  }

  /** The checkpoint signed at `size`, if any. */
  checkpointAt(size: number): StoredCheckpoint | undefined {
    requireIndex('size', size);
    const row = this.#stmt.checkpoint.get(size);
    return row === undefined ? undefined : fromCheckpointRow(row);
  }

  /** Every checkpoint ever signed, by size. */
  *iterateCheckpoints(): Generator<StoredCheckpoint> {
    let after = -1;
    for (;;) {
      const rows = this.#stmt.checkpointPage.all(after, PAGE_SIZE);
      if (rows.length === 0) return;
      for (const row of rows) {
        yield fromCheckpointRow(row);
        after = row.size;
      }
    }
  }

  /** Sizes of every checkpoint ever signed, ascending. */
  checkpointSizes(): number[] {
    return this.#stmt.checkpointSizes.all().map((row) => row.size);
  }

  /**
   * Records a signed checkpoint and moves the latest row to it, in one transaction, only if the
   * latest row is still at `expectedPreviousSize` (0 when there is none yet). Returns false, and
   * writes nothing, when another writer moved it first.
   */
  saveCheckpoint(checkpoint: StoredCheckpoint, expectedPreviousSize: number): boolean {
    this.#requireSize('size', checkpoint.size);
    requireIndex('expectedPreviousSize', expectedPreviousSize);
    return this.#saveCheckpointTxn.immediate(checkpoint, expectedPreviousSize);
  }

  /**
   * Keeps the cosigned form of the checkpoint signed at `size` (the log's note with cosignature
   * lines appended). Append-only: returns false, and writes nothing, when one is already kept.
   */
  saveCosignedCheckpoint(size: number, note: string, cosignedAt: number): boolean {
    requireIndex('size', size);
    if (typeof note !== 'string') throw new TypeError('"note" expected string');
    return this.#stmt.insertCosigned.run(size, note, cosignedAt).changes === 1;
  }

  /** The cosigned checkpoint kept at `size`, if any. */
  cosignedCheckpointAt(size: number): { size: number; note: string } | undefined {
    requireIndex('size', size);
    return this.#stmt.cosigned.get(size);
  }

  /**
   * The notes an export carries for the checkpoint `cp`: its cosigned form when one is kept and
   * is `cp`'s note with lines appended, else `cp`'s note (and the kept one beside it, when a row
   * was edited: the verifier then checks both).
   */
  exportNotes(cp: StoredCheckpoint): string[] {
    const kept = this.cosignedCheckpointAt(cp.size)?.note;
    if (kept === undefined) return [cp.note];
    return kept.startsWith(cp.note) ? [kept] : [cp.note, kept];
  }

  /** The largest cosigned checkpoint kept, if any. */
  latestCosignedCheckpoint(): { size: number; note: string } | undefined {
    return this.#stmt.latestCosigned.get();
  }

  /**
   * The seq of the entry that holds this (publicKey, nonce) pair, its ts within the nonce window
   * of `near` (by default the latest ts filed; a caller holding the command passes its ts).
   */
  nonceSeq(publicKey: string, nonce: string, near: number = this.#lastTime): number | undefined {
    return this.#recentNonce(publicKey, nonce, near);
  }
}

/**
 * The leaf hashes of the entries from `start` (block-aligned) within one block, and the nodes
 * rebuilt from them, by `from * STORED_TREE_LEVEL + level`; `start` is -1 while none is kept.
 */
interface LeafBlock {
  start: number;
  /** The ledger's size when the leaves were read. */
  size: number;
  leaves: Uint8Array[];
  nodes: (Uint8Array | undefined)[];
}

interface CheckpointRow {
  size: number;
  root: Uint8Array;
  note: string;
  signed_at: number;
}

function fromCheckpointRow(row: CheckpointRow): StoredCheckpoint {
  return { size: row.size, root: bytes(row.root), note: row.note, signedAt: row.signed_at };
}

interface EntryRow {
  seq: number;
  leaf_hash: Uint8Array;
  body: string;
}

function prepareStatements(db: LedgerDatabase) {
  return {
    size: db.prepare<[], { size: number }>('SELECT coalesce(max(seq) + 1, 0) AS size FROM entries'),
    entry: db.prepare<[number], EntryRow>('SELECT seq, leaf_hash, body FROM entries WHERE seq = ?'),
    leafRange: db.prepare<[number, number], { seq: number; leaf_hash: Uint8Array }>(
      'SELECT seq, leaf_hash FROM entries WHERE seq >= ? AND seq < ? ORDER BY seq'
    ),
    leafBlock: db.prepare<
      [number, number],
      { n: number; last: number | null; hashes: Uint8Array | null }
    >(
      `SELECT count(*) AS n, max(seq) AS last,
              unhex(group_concat(hex(leaf_hash), '' ORDER BY seq)) AS hashes
       FROM entries WHERE seq >= ? AND seq < ?`
    ),
    nodeRun: db.prepare<
      [number, number, number],
      { n: number; first: number | null; last: number | null; hashes: Uint8Array | null }
    >(
      `SELECT count(*) AS n, min(idx) AS first, max(idx) AS last,
              unhex(group_concat(hex(hash), '' ORDER BY idx)) AS hashes
       FROM tree_nodes WHERE level = ? AND idx >= ? AND idx < ?`
    ),
    page: db.prepare<[number, number, number], EntryRow>(
      'SELECT seq, leaf_hash, body FROM entries WHERE seq >= ? AND seq < ? ORDER BY seq LIMIT ?'
    ),
    node: db.prepare<[number, number], { hash: Uint8Array }>(
      'SELECT hash FROM tree_nodes WHERE level = ? AND idx = ?'
    ),
    insertEntry: db.prepare<[number, Uint8Array, string]>(
      'INSERT INTO entries (seq, leaf_hash, body) VALUES (?, ?, ?)'
    ),
    insertNode: db.prepare<[number, number, Uint8Array]>(
      'INSERT INTO tree_nodes (level, idx, hash) VALUES (?, ?, ?)'
    ),
    insertNonce: db.prepare<[number, string, string, number]>(
      'INSERT INTO recent_nonces (bucket, public_key, nonce, seq) VALUES (?, ?, ?, ?)'
    ),
    nonce: db.prepare<[number, number, number, number, number, string, string], { seq: number }>(
      `SELECT seq FROM recent_nonces
       WHERE bucket IN (?, ?, ?, ?, ?) AND public_key = ? AND nonce = ? LIMIT 1`
    ),
    pruneNonces: db.prepare<[number]>('DELETE FROM recent_nonces WHERE bucket < ?'),
    bucketNonces: db.prepare<[number], { public_key: string; nonce: string }>(
      'SELECT public_key, nonce FROM recent_nonces WHERE bucket = ?'
    ),
    nonceBuckets: db.prepare<[], { low: number | null; high: number | null }>(
      'SELECT min(bucket) AS low, max(bucket) AS high FROM recent_nonces'
    ),
    getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
    setMeta: db.prepare<[string, string]>(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'
    ),
    latest: db.prepare<[], { size: number; note: string | null }>(
      'SELECT size, note FROM latest_checkpoint WHERE id = 1'
    ),
    checkpoint: db.prepare<[number], CheckpointRow>(
      'SELECT size, root, note, signed_at FROM checkpoints WHERE size = ?'
    ),
    checkpointPage: db.prepare<[number, number], CheckpointRow>(
      'SELECT size, root, note, signed_at FROM checkpoints WHERE size > ? ORDER BY size LIMIT ?'
    ),
    checkpointSizes: db.prepare<[], { size: number }>('SELECT size FROM checkpoints ORDER BY size'),
    casLatest: db.prepare<[number, string, number]>(
      'UPDATE latest_checkpoint SET size = ?, note = ? WHERE id = 1 AND size = ?'
    ),
    insertCosigned: db.prepare<[number, string, number]>(
      'INSERT INTO cosigned_checkpoints (size, note, cosigned_at) VALUES (?, ?, ?) ON CONFLICT (size) DO NOTHING'
    ),
    cosigned: db.prepare<[number], { size: number; note: string }>(
      'SELECT size, note FROM cosigned_checkpoints WHERE size = ?'
    ),
    latestCosigned: db.prepare<[], { size: number; note: string }>(
      'SELECT size, note FROM cosigned_checkpoints ORDER BY size DESC LIMIT 1'
    ),
    insertCheckpoint: db.prepare<[number, Uint8Array, string, number]>(
      'INSERT INTO checkpoints (size, root, note, signed_at) VALUES (?, ?, ?, ?)'
    ),
  };
}

type Statements = ReturnType<typeof prepareStatements>;
