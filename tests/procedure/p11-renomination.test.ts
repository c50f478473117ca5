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
function reject(
  w: World,
  submit: (m: string) => Record<string, unknown> = (m) => cadre(m)
): { m: string; itemId: string } {
  const m = w.schedule();
  const itemId = w.ok('m1', submit(m)).itemId as string;
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

/** An `item.resubmit` renominating the candidate of `previousItemId` at `meetingId`. */
const renominate = (previousItemId: string, meetingId: string, extra = {}) => {
  const { type: _type, category: _category, ...fields } = cadre(meetingId, extra);
  return { type: 'item.resubmit', previousItemId, ...fields };
};

/** Like `reject`, by a roll-call vote (for an item of another category). */
function rejectByRollCall(w: World, submit: (m: string) => Record<string, unknown>) {
  const m = w.schedule();
  const itemId = w.ok('m1', submit(m)).itemId as string;
  w.open(m, firstVoters(6));
  w.deliberate(itemId);
  w.stateAll(itemId, positions(firstVoters(6)));
  w.openVote(itemId);
  w.castAll(itemId, {
    chair: 'for',
    m1: 'for',
    m2: 'for',
    m3: 'for',
    m4: 'against',
    m5: 'against',
  });
  const d = w.closeVote(itemId);
  if (d.result !== 'rejected') throw new Error(`expected rejection, got ${String(d.result)}`);
  return { m, itemId };
}

t.test('P11 renomination through item.resubmit', async (t) => {
  t.test('links the renomination to the rejected attempt and counts it', async (t) => {
    const w = World.create();
    const first = reject(w);
    const next = w.schedule();
    const d = w.ok('m1', renominate(first.itemId, next));
    t.equal(d.previousItemId, first.itemId);
    t.equal(w.state.items[d.itemId as string]?.previousItemId, first.itemId);
    const [rec] = Object.values(w.state.cadre);
    t.same(rec, {
      failures: 1,
      lastRejectedMeetingId: first.m,
      pendingItemId: d.itemId,
      rejectedItemIds: [first.itemId],
    });
  });

  t.test('a renomination rejected again exhausts the attempts (the default 2)', async (t) => {
    const w = World.create();
    const first = reject(w);
    const second = reject(w, (m) => renominate(first.itemId, m));
    t.same(Object.values(w.state.cadre)[0]?.rejectedItemIds, [first.itemId, second.itemId]);
    const r = w.no('m1', renominate(second.itemId, w.schedule()));
    t.equal(r.code, 'CADRE_ATTEMPTS_EXHAUSTED');
    t.equal(r.rule, 'P11');
    t.same(r.details, { failures: 2, maxCadreAttempts: 2 });
  });

  t.test('maxCadreAttempts allows a third attempt, linked to the latest one', async (t) => {
    const w = World.create({ rulebook: { maxCadreAttempts: 3 } });
    const first = reject(w);
    const second = reject(w, (m) => renominate(first.itemId, m));
    const next = w.schedule();
    const old = w.no('m1', renominate(first.itemId, next));
    t.equal(old.code, 'CADRE_NOT_LATEST_ATTEMPT');
    t.equal(old.rule, 'P11');
    t.same(old.details, { latestItemId: second.itemId });
    t.equal(w.ok('m1', renominate(second.itemId, next)).previousItemId, second.itemId);
  });

  t.test('refuses renomination at the meeting that rejected it', async (t) => {
    const w = World.create();
    const { m, itemId } = reject(w);
    const r = w.no('m1', renominate(itemId, m));
    t.equal(r.code, 'CADRE_SAME_MEETING');
    t.equal(r.rule, 'P11');
  });

  t.test('refuses an item that was not rejected', async (t) => {
    const w = World.create();
    const m = w.schedule();
    const itemId = w.ok('m1', cadre(m)).itemId as string;
    const r = w.no('m1', renominate(itemId, w.schedule()));
    t.equal(r.code, 'ITEM_NOT_REJECTED');
    t.equal(r.rule, 'P11');
    t.same(r.details, { itemId, state: 'submitted' });
  });

  t.test('refuses a rejected item that is not a cadre appointment', async (t) => {
    const w = World.create();
    const { itemId } = rejectByRollCall(w, (m) => ({
      type: 'item.submit',
      meetingId: m,
      category: 'major_decision',
      title: '关于某项目的议题',
      materials: [{ title: '请示', sha256: SHA_A }],
    }));
    const r = w.no('m1', renominate(itemId, w.schedule()));
    t.equal(r.code, 'NOT_A_CADRE_ITEM');
    t.equal(r.rule, 'P11');
  });

  t.test('refuses another candidate or post, and an unknown item', async (t) => {
    const w = World.create();
    const { itemId } = reject(w);
    const next = w.schedule();
    const other = w.no('m1', renominate(itemId, next, { post: '某区区长' }));
    t.equal(other.code, 'RESUBMISSION_CHANGES_MATTER');
    t.equal(other.rule, 'P11');
    const who = w.no('m1', renominate(itemId, next, { candidate: { name: '候选人乙' } }));
    t.equal(who.code, 'RESUBMISSION_CHANGES_MATTER');
    const unknown = w.no('m1', renominate('item-999', next));
    t.equal(unknown.code, 'ITEM_NOT_DEFERRED');
    t.equal(unknown.rule, 'P10');
  });

  t.test('the link survives the archiving of the rejecting meeting', async (t) => {
    const w = World.create();
    const { m, itemId } = reject(w);
    w.close(m);
    t.equal(w.ok('m1', renominate(itemId, w.schedule())).previousItemId, itemId);
  });
});
