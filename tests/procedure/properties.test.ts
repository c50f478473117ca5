// Property tests over random command sequences (fast-check): a refused command never changes the
// state; no item is adopted without quorum at its vote and `for` above half the denominator; the
// chair's statement never precedes another present voting member's on the same item; replaying
// any prefix of the accepted sequence gives the state the live engine had at that point.
import t from 'tap';
import fc from 'fast-check';
import { replay } from '@yishi/procedure';
import type { LedgerEntry } from '@yishi/schema';
import { run, stepArb } from './helpers/random-steps.js';

t.test(
  'property: refused commands never change state; adoption needs quorum and a majority of the denominator; the chair states last',
  async (t) => {
    let accepted = 0;
    let adopted = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 40, maxLength: 220 }), (steps) => {
        const r = run(steps);
        accepted += r.accepted;
        adopted += r.adoptions;
        refused += r.refusals;
      }),
      { numRuns: 70, seed: 20250303 }
    );
    t.ok(accepted > 1000, `sequences were productive: ${accepted} accepted commands`);
    t.ok(adopted >= 25, `adoptions checked against the oracle: ${adopted}`);
    t.ok(refused > 1000, `refusals checked for no state change: ${refused}`);
  }
);

t.test(
  'property: replaying any prefix of an accepted sequence gives the live state at that point',
  async (t) => {
    fc.assert(
      fc.property(
        fc.array(stepArb, { minLength: 20, maxLength: 120 }),
        fc.array(fc.nat(10_000), { minLength: 1, maxLength: 4 }),
        (steps, cuts) => {
          const { w, snaps } = run(steps);
          const entries = JSON.parse(JSON.stringify(w.entries)) as LedgerEntry[];
          for (const c of cuts) {
            const [n, json] = snaps[c % snaps.length] as [number, string];
            if (JSON.stringify(replay(entries.slice(0, n))) !== json)
              throw new Error(`prefix ${n} differs`);
          }
          if (JSON.stringify(replay(entries)) !== JSON.stringify(w.state))
            throw new Error('full replay differs');
        }
      ),
      { numRuns: 60, seed: 4242 }
    );
    t.pass('every sampled prefix replayed to the live state');
  }
);
