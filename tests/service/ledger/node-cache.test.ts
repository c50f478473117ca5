import t from 'tap';
import { NodeCache } from '@yishi/service/internal';

const hash = (level: number, index: number): Uint8Array =>
  Uint8Array.from({ length: 32 }, (_, i) => (level * 31 + index * 7 + i) & 0xff);

t.test('gives back a copy of each node it keeps, and nothing it was not given', async (t) => {
  const cache = new NodeCache(10, 4);
  t.equal(cache.get(4, 0), undefined);
  t.ok(cache.set(4, 3, hash(4, 3)));
  t.same(cache.get(4, 3), hash(4, 3));
  t.equal(cache.get(4, 2), undefined, 'a neighbour never set');
  t.equal(cache.get(5, 3), undefined, 'the same index at another level');
  const copy = cache.get(4, 3) as Uint8Array;
  copy.fill(0);
  t.same(cache.get(4, 3), hash(4, 3), 'a copy: changing it changes nothing kept');
});

t.test('keeps only the nodes over the first 2^span leaves, from the lowest level up', async (t) => {
  const cache = new NodeCache(10, 4);
  t.equal(cache.limit, 2 ** 7 - 1);
  t.notOk(cache.set(3, 0, hash(3, 0)), 'below the lowest level');
  t.notOk(cache.set(4, 64, hash(4, 64)), 'level 4 keeps nodes 0..63');
  t.ok(cache.set(4, 63, hash(4, 63)));
  t.ok(cache.set(10, 0, hash(10, 0)));
  t.notOk(cache.set(10, 1, hash(10, 1)));
  t.notOk(cache.set(11, 0, hash(11, 0)), 'above the span');
  t.notOk(cache.set(5, 0, new Uint8Array(31)), 'not a hash');
  t.equal(cache.get(4, 64), undefined);
  for (let level = 4; level <= 10; level++) {
    for (let i = 0; i < 2 ** (10 - level); i++) cache.set(level, i, hash(level, i));
  }
  t.ok(cache.bytes <= cache.limit * 33 + 64, `${cache.bytes} bytes for ${cache.limit} hashes`);
  cache.clear();
  t.equal(cache.get(4, 63), undefined, 'cleared');
  t.equal(cache.bytes, 0);
});

t.test('keeps a run of nodes as far as it covers them', async (t) => {
  const cache = new NodeCache(8, 4);
  const run = new Uint8Array(32 * 20);
  for (let i = 0; i < 20; i++) run.set(hash(4, 10 + i), i * 32);
  t.equal(cache.setRun(4, 10, run), 6, 'level 4 of span 8 ends at node 15');
  for (let i = 10; i < 16; i++) t.same(cache.get(4, i), hash(4, i));
  t.equal(cache.get(4, 9), undefined);
  t.equal(cache.setRun(4, 16, run), 0);
  t.equal(cache.setRun(5, 0, run.subarray(0, 40)), 1, 'whole hashes only');
});

t.test('refuses a span or lowest level out of range', async (t) => {
  t.throws(() => new NodeCache(41, 4), RangeError);
  t.throws(() => new NodeCache(10, 11), RangeError);
  t.throws(() => new NodeCache(-1, 0), RangeError);
});
