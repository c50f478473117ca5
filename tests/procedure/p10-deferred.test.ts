// P10 deferred items: back only at a later meeting, linked to the earlier attempt; expiry after
// `deferralExpiryDays`; or escalated to the higher level for a ruling linked to the item.
import t from 'tap';
import { DAY, SHA_B, World, firstVoters, positions } from './helpers/world.js';

function deferred(opts = {}) {
  const w = World.create(opts);
  const m = w.schedule();
  const { itemId } = w.submit(m);
  w.open(m);
  w.deliberate(itemId);
  w.stateAll(
    itemId,
    positions(firstVoters(9), { m1: 'disagree', m2: 'defer', m3: 'disagree', m4: 'defer' })
  );
  w.openVote(itemId);
  return { w, m, itemId };
}

const resubmit = (
  previousItemId: string,
  meetingId: string,
  extra: Record<string, unknown> = {}
) => ({
  type: 'item.resubmit',
  previousItemId,
  meetingId,
  title: '修改后的方案',
  materials: [{ title: '修改稿', sha256: SHA_B }],
  ...extra,
});

t.test('P10', async (t) => {
  t.test(
    'a deferred item comes back at a later meeting, linked to the earlier attempt',
    async (t) => {
      const { w, m, itemId } = deferred();
      const later = w.schedule();
      const d = w.ok('m1', resubmit(itemId, later));
      t.equal(d.previousItemId, itemId);
      t.equal(w.state.items[d.itemId as string]?.previousItemId, itemId);
      t.notOk(w.state.returnable[itemId], 'it left the pool');
      t.equal(w.no('m2', resubmit(itemId, later)).code, 'ITEM_NOT_DEFERRED');
      t.ok(m);
    }
  );

  t.test('never at the same meeting, nor at one scheduled to start earlier', async (t) => {
    const w = World.create();
    const earlier = w.schedule('leadership', 3 * 24);
    const m = w.schedule('leadership', 7 * 24);
    const { itemId } = w.submit(m);
    w.open(m);
    w.close(m);
    const r = w.no('m1', resubmit(itemId, m));
    t.equal(r.code, 'NOT_A_LATER_MEETING');
    t.equal(r.rule, 'P10');
    t.equal(w.no('m1', resubmit(itemId, earlier)).code, 'NOT_A_LATER_MEETING');
  });

  t.test('the submission deadline applies to a resubmission', async (t) => {
    const { w, itemId } = deferred();
    const soon = w.schedule('leadership', 2);
    t.equal(w.no('m1', resubmit(itemId, soon)).code, 'AGENDA_DEADLINE_PASSED');
  });

  t.test(
    'expires after deferralExpiryDays: the last instant is allowed, the next millisecond is not',
    async (t) => {
      for (const late of [0, 1]) {
        const { w, itemId } = deferred({ rulebook: { deferralExpiryDays: 30 } });
        const expiresAt = w.state.returnable[itemId]?.expiresAt ?? 0;
        t.equal(expiresAt, w.time + 30 * DAY);
        const later = w.ok('chair', {
          type: 'meeting.schedule',
          bodyId: w.bodyId,
          kind: 'leadership',
          title: '下次会议',
          scheduledStart: expiresAt + 2 * DAY,
        }).meetingId as string;
        w.time = expiresAt + late;
        if (late === 0)
          w.ok('m1', resubmit(itemId, later)); // still in time on the last instant
        else {
          const r = w.no('m1', resubmit(itemId, later));
          t.equal(r.code, 'DEFERRAL_EXPIRED');
          t.equal(r.rule, 'P10');
        }
      }
    }
  );

  t.test(
    'expired items leave the state and are named in the derived of the next entry',
    async (t) => {
      const { w, itemId } = deferred({ rulebook: { deferralExpiryDays: 1 } });
      w.advance(DAY + 1);
      const d = w.ok('admin', { type: 'body.create', name: '另一班子' });
      t.same(d.expired, [itemId]);
      t.notOk(w.state.returnable[itemId]);
      t.same(w.state.expiryQueue, []);
    }
  );

  t.test('the chair escalates a deferred item; a ruling is registered against it', async (t) => {
    const { w, itemId } = deferred();
    t.equal(
      w.no('m1', { type: 'item.escalate', itemId, reason: '分歧较大' }).code,
      'ROLE_NOT_ALLOWED'
    );
    const d = w.ok('chair', { type: 'item.escalate', itemId, reason: '分歧较大，请求上级裁决' });
    const reports = d.reports as Array<{ kind: string; addressee: string }>;
    t.same(
      reports.map((r) => [r.kind, r.addressee]),
      [['escalation', 'higher_level_organisation']]
    );
    t.ok(w.state.escalated[itemId]);
    t.notOk(w.state.returnable[itemId]);
    t.equal(
      w.no('chair', { type: 'item.escalate', itemId, reason: 'again' }).code,
      'ITEM_NOT_DEFERRED'
    );
    const bad = w.no('admin', {
      type: 'ruling.register',
      target: { kind: 'item', itemId },
      decision: 'upheld',
      text: '裁决',
    });
    t.equal(bad.code, 'RULING_TARGET_INVALID');
    t.equal(
      w.no('chair', {
        type: 'ruling.register',
        target: { kind: 'item', itemId },
        decision: 'approved',
        text: 'x',
      }).code,
      'ROLE_NOT_ALLOWED'
    );
    const r = w.ok('admin', {
      type: 'ruling.register',
      target: { kind: 'item', itemId },
      decision: 'approved',
      text: '同意实施',
    });
    t.same([r.itemId, r.decision], [itemId, 'approved']);
    t.notOk(w.state.escalated[itemId]);
    t.equal(
      w.no('admin', {
        type: 'ruling.register',
        target: { kind: 'item', itemId },
        decision: 'approved',
        text: 'x',
      }).code,
      'RULING_TARGET_INVALID'
    );
  });

  t.test(
    'a ruling that returns the item puts it back in the pool for a later meeting',
    async (t) => {
      const { w, itemId } = deferred();
      w.ok('chair', { type: 'item.escalate', itemId, reason: '请求裁决' });
      const r = w.ok('admin', {
        type: 'ruling.register',
        target: { kind: 'item', itemId },
        decision: 'returned',
        text: '退回重议',
      });
      t.ok(r.expiresAt);
      t.equal(w.state.returnable[itemId]?.reason, 'returned');
      w.ok('m1', resubmit(itemId, w.schedule()));
    }
  );

  t.test('refuses escalating an item that is not deferred', async (t) => {
    const w = World.create();
    const m = w.schedule();
    const { itemId } = w.submit(m);
    t.equal(
      w.no('chair', { type: 'item.escalate', itemId, reason: 'x' }).code,
      'ITEM_NOT_DEFERRED'
    );
  });

  t.test('items not concluded when the meeting closes are deferred', async (t) => {
    const w = World.create();
    const m = w.schedule();
    const a = w.submit(m).itemId;
    const b = w.submit(m, 'routine').itemId;
    w.open(m);
    w.deliberate(a);
    const d = w.close(m);
    t.same(d.deferred, [a, b]);
    t.equal(w.state.items[a]?.outcome?.basis, 'not_concluded');
    t.ok(w.state.returnable[b]);
  });

  t.test('a resubmitted cadre item keeps its candidate and post', async (t) => {
    const w = World.create();
    const m = w.schedule();
    const { itemId } = w.submit(m, 'cadre_appointment');
    w.open(m);
    w.close(m);
    const later = w.schedule();
    const r = w.no(
      'm1',
      resubmit(itemId, later, { candidate: { name: '候选人乙' }, post: '某局局长' })
    );
    t.equal(r.code, 'RESUBMISSION_CHANGES_MATTER');
    t.ok(
      w.ok('m1', resubmit(itemId, later, { candidate: { name: '候选人甲' }, post: '某局局长' }))
    );
  });
});
