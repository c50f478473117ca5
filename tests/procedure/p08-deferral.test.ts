// P8 large disagreement defers the vote (暂缓表决): dissent more than a third of the statements,
// or a close vote, defers the item; the chair may accept a `defer` statement citing unclear key
// facts; exception: an item marked urgent before the vote is decided by majority and flagged.
import t from 'tap';
import { World, firstVoters, positions, toVote } from './helpers/world.js';

function stating(others: Record<string, 'disagree' | 'defer'>, opts = {}, urgent = false) {
  const w = World.create(opts);
  const m = w.schedule();
  const { itemId } = w.submit(m);
  w.open(m, firstVoters(9));
  if (urgent) w.ok('chair', { type: 'item.mark_urgent', itemId, justification: '汛期抢险' });
  w.deliberate(itemId);
  w.stateAll(itemId, positions(firstVoters(9), others));
  return { w, m, itemId };
}

t.test('P8', async (t) => {
  t.test('exactly one third is not yet large: 3 of 9 dissent, the vote opens', async (t) => {
    const { w, itemId } = stating({ m1: 'disagree', m2: 'defer', m3: 'disagree' });
    t.equal(w.openVote(itemId).method, 'roll_call');
  });

  t.test('more than one third defers: 4 of 9 dissent', async (t) => {
    const { w, itemId } = stating({ m1: 'disagree', m2: 'defer', m3: 'disagree', m4: 'defer' });
    const d = w.openVote(itemId);
    t.same([d.result, d.rule, d.basis], ['deferred', 'P8', 'statements']);
    t.same(d.statements, { agree: 5, disagree: 2, defer: 2, stated: 9 });
  });

  t.test('the deferral fraction is a rulebook parameter', async (t) => {
    const { w, itemId } = stating(
      { m1: 'disagree', m2: 'defer', m3: 'disagree', m4: 'defer' },
      {
        rulebook: { deferralFraction: { num: 1, den: 2 } },
      }
    );
    t.equal(w.openVote(itemId).method, 'roll_call', '4 of 9 is not more than half');
  });

  t.test('the chair may accept a defer statement citing unclear key facts', async (t) => {
    const { w, itemId } = stating({ m5: 'defer' });
    const r = w.no('chair', {
      type: 'item.defer',
      itemId,
      statementBy: 'm1',
      reason: '关键情况不清',
    });
    t.equal(r.code, 'NO_DEFER_STATEMENT');
    t.equal(r.rule, 'P8');
    t.equal(
      w.no('m1', { type: 'item.defer', itemId, statementBy: 'm5', reason: 'x' }).code,
      'ROLE_NOT_ALLOWED'
    );
    const d = w.ok('chair', {
      type: 'item.defer',
      itemId,
      statementBy: 'm5',
      reason: '土地权属关键事实不清',
    });
    t.same([d.result, d.rule, d.basis], ['deferred', 'P8', 'defer_accepted']);
    t.ok(w.state.returnable[itemId]);
  });

  t.test(
    'a close vote defers: against + abstain more than a third of the votes cast',
    async (t) => {
      const { w, itemId } = stating({});
      w.openVote(itemId);
      w.castAll(itemId, {
        chair: 'for',
        m1: 'for',
        m2: 'for',
        m3: 'for',
        m4: 'for',
        m5: 'for',
        m6: 'abstain',
        m7: 'abstain',
        m8: 'abstain',
      });
      t.equal(w.closeVote(itemId).result, 'adopted', '3 of 9 is not close');
      const x = stating({});
      x.w.openVote(x.itemId);
      x.w.castAll(x.itemId, {
        chair: 'for',
        m1: 'for',
        m2: 'for',
        m3: 'for',
        m4: 'for',
        m5: 'for',
        m6: 'abstain',
        m7: 'abstain',
        m8: 'against',
      });
      t.equal(x.w.closeVote(x.itemId).result, 'adopted', 'still 3 of 9');
      const y = stating({});
      y.w.openVote(y.itemId);
      y.w.castAll(y.itemId, {
        chair: 'for',
        m1: 'for',
        m2: 'for',
        m3: 'for',
        m4: 'for',
        m5: 'against',
        m6: 'abstain',
        m7: 'abstain',
        m8: 'against',
      });
      const d = y.w.closeVote(y.itemId);
      t.same([d.result, d.rule, d.basis], ['deferred', 'P8', 'close_vote']);
    }
  );

  t.test(
    'urgent before the vote: large dissent in statements still goes to the vote, flagged',
    async (t) => {
      const { w, itemId } = stating(
        { m1: 'disagree', m2: 'defer', m3: 'disagree', m4: 'defer' },
        {},
        true
      );
      const open = w.openVote(itemId);
      t.equal(open.urgent, true);
      w.castAll(itemId, {
        chair: 'for',
        m1: 'for',
        m2: 'for',
        m3: 'for',
        m4: 'for',
        m5: 'for',
        m6: 'for',
        m7: 'for',
        m8: 'for',
      });
      const d = w.closeVote(itemId);
      t.same([d.result, d.urgentOverride, d.overrodeDeferral], ['adopted', true, true]);
    }
  );

  t.test('an urgent item rejected by majority is still flagged and reported', async (t) => {
    const { w, itemId } = stating({}, {}, true);
    w.openVote(itemId);
    w.castAll(itemId, {
      chair: 'for',
      m1: 'for',
      m2: 'for',
      m3: 'for',
      m4: 'against',
      m5: 'against',
      m6: 'against',
      m7: 'against',
      m8: 'abstain',
    });
    const d = w.closeVote(itemId);
    t.same(
      [d.result, d.rule, d.urgentOverride, d.overrodeDeferral],
      ['rejected', 'P9', true, true]
    );
    t.ok((d.reports as Array<{ kind: string }>).some((r) => r.kind === 'urgent_override'));
  });

  t.test('only the chair marks an item urgent, once, and only before the vote', async (t) => {
    const w = World.create();
    const m = w.schedule();
    const { itemId } = w.submit(m);
    const mark = { type: 'item.mark_urgent', itemId, justification: '时限要求' };
    t.equal(w.no('m1', mark).code, 'ROLE_NOT_ALLOWED');
    w.ok('chair', mark);
    const r = w.no('chair', mark);
    t.equal(r.code, 'ALREADY_URGENT');
    const { itemId: b } = w.submit(m, 'routine');
    w.open(m);
    toVote(w, b, firstVoters(9));
    t.equal(w.no('chair', { ...mark, itemId: b }).code, 'ITEM_NOT_PENDING');
  });

  t.test('refuses item.defer outside deliberation', async (t) => {
    const w = World.create();
    const m = w.schedule();
    const { itemId } = w.submit(m);
    w.open(m);
    t.equal(
      w.no('chair', { type: 'item.defer', itemId, statementBy: 'm1', reason: 'x' }).code,
      'ITEM_NOT_IN_DELIBERATION'
    );
  });
});
