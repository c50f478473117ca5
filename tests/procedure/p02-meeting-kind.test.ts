// P2 meeting kind: a topical meeting may discuss a major matter but never decide one.
import t from 'tap';
import { World, firstVoters, positions, toVote } from './helpers/world.js';

t.test('P2', async (t) => {
  for (const category of ['major_decision', 'cadre_appointment', 'major_project', 'large_funds']) {
    t.test(`refuses a vote on a ${category} item at a topical meeting`, async (t) => {
      const w = World.create();
      const m = w.schedule('topical');
      const { itemId } = w.submit(m, category);
      w.open(m);
      w.deliberate(itemId);
      w.stateAll(itemId, positions(firstVoters(9)));
      const r = w.no('chair', {
        type: 'vote.open',
        itemId,
        materialsDigest: w.digestOf(itemId),
        method: 'secret',
        scrutineers: ['m1', 'm2'],
      });
      t.equal(r.code, 'TOPICAL_MEETING_CANNOT_DECIDE');
      t.equal(r.rule, 'P2');
    });
  }

  t.test(
    'a topical meeting may discuss a major matter: submission, deliberation and statements',
    async (t) => {
      const w = World.create();
      const m = w.schedule('topical');
      const { itemId } = w.submit(m, 'major_project');
      w.open(m);
      w.deliberate(itemId);
      w.stateAll(itemId, positions(firstVoters(9)));
      t.equal(w.state.items[itemId]?.statements.length, 9);
    }
  );

  t.test('a topical meeting may decide a routine item', async (t) => {
    const w = World.create();
    const m = w.schedule('topical');
    const { itemId } = w.submit(m, 'routine');
    w.open(m);
    toVote(w, itemId, firstVoters(9));
    w.castAll(itemId, Object.fromEntries(firstVoters(9).map((id) => [id, 'for' as const])));
    t.equal(w.closeVote(itemId).result, 'adopted');
  });

  t.test(
    'a major matter discussed at a topical meeting is deferred at close and may go to a leadership meeting',
    async (t) => {
      const w = World.create();
      const topical = w.schedule('topical', 24 * 7);
      const { itemId } = w.submit(topical, 'major_project');
      w.open(topical);
      w.deliberate(itemId);
      const leadership = w.schedule('leadership', 24 * 7);
      const d = w.close(topical);
      t.same(d.deferred, [itemId]);
      t.equal(w.state.items[itemId]?.outcome?.rule, 'P10');
      const r = w.ok('m1', {
        type: 'item.resubmit',
        previousItemId: itemId,
        meetingId: leadership,
        title: '重大项目（上会决策）',
        materials: [{ title: '可研报告', sha256: 'd'.repeat(64) }],
      });
      t.equal(r.previousItemId, itemId);
    }
  );

  t.test('refuses reopening an adopted major matter at a topical meeting', async (t) => {
    const w = World.create();
    const m = w.schedule();
    const { itemId } = w.submit(m);
    w.open(m);
    toVote(w, itemId, firstVoters(9));
    w.castAll(itemId, Object.fromEntries(firstVoters(9).map((id) => [id, 'for' as const])));
    w.closeVote(itemId);
    const topical = w.schedule('topical', 24);
    w.close(m);
    w.open(topical);
    const r = w.no('m1', {
      type: 'reconsideration.open',
      meetingId: topical,
      itemId,
      reason: '情况变化',
    });
    t.equal(r.code, 'TOPICAL_MEETING_CANNOT_DECIDE');
    t.equal(r.rule, 'P2');
  });

  t.test(
    'refuses an unknown meeting kind as malformed: circulated sign-off is not a way to decide',
    async (t) => {
      const w = World.create();
      const r = w.no('chair', {
        type: 'meeting.schedule',
        bodyId: w.bodyId,
        kind: 'circulated_signoff',
        title: '传阅会签',
        scheduledStart: w.time + 86_400_000,
      });
      t.equal(r.code, 'MALFORMED_COMMAND');
    }
  );
});
