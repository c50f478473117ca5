// P6 recusal (回避): a recused member may not state or vote on the item; by default they leave the
// item's denominator; recorded on the ledger either way.
import t from 'tap';
import { World, firstVoters, positions } from './helpers/world.js';

const recuse = (itemId: string, principalId: string) => ({
  type: 'item.recuse',
  itemId,
  principalId,
  reason: '与本人有利害关系',
});

function setup(opts = {}) {
  const w = World.create(opts);
  const m = w.schedule();
  const { itemId } = w.submit(m);
  return { w, m, itemId };
}

t.test('P6', async (t) => {
  t.test('a member recuses, or the chair records it; both are on the record', async (t) => {
    const { w, itemId } = setup();
    w.ok('m3', recuse(itemId, 'm3'));
    w.ok('chair', recuse(itemId, 'm4'));
    t.same(
      w.state.items[itemId]?.recusals.map((r) => [r.principalId, r.recordedBy]),
      [
        ['m3', 'm3'],
        ['m4', 'chair'],
      ]
    );
  });

  t.test(
    'refuses a recusal recorded by another member, twice, or for a non-voting role',
    async (t) => {
      const { w, itemId } = setup();
      t.equal(w.no('m1', recuse(itemId, 'm3')).code, 'ROLE_NOT_ALLOWED');
      w.ok('m3', recuse(itemId, 'm3'));
      const r = w.no('m3', recuse(itemId, 'm3'));
      t.equal(r.code, 'ALREADY_RECUSED');
      t.equal(r.rule, 'P6');
      t.equal(w.no('chair', recuse(itemId, 'att')).code, 'NOT_VOTING_MEMBER');
      t.equal(w.no('chair', recuse(itemId, 'ghost')).code, 'NOT_A_MEMBER_OF_BODY');
    }
  );

  t.test('a recused member may not state a position or vote', async (t) => {
    const { w, m, itemId } = setup();
    w.ok('m3', recuse(itemId, 'm3'));
    w.open(m);
    w.deliberate(itemId);
    const s = w.no('m3', {
      type: 'statement.record',
      itemId,
      materialsDigest: w.digestOf(itemId),
      position: 'agree',
    });
    t.equal(s.code, 'RECUSED');
    t.equal(s.rule, 'P6');
    const everyone = firstVoters(9).filter((id) => id !== 'm3');
    w.stateAll(itemId, positions(everyone));
    const d = w.openVote(itemId);
    t.equal(d.denominator, 8, 'the recused member leaves the denominator');
    t.equal(d.eligible, 8);
    const v = w.no('m3', {
      type: 'vote.cast',
      itemId,
      materialsDigest: w.digestOf(itemId),
      choice: 'for',
    });
    t.equal(v.code, 'RECUSED');
  });

  t.test('with recusedCountInDenominator the denominator stays whole', async (t) => {
    const { w, m, itemId } = setup({ rulebook: { recusedCountInDenominator: true } });
    w.ok('m3', recuse(itemId, 'm3'));
    w.open(m);
    w.deliberate(itemId);
    w.stateAll(itemId, positions(firstVoters(9).filter((id) => id !== 'm3')));
    t.equal(w.openVote(itemId).denominator, 9);
  });

  t.test('refuses a recusal after the member stated, or once the vote opened', async (t) => {
    const { w, m, itemId } = setup();
    w.open(m);
    w.deliberate(itemId);
    w.say(itemId, 'm1', 'agree');
    t.equal(w.no('m1', recuse(itemId, 'm1')).code, 'ALREADY_STATED');
    w.stateAll(itemId, positions(firstVoters(9).filter((id) => id !== 'm1')));
    w.openVote(itemId);
    t.equal(w.no('m2', recuse(itemId, 'm2')).code, 'ITEM_NOT_PENDING');
  });

  t.test('a candidate who is a voting member must recuse before the cadre vote', async (t) => {
    const w = World.create();
    const m = w.schedule();
    const { itemId } = w.submit(m, 'cadre_appointment', {
      candidate: { name: '郑八', principalId: 'm8' },
      post: '常务副职',
    });
    w.open(m);
    w.deliberate(itemId);
    w.stateAll(itemId, positions(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']));
    const open = {
      type: 'vote.open',
      itemId,
      materialsDigest: w.digestOf(itemId),
      method: 'secret',
      scrutineers: ['m1', 'm2'],
    };
    const r = w.no('chair', open);
    t.equal(r.code, 'STATEMENTS_INCOMPLETE', 'm8 has not stated nor recused');
    const w2 = World.create();
    const m2 = w2.schedule();
    const b = w2.submit(m2, 'cadre_appointment', {
      candidate: { name: '郑八', principalId: 'm8' },
      post: '常务副职',
    }).itemId;
    w2.open(m2);
    w2.deliberate(b);
    w2.stateAll(b, {
      ...positions(firstVoters(8).filter((x) => x !== 'chair')),
      m8: 'agree',
      chair: 'agree',
    });
    const r2 = w2.no('chair', { ...open, itemId: b, materialsDigest: w2.digestOf(b) });
    t.equal(r2.code, 'CANDIDATE_NOT_RECUSED');
    t.equal(r2.rule, 'P6');
  });

  t.test(
    'a recused candidate lets the cadre vote open; the candidate cannot be a scrutineer',
    async (t) => {
      const w = World.create();
      const m = w.schedule();
      const { itemId } = w.submit(m, 'cadre_appointment', {
        candidate: { name: '郑八', principalId: 'm8' },
        post: '常务副职',
      });
      w.ok('m8', recuse(itemId, 'm8'));
      w.open(m);
      w.deliberate(itemId);
      w.stateAll(itemId, positions(firstVoters(8)));
      const open = {
        type: 'vote.open',
        itemId,
        materialsDigest: w.digestOf(itemId),
        method: 'secret',
      };
      t.equal(w.no('chair', { ...open, scrutineers: ['m1', 'm8'] }).code, 'SCRUTINEERS_INVALID');
      const d = w.ok('chair', { ...open, scrutineers: ['m1', 'm2'] });
      t.equal(d.denominator, 8);
    }
  );
});
