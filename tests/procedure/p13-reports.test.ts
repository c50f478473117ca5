// P13 reporting upward: every adopted major matter, every urgent override, every escalation and
// every unresolved objection produces a report to the higher level, pending until acknowledged.
import t from 'tap';
import type { Report } from '@yishi/procedure';
import { World, firstVoters, toVote } from './helpers/world.js';

const all = (voters: readonly string[]) =>
  Object.fromEntries(voters.map((id) => [id, 'for' as const]));

function decided(category: string, urgent = false) {
  const w = World.create();
  const m = w.schedule();
  const { itemId } = w.submit(m, category);
  w.open(m);
  if (urgent) w.ok('chair', { type: 'item.mark_urgent', itemId, justification: '紧急' });
  toVote(w, itemId, firstVoters(9));
  w.castAll(itemId, all(firstVoters(9)));
  return { w, m, itemId, d: w.closeVote(itemId) };
}

t.test('P13', async (t) => {
  for (const category of ['major_decision', 'major_project', 'large_funds']) {
    t.test(`an adopted ${category} item is reported upward`, async (t) => {
      const { w, itemId, d } = decided(category);
      const reports = d.reports as Report[];
      t.equal(reports.length, 1);
      t.match(reports[0], {
        kind: 'adopted_major_matter',
        addressee: 'higher_level_organisation',
        subject: { itemId, category },
      });
      t.ok(w.state.reports[reports[0]?.reportId ?? '']);
    });
  }

  t.test('an adopted routine item is not reported', async (t) => {
    t.same(decided('routine').d.reports, []);
  });

  t.test('an urgent override is reported even for a routine item', async (t) => {
    const { d } = decided('routine', true);
    t.same(
      (d.reports as Report[]).map((r) => r.kind),
      ['urgent_override']
    );
  });

  t.test('an admin acknowledges a report once; nobody else can', async (t) => {
    const { w, d } = decided('major_decision');
    const reportId = (d.reports as Report[])[0]?.reportId ?? '';
    t.equal(w.no('chair', { type: 'report.acknowledge', reportId }).code, 'ROLE_NOT_ALLOWED');
    t.same(w.ok('admin', { type: 'report.acknowledge', reportId }), { reportId });
    const r = w.no('admin', { type: 'report.acknowledge', reportId });
    t.equal(r.code, 'UNKNOWN_REPORT');
    t.equal(r.rule, 'P13');
    t.same(w.state.reports, {});
  });

  t.test('report ids derive from the entry seq', async (t) => {
    const { w, d } = decided('major_decision', true);
    const ids = (d.reports as Report[]).map((r) => r.reportId);
    t.same(ids, [`rpt-${w.state.seq}-0`, `rpt-${w.state.seq}-1`]);
  });
});
