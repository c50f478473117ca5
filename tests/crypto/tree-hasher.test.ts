import t from 'tap';
import fc from 'fast-check';
import {
  EMPTY_ROOT,
  MerkleFrontier,
  MemoryMerkleTree,
  MerkleProofError,
  bytesToHex,
  consistencyProof,
  createTreeHasher,
  equalBytes,
  hexToBytes,
  inclusionProof,
  leafHash,
  nobleHashBackend,
  nodeHash,
  rootAt,
  rootFromLeafHashes,
  sha256,
  utf8Encode,
  type HashBackend,
  type MerkleNode,
  type SubtreeHashReader,
} from '@yishi/crypto';
import { nodeHashBackend } from '@yishi/crypto/node';

// One RFC 6962 implementation, two SHA-256 backends: every test below runs with each, against
// the FIPS 180-4 and RFC 6962 known answers and against the noble reference functions.

const hash32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const BACKENDS: HashBackend[] = [nobleHashBackend, nodeHashBackend];

// The RFC 6962 known-answer tree (the leaves of Certificate Transparency's reference tests, as
// in transparency-dev/merkle testonly and C2SP's vectors), inline so this file reads nothing.
const KNOWN_LEAVES_HEX = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
];
/** Roots of the first n leaves, n = 0..8 (n = 0 is SHA-256 of nothing). */
const KNOWN_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

for (const backend of BACKENDS) {
  const hasher = createTreeHasher(backend);

  t.test(`${backend.name}: sha256 matches the FIPS 180-4 examples`, async (t) => {
    const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    t.equal(bytesToHex(backend.sha256(new Uint8Array(0))), bytesToHex(EMPTY_ROOT));
    t.equal(bytesToHex(backend.sha256(utf8Encode('abc'))), abc);
    t.equal(bytesToHex(backend.sha256Utf8('abc')), abc);
    const out = backend.sha256(utf8Encode('abc'));
    t.equal(Object.getPrototypeOf(out), Uint8Array.prototype, 'a plain Uint8Array, not a Buffer');
    // A lone surrogate is hashed as U+FFFD by every backend (WHATWG UTF-8).
    t.ok(equalBytes(backend.sha256Utf8('a\ud800'), sha256(utf8Encode('a\ufffd'))));
  });

  t.test(
    `${backend.name}: hashes leaves and nodes byte for byte as RFC 6962 §2.1 says`,
    async (t) => {
      fc.assert(
        fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), (body) => {
          const bytes = utf8Encode(body);
          const want = sha256(Uint8Array.of(0, ...bytes));
          return (
            equalBytes(hasher.hashLeafText(body), want) &&
            equalBytes(hasher.hashLeaf(bytes), want) &&
            equalBytes(leafHash(bytes), want)
          );
        }),
        { numRuns: 300 }
      );
      fc.assert(
        fc.property(hash32, hash32, (l, r) => {
          const want = sha256(Uint8Array.of(1, ...l, ...r));
          return equalBytes(hasher.hashNode(l, r), want) && equalBytes(nodeHash(l, r), want);
        }),
        { numRuns: 300 }
      );
      t.ok(equalBytes(hasher.hashLeafText(''), leafHash(new Uint8Array(0))), 'the empty body');
      t.ok(
        equalBytes(hasher.hashLeafText('\u0000x'), leafHash(utf8Encode('\u0000x'))),
        'a NUL in the body'
      );
    }
  );

  t.test(`${backend.name}: the RFC 6962 known-answer tree has its roots at 0..8`, async (t) => {
    const leaves = KNOWN_LEAVES_HEX.map((h) => hasher.hashLeaf(hexToBytes(h)));
    const stored = new Map<string, Uint8Array>();
    const reader: SubtreeHashReader = {
      hash: (level, index) => stored.get(`${level}/${index}`) as Uint8Array,
    };
    const frontier = new MerkleFrontier(hasher);
    for (let n = 0; n <= 8; n++) {
      if (n > 0) {
        frontier.appendWith(leaves[n - 1]!, (node) =>
          stored.set(`${node.level}/${node.index}`, node.hash)
        );
      }
      const want = KNOWN_ROOTS[n];
      t.equal(bytesToHex(frontier.root()), want, `frontier root ${n}`);
      t.equal(bytesToHex(rootFromLeafHashes(leaves.slice(0, n), hasher)), want, `list ${n}`);
      t.equal(bytesToHex(rootAt(reader, n, hasher)), want, `stored root ${n}`);
    }
  });

  t.test(`${backend.name}: appendWith completes the nodes and roots of append`, async (t) => {
    fc.assert(
      fc.property(fc.array(hash32, { maxLength: 70 }), fc.nat(70), (leaves, cut) => {
        const reference = new MerkleFrontier();
        const ours = new MerkleFrontier(hasher);
        const stored = new Map<string, Uint8Array>();
        for (const leaf of leaves) {
          const expected = reference.append(leaf);
          const got: MerkleNode[] = [];
          ours.appendWith(leaf, (node) => got.push(node));
          if (got.length !== expected.length) return false;
          for (const [i, node] of got.entries()) {
            const want = expected[i];
            if (want === undefined || want.level !== node.level || want.index !== node.index) {
              return false;
            }
            if (!equalBytes(want.hash, node.hash)) return false;
          }
          for (const node of expected) stored.set(`${node.level}/${node.index}`, node.hash);
          if (!equalBytes(ours.root(), reference.root())) return false;
        }
        const reader: SubtreeHashReader = {
          hash: (level, index) => stored.get(`${level}/${index}`) as Uint8Array,
        };
        const size = Math.min(cut, leaves.length);
        const restored = MerkleFrontier.restore(size, reader, hasher);
        const restoredRef = MerkleFrontier.restore(size, reader);
        return restored.size === size && equalBytes(restored.root(), restoredRef.root());
      }),
      { numRuns: 200 }
    );
    t.ok(equalBytes(new MerkleFrontier(hasher).root(), EMPTY_ROOT), 'the empty root');
  });

  t.test(
    `${backend.name}: MemoryMerkleTree serves the roots and proofs of the reference`,
    async (t) => {
      const known = new MemoryMerkleTree(hasher);
      t.equal(bytesToHex(known.root()), KNOWN_ROOTS[0], 'empty root');
      const buf = new Uint8Array(32);
      for (const [n, h] of KNOWN_LEAVES_HEX.entries()) {
        buf.set(hasher.hashLeaf(hexToBytes(h)));
        known.append(buf); // the tree copies: the caller reuses its buffer
        t.equal(bytesToHex(known.root()), KNOWN_ROOTS[n + 1], `root ${n + 1}`);
        t.equal(bytesToHex(rootAt(known, n + 1, hasher)), KNOWN_ROOTS[n + 1], `rootAt ${n + 1}`);
      }
      fc.assert(
        fc.property(
          fc.array(hash32, { minLength: 1, maxLength: 70 }),
          fc.nat(),
          fc.nat(),
          (leaves, a, b) => {
            const ours = new MemoryMerkleTree(hasher);
            const stored = new Map<string, Uint8Array>();
            const reference = new MerkleFrontier();
            for (const leaf of leaves) {
              ours.append(leaf);
              for (const node of reference.append(leaf))
                stored.set(`${node.level}/${node.index}`, node.hash);
            }
            const reader: SubtreeHashReader = {
              hash: (level, index) => stored.get(`${level}/${index}`) as Uint8Array,
            };
            const n = leaves.length;
            const m = 1 + (a % n);
            const i = b % m;
            const same = (x: Uint8Array[], y: Uint8Array[]): boolean =>
              x.length === y.length && x.every((h, j) => equalBytes(h, y[j] as Uint8Array));
            return (
              ours.size === n &&
              equalBytes(ours.root(), reference.root()) &&
              same(inclusionProof(ours, i, m, hasher), inclusionProof(reader, i, m)) &&
              same(consistencyProof(ours, m, n, hasher), consistencyProof(reader, m, n))
            );
          }
        ),
        { numRuns: 150 }
      );
      t.throws(() => known.hash(0, 8), RangeError, 'no such leaf');
      t.throws(() => known.hash(4, 0), RangeError, 'no such level');
      t.throws(() => known.append(new Uint8Array(31)), RangeError);
      t.throws(() => known.append('x' as unknown as Uint8Array), TypeError);
      t.equal(known.size, 8, 'nothing appended by a refusal');
    }
  );

  t.test(`${backend.name}: keeps its border when the caller writes into a root`, async (t) => {
    const frontier = new MerkleFrontier(hasher);
    frontier.appendWith(new Uint8Array(32).fill(1), () => {});
    const root = frontier.root();
    root.fill(0);
    t.ok(equalBytes(frontier.root(), new Uint8Array(32).fill(1)), 'root() hands out a copy');
    // A reader may hand out Buffers, whose slice() shares memory: root() still copies.
    const restored = MerkleFrontier.restore(1, { hash: () => Buffer.alloc(32, 2) }, hasher);
    restored.root().fill(0);
    t.ok(equalBytes(restored.root(), new Uint8Array(32).fill(2)), 'a Buffer border is copied');
  });

  t.test(`${backend.name}: refuses leaves that are not 32 bytes, sizes not indexes`, async (t) => {
    const frontier = new MerkleFrontier(hasher);
    for (const bad of ['x'.repeat(32), null, [1, 2]]) {
      t.throws(() => frontier.appendWith(bad as unknown as Uint8Array, () => {}), TypeError);
    }
    for (const bad of [new Uint8Array(31), new Uint8Array(33)]) {
      t.throws(() => frontier.appendWith(bad, () => {}), RangeError);
    }
    t.equal(frontier.size, 0, 'nothing appended');
    const reader: SubtreeHashReader = { hash: () => new Uint8Array(32) };
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53]) {
      t.throws(() => MerkleFrontier.restore(bad, reader, hasher), MerkleProofError, String(bad));
    }
    t.throws(() => hasher.hashLeafText(1 as unknown as string), TypeError);
    t.throws(() => hasher.hashLeaf('x' as unknown as Uint8Array), TypeError);
  });

  t.test(`${backend.name}: refuses node hash inputs that are not 32 bytes`, async (t) => {
    const ok = new Uint8Array(32);
    for (const [left, right] of [
      [new Uint8Array(31), ok],
      [ok, new Uint8Array(33)],
      [new Uint8Array(0), new Uint8Array(0)],
    ] as const) {
      t.throws(() => hasher.hashNode(left, right), RangeError);
    }
    t.throws(() => hasher.hashNode(ok, 'r' as unknown as Uint8Array), TypeError);
    const first = hasher.hashNode(new Uint8Array(32).fill(1), new Uint8Array(32).fill(2));
    const copy = first.slice();
    hasher.hashNode(new Uint8Array(32).fill(3), new Uint8Array(32).fill(4));
    t.ok(equalBytes(first, copy), 'a later hash does not overwrite an earlier result');
  });
}

t.test('createTreeHasher and MerkleFrontier refuse what is not a backend or hasher', async (t) => {
  for (const bad of [null, 1, {}, { sha256: () => new Uint8Array(32) }]) {
    t.throws(() => createTreeHasher(bad as unknown as HashBackend), TypeError);
    t.throws(
      () => new MerkleFrontier(bad as unknown as ReturnType<typeof createTreeHasher>),
      TypeError
    );
  }
  t.equal(createTreeHasher().backend, nobleHashBackend, 'noble is the default');
});
