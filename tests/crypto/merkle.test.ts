import t from 'tap';
import fc from 'fast-check';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  EMPTY_ROOT,
  MERKLE_PROOF_ERROR_CODES,
  MerkleFrontier,
  MerkleProofError,
  base64Decode,
  bytesToHex,
  consistencyProof,
  equalBytes,
  hexToBytes,
  inclusionProof,
  leafHash,
  nodeHash,
  rootAt,
  rootFromLeafHashes,
  sha256,
  subtreeRoot,
  utf8Encode,
  verifyConsistency,
  verifyInclusion,
  type MerkleProofErrorCode,
  type SubtreeHashReader,
} from '@yishi/crypto';
import { vectorPath } from '../helpers/paths.js';

// ---- helpers ----

/** A store as the ledger keeps it: only the nodes MerkleFrontier.append reported. */
class MemoryStore implements SubtreeHashReader {
  readonly nodes = new Map<string, Uint8Array>();
  readonly frontier = new MerkleFrontier();
  reads = 0;
  append(leaf: Uint8Array): void {
    for (const node of this.frontier.append(leaf)) {
      this.nodes.set(`${node.level}/${node.index}`, node.hash);
    }
  }
  hash(level: number, index: number): Uint8Array {
    this.reads += 1;
    const h = this.nodes.get(`${level}/${index}`);
    if (!h) throw new Error(`node ${level}/${index} was never completed`);
    return h;
  }
}

const storeOf = (leaves: Uint8Array[]): MemoryStore => {
  const store = new MemoryStore();
  for (const leaf of leaves) store.append(leaf);
  return store;
};

function codeOf(fn: () => void): MerkleProofErrorCode | 'ok' | 'other' {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof MerkleProofError ? err.code : 'other';
  }
}

const flipBit = (proof: Uint8Array[], bit: number): Uint8Array[] =>
  proof.map((h, i) => {
    if (i !== Math.floor(bit / 256)) return h;
    const copy = h.slice();
    copy[Math.floor((bit % 256) / 8)]! ^= 1 << (bit % 8);
    return copy;
  });

const c2sp = JSON.parse(readFileSync(vectorPath('c2sp.json'), 'utf8')) as {
  rfc6962KnownAnswer: { leavesHex: string[]; rootHexAtSize8: string; emptyRootHex: string };
};
const knownLeaves = c2sp.rfc6962KnownAnswer.leavesHex.map((h) => leafHash(hexToBytes(h)));
const knownStore = storeOf(knownLeaves);

function jsonFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? jsonFiles(p) : name.endsWith('.json') ? [p] : [];
    })
    .sort();
}

const b64 = (s: string): Uint8Array => base64Decode(s);

// ---- hashing and known answers ----

t.test('leaf and node hashes are domain-separated SHA-256 (RFC 6962 §2.1)', async (t) => {
  const data = utf8Encode('x');
  t.ok(equalBytes(leafHash(data), sha256(Uint8Array.of(0, ...data))));
  const l = leafHash(Uint8Array.of(1));
  const r = leafHash(Uint8Array.of(2));
  t.ok(equalBytes(nodeHash(l, r), sha256(Uint8Array.of(1, ...l, ...r))));
  t.equal(bytesToHex(EMPTY_ROOT), c2sp.rfc6962KnownAnswer.emptyRootHex);
  t.throws(() => nodeHash(l, r.subarray(1)), RangeError);
  t.throws(() => nodeHash(l, 'r' as unknown as Uint8Array), TypeError);
});

t.test('the RFC 6962 known-answer tree has the published root at every size 0..8', async (t) => {
  // Roots of the first n leaves: transparency-dev/merkle testonly (public facts); size 0 and 8
  // are also in tests/vectors/c2sp.json.
  const roots = [
    c2sp.rfc6962KnownAnswer.emptyRootHex,
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
    '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
    'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
    c2sp.rfc6962KnownAnswer.rootHexAtSize8,
  ];
  const frontier = new MerkleFrontier();
  for (let n = 0; n <= 8; n++) {
    if (n > 0) frontier.append(knownLeaves[n - 1]!);
    t.equal(bytesToHex(rootFromLeafHashes(knownLeaves.slice(0, n))), roots[n], `list root ${n}`);
    t.equal(bytesToHex(rootAt(knownStore, n)), roots[n], `stored root ${n}`);
    t.equal(bytesToHex(frontier.root()), roots[n], `frontier root ${n}`);
  }
});

// ---- the transparency-dev/merkle vectors ----

t.test('every RFC 6962 inclusion vector gives the expected verdict', async (t) => {
  const files = jsonFiles(vectorPath('rfc6962', 'inclusion'));
  t.ok(files.length >= 70, `found ${files.length} inclusion vectors`);
  for (const file of files) {
    const v = JSON.parse(readFileSync(file, 'utf8')) as {
      leafIdx: number;
      treeSize: number;
      root: string;
      leafHash: string;
      proof: string[] | null;
      wantErr: boolean;
    };
    const proof = (v.proof ?? []).map(b64);
    const code = codeOf(() =>
      verifyInclusion(b64(v.leafHash), v.leafIdx, v.treeSize, proof, b64(v.root))
    );
    if (v.wantErr)
      t.ok((MERKLE_PROOF_ERROR_CODES as readonly string[]).includes(code), `${file}: ${code}`);
    else t.equal(code, 'ok', file);
  }
});

t.test('every RFC 6962 consistency vector gives the expected verdict', async (t) => {
  const files = jsonFiles(vectorPath('rfc6962', 'consistency'));
  t.ok(files.length >= 90, `found ${files.length} consistency vectors`);
  for (const file of files) {
    const v = JSON.parse(readFileSync(file, 'utf8')) as {
      size1: number;
      size2: number;
      root1: string;
      root2: string;
      proof: string[] | null;
      wantErr: boolean;
    };
    const proof = (v.proof ?? []).map(b64);
    const code = codeOf(() =>
      verifyConsistency(v.size1, v.size2, proof, b64(v.root1), b64(v.root2))
    );
    if (v.wantErr)
      t.ok((MERKLE_PROOF_ERROR_CODES as readonly string[]).includes(code), `${file}: ${code}`);
    else t.equal(code, 'ok', file);
  }
});

t.test('proofs built from storage equal the happy-path vectors of the known tree', async (t) => {
  let checked = 0;
  for (const file of jsonFiles(vectorPath('rfc6962', 'inclusion'))) {
    const v = JSON.parse(readFileSync(file, 'utf8'));
    if (v.wantErr || v.treeSize > 8 || !equalBytes(b64(v.leafHash), knownLeaves[v.leafIdx]!))
      continue;
    const built = inclusionProof(knownStore, v.leafIdx, v.treeSize).map(bytesToHex);
    t.same(
      built,
      (v.proof ?? []).map((h: string) => bytesToHex(b64(h))),
      file
    );
    checked++;
  }
  for (const file of jsonFiles(vectorPath('rfc6962', 'consistency'))) {
    const v = JSON.parse(readFileSync(file, 'utf8'));
    if (v.wantErr || v.size2 > 8 || !equalBytes(b64(v.root2), rootAt(knownStore, v.size2)))
      continue;
    const built = consistencyProof(knownStore, v.size1, v.size2).map(bytesToHex);
    t.same(
      built,
      (v.proof ?? []).map((h: string) => bytesToHex(b64(h))),
      file
    );
    checked++;
  }
  t.ok(checked >= 8, `compared ${checked} proofs`);
});

// ---- properties ----

const leavesArb = (max: number) =>
  fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: max });

t.test('frontier root equals rootFromLeafHashes for every prefix', async () => {
  fc.assert(
    fc.property(leavesArb(80), (leaves) => {
      const frontier = new MerkleFrontier();
      return leaves.every((leaf, i) => {
        const nodes = frontier.append(leaf);
        return (
          frontier.size === i + 1 &&
          nodes[0]!.level === 0 &&
          nodes[0]!.index === i &&
          equalBytes(frontier.root(), rootFromLeafHashes(leaves.slice(0, i + 1)))
        );
      });
    }),
    { numRuns: 40 }
  );
});

t.test('append reports exactly the perfect subtrees each leaf completes', async (t) => {
  const store = storeOf(Array.from({ length: 16 }, (_, i) => leafHash(Uint8Array.of(i))));
  const counts = Array.from(
    { length: 5 },
    (_, level) => [...store.nodes.keys()].filter((k) => k.startsWith(`${level}/`)).length
  );
  t.same(counts, [16, 8, 4, 2, 1]);
  for (const [key, hash] of store.nodes) {
    const [level, index] = key.split('/').map(Number) as [number, number];
    const width = 2 ** level;
    t.ok(
      equalBytes(
        hash,
        subtreeRoot(
          storeOf([...Array(16)].map((_, i) => leafHash(Uint8Array.of(i)))),
          index * width,
          (index + 1) * width
        )
      )
    );
  }
});

t.test('every inclusion proof of random trees verifies, in O(log n) reads', async () => {
  fc.assert(
    fc.property(leavesArb(40), (leaves) => {
      const store = storeOf(leaves);
      for (let size = 1; size <= leaves.length; size++) {
        const root = rootFromLeafHashes(leaves.slice(0, size));
        for (let index = 0; index < size; index++) {
          store.reads = 0;
          const proof = inclusionProof(store, index, size);
          if (store.reads > 2 * Math.log2(size) + 2) return false;
          verifyInclusion(leaves[index]!, index, size, proof, root);
        }
      }
      return true;
    }),
    { numRuns: 25 }
  );
});

t.test('every consistency proof of random trees verifies, in O(log n) reads', async () => {
  fc.assert(
    fc.property(leavesArb(40), (leaves) => {
      const store = storeOf(leaves);
      const roots = leaves.map((_, i) => rootFromLeafHashes(leaves.slice(0, i + 1)));
      for (let n = 1; n <= leaves.length; n++) {
        for (let m = 1; m <= n; m++) {
          store.reads = 0;
          const proof = consistencyProof(store, m, n);
          if (store.reads > 2 * Math.log2(n) + 2) return false;
          verifyConsistency(m, n, proof, roots[m - 1]!, roots[n - 1]!);
        }
      }
      return true;
    }),
    { numRuns: 25 }
  );
});

t.test('any single bit flip in an inclusion proof is rejected', async () => {
  fc.assert(
    fc.property(leavesArb(64), fc.nat(), fc.nat(), (leaves, a, b) => {
      const size = (a % leaves.length) + 1;
      const index = b % size;
      const store = storeOf(leaves);
      const proof = inclusionProof(store, index, size);
      const root = rootAt(store, size);
      for (let bit = 0; bit < proof.length * 256; bit++) {
        const code = codeOf(() =>
          verifyInclusion(leaves[index]!, index, size, flipBit(proof, bit), root)
        );
        if (code !== 'INCLUSION_PROOF_INVALID') return false;
      }
      return true;
    }),
    { numRuns: 30 }
  );
});

t.test('any single bit flip in a consistency proof is rejected', async () => {
  fc.assert(
    fc.property(leavesArb(64), fc.nat(), fc.nat(), (leaves, a, b) => {
      const n = (a % leaves.length) + 1;
      const m = (b % n) + 1;
      const store = storeOf(leaves);
      const proof = consistencyProof(store, m, n);
      const [r1, r2] = [rootAt(store, m), rootAt(store, n)];
      for (let bit = 0; bit < proof.length * 256; bit++) {
        const code = codeOf(() => verifyConsistency(m, n, flipBit(proof, bit), r1, r2));
        if (code !== 'CONSISTENCY_PROOF_INVALID') return false;
      }
      return true;
    }),
    { numRuns: 30 }
  );
});

t.test('a proof is rejected for a neighbouring index, size or leaf', async (t) => {
  const store = storeOf(Array.from({ length: 13 }, (_, i) => leafHash(Uint8Array.of(i))));
  const leaf5 = leafHash(Uint8Array.of(5));
  const proof = inclusionProof(store, 5, 13);
  const root = rootAt(store, 13);
  t.equal(
    codeOf(() => verifyInclusion(leaf5, 5, 13, proof, root)),
    'ok'
  );
  t.equal(
    codeOf(() => verifyInclusion(leaf5, 4, 13, proof, root)),
    'INCLUSION_PROOF_INVALID'
  );
  // (Size 14 has the same path shape as 13, so only the root, bound by the checkpoint, tells.)
  t.equal(
    codeOf(() => verifyInclusion(leaf5, 5, 17, proof, root)),
    'PROOF_WRONG_LENGTH'
  );
  t.equal(
    codeOf(() => verifyInclusion(leafHash(Uint8Array.of(6)), 5, 13, proof, root)),
    'INCLUSION_PROOF_INVALID'
  );
  t.equal(
    codeOf(() => verifyInclusion(leaf5, 5, 13, proof.slice(1), root)),
    'PROOF_WRONG_LENGTH'
  );
  t.equal(
    codeOf(() => verifyInclusion(leaf5, 5, 13, [...proof, root], root)),
    'PROOF_WRONG_LENGTH'
  );
  t.equal(
    codeOf(() => verifyInclusion(leaf5, 5, 13, proof, rootAt(store, 12))),
    'INCLUSION_PROOF_INVALID'
  );
  const cproof = consistencyProof(store, 6, 13);
  t.equal(
    codeOf(() => verifyConsistency(6, 13, cproof, rootAt(store, 6), root)),
    'ok'
  );
  t.equal(
    codeOf(() => verifyConsistency(6, 13, cproof, rootAt(store, 7), root)),
    'CONSISTENCY_PROOF_INVALID'
  );
  t.equal(
    codeOf(() => verifyConsistency(6, 13, cproof, rootAt(store, 6), rootAt(store, 12))),
    'CONSISTENCY_PROOF_INVALID'
  );
  t.equal(
    codeOf(() => verifyConsistency(6, 13, [...cproof].reverse(), rootAt(store, 6), root)),
    'CONSISTENCY_PROOF_INVALID'
  );
  t.equal(
    codeOf(() => verifyConsistency(6, 13, cproof.slice(1), rootAt(store, 6), root)),
    'PROOF_WRONG_LENGTH'
  );
});

// ---- argument checking ----

t.test('proof builders refuse bad indexes and sizes with codes', async (t) => {
  const cases: [string, () => unknown, MerkleProofErrorCode][] = [
    ['index = size', () => inclusionProof(knownStore, 8, 8), 'INDEX_OUT_OF_RANGE'],
    ['negative index', () => inclusionProof(knownStore, -1, 8), 'INDEX_OUT_OF_RANGE'],
    ['fractional index', () => inclusionProof(knownStore, 1.5, 8), 'INDEX_OUT_OF_RANGE'],
    ['size 0', () => inclusionProof(knownStore, 0, 0), 'INDEX_OUT_OF_RANGE'],
    ['NaN size', () => inclusionProof(knownStore, 0, NaN), 'SIZE_INVALID'],
    ['unsafe size', () => inclusionProof(knownStore, 0, 2 ** 53), 'SIZE_INVALID'],
    ['m = 0', () => consistencyProof(knownStore, 0, 8), 'SIZE_INVALID'],
    ['m = n = 0', () => consistencyProof(knownStore, 0, 0), 'SIZE_INVALID'],
    ['m > n', () => consistencyProof(knownStore, 5, 4), 'SIZE_INVALID'],
    ['negative root size', () => rootAt(knownStore, -1), 'SIZE_INVALID'],
    ['start > end', () => subtreeRoot(knownStore, 3, 2), 'SIZE_INVALID'],
    ['restore to Infinity', () => MerkleFrontier.restore(Infinity, knownStore), 'SIZE_INVALID'],
  ];
  for (const [name, fn, code] of cases) t.throws(fn, { code }, name);
  t.same(consistencyProof(knownStore, 8, 8), [], 'm = n gives an empty proof');
  t.ok(equalBytes(rootAt(knownStore, 0), EMPTY_ROOT));
});

t.test('verifiers refuse wrong-typed arguments with TypeError', async (t) => {
  const h = knownLeaves[0]!;
  t.throws(() => verifyInclusion('x' as unknown as Uint8Array, 0, 1, [], h), TypeError);
  t.throws(() => verifyInclusion(h, '0' as unknown as number, 1, [], h), TypeError);
  t.throws(() => verifyInclusion(h, 0, 1, null as unknown as Uint8Array[], h), TypeError);
  t.throws(() => verifyInclusion(h, 0, 2, ['x'] as unknown as Uint8Array[], h), TypeError);
  t.throws(() => verifyConsistency(1, 2, [h], h, null as unknown as Uint8Array), TypeError);
  t.throws(() => verifyConsistency(1n as unknown as number, 2, [h], h, h), TypeError);
  t.throws(() => inclusionProof({} as SubtreeHashReader, 0, 1), TypeError);
});

t.test('a reader returning a wrong-length hash is caught', async (t) => {
  const bad: SubtreeHashReader = { hash: () => new Uint8Array(31) };
  t.throws(() => rootAt(bad, 3), RangeError);
  t.throws(() => inclusionProof({ hash: () => 'x' as unknown as Uint8Array }, 0, 2), TypeError);
});

t.test(
  'a reader that keeps range hashes gives the same proofs, hashing each range once',
  async (t) => {
    const leaves = Array.from({ length: 45 }, (_, i) => leafHash(Uint8Array.of(i)));
    const store = storeOf(leaves);
    const kept = new Map<string, Uint8Array>();
    let offered = 0;
    const memo: SubtreeHashReader = {
      hash: (level, index) => store.hash(level, index),
      rangeHash: (start, end) => kept.get(`${start}-${end}`)?.slice(),
      keepRangeHash: (start, end, hash) => {
        offered++;
        kept.set(`${start}-${end}`, hash.slice());
      },
    };
    const hex = (proof: Uint8Array[]) => proof.map(bytesToHex).join();
    for (const size of [45, 33, 17]) {
      for (let index = 0; index < size; index++) {
        t.equal(hex(inclusionProof(memo, index, size)), hex(inclusionProof(store, index, size)));
      }
      for (let m = 1; m <= size; m++) {
        t.equal(hex(consistencyProof(memo, m, size)), hex(consistencyProof(store, m, size)));
      }
      t.same(rootAt(memo, size), rootAt(store, size));
    }
    t.equal(offered, kept.size, 'each range offered once, then read back');
    const wrong: SubtreeHashReader = { ...memo, rangeHash: () => new Uint8Array(31) };
    t.throws(() => inclusionProof(wrong, 0, 45), RangeError, 'a kept hash is checked too');
  }
);

t.test('restoring a frontier from storage continues exactly like the original', async (t) => {
  const leaves = Array.from({ length: 45 }, (_, i) => leafHash(utf8Encode(`leaf ${i}`)));
  const store = storeOf(leaves.slice(0, 37));
  const restored = MerkleFrontier.restore(37, store);
  t.equal(restored.size, 37);
  t.ok(equalBytes(restored.root(), store.frontier.root()));
  for (const leaf of leaves.slice(37)) {
    t.same(restored.append(leaf), store.frontier.append(leaf));
  }
  t.ok(equalBytes(restored.root(), rootFromLeafHashes(leaves)));
  t.ok(equalBytes(MerkleFrontier.restore(0, store).root(), EMPTY_ROOT));
  t.throws(() => new MerkleFrontier().append(new Uint8Array(33)), RangeError);
});

// ---- beyond 2^32 ----

t.test('proofs compute without 32-bit overflow for sizes beyond 2^32', async (t) => {
  const size = 2 ** 40 + 12345;
  const asked: [number, number][] = [];
  // Fake storage: hash = SHA-256("level/index"); it refuses any subtree not complete at `size`.
  const fake: SubtreeHashReader = {
    hash(level, index) {
      t.ok(
        Number.isSafeInteger(index) && index >= 0 && (index + 1) * 2 ** level <= size,
        `${level}/${index}`
      );
      asked.push([level, index]);
      return sha256(utf8Encode(`${level}/${index}`));
    },
  };
  const proof = inclusionProof(fake, 2 ** 39 + 2 ** 33 + 7, size);
  t.ok(
    proof.length >= 40 && proof.length <= 42,
    `inclusion proof length ${proof.length} ~ log2(n)`
  );
  t.ok(asked.length <= 2 * 41 + 2, `${asked.length} reads`);
  t.ok(
    asked.some(([, index]) => index >= 2 ** 32),
    'indexes above 2^32 were read'
  );
  const cproof = consistencyProof(fake, 2 ** 33 + 3, size);
  t.ok(cproof.length >= 38 && cproof.length <= 2 * 41, `consistency proof length ${cproof.length}`);
  t.equal(MerkleFrontier.restore(size, fake).size, size);
});

t.test(
  'proofs over a sparse tree of 2^41 leaves verify, and 32-bit-truncated ones do not',
  async (t) => {
    // A consistent virtual tree: every leaf is `dflt` except a few, so each subtree without a
    // special leaf has a precomputed hash per level.
    const dflt = leafHash(utf8Encode('default'));
    const special = new Map<number, Uint8Array>();
    for (const i of [3, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 40 + 77, 2 ** 41 - 2]) {
      special.set(i, leafHash(utf8Encode(`special ${i}`)));
    }
    const perfectDefault = [dflt];
    for (let l = 1; l <= 42; l++)
      perfectDefault.push(nodeHash(perfectDefault[l - 1]!, perfectDefault[l - 1]!));
    const memo = new Map<string, Uint8Array>();
    const sparse: SubtreeHashReader = {
      hash(level, index) {
        const lo = index * 2 ** level;
        const hi = lo + 2 ** level;
        if (![...special.keys()].some((i) => i >= lo && i < hi)) return perfectDefault[level]!;
        if (level === 0) return special.get(index)!;
        const key = `${level}/${index}`;
        let h = memo.get(key);
        if (!h) {
          h = nodeHash(this.hash(level - 1, 2 * index), this.hash(level - 1, 2 * index + 1));
          memo.set(key, h);
        }
        return h;
      },
    };
    const size = 2 ** 41 - 1;
    const root = rootAt(sparse, size);
    for (const [index, leaf] of special) {
      const proof = inclusionProof(sparse, index, size);
      t.equal(
        codeOf(() => verifyInclusion(leaf, index, size, proof, root)),
        'ok',
        `leaf ${index}`
      );
      if (index >= 2 ** 32) {
        t.not(
          codeOf(() => verifyInclusion(leaf, index % 2 ** 32, size, proof, root)),
          'ok',
          `truncated ${index}`
        );
      }
    }
    for (const m of [1, 2 ** 32, 2 ** 32 + 1, 2 ** 33 + 5, 2 ** 40 + 78, size]) {
      const proof = consistencyProof(sparse, m, size);
      t.equal(
        codeOf(() => verifyConsistency(m, size, proof, rootAt(sparse, m), root)),
        'ok',
        `m = ${m}`
      );
    }
    const frontier = MerkleFrontier.restore(size, sparse);
    t.ok(equalBytes(frontier.root(), root), 'restored frontier root');
    frontier.append(dflt);
    t.ok(equalBytes(frontier.root(), rootAt(sparse, size + 1)), 'frontier after one more leaf');
  }
);
