// P15 interference records: who, their post, the matter, the form, when; delivered to the
// discipline role and reported upward; content readable only by discipline, admins and auditors.
import t from 'tap';
import type { Report } from '@yishi/procedure';
import { HOUR, World } from './helpers/world.js';

const record = (bodyId: string, extra: Record<string, unknown> = {}) => ({
  type: 'interference.record',
  bodyId,
  who: { name: '某领导亲属', post: '无', relation: 'relative', leaderName: '某领导' },
  matter: { category: 'procurement', text: '打招呼要求指定供应商' },
  form: 'request',
  occurredAt: Date.UTC(2025, 1, 20),
  ...extra,
});

t.test('P15', async (t) => {
  t.test(
    'a member records interference: delivered to discipline, reported upward, confidential',
    async (t) => {
      const w = World.create();
      w.advance(HOUR);
      const d = w.ok('m4', record(w.bodyId));
      t.equal(d.interferenceId, `intf-${w.state.seq}`);
      t.same(d.deliverTo, ['disc']);
      t.same(d.readableBy, ['discipline', 'admin', 'auditor']);
      const rep = (d.reports as Report[])[0];
      t.match(rep, {
        kind: 'interference',
        addressee: 'higher_level_organisation',
        readableBy: ['discipline', 'admin', 'auditor'],
      });
      t.match(rep?.subject, {
        recordedBy: 'm4',
        form: 'request',
        matter: { category: 'procurement' },
      });
    }
  );

  t.test('attendees, recorders and admins may record too', async (t) => {
    const w = World.create();
    for (const who of ['att', 'rec', 'disc', 'admin'])
      t.ok(w.ok(who, record(w.bodyId)).interferenceId, who);
  });

  t.test(
    'refuses a record about another body from one of its members, or an unknown body',
    async (t) => {
      const w = World.create();
      const other = w.ok('admin', { type: 'body.create', name: '另一党组' }).bodyId as string;
      const r = w.no('m4', record(other));
      t.equal(r.code, 'NOT_A_MEMBER_OF_BODY');
      t.equal(r.rule, 'P15');
      t.equal(w.no('admin', record('body-987654')).code, 'UNKNOWN_BODY');
    }
  );

  t.test('refuses an unlisted matter category or form', async (t) => {
    const w = World.create();
    t.equal(w.no('m4', record(w.bodyId, { form: 'bribe' })).code, 'MALFORMED_COMMAND');
    t.equal(
      w.no('m4', record(w.bodyId, { matter: { category: 'weather', text: 'x' } })).code,
      'MALFORMED_COMMAND'
    );
  });
});
