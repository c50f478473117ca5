// Scoped replay (issue 17): which body each entry belongs to, and a replay with the other bodies'
// entries left out (their positions kept) gives the visible bodies the same outcomes as the full
// replay, on generated ledgers of several bodies whose meetings interleave.
import t from 'tap';
import fc from 'fast-check';
import {
  EntryBodies,
  UNKNOWN_SCOPE,
  inScope,
  initialState,
  replayEntry,
  scopedDerivedEqual,
  skipEntry,
  type ReplayFinding,
  type State,
} from '@yishi/procedure';
import type { LedgerEntry } from '@yishi/schema';
import { generateBodies } from './helpers/bodies.js';

/** The entries a scope of `visible` shows in full (the others are redacted). */
function shownIn(entries: LedgerEntry[], visible: ReadonlySet<string>): boolean[] {
  const index = new EntryBodies();
  return entries.map((e) => inScope(index.bodiesOf(e), visible));
}

/** Replays with the hidden entries skipped, as LedgerAuditor does with redacted lines. */
function scopedReplay(
  entries: LedgerEntry[],
  shown: boolean[]
): { state: State; findings: ReplayFinding[] } {
  let state = initialState();
  const findings: ReplayFinding[] = [];
  let gaps = 0;
  let afterGap = false;
  entries.forEach((e, i) => {
    if (!shown[i]) {
      if (!skipEntry(state, e.seq)) throw new Error(`cannot skip ${e.seq}`);
      gaps++;
      afterGap = true;
      return;
    }
    const r =
      gaps === 0 ? replayEntry(state, e) : replayEntry(state, e, { scoped: true, afterGap });
    afterGap = false;
    state = r.state;
    findings.push(...r.findings);
  });
  return { state, findings };
}

/**
 * What the rules decided for the bodies of `visible`: the outcomes an auditor compares. Two
 * things are left out: auditors' appointments (one naming a hidden body is itself hidden), and
 * items past their expiry at `time` (P10 sweeps lazily, at the next entry: the scoped replay
 * sweeps them at the next visible one).
 */
function outcomesOf(state: State, visible: ReadonlySet<string>, time: number) {
  const of = <T extends { bodyId: string }>(r: Record<string, T>) =>
    Object.fromEntries(Object.entries(r).filter(([, v]) => visible.has(v.bodyId)));
  return {
    bodies: Object.fromEntries(Object.entries(state.bodies).filter(([id]) => visible.has(id))),
    meetings: of(state.meetings),
    items: of(state.items),
    archive: of(state.archive),
    adopted: of(state.adopted),
    returnable: Object.fromEntries(
      Object.entries(of(state.returnable)).filter(([, r]) => r.expiresAt >= time)
    ),
    reports: of(state.reports),
    objections: of(state.objections),
    principals: Object.fromEntries(
      Object.entries(state.principals).filter(
        ([, p]) => p.role !== 'auditor' && (p.bodyId === null || visible.has(p.bodyId))
      )
    ),
  };
}

function fullReplay(entries: LedgerEntry[]): State {
  let state = initialState();
  for (const e of entries) {
    const r = replayEntry(state, e);
    if (r.findings.length > 0) throw new Error(`full replay: ${JSON.stringify(r.findings[0])}`);
    state = r.state;
  }
  return state;
}

/** Every scope worth trying: each body alone, no body, the first two together, all. */
function scopesOf(bodies: string[]): string[][] {
  return [...bodies.map((b) => [b]), [], bodies.slice(0, 2), bodies];
}

t.test('each entry belongs to its body, ledger-wide entries to none', async (t) => {
  const { ledger, bodies } = generateBodies(7, 2, 1);
  const index = new EntryBodies();
  const byType = new Map<string, Set<string>>();
  for (const e of ledger.entries) {
    const got = index.bodiesOf(e);
    const key = got.length === 0 ? 'ledger' : got.join(',');
    const set = byType.get(e.command.payload.type) ?? new Set<string>();
    set.add(key);
    byType.set(e.command.payload.type, set);
    t.notOk(got.includes(UNKNOWN_SCOPE), `entry ${e.seq} (${e.command.payload.type}) is known`);
  }
  t.same([...(byType.get('ledger.genesis') ?? [])], ['ledger']);
  t.same([...(byType.get('body.create') ?? [])].sort(), [...bodies].sort());
  t.same([...(byType.get('statement.record') ?? [])].sort(), [...bodies].sort());
  t.same(index.bodies, bodies, 'the bodies created, in order');
});

t.test('an entry naming what nothing before it created is in no scope (fail closed)', async (t) => {
  const index = new EntryBodies();
  const entry = {
    seq: 5,
    command: { payload: { type: 'vote.cast', itemId: 'item-99' } },
    derived: {},
  } as unknown as LedgerEntry;
  t.same(index.bodiesOf(entry), [UNKNOWN_SCOPE]);
  t.notOk(inScope([UNKNOWN_SCOPE], new Set(['body-1'])));
});

t.test('scoped replay gives the visible bodies the outcomes of the full replay', async (t) => {
  let scopes = 0;
  let redacted = 0;
  let expiries = 0;
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 1_000_000 }),
      fc.integer({ min: 2, max: 4 }),
      (seed, n) => {
        const { ledger, bodies } = generateBodies(seed, n, 2);
        const entries = JSON.parse(JSON.stringify(ledger.entries)) as LedgerEntry[];
        expiries += entries.filter((e) => (e.derived as { expired?: unknown }).expired).length;
        const full = fullReplay(entries);
        for (const scope of scopesOf(bodies)) {
          const visible = new Set(scope);
          const shown = shownIn(entries, visible);
          redacted += shown.filter((s) => !s).length;
          const scoped = scopedReplay(entries, shown);
          if (scoped.findings.length > 0) {
            throw new Error(`scope ${scope.join(',')}: ${JSON.stringify(scoped.findings[0])}`);
          }
          t.same(
            outcomesOf(scoped.state, visible, full.time),
            outcomesOf(full, visible, full.time)
          );
          if (scoped.state.seq !== full.seq) throw new Error('positions differ');
          scopes++;
        }
      }
    ),
    { numRuns: 25, seed: 20261205 }
  );
  t.ok(redacted > 1000, `entries redacted across the scopes: ${redacted}`);
  t.ok(expiries > 5, `expiries swept across bodies: ${expiries}`);
  t.ok(scopes >= 100, `scopes replayed: ${scopes}`);
});

t.test('scoped comparison of expired items', async (t) => {
  const known = new Set(['item-1', 'item-2']);
  const eq = (rec: unknown, got: Record<string, unknown>, gap = false) =>
    scopedDerivedEqual(rec, got, known, gap);
  t.ok(eq({ a: 1, expired: ['item-9'] }, { a: 1 }), "another body's expired item is left out");
  t.ok(eq({ a: 1 }, { a: 1, expired: ['item-1'] }, true), 'swept at a redacted entry before');
  t.notOk(eq({ a: 1 }, { a: 1, expired: ['item-1'] }), 'missing without a gap');
  t.notOk(eq({ a: 1, expired: ['item-2'] }, { a: 1 }, true), 'a known item that did not expire');
  t.notOk(eq({ a: 2 }, { a: 1 }, true), 'anything else still compared');
  t.notOk(eq(null, { a: 1 }), 'recorded not an object');
});
