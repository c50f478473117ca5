import { copyFileSync } from 'node:fs';
import t from 'tap';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import {
  EMPTY_ROOT,
  bytesToHex,
  canonicalJson,
  entryLeafHash,
  equalBytes,
  leafHash,
  rootFromLeafHashes,
  utf8Encode,
  verifyConsistency,
  verifyInclusion,
} from '@yishi/crypto';
import { GENESIS_PREV } from '@yishi/schema';
import { LedgerStore, type AppendItem, type AppendResult } from '@yishi/service/internal';
import {
  SCHEMA_1_FIXTURE,
  SCHEMA_1_ROOT,
  counterRandom,
  fakeCommand,
  tempDbPath,
} from './helpers/fixtures.js';

const items = (from: number, count: number, who = 1): AppendItem[] =>
  Array.from({ length: count }, (_, i) => ({
    command: fakeCommand(from + i, who),
    derived: { n: from + i },
    time: 1_700_000_000_000 + from + i,
  }));

function okEntries(results: AppendResult[]) {
  return results.flatMap((r) => (r.ok ? [r] : []));
}

function allLeafHashes(store: LedgerStore): Uint8Array[] {
  return [...store.iterateEntries()].map((e) => e.leafHash);
}

t.test('hashes each entry as @yishi/crypto does, whatever Unicode and JSON it holds', async (t) => {
  const store = LedgerStore.open(':memory:');
  t.teardown(() => store.close());
  let seq = 0;
  let mismatches = 0;
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          derived: fc.jsonValue({ stringUnit: 'binary' }),
          text: fc.string({ unit: 'binary', maxLength: 300 }),
        }),
        { minLength: 1, maxLength: 8 }
      ),
      (drafts) => {
        const results = store.appendBatch(
          drafts.map((d, i) => ({
            command: fakeCommand(seq + i, 3, { text: d.text }),
            derived: d.derived,
            time: seq + i,
          }))
        );
        for (const result of results) {
          if (!result.ok) return false;
          const body = store.entryBody(result.entry.seq);
          const expected = leafHash(utf8Encode(body));
          if (!equalBytes(result.leafHash, expected)) mismatches++;
          if (!equalBytes(store.leafHash(result.entry.seq), expected)) mismatches++;
          if (!equalBytes(expected, entryLeafHash(result.entry))) mismatches++;
        }
        seq += results.length;
        return true;
      }
    ),
    { numRuns: 150 }
  );
  t.equal(mismatches, 0, 'every leaf hash is SHA-256(0x00 || utf8(body)) as noble computes it');
  t.equal(store.size, seq);
  t.ok(equalBytes(store.root(), rootFromLeafHashes(allLeafHashes(store))), 'the root agrees');
  t.ok(equalBytes(store.root(), store.frontierRoot()), 'and the frontier agrees');
});

t.test('stores each entry as its canonical JSON, byte for byte, under its leaf hash', async (t) => {
  const store = LedgerStore.open(':memory:');
  t.teardown(() => store.close());
  const derived = [
    null,
    { b: 2, a: [1, 'two', { z: true, y: null }] },
    { text: '议事 \u2028 "quoted" \\ \u{1F600}', n: 1e21, small: 1e-7, neg: -0.5 },
    'a string',
    42,
  ];
  const results = store.appendBatch(
    derived.map((d, i) => ({
      command: fakeCommand(i, 1, { extra: { é: i } }),
      derived: d,
      time: i,
    }))
  );
  t.equal(results.length, derived.length);
  results.forEach((result, seq) => {
    if (!result.ok) {
      t.fail(`item ${seq} refused`);
      return;
    }
    const body = store.entryBody(seq);
    const entry = store.entry(seq);
    t.equal(body, canonicalJson(entry), `entry ${seq} body is canonical`);
    t.same(entry, result.entry, `entry ${seq} reads back as appended`);
    t.same(entry.derived, derived[seq]);
    t.ok(equalBytes(store.leafHash(seq), entryLeafHash(entry)), `entry ${seq} leaf hash`);
    t.ok(equalBytes(store.leafHash(seq), leafHash(utf8Encode(body))));
    t.ok(equalBytes(result.leafHash, store.leafHash(seq)));
  });
});

t.test('chains every entry to the leaf hash of the one before', async (t) => {
  const store = LedgerStore.open(':memory:', { random: counterRandom(7) });
  t.teardown(() => store.close());
  store.appendBatch(items(0, 5));
  store.appendBatch(items(5, 4));
  const entries = [...store.iterateEntries()];
  t.equal(entries.length, 9);
  entries.forEach(({ entry }, i) => {
    t.equal(entry.v, 1);
    t.equal(entry.seq, i);
    t.equal(entry.prev, i === 0 ? GENESIS_PREV : bytesToHex(store.leafHash(i - 1)));
    t.match(entry.salt, /^[0-9a-f]{32}$/);
    t.equal(entry.time, 1_700_000_000_000 + i);
  });
  t.equal(
    entries[0]?.entry.salt,
    '00000000000000000000000000000007',
    'salt from the injected random'
  );
  t.equal(new Set(entries.map((e) => e.entry.salt)).size, 9, 'salts are fresh per entry');
});

t.test(
  'gives the RFC 6962 root and proofs that verify for every index, size and m, n',
  async () => {
    await fc.assert(
      fc.property(fc.integer({ min: 1, max: 34 }), fc.integer({ min: 1, max: 5 }), (n, chunks) => {
        const store = LedgerStore.open(':memory:');
        try {
          // append in a few batches of uneven size so batch boundaries fall anywhere
          let next = 0;
          for (let c = 0; c < chunks && next < n; c++) {
            const count = c === chunks - 1 ? n - next : Math.ceil((n - next) / 2);
            store.appendBatch(items(next, count));
            next += count;
          }
          if (next < n) store.appendBatch(items(next, n - next));
          const leaves = allLeafHashes(store);
          if (leaves.length !== n) return false;
          if (!equalBytes(store.root(0), EMPTY_ROOT)) return false;
          const roots = [EMPTY_ROOT];
          for (let size = 1; size <= n; size++) {
            roots.push(rootFromLeafHashes(leaves.slice(0, size)));
            if (!equalBytes(store.root(size), roots[size] as Uint8Array)) return false;
          }
          for (let size = 1; size <= n; size++) {
            for (let index = 0; index < size; index++) {
              const proof = store.inclusionProof(index, size);
              verifyInclusion(
                leaves[index] as Uint8Array,
                index,
                size,
                proof,
                roots[size] as Uint8Array
              );
            }
            for (let m = 1; m <= size; m++) {
              const proof = store.consistencyProof(m, size);
              verifyConsistency(m, size, proof, roots[m] as Uint8Array, roots[size] as Uint8Array);
            }
          }
          return equalBytes(store.root(), roots[n] as Uint8Array);
        } finally {
          store.close();
        }
      }),
      { numRuns: 25 }
    );
  }
);

t.test('refuses reads and proofs outside the tree with coded errors', async (t) => {
  const store = LedgerStore.open(':memory:');
  t.teardown(() => store.close());
  t.throws(
    () => store.inclusionProof(0, 0),
    { code: 'INDEX_OUT_OF_RANGE' },
    'no leaf in an empty tree'
  );
  store.appendBatch(items(0, 5));
  const bad: [string, () => unknown, string][] = [
    ['root above size', () => store.root(6), 'SIZE_OUT_OF_RANGE'],
    ['root negative', () => store.root(-1), 'INVALID_ARGUMENT'],
    ['root fractional', () => store.root(1.5), 'INVALID_ARGUMENT'],
    ['root NaN', () => store.root(NaN), 'INVALID_ARGUMENT'],
    ['inclusion index = size', () => store.inclusionProof(5, 5), 'INDEX_OUT_OF_RANGE'],
    ['inclusion index > size', () => store.inclusionProof(3, 2), 'INDEX_OUT_OF_RANGE'],
    ['inclusion size > ledger', () => store.inclusionProof(0, 6), 'SIZE_OUT_OF_RANGE'],
    ['inclusion index negative', () => store.inclusionProof(-1, 5), 'INVALID_ARGUMENT'],
    ['consistency from 0', () => store.consistencyProof(0, 3), 'CONSISTENCY_RANGE_INVALID'],
    ['consistency m > n', () => store.consistencyProof(4, 3), 'CONSISTENCY_RANGE_INVALID'],
    ['consistency n > ledger', () => store.consistencyProof(1, 6), 'SIZE_OUT_OF_RANGE'],
    ['consistency m fractional', () => store.consistencyProof(0.5, 3), 'INVALID_ARGUMENT'],
    ['entry = size', () => store.entry(5), 'INDEX_OUT_OF_RANGE'],
    ['entry negative', () => store.entry(-1), 'INVALID_ARGUMENT'],
    ['body = size', () => store.entryBody(5), 'INDEX_OUT_OF_RANGE'],
    ['leaf hash = size', () => store.leafHash(9), 'INDEX_OUT_OF_RANGE'],
    ['iterate past size', () => [...store.iterateEntries(0, 6)], 'SIZE_OUT_OF_RANGE'],
    ['iterate from negative', () => [...store.iterateEntries(-1)], 'INVALID_ARGUMENT'],
    ['checkpoint at negative', () => store.checkpointAt(-1), 'INVALID_ARGUMENT'],
  ];
  for (const [name, fn, code] of bad) t.throws(fn, { name: 'LedgerError', code }, name);
  t.same(store.consistencyProof(3, 3), [], 'm = n is an empty proof');
  t.same([...store.iterateEntries(3, 3)], [], 'an empty range yields nothing');
});

t.test('nonces are unique within the window; older buckets leave the index', async (t) => {
  const store = LedgerStore.open(':memory:');
  t.teardown(() => store.close());
  const MIN = 60_000;
  const t0 = 1_700_000_000_000;
  const at = (nonce: number, time: number) => ({
    command: fakeCommand(nonce, 1, { ts: time }),
    derived: null,
    time,
  });
  t.ok(store.appendBatch([at(1, t0)])[0]?.ok);
  t.match(store.appendBatch([at(1, t0 + 9 * MIN)])[0], { ok: false, code: 'NONCE_REPLAYED' });
  t.ok(store.appendBatch([at(2, t0 + 60 * MIN)])[0]?.ok, 'an hour later');
  t.notOk(store.hasNonce(fakeCommand(1).publicKey, fakeCommand(1).payload.nonce));
  const rows = store.db.prepare('SELECT seq FROM recent_nonces ORDER BY seq').pluck().all();
  t.same(rows, [1], 'the old bucket was dropped from the lookup index');
  t.ok(store.appendBatch([at(1, t0 + 61 * MIN)])[0]?.ok, 'outside the window a nonce is free');
});

t.test('refuses a replayed nonce without sinking the rest of its batch', async (t) => {
  const store = LedgerStore.open(':memory:');
  t.teardown(() => store.close());
  store.appendBatch(items(0, 3));
  t.ok(store.hasNonce(fakeCommand(1).publicKey, fakeCommand(1).payload.nonce));
  t.notOk(store.hasNonce(fakeCommand(1).publicKey, fakeCommand(99).payload.nonce));
  const results = store.appendBatch([
    { command: fakeCommand(10), derived: null, time: 1 },
    { command: fakeCommand(1), derived: null, time: 1 }, // already in the ledger
    { command: fakeCommand(11), derived: null, time: 1 },
    { command: fakeCommand(10), derived: null, time: 1 }, // earlier in this batch
    { command: fakeCommand(1, 2), derived: null, time: 1 }, // same nonce, another key: fine
  ]);
  t.same(
    results.map((r) => (r.ok ? r.entry.seq : r.code)),
    [3, 'NONCE_REPLAYED', 4, 'NONCE_REPLAYED', 5]
  );
  t.equal(store.size, 6);
  const leaves = allLeafHashes(store);
  t.ok(equalBytes(store.root(), rootFromLeafHashes(leaves)));
  t.equal(store.entry(4).prev, bytesToHex(store.leafHash(3)), 'the chain skips refused items');
});

t.test('refuses items that cannot become entries, one by one', async (t) => {
  const store = LedgerStore.open(':memory:');
  t.teardown(() => store.close());
  const noNonce = fakeCommand(50);
  delete (noNonce.payload as { nonce?: string }).nonce;
  const bad: [string, AppendItem][] = [
    ['derived undefined', { command: fakeCommand(51), derived: undefined, time: 1 }],
    ['negative time', { command: fakeCommand(52), derived: null, time: -1 }],
    ['fractional time', { command: fakeCommand(53), derived: null, time: 1.5 }],
    ['a Date in derived', { command: fakeCommand(54), derived: { at: new Date(0) }, time: 1 }],
    ['a bigint in derived', { command: fakeCommand(55), derived: { n: 1n }, time: 1 }],
    ['NaN in the payload', { command: fakeCommand(56, 1, { x: NaN }), derived: null, time: 1 }],
    ['no nonce', { command: noNonce, derived: null, time: 1 }],
    ['no public key', { command: { ...fakeCommand(57), publicKey: '' }, derived: null, time: 1 }],
    ['no command', { command: null as never, derived: null, time: 1 }],
  ];
  const batch: AppendItem[] = [];
  bad.forEach(([, item], i) =>
    batch.push({ command: fakeCommand(i), derived: null, time: 1 }, item)
  );
  const results = store.appendBatch(batch);
  bad.forEach(([name], i) => {
    t.match(results[2 * i], { ok: true });
    t.match(results[2 * i + 1], { ok: false, code: 'ENTRY_INVALID' }, name);
  });
  t.equal(okEntries(results).length, bad.length);
  t.same(
    okEntries(results).map((r) => r.entry.seq),
    bad.map((_, i) => i),
    'good items take contiguous seqs'
  );
  t.notOk(store.hasNonce(fakeCommand(54).publicKey, fakeCommand(54).payload.nonce), 'no nonce row');
  t.throws(() => store.appendBatch('nope' as never), { code: 'INVALID_ARGUMENT' });
});

t.test('rolls a failed batch back whole and keeps the frontier as it was', async (t) => {
  const store = LedgerStore.open(':memory:');
  t.teardown(() => store.close());
  store.appendBatch(items(0, 30));
  const rootBefore = store.root();
  let calls = 0;
  // the third item would have completed the node (5, 0): that row must go too
  const failingThird = (n: number) => (++calls === 3 ? new Uint8Array(n - 1) : new Uint8Array(n));
  t.throws(() => store.appendBatch(items(30, 5), failingThird), { code: 'INVALID_ARGUMENT' });
  t.equal(store.size, 30);
  t.ok(equalBytes(store.root(), rootBefore));
  t.ok(equalBytes(store.frontierRoot(), rootBefore));
  t.equal(store.db.prepare('SELECT count(*) AS n FROM tree_nodes').pluck().get(), 1);
  t.notOk(store.hasNonce(fakeCommand(30).publicKey, fakeCommand(30).payload.nonce));
  store.appendBatch(items(30, 5));
  t.equal(store.size, 35);
  t.equal(store.db.prepare('SELECT count(*) AS n FROM tree_nodes').pluck().get(), 3);
  t.ok(equalBytes(store.root(), rootFromLeafHashes(allLeafHashes(store))), 'the tree continues');
  t.equal(store.entry(30).prev, bytesToHex(store.leafHash(29)), 'the chain continues');
});

t.test('refuses to append inside another transaction', async (t) => {
  const store = LedgerStore.open(':memory:');
  t.teardown(() => store.close());
  const outer = store.db.transaction(() => store.appendBatch(items(0, 1)));
  t.throws(() => outer(), { code: 'INVALID_ARGUMENT' });
  t.equal(store.size, 0);
});

t.test('continues the chain and the frontier after close and reopen', async (t) => {
  const path = tempDbPath(t);
  const first = LedgerStore.open(path);
  first.appendBatch(items(0, 13));
  const root13 = first.root();
  first.close();

  const second = LedgerStore.open(path);
  t.teardown(() => second.close());
  t.equal(second.size, 13);
  t.ok(equalBytes(second.root(), root13));
  t.equal(second.appendBatch(items(0, 1))[0]?.ok, false, 'nonces survive the restart');
  second.appendBatch(items(13, 6));
  t.equal(second.size, 19);
  t.equal(second.entry(13).prev, bytesToHex(second.leafHash(12)));
  const leaves = allLeafHashes(second);
  t.ok(equalBytes(second.root(), rootFromLeafHashes(leaves)));
  t.ok(equalBytes(second.root(13), root13));
});

t.test('refuses to open a store whose tree nodes are missing', async (t) => {
  // 22 = 16 + 4 + 2: the frontier reads the stored node (4, 0) and rebuilds (2, 4) and (1, 10)
  for (const [what, sql] of [
    ['the stored node (4, 0)', 'DELETE FROM tree_nodes WHERE level = 4 AND idx = 0'],
    ['entry 17, a leaf of (2, 4)', 'DELETE FROM entries WHERE seq = 17'],
  ] as const) {
    const path = tempDbPath(t, `${what.replace(/\W+/g, '-')}.db`);
    const store = LedgerStore.open(path);
    store.appendBatch(items(0, 22));
    store.close();
    const raw = new Database(path);
    raw.exec('DROP TRIGGER tree_nodes_no_delete');
    raw.exec('DROP TRIGGER entries_no_delete');
    raw.pragma('foreign_keys = OFF');
    t.equal(raw.prepare(sql).run().changes, 1);
    raw.close();
    t.throws(() => LedgerStore.open(path), { code: 'TREE_NODE_MISSING' }, what);
  }
});

t.test('refuses to open a store whose last entry does not hash to its leaf hash', async (t) => {
  const path = tempDbPath(t);
  const store = LedgerStore.open(path);
  store.appendBatch(items(0, 3));
  store.close();
  const raw = new Database(path);
  raw.exec('DROP TRIGGER entries_no_update');
  raw.prepare(`UPDATE entries SET body = replace(body, '"n":2', '"n":3') WHERE seq = 2`).run();
  raw.close();
  t.throws(() => LedgerStore.open(path), { code: 'ENTRY_CORRUPT' });
});

t.test('stores tree nodes of 16 leaves and more only, one row per 8 entries', async (t) => {
  const store = LedgerStore.open(':memory:');
  t.teardown(() => store.close());
  store.appendBatch(items(0, 100));
  const rows = store.db
    .prepare('SELECT level, count(*) AS n FROM tree_nodes GROUP BY level ORDER BY level')
    .all();
  t.same(rows, [
    { level: 4, n: 6 },
    { level: 5, n: 3 },
    { level: 6, n: 1 },
  ]);
  const leaves = allLeafHashes(store);
  for (let level = 0; level <= 6; level++) {
    const width = 2 ** level;
    for (let idx = 0; (idx + 1) * width <= 100; idx++) {
      const expected = rootFromLeafHashes(leaves.slice(idx * width, (idx + 1) * width));
      if (!equalBytes(store.reader.hash(level, idx), expected)) t.fail(`node (${level}, ${idx})`);
    }
  }
  t.throws(() => store.reader.hash(2, 25), { code: 'TREE_NODE_MISSING' }, 'past the tree');
  t.throws(() => store.reader.hash(4, 6), { code: 'TREE_NODE_MISSING' }, 'not completed yet');
});

t.test(
  'writes given canonical command and derived texts: the same entry as without them',
  async (t) => {
    const a = LedgerStore.open(':memory:', { random: counterRandom(0) });
    const b = LedgerStore.open(':memory:', { random: counterRandom(0) });
    t.teardown(() => {
      a.close();
      b.close();
    });
    let next = 0;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            extra: fc.dictionary(
              fc.string({ unit: 'binary' }),
              fc.jsonValue({ stringUnit: 'binary' })
            ),
            derived: fc.jsonValue({ stringUnit: 'binary' }),
          }),
          { minLength: 1, maxLength: 5 }
        ),
        (drafts) => {
          const batch = drafts.map((d) => ({
            command: fakeCommand(next++, 2, { extra: d.extra }),
            derived: d.derived,
            time: next,
          }));
          const plain = a.appendBatch(batch);
          const given = b.appendBatch(
            batch.map((item) => ({
              ...item,
              commandJson: canonicalJson(item.command),
              derivedJson: canonicalJson(item.derived),
            }))
          );
          return plain.every((r, i) => {
            const g = given[i];
            return (
              r.ok &&
              g !== undefined &&
              g.ok &&
              equalBytes(r.leafHash, g.leafHash) &&
              a.entryBody(r.entry.seq) === b.entryBody(g.entry.seq) &&
              canonicalJson(g.entry) === b.entryBody(g.entry.seq)
            );
          });
        }
      ),
      { numRuns: 100 }
    );
    t.equal(a.size, b.size);
    t.ok(equalBytes(a.root(), b.root()));
    const bad = b.appendBatch([
      { ...items(10_000, 1)[0]!, commandJson: 42 as unknown as string },
      { ...items(10_001, 1)[0]!, commandJson: '' },
      { ...items(10_002, 1)[0]!, derivedJson: 42 as unknown as string },
      { ...items(10_003, 1)[0]!, derivedJson: '' },
    ]);
    t.same(
      bad.map((r) => (r.ok ? 'ok' : r.code)),
      ['ENTRY_INVALID', 'ENTRY_INVALID', 'ENTRY_INVALID', 'ENTRY_INVALID'],
      'a commandJson or derivedJson that is not a non-empty string is refused'
    );
    t.equal(b.size, a.size, 'and takes no seq');
  }
);

t.test('opens a schema-1 ledger, continues it, and its roots and proofs stay right', async (t) => {
  const path = tempDbPath(t);
  copyFileSync(SCHEMA_1_FIXTURE, path);
  const oldNodes = new Database(path, { readonly: true })
    .prepare('SELECT level, idx, hash FROM tree_nodes ORDER BY level, idx')
    .all() as { level: number; idx: number; hash: Uint8Array }[];
  t.ok(
    oldNodes.some((n) => n.level === 0),
    'the fixture has level-0 rows'
  );
  const store = LedgerStore.open(path, { random: counterRandom(1000) });
  t.teardown(() => store.close());
  t.equal(store.size, 37);
  t.equal(bytesToHex(store.root()), SCHEMA_1_ROOT);
  t.equal(bytesToHex(store.frontierRoot()), SCHEMA_1_ROOT);
  for (const node of oldNodes) {
    if (!equalBytes(store.reader.hash(node.level, node.idx), node.hash)) {
      t.fail(`node (${node.level}, ${node.idx}) differs from the schema-1 row`);
    }
  }
  t.equal(store.appendBatch(items(3, 1))[0]?.ok, false, 'the old nonces still count');
  for (let i = 0; i < 3; i++) store.appendBatch(items(100 + 10 * i, 10));
  t.equal(store.size, 67);
  const roots = [EMPTY_ROOT];
  const leaves: Uint8Array[] = [];
  let prev = GENESIS_PREV;
  for (const e of store.iterateEntries()) {
    t.equal(e.entry.prev, prev, `entry ${e.entry.seq} chains`);
    t.ok(equalBytes(e.leafHash, leafHash(utf8Encode(e.body))));
    prev = bytesToHex(e.leafHash);
    leaves.push(e.leafHash);
    roots.push(rootFromLeafHashes(leaves));
  }
  t.equal(bytesToHex(roots[37] as Uint8Array), SCHEMA_1_ROOT);
  for (const size of [37, 48, 64, 67]) {
    t.ok(equalBytes(store.root(size), roots[size] as Uint8Array), `root(${size})`);
    for (let index = 0; index < size; index++) {
      const proof = store.inclusionProof(index, size);
      verifyInclusion(leaves[index] as Uint8Array, index, size, proof, roots[size] as Uint8Array);
    }
    for (let m = 1; m <= size; m++) {
      const proof = store.consistencyProof(m, size);
      verifyConsistency(m, size, proof, roots[m] as Uint8Array, roots[size] as Uint8Array);
    }
  }
  t.ok(equalBytes(store.frontierRoot(), roots[67] as Uint8Array));
  const after = store.db
    .prepare('SELECT level, idx, hash FROM tree_nodes ORDER BY level, idx')
    .all() as { level: number; idx: number; hash: Uint8Array }[];
  const added = after.filter((n) => !oldNodes.some((o) => o.level === n.level && o.idx === n.idx));
  t.same(
    added.map((n) => [n.level, n.idx]),
    [
      [4, 2],
      [4, 3],
      [5, 1],
      [6, 0],
    ],
    'new rows at level 4 and above only'
  );
  t.equal(after.length, oldNodes.length + added.length, 'no schema-1 row lost');
});

t.test('streams entries in pages, and appends may interleave', async (t) => {
  const store = LedgerStore.open(':memory:');
  t.teardown(() => store.close());
  store.appendBatch(items(0, 600));
  const seqs: number[] = [];
  for (const { entry, body, leafHash: lh } of store.iterateEntries(250, 530)) {
    seqs.push(entry.seq);
    if (entry.seq === 300) store.appendBatch(items(600, 2)); // between pages: the connection is free
    if (!equalBytes(lh, leafHash(utf8Encode(body)))) t.fail(`leaf hash of ${entry.seq}`);
  }
  t.same(
    seqs,
    Array.from({ length: 280 }, (_, i) => 250 + i)
  );
  t.equal([...store.iterateEntries()].length, 602);
});

t.test('keeps ledger_id and origin fixed once the ledger has entries', async (t) => {
  const store = LedgerStore.open(':memory:');
  t.teardown(() => store.close());
  t.equal(store.ledgerId, undefined);
  store.setMeta('ledger_id', 'a');
  store.setMeta('ledger_id', 'b');
  store.setMeta('origin', 'example.com/log');
  t.equal(store.ledgerId, 'b');
  store.appendBatch(items(0, 1));
  t.throws(() => store.setMeta('ledger_id', 'c'), { code: 'LEDGER_NOT_EMPTY' });
  t.throws(() => store.setMeta('origin', 'x'), { code: 'LEDGER_NOT_EMPTY' });
  store.setMeta('ledger_id', 'b');
  store.setMeta('note', 'free');
  t.equal(store.getMeta('note'), 'free');
  t.equal(store.getMeta('absent'), undefined);
  t.throws(() => store.setMeta('schema_version', '99'), { code: 'INVALID_ARGUMENT' });
  t.throws(() => store.setMeta('', 'x'), { code: 'INVALID_ARGUMENT' });
  t.throws(() => store.setMeta('k', 5 as never), { code: 'INVALID_ARGUMENT' });
});

t.test('saves checkpoints with a compare-and-swap on the latest size', async (t) => {
  const store = LedgerStore.open(':memory:');
  t.teardown(() => store.close());
  store.appendBatch(items(0, 8));
  t.equal(store.latestCheckpoint(), undefined);
  t.same(store.checkpointSizes(), []);
  const cp = (size: number, note = `note ${size}`) => ({
    size,
    root: store.root(size),
    note,
    signedAt: 100 + size,
  });
  t.equal(store.saveCheckpoint(cp(3), 0), true);
  t.same(store.latestCheckpoint(), { size: 3, note: 'note 3' });
  t.equal(store.saveCheckpoint(cp(5), 0), false, 'stale expected size loses');
  t.equal(store.checkpointAt(5), undefined, 'and writes nothing');
  t.equal(store.saveCheckpoint(cp(5), 3), true);
  t.equal(store.saveCheckpoint(cp(8), 5), true);
  t.throws(() => store.saveCheckpoint(cp(8, 'again'), 8), { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
  t.same(store.latestCheckpoint(), { size: 8, note: 'note 8' }, 'a failed save leaves the latest');
  t.throws(() => store.saveCheckpoint({ ...cp(8), size: 9 }, 8), { code: 'SIZE_OUT_OF_RANGE' });
  t.throws(() => store.saveCheckpoint(cp(4), 8), { code: 'SQLITE_CONSTRAINT_TRIGGER' });
  t.same(store.checkpointSizes(), [3, 5, 8]);
  const all = [...store.iterateCheckpoints()];
  t.same(
    all.map((c) => [c.size, c.note, c.signedAt]),
    [
      [3, 'note 3', 103],
      [5, 'note 5', 105],
      [8, 'note 8', 108],
    ]
  );
  t.ok(equalBytes(all[1]?.root ?? new Uint8Array(), store.root(5)));
  t.same(store.checkpointAt(5)?.note, 'note 5');
});

t.test('hands back each appended entry as parsed from its stored body, parsed once', async (t) => {
  const store = LedgerStore.open(':memory:');
  t.teardown(() => store.close());
  const results = store.appendBatch(items(0, 3));
  for (const [seq, result] of results.entries()) {
    if (!result.ok) {
      t.fail(`item ${seq} refused`);
      continue;
    }
    t.same(result.entry, JSON.parse(store.entryBody(seq)), `entry ${seq}`);
    t.equal(result.entry, result.entry, 'the same object on every read');
    t.equal(result.entry.seq, seq);
  }
});
