// 7.5 (in process) inclusion and consistency proofs at the ledger's full size, built from the
// stored perfect-subtree hashes, against one point read of such a hash from the same store.
import { LedgerStore } from '@yishi/service/internal';
import { figure, type Figure } from './report.js';
import { note, quantile } from './util.js';

/** Milliseconds of each of `n` calls of `fn(i)`. */
function timings(n: number, fn: (i: number) => unknown): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    fn(i);
    out.push(performance.now() - start);
  }
  return out;
}

/** A deterministic spread of indexes in [0, n). */
const spread = (i: number, n: number): number => (i * 2_654_435_761) % n;

export function proofBench(db: string, samples: number): Figure[] {
  const store = LedgerStore.open(db);
  try {
    const n = store.size;
    const label = n.toLocaleString();
    note(`proofs: ${samples} inclusion and consistency proofs at size ${label}`);
    timings(200, (i) => store.inclusionProof(spread(i, n), n)); // warm the page cache and JIT
    const reads = timings(samples, (i) => store.reader.hash(0, spread(i + 7, n)));
    const inclusion = timings(samples, (i) => store.inclusionProof(spread(i + 13, n), n));
    const consistency = timings(samples, (i) =>
      store.consistencyProof(1 + spread(i + 17, n - 1), n)
    );
    const read = { p50: quantile(reads, 0.5), p99: quantile(reads, 0.99) };
    const base = 'one stored subtree hash read (SELECT by primary key), same store';
    const row = (what: string, times: number[]) => {
      const p50 = quantile(times, 0.5);
      const p99 = quantile(times, 0.99);
      return [
        figure(`${what} proof at ${label}, median`, p50, 'ms', `${base}, median`, read.p50, {
          target: '<= 1 ms',
          met: p50 <= 1,
        }),
        figure(`${what} proof at ${label}, p99`, p99, 'ms', `${base}, p99`, read.p99),
      ];
    };
    return [...row('inclusion', inclusion), ...row('consistency', consistency)];
  } finally {
    store.close();
  }
}
