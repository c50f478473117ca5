// P1 matter categories: the fields each category requires or forbids, and the large-funds
// threshold for routine spending.
import t from 'tap';
import { SHA_A, World } from './helpers/world.js';

const base = (meetingId: string, category: string, extra: Record<string, unknown> = {}) => ({
  type: 'item.submit',
  meetingId,
  category,
  title: '议题',
  materials: [{ title: '请示', sha256: SHA_A }],
  ...extra,
});

t.test('P1', async (t) => {
  t.test('accepts each of the five categories with its fields', async (t) => {
    const w = World.create();
    const m = w.schedule();
    for (const c of [
      'major_decision',
      'cadre_appointment',
      'major_project',
      'large_funds',
      'routine',
    ]) {
      const { itemId } = w.submit(m, c);
      t.equal(w.state.items[itemId]?.category, c);
    }
    t.equal(w.state.items[w.state.meetings[m]?.items[3] ?? '']?.amount, 5_000_000);
  });

  t.test('refuses a large_funds item without an amount', async (t) => {
    const w = World.create();
    const r = w.no('m1', base(w.schedule(), 'large_funds'));
    t.equal(r.code, 'CATEGORY_FIELDS_INVALID');
    t.equal(r.rule, 'P1');
  });

  t.test('refuses a cadre item without a candidate or post, or with an amount', async (t) => {
    const w = World.create();
    const m = w.schedule();
    const cand = { candidate: { name: '甲' }, post: '局长' };
    t.equal(
      w.no('m1', base(m, 'cadre_appointment', { post: '局长' })).code,
      'CATEGORY_FIELDS_INVALID'
    );
    t.equal(
      w.no('m1', base(m, 'cadre_appointment', { candidate: { name: '甲' } })).code,
      'CATEGORY_FIELDS_INVALID'
    );
    t.equal(
      w.no('m1', base(m, 'cadre_appointment', { ...cand, amount: 1 })).code,
      'CATEGORY_FIELDS_INVALID'
    );
  });

  t.test('refuses a candidate or post on any other category', async (t) => {
    const w = World.create();
    const m = w.schedule();
    for (const c of ['major_decision', 'major_project', 'routine']) {
      t.equal(
        w.no('m1', base(m, c, { candidate: { name: '甲' } })).code,
        'CATEGORY_FIELDS_INVALID'
      );
      t.equal(w.no('m1', base(m, c, { post: '局长' })).code, 'CATEGORY_FIELDS_INVALID');
    }
  });

  t.test(
    'routine spending at or above the rulebook threshold must be filed as large_funds',
    async (t) => {
      const w = World.create({ rulebook: { largeFundsThreshold: 1_000_000 } });
      const m = w.schedule();
      const r = w.no('m1', base(m, 'routine', { amount: 1_000_000 }));
      t.equal(r.code, 'AMOUNT_REQUIRES_LARGE_FUNDS');
      t.equal(r.rule, 'P1');
      t.same(r.details, { amount: 1_000_000, threshold: 1_000_000 });
      t.ok(w.ok('m1', base(m, 'routine', { amount: 999_999 })).itemId, 'just below is routine');
      t.ok(w.ok('m1', base(m, 'large_funds', { amount: 1_000_000 })).itemId);
    }
  );

  t.test(
    'with no threshold set (the default), routine spending of any amount is accepted',
    async (t) => {
      const w = World.create();
      t.ok(w.ok('m1', base(w.schedule(), 'routine', { amount: 900_000_000 })).itemId);
    }
  );

  t.test('refuses an unknown category as a malformed command', async (t) => {
    const w = World.create();
    t.equal(w.no('m1', base(w.schedule(), 'secret_deal')).code, 'MALFORMED_COMMAND');
  });
});
