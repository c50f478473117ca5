/**
 * RFC 6962 §2.1 / RFC 9162 §2.1 Merkle hash trees over SHA-256: leaf and node hashes (§2.1.1),
 * tree hashes, storage-backed inclusion (§2.1.3) and consistency (§2.1.4) proofs, their
 * verifiers, and the right-border frontier that an append-only log keeps in memory. This is the
 * project's only implementation of them: the service's hot paths use the same code through a
 * {@link TreeHasher} over a faster {@link HashBackend} (`@yishi/crypto/node`).
 *
 * Sizes and indexes are JS numbers and may exceed 2^32 (up to 2^53 − 1): they are handled with
 * arithmetic (`/ 2`, `% 2`, `Math.floor`) only, never with 32-bit bitwise operators.
 *
 * Proof verifiers treat every argument as attacker-controlled: any refusal is a MerkleProofError
 * with a code from a closed set; a wrong TYPE (not a number, not a Uint8Array) is a TypeError.
 * A bad index or size is a MerkleProofError in the proof builders too, so that a store can turn
 * a request for a proof of a leaf it does not have into a coded reply.
 */
import { assertBytes, equalBytes } from './bytes.js';
import { MerkleProofError } from './error.js';
import { nobleHashBackend, type HashBackend } from './hash-backend.js';

/** Length in bytes of every node hash. */
export const HASH_SIZE = 32;

const EMPTY = nobleHashBackend.sha256(new Uint8Array(0));

/** MTH({}) = SHA-256() — the root of the empty tree (RFC 9162 §2.1.1). Do not mutate. */
export const EMPTY_ROOT: Uint8Array = EMPTY.slice();

/** The hot paths' check; assertBytes (which also accepts other realms' arrays) words a refusal. */
const isHash = (value: unknown): boolean =>
  value instanceof Uint8Array && value.length === HASH_SIZE;

/**
 * The RFC 9162 §2.1.1 hash functions over one {@link HashBackend}. Every result is a fresh
 * 32-byte Uint8Array the caller owns; inputs are only read. Not re-entrant across threads (there
 * are none in JS): `hashNode` writes into one 65-byte buffer kept by the hasher.
 */
export interface TreeHasher {
  /** The SHA-256 implementation used. */
  readonly backend: HashBackend;
  /** Leaf hash SHA-256(0x00 || data). @throws TypeError unless `data` is a Uint8Array. */
  hashLeaf(data: Uint8Array): Uint8Array;
  /**
   * Leaf hash SHA-256(0x00 || utf8(text)) of a text, without a separate encode step (a ledger
   * entry's leaf is its canonical JSON text). `text` should be well-formed Unicode, as canonical
   * JSON always is: a lone surrogate is hashed as U+FFFD by every backend.
   * @throws TypeError unless `text` is a string.
   */
  hashLeafText(text: string): Uint8Array;
  /**
   * Interior node hash SHA-256(0x01 || left || right).
   * @throws TypeError / RangeError unless both are 32-byte Uint8Arrays.
   */
  hashNode(left: Uint8Array, right: Uint8Array): Uint8Array;
}

/**
 * A {@link TreeHasher} over `backend` (default: @noble/hashes). On Node, pass `nodeHashBackend`
 * from `@yishi/crypto/node` for the same bytes several times faster.
 * @throws TypeError unless `backend` has `sha256` and `sha256Utf8` functions.
 */
export function createTreeHasher(backend: HashBackend = nobleHashBackend): TreeHasher {
  if (
    typeof backend !== 'object' ||
    backend === null ||
    typeof backend.sha256 !== 'function' ||
    typeof backend.sha256Utf8 !== 'function'
  ) {
    throw new TypeError('"backend" expected an object with sha256 and sha256Utf8 functions');
  }
  const { sha256, sha256Utf8 } = backend;
  // 0x01 || left || right, reused: hashing is synchronous, so no two calls share it at once.
  const nodeInput = new Uint8Array(1 + 2 * HASH_SIZE);
  nodeInput[0] = 1;
  return Object.freeze({
    backend,
    hashLeaf(data: Uint8Array): Uint8Array {
      assertBytes(data, 'data');
      const buf = new Uint8Array(data.length + 1);
      buf.set(data, 1);
      return sha256(buf);
    },
    hashLeafText(text: string): Uint8Array {
      if (typeof text !== 'string') {
        throw new TypeError(
          `"text" expected string, got type=${text === null ? 'null' : typeof text}`
        );
      }
      // U+0000 encodes as the single byte 0x00 in UTF-8.
      return sha256Utf8('\u0000' + text);
    },
    hashNode(left: Uint8Array, right: Uint8Array): Uint8Array {
      if (!(isHash(left) && isHash(right))) {
        assertBytes(left, 'left', HASH_SIZE);
        assertBytes(right, 'right', HASH_SIZE);
      }
      nodeInput.set(left, 1);
      nodeInput.set(right, 1 + HASH_SIZE);
      return sha256(nodeInput);
    },
  });
}

/** The default hasher (@noble/hashes), behind {@link leafHash} and {@link nodeHash}. */
const noble = createTreeHasher(nobleHashBackend);

/** Leaf hash (RFC 9162 §2.1.1): SHA-256(0x00 || data). @throws TypeError on a non-Uint8Array */
export function leafHash(data: Uint8Array): Uint8Array {
  return noble.hashLeaf(data);
}

/**
 * Interior node hash (RFC 9162 §2.1.1): SHA-256(0x01 || left || right).
 * @throws TypeError / RangeError unless both are 32-byte Uint8Arrays.
 */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return noble.hashNode(left, right);
}

/**
 * Read access to the hashes of PERFECT subtrees of a log: `hash(level, index)` is the root of the
 * 2^level leaves starting at leaf `index * 2^level` (level 0 = leaf hashes). Synchronous; the
 * functions below call it O(log n) times per proof for ranges aligned as in an RFC 6962 tree.
 * It must only be asked for subtrees that are complete in the tree it serves.
 */
export interface SubtreeHashReader {
  hash(level: number, index: number): Uint8Array;
  /**
   * Optional memo of MTH(D[start:end]) for ranges that are not perfect subtrees (in the proofs of
   * one tree size they lie on its right edge, the same for every proof): the hash given to
   * {@link keepRangeHash} for this range, or undefined. The functions below hash the range
   * themselves when it returns undefined.
   */
  rangeHash?(start: number, end: number): Uint8Array | undefined;
  /** Offered each MTH(D[start:end]) computed for a range that is not a perfect subtree. */
  keepRangeHash?(start: number, end: number, hash: Uint8Array): void;
}

/** A perfect subtree completed by {@link MerkleFrontier.append}. */
export type MerkleNode = { level: number; index: number; hash: Uint8Array };

// ---- integer helpers (no 32-bit bitwise operators: sizes may exceed 2^32) ----

const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

function assertNumber(value: unknown, name: string): number {
  if (typeof value !== 'number') {
    throw new TypeError(
      `"${name}" expected number, got type=${value === null ? 'null' : typeof value}`
    );
  }
  return value;
}

function checkSize(value: unknown, name: string): number {
  const n = assertNumber(value, name);
  if (!isCount(n)) {
    throw new MerkleProofError('SIZE_INVALID', `"${name}" must be a safe integer >= 0, got ${n}`);
  }
  return n;
}

function checkIndex(value: unknown, name: string, size: number): number {
  const n = assertNumber(value, name);
  if (!isCount(n) || n >= size) {
    throw new MerkleProofError('INDEX_OUT_OF_RANGE', `"${name}" ${n} is not in [0, ${size})`);
  }
  return n;
}

/** Largest power of two strictly below `n` (n >= 2): the split point k of RFC 9162 §2.1.1. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** log2(n) if `n` is a power of two, else -1. */
function exactLog2(n: number): number {
  if (n < 1) return -1;
  let level = 0;
  while (n % 2 === 0) {
    n /= 2;
    level += 1;
  }
  return n === 1 ? level : -1;
}

const isOdd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

function read(reader: SubtreeHashReader, level: number, index: number): Uint8Array {
  return assertBytes(reader.hash(level, index), `reader.hash(${level}, ${index})`, HASH_SIZE);
}

/** MTH(D[start:end]) for start < end, reading perfect aligned subtrees directly. */
function mth(reader: SubtreeHashReader, start: number, end: number, h: TreeHasher): Uint8Array {
  const n = end - start;
  const level = exactLog2(n);
  if (level >= 0 && start % n === 0) return read(reader, level, start / n);
  if (reader.rangeHash !== undefined) {
    const kept = reader.rangeHash(start, end);
    if (kept !== undefined)
      return assertBytes(kept, `reader.rangeHash(${start}, ${end})`, HASH_SIZE);
  }
  const k = splitPoint(n);
  const hash = h.hashNode(mth(reader, start, start + k, h), mth(reader, start + k, end, h));
  reader.keepRangeHash?.(start, end, hash);
  return hash;
}

function assertReader(reader: unknown): asserts reader is SubtreeHashReader {
  if (
    typeof reader !== 'object' ||
    reader === null ||
    typeof (reader as SubtreeHashReader).hash !== 'function'
  ) {
    throw new TypeError('"reader" expected an object with a hash(level, index) method');
  }
}

/**
 * MTH(D[start:end]) (RFC 9162 §2.1.1) of any leaf range, composed from perfect subtrees. A range
 * that is a node of an RFC 6962 tree (every range a proof needs) costs O(log n) reads; an
 * arbitrary range is still correct but may read more. An empty range gives {@link EMPTY_ROOT}.
 * @throws MerkleProofError `SIZE_INVALID` unless 0 <= start <= end are safe integers.
 */
export function subtreeRoot(
  reader: SubtreeHashReader,
  start: number,
  end: number,
  hasher: TreeHasher = noble
): Uint8Array {
  assertReader(reader);
  const s = checkSize(start, 'start');
  const e = checkSize(end, 'end');
  if (s > e) throw new MerkleProofError('SIZE_INVALID', `"start" ${s} > "end" ${e}`);
  return s === e ? EMPTY.slice() : mth(reader, s, e, hasher);
}

/**
 * The root of the tree of the first `size` leaves.
 * @throws MerkleProofError `SIZE_INVALID` unless `size` is a safe integer >= 0.
 */
export function rootAt(
  reader: SubtreeHashReader,
  size: number,
  hasher: TreeHasher = noble
): Uint8Array {
  return subtreeRoot(reader, 0, size, hasher);
}

/**
 * MTH of a list of leaf hashes, straight from the RFC 9162 §2.1.1 definition (in memory).
 * @throws TypeError / RangeError unless every element is a 32-byte Uint8Array.
 */
export function rootFromLeafHashes(hashes: Uint8Array[], hasher: TreeHasher = noble): Uint8Array {
  if (!Array.isArray(hashes)) throw new TypeError('"hashes" expected an array');
  hashes.forEach((h, i) => assertBytes(h, `hashes[${i}]`, HASH_SIZE));
  const rec = (lo: number, hi: number): Uint8Array => {
    if (hi - lo === 1) return (hashes[lo] as Uint8Array).slice();
    const k = splitPoint(hi - lo);
    return hasher.hashNode(rec(lo, lo + k), rec(lo + k, hi));
  };
  return hashes.length === 0 ? EMPTY.slice() : rec(0, hashes.length);
}

/** The leaf ranges whose MTHs form PATH(index, D[0:size]) (RFC 9162 §2.1.3.1), leaf first. */
function inclusionRanges(index: number, size: number): [number, number][] {
  const out: [number, number][] = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (index < lo + k) {
      out.push([lo + k, hi]);
      hi = lo + k;
    } else {
      out.push([lo, lo + k]);
      lo += k;
    }
  }
  return out.reverse();
}

/** The leaf ranges whose MTHs form PROOF(m, D[0:n]) = SUBPROOF(m, D[n], true), §2.1.4.1. */
function consistencyRanges(m: number, n: number): [number, number][] {
  const out: [number, number][] = [];
  let lo = 0;
  let hi = n;
  let rest = m;
  let complete = true; // b: whether the subtree D[lo:rest] is the whole old tree
  for (;;) {
    const len = hi - lo;
    if (rest === len) {
      if (!complete) out.push([lo, hi]);
      break;
    }
    const k = splitPoint(len);
    if (rest <= k) {
      out.push([lo + k, hi]);
      hi = lo + k;
    } else {
      out.push([lo, lo + k]);
      lo += k;
      rest -= k;
      complete = false;
    }
  }
  return out.reverse();
}

/**
 * The inclusion proof (audit path, RFC 9162 §2.1.3.1) of leaf `index` in the tree of `size`
 * leaves, leaf's sibling first; O(log size) reads.
 * @throws MerkleProofError `SIZE_INVALID` / `INDEX_OUT_OF_RANGE` unless 0 <= index < size.
 */
export function inclusionProof(
  reader: SubtreeHashReader,
  index: number,
  size: number,
  hasher: TreeHasher = noble
): Uint8Array[] {
  assertReader(reader);
  const n = checkSize(size, 'size');
  const i = checkIndex(index, 'index', n);
  return inclusionRanges(i, n).map(([lo, hi]) => mth(reader, lo, hi, hasher));
}

/**
 * The consistency proof (RFC 9162 §2.1.4.1) from the tree of `m` leaves to the tree of `n`
 * leaves; empty when m = n; O(log n) reads.
 * @throws MerkleProofError `SIZE_INVALID` if m = 0 (a proof from the empty tree is meaningless),
 *   m > n, or either is not a safe integer.
 */
export function consistencyProof(
  reader: SubtreeHashReader,
  m: number,
  n: number,
  hasher: TreeHasher = noble
): Uint8Array[] {
  assertReader(reader);
  const size1 = checkSize(m, 'm');
  const size2 = checkSize(n, 'n');
  if (size1 === 0) throw new MerkleProofError('SIZE_INVALID', 'consistency from size 0');
  if (size1 > size2) throw new MerkleProofError('SIZE_INVALID', `"m" ${size1} > "n" ${size2}`);
  return consistencyRanges(size1, size2).map(([lo, hi]) => mth(reader, lo, hi, hasher));
}

function checkProof(proof: unknown): Uint8Array[] {
  if (!Array.isArray(proof)) throw new TypeError('"proof" expected an array of Uint8Array');
  proof.forEach((h: unknown, i) => {
    assertBytes(h, `proof[${i}]`);
    if ((h as Uint8Array).length !== HASH_SIZE) {
      throw new MerkleProofError('HASH_WRONG_LENGTH', `proof[${i}] is not ${HASH_SIZE} bytes`);
    }
  });
  return proof as Uint8Array[];
}

/**
 * Verifies that `leafHash` is leaf `index` of the tree of `size` leaves whose root is `root`,
 * following RFC 9162 §2.1.3.2.
 * @throws MerkleProofError `SIZE_INVALID`, `INDEX_OUT_OF_RANGE`, `HASH_WRONG_LENGTH` (leaf hash or
 *   a proof hash not 32 bytes), `PROOF_WRONG_LENGTH` (not the path length for index/size), or
 *   `INCLUSION_PROOF_INVALID` (the path does not lead to `root`).
 * @throws TypeError on a wrong-typed argument.
 */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: Uint8Array[],
  root: Uint8Array,
  hasher: TreeHasher = noble
): void {
  assertBytes(leafHash, 'leafHash');
  assertBytes(root, 'root');
  const path = checkProof(proof);
  const n = checkSize(size, 'size');
  const i = checkIndex(index, 'index', n);
  if (leafHash.length !== HASH_SIZE) {
    throw new MerkleProofError('HASH_WRONG_LENGTH', `"leafHash" is not ${HASH_SIZE} bytes`);
  }
  const want = inclusionRanges(i, n).length;
  if (path.length !== want) {
    throw new MerkleProofError(
      'PROOF_WRONG_LENGTH',
      `proof has ${path.length} hashes, want ${want}`
    );
  }
  let fn = i;
  let sn = n - 1;
  let r = leafHash;
  for (const p of path) {
    if (sn === 0) throw new MerkleProofError('PROOF_WRONG_LENGTH', 'proof longer than the path');
    if (isOdd(fn) || fn === sn) {
      r = hasher.hashNode(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = hasher.hashNode(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0 || !equalBytes(r, root)) {
    throw new MerkleProofError('INCLUSION_PROOF_INVALID', 'inclusion proof does not match root');
  }
}

/**
 * Verifies that the tree of `m` leaves with root `root1` is a prefix of the tree of `n` leaves
 * with root `root2`, following RFC 9162 §2.1.4.2. For m = n the proof must be empty and the roots
 * equal.
 * @throws MerkleProofError `SIZE_INVALID` (m = 0, m > n, not safe integers), `HASH_WRONG_LENGTH`,
 *   `PROOF_WRONG_LENGTH`, or `CONSISTENCY_PROOF_INVALID`.
 * @throws TypeError on a wrong-typed argument.
 */
export function verifyConsistency(
  m: number,
  n: number,
  proof: Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
  hasher: TreeHasher = noble
): void {
  assertBytes(root1, 'root1');
  assertBytes(root2, 'root2');
  const path = checkProof(proof);
  const size1 = checkSize(m, 'm');
  const size2 = checkSize(n, 'n');
  if (size1 === 0) throw new MerkleProofError('SIZE_INVALID', 'consistency from size 0');
  if (size1 > size2) throw new MerkleProofError('SIZE_INVALID', `"m" ${size1} > "n" ${size2}`);
  if (size1 === size2) {
    if (path.length !== 0) {
      throw new MerkleProofError('PROOF_WRONG_LENGTH', 'proof must be empty when m = n');
    }
    if (!equalBytes(root1, root2)) {
      throw new MerkleProofError('CONSISTENCY_PROOF_INVALID', 'equal sizes but different roots');
    }
    return;
  }
  const want = consistencyRanges(size1, size2).length;
  if (path.length !== want) {
    throw new MerkleProofError(
      'PROOF_WRONG_LENGTH',
      `proof has ${path.length} hashes, want ${want}`
    );
  }
  // Step 2: if m is an exact power of 2, the old root itself starts the path.
  const full = exactLog2(size1) >= 0 ? [root1, ...path] : path;
  if (full.some((h) => h.length !== HASH_SIZE)) {
    throw new MerkleProofError('CONSISTENCY_PROOF_INVALID', 'old root is not a 32-byte hash');
  }
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = full[0] as Uint8Array;
  let sr = fr;
  for (const c of full.slice(1)) {
    if (sn === 0) throw new MerkleProofError('PROOF_WRONG_LENGTH', 'proof longer than the path');
    if (isOdd(fn) || fn === sn) {
      fr = hasher.hashNode(c, fr);
      sr = hasher.hashNode(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = hasher.hashNode(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0 || !equalBytes(fr, root1) || !equalBytes(sr, root2)) {
    throw new MerkleProofError('CONSISTENCY_PROOF_INVALID', 'consistency proof does not match');
  }
}

/**
 * The right border of an append-only tree (a "compact range" [0, size)): one perfect subtree
 * hash per set bit of `size`, largest first. Appending a leaf completes the perfect subtrees
 * that a store must persist to serve a {@link SubtreeHashReader}; the root needs no reads.
 *
 * Two ways to append: {@link append} copies every hash in and out (safe to hand anything);
 * {@link appendWith} copies nothing and allocates no array (the ledger's hot path), on the
 * contract that no hash handed in or out is ever written to.
 */
export class MerkleFrontier {
  #size = 0;
  readonly #border: Uint8Array[] = [];
  readonly #hasher: TreeHasher;

  /**
   * An empty frontier (size 0) hashing with `hasher` (default: @noble/hashes).
   * @throws TypeError if `hasher` is given and is not a {@link TreeHasher}.
   */
  constructor(hasher: TreeHasher = noble) {
    if (typeof hasher !== 'object' || hasher === null || typeof hasher.hashNode !== 'function') {
      throw new TypeError('"hasher" expected a TreeHasher (see createTreeHasher)');
    }
    this.#hasher = hasher;
  }

  /**
   * The frontier of the first `size` leaves, read from the perfect subtrees of size's binary
   * decomposition (at most ~log2(size) reads), hashing further with `hasher`.
   * @throws MerkleProofError `SIZE_INVALID` unless `size` is a safe integer >= 0.
   */
  static restore(size: number, reader: SubtreeHashReader, hasher?: TreeHasher): MerkleFrontier {
    assertReader(reader);
    const n = checkSize(size, 'size');
    const frontier = new MerkleFrontier(hasher);
    let width = 1;
    let level = 0;
    while (width * 2 <= n) {
      width *= 2;
      level += 1;
    }
    let start = 0;
    for (; level >= 0; level -= 1, width /= 2) {
      if (n - start >= width) {
        frontier.#border.push(read(reader, level, start / width));
        start += width;
      }
    }
    frontier.#size = n;
    return frontier;
  }

  /** Number of leaves appended so far. */
  get size(): number {
    return this.#size;
  }

  /**
   * Appends one leaf hash and returns every perfect subtree this completes: the leaf itself
   * (level 0, index = old size) first, then each node it closes, level by level. Every hash is
   * copied in and out.
   * @throws TypeError / RangeError unless `leafHash` is a 32-byte Uint8Array.
   * @throws RangeError if the tree would exceed 2^53 − 1 leaves.
   */
  append(leafHash: Uint8Array): MerkleNode[] {
    assertBytes(leafHash, 'leafHash', HASH_SIZE);
    const done: MerkleNode[] = [];
    this.appendWith(leafHash.slice(), (node) => done.push(node));
    return done.map((node) => ({ ...node, hash: node.hash.slice() }));
  }

  /**
   * {@link append} without copies or arrays: calls `completed` with each perfect subtree this
   * completes, the leaf itself (level 0) first, then each node it closes, level by level. The
   * frontier keeps `leafHash` and the node hashes it reports: neither the caller nor `completed`
   * may write to them.
   * @throws TypeError / RangeError unless `leafHash` is a 32-byte Uint8Array.
   * @throws RangeError if the tree would exceed 2^53 − 1 leaves.
   */
  appendWith(leafHash: Uint8Array, completed: (node: MerkleNode) => void): void {
    if (!isHash(leafHash)) assertBytes(leafHash, 'leafHash', HASH_SIZE);
    if (this.#size >= Number.MAX_SAFE_INTEGER) throw new RangeError('tree size limit reached');
    const border = this.#border;
    const hasher = this.#hasher;
    let hash = leafHash;
    let index = this.#size;
    let level = 0;
    completed({ level, index, hash });
    while (isOdd(index)) {
      hash = hasher.hashNode(border.pop() as Uint8Array, hash);
      index = (index - 1) / 2;
      level += 1;
      completed({ level, index, hash });
    }
    border.push(hash);
    this.#size += 1;
  }

  /** The current root (RFC 9162 §2.1.1 MTH), a fresh copy; {@link EMPTY_ROOT} for size 0. */
  root(): Uint8Array {
    const border = this.#border;
    if (border.length === 0) return EMPTY.slice();
    let acc = border[border.length - 1] as Uint8Array;
    for (let j = border.length - 2; j >= 0; j -= 1) {
      acc = this.#hasher.hashNode(border[j] as Uint8Array, acc);
    }
    // new Uint8Array(acc), not acc.slice(): a Buffer handed in by a reader would share memory.
    return new Uint8Array(acc);
  }
}
