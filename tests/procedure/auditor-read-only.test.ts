// Auditors read and never write (issue 13): every command an auditor signs is refused with
// ROLE_NOT_ALLOWED (P15 for an interference record), except the upkeep of its own key; an admin,
// the higher level, records interference for any body.
import t from 'tap';
import { HOUR, keyOf, World } from './helpers/world.js';

const interference = (bodyId: string) => ({
  type: 'interference.record',
  bodyId,
  who: { name: '某领导', post: '副市长', relation: 'leader' },
  matter: { category: 'procurement', text: '要求指定供应商' },
  form: 'request',
  occurredAt: Date.UTC(2025, 1, 20),
});

t.test('an auditor may not record interference, for its body or another', async (t) => {
  const w = World.create();
  const other = w.ok('admin', { type: 'body.create', name: '另一班子' }).bodyId as string;
  w.register('aud', 'auditor');
  w.ok('admin', { type: 'auditor.appoint', principalId: 'aud', bodyIds: [w.bodyId] });
  w.advance(HOUR);
  for (const bodyId of [w.bodyId, other]) {
    const r = w.no('aud', interference(bodyId));
    t.equal(r.code, 'ROLE_NOT_ALLOWED');
    t.equal(r.rule, 'P15');
  }
});

t.test('an auditor is refused every other write, with ROLE_NOT_ALLOWED', async (t) => {
  const w = World.create();
  w.register('aud', 'auditor');
  w.advance(HOUR);
  const meetingId = w.schedule();
  const writes: Record<string, unknown>[] = [
    { type: 'body.create', name: '新班子' },
    {
      type: 'meeting.schedule',
      bodyId: w.bodyId,
      kind: 'leadership',
      title: 'x',
      scheduledStart: w.time + 7 * 24 * HOUR,
    },
    { type: 'meeting.cancel', meetingId, reason: '取消' },
    { type: 'objection.raise', target: { kind: 'meeting', meetingId }, rule: 'P3', text: '异议' },
    { type: 'report.acknowledge', reportId: 'rpt-1-0' },
  ];
  for (const p of writes) t.equal(w.no('aud', p).code, 'ROLE_NOT_ALLOWED', String(p.type));
  t.equal(
    w.no('aud', {
      type: 'objection.raise',
      target: { kind: 'meeting', meetingId },
      rule: 'P3',
      text: 'x',
    }).rule,
    'P14'
  );
});

t.test('an auditor still looks after its own key', async (t) => {
  const w = World.create();
  w.register('aud', 'auditor');
  const d = w.ok('aud', { type: 'key.rotate', principalId: 'aud', newPublicKey: keyOf('aud-2') });
  t.equal(d.principalId, 'aud');
});

t.test('an admin records interference for any body', async (t) => {
  const w = World.create();
  const other = w.ok('admin', { type: 'body.create', name: '另一班子' }).bodyId as string;
  w.advance(HOUR);
  t.ok(w.ok('admin', interference(other)).interferenceId);
  t.ok(w.ok('admin', interference(w.bodyId)).interferenceId);
});
