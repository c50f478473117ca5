import t from 'tap';
import fc from 'fast-check';
import { LedgerStore, type AppendItem } from '@yishi/service/internal';
import { fakeCommand, tempDbPath } from './helpers/fixtures.js';

const MIN = 60_000;
const BUCKET = 5 * MIN;
const T0 = 1_700_000_000_000;

/** A step of the command clock: mostly small, sometimes across buckets, back, or far ahead. */
const step = fc.constantFrom(
  0,
  1000,
  4 * MIN,
  6 * MIN,
  11 * MIN,
  16 * MIN,
  -4 * MIN,
  -9 * MIN,
  120 * MIN
);

const item = fc.record({
  who: fc.integer({ min: 1, max: 3 }),
  nonce: fc.integer({ min: 0, max: 11 }),
  step,
  /** No usable ts: the nonce is filed under the entry's time. */
  noTs: fc.integer({ min: 0, max: 4 }).map((x) => x === 0),
});

const op = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('batch'),
      items: fc.array(item, { minLength: 1, maxLength: 6 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopen') }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('fail'),
      items: fc.array(item, { minLength: 1, maxLength: 4 }),
    }),
  }
);

t.test(
  'the nonce filter never changes a refusal: each batch is refused exactly where the table says',
  async (t) => {
    let run = 0;
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 25 }), (ops) => {
        const path = tempDbPath(t, `refusals-${run++}.db`);
        let store = LedgerStore.open(path);
        // The table itself, asked directly: is (key, nonce) filed within two buckets of `ts`?
        const inTable = (publicKey: string, nonce: string, ts: number): boolean => {
          const b = Math.floor(ts / BUCKET);
          return (
            store.db
              .prepare(
                `SELECT 1 FROM recent_nonces
                 WHERE bucket BETWEEN ? AND ? AND public_key = ? AND nonce = ?`
              )
              .get(b - 2, b + 2, publicKey, nonce) !== undefined
          );
        };
        let clock = T0;
        const toItems = (specs: { who: number; nonce: number; step: number; noTs: boolean }[]) =>
          specs.map((s): AppendItem => {
            clock = Math.max(0, clock + s.step);
            const command = fakeCommand(s.nonce, s.who, s.noTs ? { ts: 'late' } : { ts: clock });
            return { command, derived: null, time: clock };
          });
        try {
          for (const o of ops) {
            if (o.kind === 'reopen') {
              store.close();
              store = LedgerStore.open(path);
              continue;
            }
            const batch = toItems(o.items);
            const seen = new Set<string>();
            const expected = batch.map((it) => {
              const { publicKey } = it.command;
              const nonce = it.command.payload.nonce;
              const ts =
                typeof it.command.payload.ts === 'number' ? it.command.payload.ts : it.time;
              const key = `${publicKey}\n${nonce}`;
              if (seen.has(key) || inTable(publicKey, nonce, ts)) return 'NONCE_REPLAYED';
              seen.add(key);
              return 'ok';
            });
            let random: ((n: number) => Uint8Array) | undefined;
            if (o.kind === 'fail') {
              // A salt of the wrong size at the second entry: the first is written, then rolled back.
              let calls = 0;
              random = (n: number) => new Uint8Array(++calls === 2 ? n + 1 : n);
              if (expected.filter((e) => e === 'ok').length >= 2) {
                const size = store.size;
                t.throws(() => store.appendBatch(batch, random));
                if (store.size !== size) return false;
                continue;
              }
            }
            const got = store.appendBatch(batch, random).map((r) => (r.ok ? 'ok' : r.code));
            if (JSON.stringify(got) !== JSON.stringify(expected)) {
              t.same(got, expected, 'refusals');
              return false;
            }
            for (const it of batch) {
              const { publicKey } = it.command;
              const nonce = it.command.payload.nonce;
              if (store.hasNonce(publicKey, nonce, clock) !== inTable(publicKey, nonce, clock)) {
                return false;
              }
            }
          }
          return true;
        } finally {
          store.close();
        }
      }),
      { numRuns: 60 }
    );
  }
);
