// P11 renomination: a rejected cadre item may come back only at another meeting; after
// `maxCadreAttempts` failures for the same candidate and post, renomination is refused.
import t from 'tap';
import { SHA_A, World, firstVoters, positions } from './helpers/world.js';

const cadre = (meetingId: string, extra: Record<string, unknown> = {}) => ({
  type: 'item.submit',
  meetingId,
  category: 'cadre_appointment',
  title: '关于甲同志任职的议题',
  materials: [{ title: '考察材料', sha256: SHA_A }],
  candidate: { name: '候选人甲' },
  post: '某局局长',
  ...extra,
});

/**
 * Run a cadre item at a new meeting to rejection: 6 present, 4 for, 2 against in a secret ballot
 * (not close: 3 × 2 = 6 > 6 is false; 4 > 9/2 is false). With all nine present no vote can be
 * rejected without being close (P8), so the rejection needs absences.
 */
function reject(w: World): { m: string; itemId: string } {
  const m = w.schedule();
  const itemId = w.ok('m1', cadre(m)).itemId as string;
  w.open(m, firstVoters(6));
  w.deliberate(itemId);
  w.stateAll(itemId, positions(firstVoters(6)));
  w.openVote(itemId, { method: 'secret', scrutineers: ['m1', 'm2'] });
  for (const id of firstVoters(6)) {
    w.ok(id, {
      type: 'ballot.receipt',
      itemId,
      materialsDigest: w.digestOf(itemId),
      receipt: 'c'.repeat(64),
    });
  }
  for (const s of ['m1', 'm2'])
    w.ok(s, { type: 'tally.sign', itemId, for: 4, against: 2, abstain: 0 });
  const d = w.closeVote(itemId);
  if (d.result !== 'rejected') throw new Error(`expected rejection, got ${String(d.result)}`);
  return { m, itemId };
}

t.test('P11', async (t) => {
  t.test('a rejected nomination may come back at another meeting', async (t) => {
    const w = World.create();
    const first = reject(w);
    t.equal(w.state.cadre[Object.keys(w.state.cadre)[0] ?? '']?.failures, 1);
    const next = w.schedule();
    t.ok(w.ok('m1', cadre(next)).itemId);
    t.ok(first.itemId);
  });

  t.test('refuses renomination at the meeting that rejected it', async (t) => {
    const w = World.create({ rulebook: { allowAdhocRoutine: true } });
    const { m } = reject(w);
    const r = w.no('m1', cadre(m));
    t.equal(r.code, 'CADRE_SAME_MEETING');
    t.equal(r.rule, 'P11');
  });

  t.test('refuses the third attempt after two failures (the default)', async (t) => {
    const w = World.create();
    reject(w);
    w.close(Object.keys(w.state.meetings)[0] ?? '');
    reject(w);
    const next = w.schedule();
    const r = w.no('m1', cadre(next));
    t.equal(r.code, 'CADRE_ATTEMPTS_EXHAUSTED');
    t.equal(r.rule, 'P11');
    t.same(r.details, { failures: 2, maxCadreAttempts: 2 });
  });

  t.test('maxCadreAttempts is a rulebook parameter', async (t) => {
    const w = World.create({ rulebook: { maxCadreAttempts: 3 } });
    reject(w);
    reject(w);
    t.ok(w.ok('m1', cadre(w.schedule())).itemId);
  });

  t.test('another post or another candidate is a different nomination', async (t) => {
    const w = World.create();
    reject(w);
    reject(w);
    const next = w.schedule();
    t.ok(w.ok('m1', cadre(next, { post: '某区区长' })).itemId);
    t.ok(w.ok('m1', cadre(next, { candidate: { name: '候选人乙' } })).itemId);
  });

  t.test('refuses a second pending item for the same candidate and post', async (t) => {
    const w = World.create();
    const a = w.schedule();
    const b = w.schedule();
    w.ok('m1', cadre(a));
    const r = w.no('m2', cadre(b));
    t.equal(r.code, 'CADRE_ITEM_PENDING');
  });

  t.test('a deferral is not a failure', async (t) => {
    const w = World.create();
    const m = w.schedule();
    w.ok('m1', cadre(m));
    w.open(m);
    w.close(m);
    t.same(Object.keys(w.state.cadre), [], 'no attempts recorded');
  });
});
