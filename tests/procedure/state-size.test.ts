// The state stays proportional to the live meetings, not to history: ~20,000 generated entries of
// a steady workload (meetings with adopted, deferred and resubmitted items, secret ballots,
// objections, signed records, acknowledged reports) replay to a state whose live part is bounded
// and whose residue per closed meeting is small. Not a timing assertion: the time is reported.
import t from 'tap';
import { replay, type State } from '@yishi/procedure';
import type { LedgerEntry } from '@yishi/schema';
import { SHA_B, World, firstVoters, positions } from './helpers/world.js';

const all = (choice: 'for') => Object.fromEntries(firstVoters(9).map((id) => [id, choice]));

/** One meeting cycle; returns the id of the item it deferred. */
function cycle(w: World, deferred: string | null, n: number): string {
  const m = w.schedule('leadership', 5 * 24);
  const a = w.submit(m, n % 2 === 0 ? 'major_decision' : 'large_funds').itemId;
  const b = w.submit(m, 'cadre_appointment', { candidate: { name: `候选人${n}` } }).itemId;
  const c = deferred
    ? (w.ok('m1', {
        type: 'item.resubmit',
        previousItemId: deferred,
        meetingId: m,
        title: '再议',
        materials: [{ title: '修改稿', sha256: SHA_B }],
      }).itemId as string)
    : w.submit(m, 'routine').itemId;
  w.open(m, firstVoters(9), ['rec', 'disc']);
  const obj = w.ok('disc', {
    type: 'objection.raise',
    target: { kind: 'item', itemId: a },
    rule: 'P3',
    text: '材料不全',
  }).objectionId as string;
  w.ok('chair', {
    type: 'objection.answer',
    objectionId: obj,
    answer: 'corrected',
    reasons: '已补齐',
  });
  // a: adopted by roll call
  w.deliberate(a);
  w.stateAll(a, positions(firstVoters(9)));
  w.openVote(a);
  w.castAll(a, all('for'));
  w.closeVote(a);
  // b: adopted by secret ballot
  w.deliberate(b);
  w.stateAll(b, positions(firstVoters(9)));
  w.openVote(b, { method: 'secret', scrutineers: ['m1', 'm2'] });
  for (const id of firstVoters(9)) {
    w.ok(id, { type: 'ballot.receipt', itemId: b, materialsDigest: w.digestOf(b), receipt: SHA_B });
  }
  for (const s of ['m1', 'm2'])
    w.ok(s, { type: 'tally.sign', itemId: b, for: 9, against: 0, abstain: 0 });
  w.closeVote(b);
  // c: deferred by large disagreement
  w.deliberate(c);
  w.stateAll(
    c,
    positions(firstVoters(9), { m1: 'disagree', m2: 'disagree', m3: 'defer', m4: 'defer' })
  );
  w.openVote(c);
  const digest = w.close(m).recordDigest as string;
  w.ok('rec', { type: 'record.sign', meetingId: m, recordDigest: digest });
  w.ok('chair', { type: 'record.sign', meetingId: m, recordDigest: digest });
  for (const id of Object.keys(w.state.reports).sort())
    w.ok('admin', { type: 'report.acknowledge', reportId: id });
  return c;
}

const size = (s: State) => JSON.stringify(s).length;

t.test('replaying ~20,000 entries keeps the state bounded by the live meetings', async (t) => {
  const w = World.create();
  let deferred: string | null = null;
  let n = 0;
  let half: { size: number; meetings: number } | null = null;
  while (w.entries.length < 20_000) {
    deferred = cycle(w, deferred, n++);
    if (!half && w.entries.length >= 10_000) half = { size: size(w.state), meetings: n };
  }
  if (!half) throw new Error('never reached half way');
  const entries = JSON.parse(JSON.stringify(w.entries)) as LedgerEntry[];
  const started = performance.now();
  const state = replay(entries);
  const ms = performance.now() - started;
  t.comment(
    `replayed ${entries.length} entries in ${ms.toFixed(0)} ms (${((ms / entries.length) * 1000).toFixed(1)} µs/entry)`
  );
  t.same(state, w.state, 'replay reproduces the live state');

  t.same(Object.keys(state.meetings), [], 'no live meeting once every record is signed');
  t.same(Object.keys(state.items), [], 'no items of archived meetings');
  t.same(Object.keys(state.motions), []);
  t.same(Object.keys(state.objections), [], 'settled objections leave with their meeting');
  t.same(Object.keys(state.reports), [], 'acknowledged reports leave');
  t.equal(Object.keys(state.returnable).length, 1, 'only the last deferred item awaits return');
  t.equal(state.expiryQueue.length, 1);

  const end = size(state);
  const perMeeting = (end - half.size) / (n - half.meetings);
  t.comment(
    `state: ${end} bytes after ${n} meetings; ${perMeeting.toFixed(0)} bytes kept per closed meeting`
  );
  t.ok(
    perMeeting < 1200,
    `what history leaves behind is compact (${perMeeting.toFixed(0)} bytes per meeting)`
  );
  t.ok(end < 400_000, `the whole state stays small (${end} bytes)`);
});
