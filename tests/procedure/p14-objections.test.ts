// P14 objections: the discipline role (and any voting member) may raise a procedural objection on a
// meeting or an item at any time, citing the rule; the chair answers corrected or rejected with
// reasons; a rejected objection, or one unanswered when the meeting closes, is escalated.
import t from 'tap';
import type { Report } from '@yishi/procedure';
import { World } from './helpers/world.js';

const raise = (target: Record<string, unknown>, rule = 'P7') => ({
  type: 'objection.raise',
  target,
  rule,
  text: '主要负责人未末位表态',
});

t.test('P14', async (t) => {
  t.test('the discipline role and voting members raise objections; others do not', async (t) => {
    const w = World.create();
    const m = w.schedule();
    const { itemId } = w.submit(m);
    t.ok(w.ok('disc', raise({ kind: 'meeting', meetingId: m })).objectionId);
    t.ok(w.ok('m3', raise({ kind: 'item', itemId }, 'P3')).objectionId);
    t.equal(w.no('att', raise({ kind: 'item', itemId })).code, 'ROLE_NOT_ALLOWED');
    t.equal(w.no('rec', raise({ kind: 'item', itemId })).code, 'ROLE_NOT_ALLOWED');
    t.equal(w.no('m3', raise({ kind: 'item', itemId }, 'P17')).code, 'MALFORMED_COMMAND');
    t.equal(
      w.no('m3', raise({ kind: 'meeting', meetingId: 'mtg-424242' })).code,
      'UNKNOWN_MEETING'
    );
  });

  t.test(
    'a corrected objection is settled; a rejected one is escalated to the discipline commission',
    async (t) => {
      const w = World.create();
      const m = w.schedule();
      const a = w.ok('disc', raise({ kind: 'meeting', meetingId: m })).objectionId as string;
      const b = w.ok('disc', raise({ kind: 'meeting', meetingId: m }, 'P3')).objectionId as string;
      const answer = (objectionId: string, ans: string) => ({
        type: 'objection.answer',
        objectionId,
        answer: ans,
        reasons: '已按规定纠正',
      });
      t.equal(w.no('m1', answer(a, 'corrected')).code, 'ROLE_NOT_ALLOWED');
      const c = w.ok('chair', answer(a, 'corrected'));
      t.same([c.escalated, c.reports], [false, []]);
      const r = w.ok('chair', answer(b, 'rejected'));
      t.equal(r.escalated, true);
      t.match((r.reports as Report[])[0], {
        kind: 'objection',
        addressee: 'higher_level_discipline_commission',
        subject: { objectionId: b, rule: 'P3', why: 'rejected' },
      });
      const again = w.no('chair', answer(a, 'rejected'));
      t.equal(again.code, 'OBJECTION_NOT_OPEN');
      t.equal(again.rule, 'P14');
    }
  );

  t.test('an objection unanswered when the meeting closes is escalated', async (t) => {
    const w = World.create();
    const m = w.schedule();
    w.open(m);
    const id = w.ok('disc', raise({ kind: 'meeting', meetingId: m })).objectionId as string;
    const d = w.close(m);
    t.same(d.objectionsEscalated, [id]);
    t.equal(w.state.objections[id]?.escalation?.why, 'unanswered_at_close');
  });

  t.test('an objection raised after the meeting closed is escalated at once', async (t) => {
    const w = World.create();
    const m = w.schedule();
    w.open(m);
    w.close(m);
    const d = w.ok('disc', raise({ kind: 'meeting', meetingId: m }, 'P16'));
    t.equal(d.escalated, true);
  });

  t.test(
    'the higher level rules on an escalated objection; the ruling survives archival',
    async (t) => {
      const w = World.create();
      const m = w.schedule();
      w.open(m);
      const id = w.ok('disc', raise({ kind: 'meeting', meetingId: m })).objectionId as string;
      w.close(m);
      const digest = w.state.meetings[m]?.recordDigest ?? '';
      w.ok('rec', { type: 'record.sign', meetingId: m, recordDigest: digest });
      w.ok('chair', { type: 'record.sign', meetingId: m, recordDigest: digest });
      t.ok(w.state.objections[id], 'kept until ruled');
      const bad = w.no('admin', {
        type: 'ruling.register',
        target: { kind: 'objection', objectionId: id },
        decision: 'approved',
        text: 'x',
      });
      t.equal(bad.code, 'RULING_TARGET_INVALID');
      w.ok('admin', {
        type: 'ruling.register',
        target: { kind: 'objection', objectionId: id },
        decision: 'upheld',
        text: '异议成立，责令纠正',
      });
      t.notOk(w.state.objections[id]);
    }
  );

  t.test('a member of another body cannot object', async (t) => {
    const w = World.create();
    const m = w.schedule();
    const other = w.ok('admin', { type: 'body.create', name: '另一党组' }).bodyId as string;
    w.register('x1', 'discipline', '外单位纪检', false, other);
    t.equal(w.no('x1', raise({ kind: 'meeting', meetingId: m })).code, 'NOT_A_MEMBER_OF_BODY');
  });
});
