// P7 statements, chair last (末位表态): each present non-recused voting member states a position
// (reasons required for disagree/defer) before the vote; the chair's statement is refused until
// every other one has stated; attendees speak without a position; recorders never state one.
import t from 'tap';
import { World, firstVoters, positions } from './helpers/world.js';

function inDeliberation(present = firstVoters(9)) {
  const w = World.create();
  const m = w.schedule();
  const { itemId, digest } = w.submit(m);
  w.open(m, present, ['disc', 'att', 'rec']);
  w.deliberate(itemId);
  return { w, m, itemId, digest };
}

const st = (itemId: string, digest: string, extra: Record<string, unknown> = {}) => ({
  type: 'statement.record',
  itemId,
  materialsDigest: digest,
  ...extra,
});

t.test('P7', async (t) => {
  t.test('the chair states last, once every other present voting member has', async (t) => {
    const { w, itemId, digest } = inDeliberation(firstVoters(6));
    for (const id of ['m1', 'm2', 'm3', 'm4']) w.say(itemId, id, 'agree');
    const r = w.no('chair', st(itemId, digest, { position: 'agree' }));
    t.equal(r.code, 'CHAIR_MUST_STATE_LAST');
    t.equal(r.rule, 'P7');
    t.same(r.details, { waitingFor: ['m5'] });
    w.say(itemId, 'm5', 'disagree', '投资回报测算不充分');
    w.ok('chair', st(itemId, digest, { position: 'agree' }));
    const order = w.state.items[itemId]?.statements.map((s) => s.principalId);
    t.equal(order?.at(-1), 'chair');
  });

  t.test(
    'no statement of a position after the chair’s: a late arrival votes without stating',
    async (t) => {
      const { w, m, itemId, digest } = inDeliberation(firstVoters(6));
      w.stateAll(itemId, positions(firstVoters(6)));
      w.ok('m6', { type: 'meeting.arrive', meetingId: m, principalId: 'm6' });
      const r = w.no('m6', st(itemId, digest, { position: 'agree' }));
      t.equal(r.code, 'STATEMENTS_CLOSED');
      t.equal(w.openVote(itemId).eligible, 7);
      w.cast(itemId, 'm6', 'for');
    }
  );

  t.test('refuses the vote until every present voting member has stated', async (t) => {
    const { w, itemId, digest } = inDeliberation(firstVoters(6));
    for (const id of ['m1', 'm2', 'm3']) w.say(itemId, id, 'agree');
    const r = w.no('chair', { type: 'vote.open', itemId, materialsDigest: digest });
    t.equal(r.code, 'STATEMENTS_INCOMPLETE');
    t.same(r.details, { waitingFor: ['chair', 'm4', 'm5'] });
  });

  t.test('a member who departs before stating no longer holds up the round', async (t) => {
    const { w, m, itemId } = inDeliberation(firstVoters(7));
    for (const id of ['m1', 'm2', 'm3', 'm4', 'm5']) w.say(itemId, id, 'agree');
    w.ok('m6', { type: 'meeting.depart', meetingId: m, principalId: 'm6' });
    w.say(itemId, 'chair', 'agree');
    t.equal(w.openVote(itemId).eligible, 6);
  });

  t.test('when the chair has recused, the round completes without the chair', async (t) => {
    const w = World.create();
    const m = w.schedule();
    const { itemId } = w.submit(m);
    w.ok('chair', { type: 'item.recuse', itemId, principalId: 'chair', reason: '配偶任职单位' });
    w.open(m);
    w.deliberate(itemId);
    w.stateAll(itemId, positions(firstVoters(9).filter((id) => id !== 'chair')));
    t.equal(w.openVote(itemId).denominator, 8);
  });

  t.test(
    'requires reasons for disagree and defer, and a position from a voting member',
    async (t) => {
      const { w, itemId, digest } = inDeliberation();
      t.equal(w.no('m1', st(itemId, digest, { position: 'disagree' })).code, 'REASONS_REQUIRED');
      t.equal(w.no('m1', st(itemId, digest, { position: 'defer' })).code, 'REASONS_REQUIRED');
      t.equal(w.no('m1', st(itemId, digest, { reasons: '发言' })).code, 'POSITION_REQUIRED');
      w.ok('m1', st(itemId, digest, { position: 'agree' })); // agree needs no reasons
      t.equal(w.no('m1', st(itemId, digest, { position: 'agree' })).code, 'ALREADY_STATED');
    }
  );

  t.test('attendees speak without a position; positions from attendees are refused', async (t) => {
    const { w, itemId, digest } = inDeliberation();
    t.equal(
      w.no('att', st(itemId, digest, { position: 'agree' })).code,
      'ROLE_MAY_NOT_STATE_POSITION'
    );
    t.equal(
      w.no('disc', st(itemId, digest, { position: 'agree' })).code,
      'ROLE_MAY_NOT_STATE_POSITION'
    );
    t.equal(w.no('att', st(itemId, digest)).code, 'REASONS_REQUIRED');
    const d = w.ok('att', st(itemId, digest, { reasons: '列席发言：建议补充风险评估' }));
    t.equal(d.position, null);
    w.ok('disc', st(itemId, digest, { reasons: '提醒注意决策程序' }));
    t.equal(w.state.items[itemId]?.statements.filter((s) => !s.voting).length, 2);
  });

  t.test('a recorder never states a position, nor speaks', async (t) => {
    const { w, itemId, digest } = inDeliberation();
    const r = w.no('rec', st(itemId, digest, { position: 'agree' }));
    t.equal(r.code, 'ROLE_MAY_NOT_STATE_POSITION');
    t.equal(r.rule, 'P7');
    t.equal(
      w.no('rec', st(itemId, digest, { reasons: '记录' })).code,
      'ROLE_MAY_NOT_STATE_POSITION'
    );
  });

  t.test('a statement binds to the materials digest of the item in deliberation', async (t) => {
    const { w, itemId } = inDeliberation();
    const r = w.no('m1', st(itemId, 'f'.repeat(64), { position: 'agree' }));
    t.equal(r.code, 'MATERIALS_DIGEST_MISMATCH');
  });

  t.test('refuses statements from absent members and on items not in deliberation', async (t) => {
    const w = World.create();
    const m = w.schedule();
    const a = w.submit(m);
    const b = w.submit(m, 'routine');
    w.open(m, firstVoters(7));
    w.deliberate(a.itemId);
    t.equal(w.no('m8', st(a.itemId, a.digest, { position: 'agree' })).code, 'NOT_PRESENT');
    t.equal(
      w.no('m1', st(b.itemId, b.digest, { position: 'agree' })).code,
      'ITEM_NOT_IN_DELIBERATION'
    );
  });
});
