import t from 'tap';
import { NonceFilter } from '@yishi/service/internal';

type Row = { public_key: string; nonce: string };

const hex = (i: number): string => i.toString(16).padStart(32, '0');

t.test('never answers "not there" for a row of the table or one added since', async (t) => {
  const table = new Map<number, Row[]>([
    [10, Array.from({ length: 5000 }, (_, i) => ({ public_key: `k${i % 7}`, nonce: hex(i) }))],
  ]);
  const loads: number[] = [];
  const filter = new NonceFilter((b) => {
    loads.push(b);
    return table.get(b) ?? [];
  });
  filter.range(8, 12);
  for (const row of table.get(10) ?? []) {
    if (!filter.mayHave(10, row.public_key, row.nonce)) t.fail(`missed ${row.nonce}`);
  }
  t.same(loads, [10], 'a bucket is read from the table once');
  filter.added(10, 'k1', 'fresh');
  t.ok(filter.mayHave(10, 'k1', 'fresh'), 'a row added after the filter was built');
  filter.added(11, 'k2', 'later'); // no filter for 11 yet: built from the table when probed
  table.set(11, [{ public_key: 'k2', nonce: 'later' }]);
  t.ok(filter.mayHave(11, 'k2', 'later'));
  let misses = 0;
  for (let i = 0; i < 5000; i++) if (!filter.mayHave(10, 'other', hex(i))) misses++;
  t.ok(misses > 4900, `new nonces are mostly answered without the table (${misses}/5000)`);
});

t.test('leaves buckets outside its range to the table', async (t) => {
  let loads = 0;
  const filter = new NonceFilter(() => {
    loads++;
    return [];
  });
  filter.range(100, 104);
  t.ok(filter.mayHave(99, 'k', 'n'), 'below the range: maybe');
  t.ok(filter.mayHave(105, 'k', 'n'), 'above the range: maybe');
  t.notOk(filter.mayHave(102, 'k', 'n'));
  t.equal(loads, 1);
  filter.range(103, 107); // 102 dropped: probed again, it is read again
  t.ok(filter.mayHave(102, 'k', 'n'));
  filter.clear();
  t.notOk(filter.mayHave(104, 'k', 'n'));
  t.equal(loads, 2);
});

t.test('mayHaveIn answers as mayHave over each bucket of the span, read in order', async (t) => {
  const table = new Map<number, Row[]>([
    [20, [{ public_key: 'k1', nonce: hex(1) }]],
    [22, [{ public_key: 'k2', nonce: hex(2) }]],
  ]);
  const loads: number[] = [];
  const filter = new NonceFilter((b) => {
    loads.push(b);
    return table.get(b) ?? [];
  });
  filter.range(18, 22);
  t.ok(filter.mayHaveIn(18, 22, 'k1', hex(1)), 'found in the third bucket');
  t.same(loads, [18, 19, 20], 'stops at the first bucket that may have it');
  t.ok(filter.mayHaveIn(18, 22, 'k2', hex(2)));
  t.same(loads, [18, 19, 20, 21, 22]);
  t.notOk(filter.mayHaveIn(18, 22, 'k3', hex(3)));
  t.ok(filter.mayHaveIn(21, 23, 'k3', hex(3)), 'a bucket outside the range: maybe');
  filter.added(21, 'k3', hex(3));
  t.ok(filter.mayHaveIn(18, 22, 'k3', hex(3)), 'a row added since');
  t.notOk(filter.mayHaveIn(18, 22, 'k3', hex(4)), 'the same key with another nonce');
  t.notOk(filter.mayHaveIn(18, 22, 'k4', hex(3)), 'the same nonce with another key');
  for (let i = 0; i < 200; i++) {
    const [k, n] = [`k${i % 5}`, hex(i)];
    const each = [18, 19, 20, 21, 22].some((b) => filter.mayHave(b, k, n));
    t.equal(filter.mayHaveIn(18, 22, k, n), each);
  }
});

t.test(
  'answers "not there" outside the buckets holding rows, moved by inserts and prunes',
  async (t) => {
    const table = new Map<number, Row[]>([[50, [{ public_key: 'k', nonce: hex(1) }]]]);
    let boundReads = 0;
    const loads: number[] = [];
    const filter = new NonceFilter(
      (b) => {
        loads.push(b);
        return table.get(b) ?? [];
      },
      () => {
        boundReads++;
        const buckets = [...table.keys()];
        return buckets.length === 0
          ? { low: null, high: null }
          : { low: Math.min(...buckets), high: Math.max(...buckets) };
      }
    );
    filter.range(10, 60);
    t.notOk(filter.mayHave(51, 'k', hex(1)), 'above the highest bucket');
    t.notOk(filter.mayHave(49, 'k', hex(1)), 'below the lowest bucket');
    t.notOk(filter.mayHave(5, 'k', hex(1)), 'below, and outside the filtered range');
    t.same(loads, [], 'no bucket read for those');
    t.ok(filter.mayHave(50, 'k', hex(1)));
    t.equal(boundReads, 1, 'the bounds are read once');
    filter.added(52, 'k', hex(2));
    table.set(52, [{ public_key: 'k', nonce: hex(2) }]);
    t.ok(filter.mayHave(52, 'k', hex(2)), 'an insert above moves the highest bucket');
    t.ok(filter.mayHaveIn(50, 54, 'k', hex(2)));
    filter.pruned(51);
    table.delete(50);
    t.notOk(filter.mayHave(50, 'k', hex(1)), 'a prune moves the lowest bucket');
    filter.pruned(60);
    table.delete(52);
    t.notOk(filter.mayHave(52, 'k', hex(2)), 'a prune of every bucket empties it');
    filter.added(55, 'k', hex(3));
    table.set(55, [{ public_key: 'k', nonce: hex(3) }]);
    t.ok(filter.mayHave(55, 'k', hex(3)), 'an insert into the emptied table');
    t.equal(boundReads, 1);
    filter.clear();
    t.ok(filter.mayHave(55, 'k', hex(3)));
    t.equal(boundReads, 2, 'read again after clear');
    filter.range(0, 1);
    t.ok(filter.mayHave(55, 'k', hex(4)), 'within the rows, outside the filters: maybe');
  }
);
