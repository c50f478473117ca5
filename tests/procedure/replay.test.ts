// Replay: the state is always replay(ledger); an auditor re-derives every entry's `derived` and
// finds refused entries, tampered outcomes and gaps, naming the seq and the rule.
import t from 'tap';
import { ReplayError, initialState, replay, replayEntry } from '@yishi/procedure';
import type { LedgerEntry } from '@yishi/schema';
import { World, firstVoters, positions, toVote } from './helpers/world.js';

function scenario() {
  const w = World.create();
  const m = w.schedule();
  const a = w.submit(m).itemId;
  const b = w.submit(m, 'routine').itemId;
  w.open(m, firstVoters(7));
  toVote(w, a, firstVoters(7));
  w.castAll(a, {
    chair: 'for',
    m1: 'for',
    m2: 'for',
    m3: 'for',
    m4: 'for',
    m5: 'for',
    m6: 'against',
  });
  w.closeVote(a);
  w.deliberate(b);
  w.stateAll(b, positions(firstVoters(7), { m1: 'disagree', m2: 'disagree', m3: 'defer' }));
  w.openVote(b);
  const digest = w.close(m).recordDigest as string;
  w.ok('rec', { type: 'record.sign', meetingId: m, recordDigest: digest });
  return { w, m, a, b };
}

const clone = (e: LedgerEntry[]) => JSON.parse(JSON.stringify(e)) as LedgerEntry[];

t.test('replay', async (t) => {
  t.test('replaying the ledger gives the live state', async (t) => {
    const { w } = scenario();
    t.same(replay(clone(w.entries)), w.state);
  });

  t.test('replaying any prefix gives the state the live engine had then', async (t) => {
    const w = World.create();
    const snaps: Array<[number, string]> = [];
    const snap = () => snaps.push([w.entries.length, JSON.stringify(w.state)]);
    snap();
    const m = w.schedule();
    snap();
    const { itemId } = w.submit(m);
    snap();
    w.open(m);
    snap();
    toVote(w, itemId, firstVoters(9));
    snap();
    const entries = clone(w.entries);
    for (const [n, json] of snaps) {
      t.equal(JSON.stringify(replay(entries.slice(0, n))), json, `prefix ${n}`);
    }
  });

  t.test('a tampered outcome is a DERIVED_MISMATCH at its seq', async (t) => {
    const { w, a } = scenario();
    const entries = clone(w.entries);
    const close = entries.find(
      (e) => e.command.payload.type === 'vote.close' && e.command.payload.itemId === a
    );
    if (!close) throw new Error('no vote.close');
    (close.derived as { result: string }).result = 'rejected';
    const err = t.throws(() => replay(entries)) as ReplayError;
    t.ok(err instanceof ReplayError);
    t.equal(err.code, 'DERIVED_MISMATCH');
    t.equal(err.seq, close.seq);
  });

  t.test('a forged statement by the chair before the others is refused under P7', async (t) => {
    const w = World.create();
    const m = w.schedule();
    const { itemId } = w.submit(m);
    w.open(m);
    w.deliberate(itemId);
    w.say(itemId, 'm1', 'agree');
    const entries = clone(w.entries);
    const forged = w.command('chair', {
      type: 'statement.record',
      itemId,
      materialsDigest: w.digestOf(itemId),
      position: 'agree',
    });
    entries.push({
      ...structuredClone(entries[entries.length - 1] as LedgerEntry),
      seq: w.seq,
      command: forged,
      derived: {},
    });
    const err = t.throws(() => replay(entries)) as ReplayError;
    t.equal(err.code, 'ENTRY_REFUSED');
    t.equal(err.rule, 'P7');
    t.equal(err.seq, w.seq);
    t.match(err.evidence, { refusal: { code: 'CHAIR_MUST_STATE_LAST' } });
  });

  t.test('a refused entry in the middle is one finding; the entries after it replay', async (t) => {
    const w = World.create();
    const m = w.schedule();
    const { itemId } = w.submit(m);
    w.open(m);
    w.deliberate(itemId);
    const before = clone(w.entries);
    const forged = w.command('chair', {
      type: 'statement.record',
      itemId,
      materialsDigest: w.digestOf(itemId),
      position: 'agree',
    });
    w.say(itemId, 'm1', 'agree');
    w.say(itemId, 'm2', 'agree');
    const after = clone(w.entries).slice(before.length);
    const entries: LedgerEntry[] = [
      ...before,
      {
        ...structuredClone(before[before.length - 1] as LedgerEntry),
        seq: before.length,
        command: forged,
        derived: {},
      },
      ...after.map((e) => ({ ...e, seq: e.seq + 1 })),
    ];
    let state = initialState();
    const findings = [];
    for (const e of entries) {
      const r = replayEntry(state, e);
      state = r.state;
      findings.push(...r.findings);
    }
    t.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.code)));
    t.match(findings[0], { code: 'ENTRY_REFUSED', rule: 'P7', seq: before.length });
    t.equal(state.seq, entries.length - 1);
  });

  t.test('a missing entry is found at the gap', async (t) => {
    const { w } = scenario();
    const entries = clone(w.entries);
    entries.splice(20, 1);
    const err = t.throws(() => replay(entries)) as ReplayError;
    t.equal(err.code, 'ENTRY_REFUSED');
    t.equal(err.seq, 21);
    t.match(err.evidence, { refusal: { code: 'SEQ_OUT_OF_ORDER' } });
  });

  t.test(
    'replayEntry returns findings instead of throwing; a mismatch still advances the state',
    async (t) => {
      const { w } = scenario();
      const entries = clone(w.entries);
      (entries[3] as LedgerEntry).derived = { forged: true };
      let state = initialState();
      const findings = [];
      for (const e of entries) {
        const r = replayEntry(state, e);
        state = r.state;
        findings.push(...r.findings);
      }
      t.same(
        findings.map((f) => [f.seq, f.code]),
        [[3, 'DERIVED_MISMATCH']]
      );
      t.same(state, w.state);
    }
  );

  t.test('malformed entries are findings, never exceptions', async (t) => {
    for (const bad of [
      null,
      7,
      {},
      { seq: 'x', time: 0, command: {} },
      { seq: 0, time: 0, command: null },
    ]) {
      const r = replayEntry(initialState(), bad as never);
      t.same(
        r.findings.map((f) => f.code),
        ['MALFORMED_ENTRY'],
        JSON.stringify(bad)
      );
    }
    const e = {
      v: 1,
      seq: 0,
      prev: '',
      time: 0,
      salt: '',
      command: { payload: { type: 'x' } },
      derived: 1n,
    } as never;
    t.equal(replayEntry(initialState(), e).findings[0]?.code, 'ENTRY_REFUSED');
  });

  t.test('the derived of every entry is plain JSON that survives a round trip', async (t) => {
    const { w } = scenario();
    for (const e of w.entries) t.same(JSON.parse(JSON.stringify(e.derived)), e.derived);
  });
});
