import t from 'tap';
import fc from 'fast-check';
import {
  EMPTY_ROOT,
  MerkleFrontier,
  equalBytes,
  leafHash,
  nodeHash,
  utf8Encode,
  type SubtreeHashReader,
} from '@yishi/crypto';
import {
  TreeFrontier,
  bodyLeafHash,
  treeNodeHash,
  type CompletedNode,
} from '@yishi/service/internal';

const hash32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

t.test('hashes leaves and nodes byte for byte as @yishi/crypto does', async (t) => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), (body) =>
      equalBytes(bodyLeafHash(body), leafHash(utf8Encode(body)))
    ),
    { numRuns: 300 }
  );
  fc.assert(
    fc.property(hash32, hash32, (l, r) => equalBytes(treeNodeHash(l, r), nodeHash(l, r))),
    { numRuns: 300 }
  );
  t.ok(equalBytes(bodyLeafHash(''), leafHash(new Uint8Array(0))), 'the empty body');
  t.ok(equalBytes(bodyLeafHash('\u0000x'), leafHash(utf8Encode('\u0000x'))), 'a NUL in the body');
});

t.test('completes the same nodes and roots as MerkleFrontier, and restores', async (t) => {
  fc.assert(
    fc.property(fc.array(hash32, { maxLength: 70 }), fc.nat(70), (leaves, cut) => {
      const reference = new MerkleFrontier();
      const ours = new TreeFrontier();
      const stored = new Map<string, Uint8Array>();
      for (const leaf of leaves) {
        const expected = reference.append(leaf);
        const got: CompletedNode[] = [];
        ours.append(leaf, (node) => got.push(node));
        // ours does not report the leaf itself (level 0)
        if (got.length !== expected.length - 1) return false;
        for (const [i, node] of got.entries()) {
          const want = expected[i + 1];
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
      const restored = TreeFrontier.restore(size, reader);
      const restoredRef = MerkleFrontier.restore(size, reader);
      return restored.size === size && equalBytes(restored.root(), restoredRef.root());
    }),
    { numRuns: 200 }
  );
  t.ok(equalBytes(new TreeFrontier().root(), EMPTY_ROOT), 'the empty root');
});

t.test('keeps its border when the caller writes into a returned root', async (t) => {
  const frontier = new TreeFrontier();
  frontier.append(new Uint8Array(32).fill(1), () => {});
  const root = frontier.root();
  root.fill(0);
  t.ok(equalBytes(frontier.root(), new Uint8Array(32).fill(1)), 'root() hands out a copy');
});

t.test('refuses leaves that are not 32 bytes and sizes that are not indexes', async (t) => {
  const frontier = new TreeFrontier();
  for (const bad of [new Uint8Array(31), new Uint8Array(33), 'x'.repeat(32), null, [1, 2]]) {
    t.throws(() => frontier.append(bad as Uint8Array, () => {}), TypeError);
  }
  t.equal(frontier.size, 0, 'nothing appended');
  const reader: SubtreeHashReader = { hash: () => new Uint8Array(32) };
  for (const bad of [-1, 1.5, Number.NaN, 2 ** 53]) {
    t.throws(() => TreeFrontier.restore(bad, reader), RangeError, String(bad));
  }
});

t.test('refuses node hash inputs that are not 32 bytes', async (t) => {
  const ok = new Uint8Array(32);
  for (const [left, right] of [
    [new Uint8Array(31), ok],
    [ok, new Uint8Array(33)],
    [new Uint8Array(0), new Uint8Array(0)],
  ] as const) {
    t.throws(() => treeNodeHash(left, right), RangeError);
  }
  const first = treeNodeHash(new Uint8Array(32).fill(1), new Uint8Array(32).fill(2));
  const copy = first.slice();
  treeNodeHash(new Uint8Array(32).fill(3), new Uint8Array(32).fill(4));
  t.ok(equalBytes(first, copy), 'a later hash does not overwrite an earlier result');
});
