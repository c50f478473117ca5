// P3 agenda submission: deadlines (24 h, cadre 72 h, discipline notice), materials, no ad-hoc
// motions once the meeting is open, the meeting opens at its scheduled start.
import t from 'tap';
import { HOUR, SHA_A, World, keyOf } from './helpers/world.js';

const item = (
  meetingId: string,
  category = 'major_decision',
  extra: Record<string, unknown> = {}
) => ({
  type: 'item.submit',
  meetingId,
  category,
  title: '议题',
  materials: [{ title: '请示', sha256: SHA_A }],
  ...(category === 'cadre_appointment' ? { candidate: { name: '甲' }, post: '局长' } : {}),
  ...extra,
});

t.test('P3', async (t) => {
  t.test(
    'accepts an item exactly 24 hours before the start and refuses one a millisecond later',
    async (t) => {
      const w = World.create();
      const m = w.schedule('leadership', 48);
      w.advance(24 * HOUR);
      t.ok(w.ok('m1', item(m)).itemId);
      w.advance(1);
      const r = w.no('m1', item(m));
      t.equal(r.code, 'AGENDA_DEADLINE_PASSED');
      t.equal(r.rule, 'P3');
      t.match(r.details, { leadHours: 24 });
    }
  );

  t.test('cadre items need 72 hours', async (t) => {
    const w = World.create();
    const m = w.schedule('leadership', 100);
    w.advance(28 * HOUR);
    t.ok(w.ok('m1', item(m, 'cadre_appointment')).itemId, 'exactly 72 h ahead');
    w.advance(1);
    const r = w.no('m2', item(m, 'cadre_appointment', { candidate: { name: '乙' } }));
    t.equal(r.code, 'AGENDA_DEADLINE_PASSED');
    t.match(r.details, { leadHours: 72 });
  });

  t.test(
    'the discipline notice period holds for major items even when the agenda lead is shorter',
    async (t) => {
      const w = World.create({ rulebook: { agendaLeadHours: 12, disciplineNoticeHours: 24 } });
      const m = w.schedule('leadership', 20);
      const r = w.no('m1', item(m));
      t.equal(r.code, 'AGENDA_DEADLINE_PASSED');
      t.match(r.details, { leadHours: 24 });
      t.ok(w.ok('m1', item(m, 'routine')).itemId, 'routine items follow the 12 h lead');
    }
  );

  t.test('the discipline role is notified of major items, not of routine ones', async (t) => {
    const w = World.create();
    const m = w.schedule();
    t.same(w.ok('m1', item(m)).notify, ['disc']);
    t.same(w.ok('m1', item(m, 'routine')).notify, []);
  });

  t.test('refuses an item without materials or with a malformed digest', async (t) => {
    const w = World.create();
    const m = w.schedule();
    t.equal(w.no('m1', item(m, 'routine', { materials: [] })).code, 'MALFORMED_COMMAND');
    t.equal(
      w.no('m1', item(m, 'routine', { materials: [{ title: 'x', sha256: 'XYZ' }] })).code,
      'MALFORMED_COMMAND'
    );
  });

  t.test(
    'refuses ad-hoc motions once the meeting is open, major or routine, by default',
    async (t) => {
      const w = World.create();
      const m = w.schedule();
      w.open(m);
      for (const c of ['major_decision', 'cadre_appointment', 'routine']) {
        const r = w.no('m1', item(m, c));
        t.equal(r.code, 'ADHOC_MOTION_REFUSED', c);
        t.equal(r.rule, 'P3');
      }
    }
  );

  t.test(
    'with allowAdhocRoutine, a routine item may be added once open or late, never a major one',
    async (t) => {
      const w = World.create({ rulebook: { allowAdhocRoutine: true } });
      const m = w.schedule('leadership', 10);
      const late = w.ok('m1', item(m, 'routine'));
      t.equal(late.adhoc, true);
      t.equal(w.no('m1', item(m)).code, 'AGENDA_DEADLINE_PASSED');
      w.open(m);
      const d = w.ok('m1', item(m, 'routine'));
      t.equal(d.adhoc, true);
      t.equal(w.state.items[d.itemId as string]?.state, 'on_agenda');
      t.equal(w.no('m1', item(m)).code, 'ADHOC_MOTION_REFUSED');
    }
  );

  t.test('refuses opening a meeting before its scheduled start', async (t) => {
    const w = World.create();
    const m = w.schedule('leadership', 24);
    w.advance(24 * HOUR - 1);
    const r = w.no('chair', {
      type: 'meeting.open',
      meetingId: m,
      present: ['chair'],
      absent: [],
      attendees: [],
    });
    t.equal(r.code, 'MEETING_NOT_STARTED');
    t.equal(r.rule, 'P3');
  });

  t.test('refuses scheduling a meeting in the past', async (t) => {
    const w = World.create();
    const r = w.no('chair', {
      type: 'meeting.schedule',
      bodyId: w.bodyId,
      kind: 'leadership',
      title: 'x',
      scheduledStart: w.time,
    });
    t.equal(r.code, 'SCHEDULE_IN_PAST');
  });

  t.test('submitted items go on the agenda when the meeting opens', async (t) => {
    const w = World.create();
    const m = w.schedule();
    const a = w.submit(m).itemId;
    const b = w.submit(m, 'routine').itemId;
    const d = w.open(m);
    t.same(d.agenda, [a, b]);
    t.equal(w.state.items[a]?.state, 'on_agenda');
  });

  t.test('refuses items from non-voting roles, another body, or to a closed meeting', async (t) => {
    const w = World.create();
    const m = w.schedule();
    t.equal(w.no('att', item(m)).code, 'NOT_VOTING_MEMBER');
    t.equal(w.no('rec', item(m)).code, 'NOT_VOTING_MEMBER');
    t.equal(w.no('disc', item(m)).code, 'NOT_VOTING_MEMBER');
    const other = w.ok('admin', { type: 'body.create', name: '另一党组' }).bodyId as string;
    w.register('x1', 'member', '外单位成员', undefined, other);
    t.equal(w.no('x1', item(m)).code, 'NOT_A_MEMBER_OF_BODY');
    t.equal(w.no('admin', item(m)).code, 'NOT_A_MEMBER_OF_BODY');
    w.open(m);
    w.close(m);
    t.equal(w.no('m1', item(m, 'routine')).code, 'MEETING_CLOSED');
    t.equal(w.no('m1', item('mtg-999999')).code, 'UNKNOWN_MEETING');
  });

  t.test(
    'the submitter or the chair may withdraw an item before deliberation, nobody after',
    async (t) => {
      const w = World.create();
      const m = w.schedule();
      const a = w.submit(m).itemId;
      const b = w.submit(m).itemId;
      t.equal(
        w.no('m2', { type: 'item.withdraw', itemId: a, reason: '撤回' }).code,
        'ROLE_NOT_ALLOWED'
      );
      t.equal(w.ok('m1', { type: 'item.withdraw', itemId: a, reason: '撤回' }).result, 'withdrawn');
      t.equal(
        w.no('m1', { type: 'item.withdraw', itemId: a, reason: '再撤' }).code,
        'ITEM_NOT_PENDING'
      );
      w.open(m);
      w.deliberate(b);
      t.equal(
        w.no('chair', { type: 'item.withdraw', itemId: b, reason: '撤回' }).code,
        'ITEM_NOT_PENDING'
      );
    }
  );

  t.test(
    'the chair may cancel a meeting that has not opened; its items are withdrawn',
    async (t) => {
      const w = World.create();
      const m = w.schedule();
      const a = w.submit(m).itemId;
      t.equal(
        w.no('m1', { type: 'meeting.cancel', meetingId: m, reason: '改期' }).code,
        'ROLE_NOT_ALLOWED'
      );
      const d = w.ok('chair', { type: 'meeting.cancel', meetingId: m, reason: '改期' });
      t.same(d.withdrawn, [a]);
      t.notOk(w.state.meetings[m]);
      t.notOk(w.state.items[a]);
    }
  );

  t.test('refuses cancelling an open meeting', async (t) => {
    const w = World.create();
    const m = w.schedule();
    w.open(m);
    t.equal(
      w.no('chair', { type: 'meeting.cancel', meetingId: m, reason: 'x' }).code,
      'MEETING_NOT_SCHEDULED'
    );
  });

  t.test('the chair or the recorder schedules; members and attendees do not', async (t) => {
    const w = World.create();
    t.ok(w.schedule('leadership', 48, 'rec'));
    for (const who of ['m1', 'att', 'disc']) {
      const r = w.no(who, {
        type: 'meeting.schedule',
        bodyId: w.bodyId,
        kind: 'leadership',
        title: 'x',
        scheduledStart: w.time + 48 * HOUR,
      });
      t.equal(r.code, 'ROLE_NOT_ALLOWED', who);
    }
    t.equal(keyOf('x').length, 44);
  });
});
