/**
 * Every command of the procedure engine accepted at least once over HTTP, in flows the e2e suite
 * does not walk: a secret ballot with receipts and the scrutineers' tally, a show of hands on an
 * urgent item, a reconsideration motion, an accepted defer statement escalated and returned by a
 * ruling then resubmitted at a later meeting, withdrawal and cancellation, errata, and the
 * administration of principals, keys and rulebooks.
 */
import t from 'tap';
import { base64Encode, generateSecretKey, getPublicKey, sign, signingMessage } from '@yishi/crypto';
import { COMMAND_TYPES } from '@yishi/schema';
import { HOUR, SHA_A, SHA_B, ServiceWorld, VOTERS } from './helpers/service-world.js';

const w = await ServiceWorld.create(t, { rateLimitPerMinute: 100_000 });
await w.populate();
const A = w.bodyId;
const present = VOTERS.filter((v) => v !== 'm8');

t.test('administration: rulebooks, roles, suspension, keys, memberships', async (t) => {
  const rb = await w.ok('admin', {
    type: 'rulebook.set',
    bodyId: w.otherBodyId,
    params: { agendaLeadHours: 48 },
  });
  t.equal(rb.rulebookVersion, 2);
  await w.ok('admin', { type: 'principal.update_role', principalId: 'm8', role: 'member' });
  await w.ok('admin', { type: 'member.suspend', principalId: 'm8', reason: '停职检查' });
  t.equal((await w.get('/principals/me', 'm8')).json().code, 'PRINCIPAL_SUSPENDED');
  await w.ok('admin', { type: 'member.reinstate', principalId: 'm8' });
  t.equal((await w.get('/principals/me', 'm8')).statusCode, 200);
  const next = generateSecretKey();
  await w.ok('m7', {
    type: 'key.rotate',
    principalId: 'm7',
    newPublicKey: base64Encode(getPublicKey(next)),
  });
  w.keys['m7'] = next;
  // An admin resets m6's key (the ceremony made it on m6's device); m6 confirms it with the old.
  const previous = w.keys['m6'] as Uint8Array;
  const reset = generateSecretKey();
  const r = await w.ok('admin', {
    type: 'key.rotate',
    principalId: 'm6',
    newPublicKey: base64Encode(getPublicKey(reset)),
  });
  t.equal(r.setByAdmin, 'admin');
  w.keys['m6'] = reset;
  const c = await w.ok('m6', {
    type: 'key.confirm',
    principalId: 'm6',
    previousPublicKey: base64Encode(getPublicKey(previous)),
    previousSignature: base64Encode(
      sign(
        signingMessage('yishi/key-confirm/v1', {
          ledgerId: w.store.ledgerId,
          principalId: 'm6',
          newPublicKey: base64Encode(getPublicKey(reset)),
        }),
        previous
      )
    ),
  });
  t.equal(c.confirmedKey, base64Encode(getPublicKey(reset)));
  await w.register('aux', 'auditor', null);
  await w.ok('admin', { type: 'key.revoke', publicKey: w.publicKey('aux'), reason: '设备遗失' });
  await w.ok('admin', { type: 'auditor.appoint', principalId: 'aud2', bodyIds: [w.otherBodyId] });
  await w.register('temp', 'member', w.otherBodyId);
  await w.ok('admin', { type: 'membership.end', principalId: 'temp', reason: '调离' });
  t.equal((await w.get('/principals/me', 'temp')).json().code, 'PRINCIPAL_INACTIVE');
});

let M1 = '';
let X = { itemId: '', digest: '' };
let Y = { itemId: '', digest: '' };
let Z = { itemId: '', digest: '' };

t.test('agenda: a cadre item 72 h ahead, withdrawal, cancellation', async (t) => {
  const M0 = await w.schedule(48);
  const cancelled = await w.ok('chair', { type: 'meeting.cancel', meetingId: M0, reason: '改期' });
  t.same(cancelled.withdrawn, []);
  M1 = await w.schedule(96);
  const x = await w.ok('m1', {
    type: 'item.submit',
    meetingId: M1,
    category: 'cadre_appointment',
    title: '关于某局局长人选的议题',
    candidate: { name: '候选人甲' },
    post: '某局局长',
    materials: [{ title: '考察材料', sha256: SHA_A }],
  });
  X = { itemId: x.itemId, digest: x.materialsDigest };
  Y = await w.submit(M1, 'm2', 'routine');
  Z = await w.submit(M1, 'm3', 'major_decision');
  const W = await w.submit(M1, 'm4', 'routine');
  await w.ok('m4', { type: 'item.withdraw', itemId: W.itemId, reason: '材料需补充' });
  await w.ok('chair', {
    type: 'item.recuse',
    itemId: Z.itemId,
    principalId: 'm5',
    reason: '利害关系',
  });
  const listed = await w.get(`/bodies/${A}/meetings`, 'm1');
  t.match(listed.json(), [
    { meetingId: M0, state: 'cancelled' },
    { meetingId: M1, state: 'scheduled' },
  ]);
});

t.test('a secret ballot: receipts, the scrutineers sign the same tally (P9)', async (t) => {
  const start = w.app.pipeline.state.meetings[M1]?.scheduledStart as number;
  await w.open(M1, start, present);
  await w.ok('chair', { type: 'item.deliberate', itemId: X.itemId });
  for (const id of [...present.slice(1), 'chair']) {
    await w.ok(id, {
      type: 'statement.record',
      itemId: X.itemId,
      materialsDigest: X.digest,
      position: 'agree',
    });
  }
  const open = await w.ok('chair', {
    type: 'vote.open',
    itemId: X.itemId,
    materialsDigest: X.digest,
    scrutineers: ['m1', 'm2'],
  });
  t.equal(open.method, 'secret', 'the cadre default');
  for (const id of present) {
    await w.ok(id, {
      type: 'ballot.receipt',
      itemId: X.itemId,
      materialsDigest: X.digest,
      receipt: 'e'.repeat(63) + String(present.indexOf(id)),
    });
  }
  const wrong = await w.send('m2', {
    type: 'tally.sign',
    itemId: X.itemId,
    for: 7,
    against: 0,
    abstain: 0,
  });
  t.match(wrong.json(), { code: 'TALLY_INVALID', rule: 'P9' });
  for (const s of ['m1', 'm2']) {
    await w.ok(s, { type: 'tally.sign', itemId: X.itemId, for: 7, against: 1, abstain: 0 });
  }
  const closed = await w.ok('chair', { type: 'vote.close', itemId: X.itemId });
  t.match(closed, { result: 'adopted', counts: { for: 7, against: 1 } });
  const record = (await w.get(`/meetings/${M1}/record`, 'aud')).json().record;
  const x = record.items.find((i: { itemId: string }) => i.itemId === X.itemId);
  t.equal(x.vote.ballots, null, 'no per-member choice of a secret ballot');
  t.equal(x.vote.receipts.length, 8);
  t.match(x.vote.tally, { for: 7, against: 1, signedBy: ['m1', 'm2'] });
});

t.test('an urgent item by show of hands, then a reconsideration motion (P8, P12)', async (t) => {
  await w.ok('chair', {
    type: 'item.mark_urgent',
    itemId: Y.itemId,
    justification: '防汛时限紧迫',
  });
  await w.ok('chair', { type: 'item.deliberate', itemId: Y.itemId });
  for (const id of [...present.slice(1), 'chair']) {
    await w.ok(id, {
      type: 'statement.record',
      itemId: Y.itemId,
      materialsDigest: Y.digest,
      position: 'agree',
    });
  }
  await w.ok('chair', {
    type: 'vote.open',
    itemId: Y.itemId,
    materialsDigest: Y.digest,
    method: 'show_of_hands',
  });
  // Two different votes by one member at the same moment: one entry, the other refused.
  const size = w.size;
  const [a, b] = await Promise.all(
    (['for', 'against'] as const).map((choice) =>
      w.send('m1', { type: 'vote.cast', itemId: Y.itemId, materialsDigest: Y.digest, choice })
    )
  );
  t.same([a?.statusCode, b?.statusCode].sort(), [201, 409]);
  t.equal((a?.statusCode === 409 ? a : b)?.json().code, 'ALREADY_VOTED');
  t.equal(w.size, size + 1);
  for (const id of present.filter((v) => v !== 'm1')) {
    await w.ok(id, {
      type: 'vote.cast',
      itemId: Y.itemId,
      materialsDigest: Y.digest,
      choice: 'for',
    });
  }
  t.match(await w.ok('chair', { type: 'vote.close', itemId: Y.itemId }), { result: 'adopted' });
  const motion = await w.ok('m3', {
    type: 'reconsideration.open',
    meetingId: M1,
    itemId: Y.itemId,
    reason: '情况发生变化',
  });
  for (const id of present) {
    await w.ok(id, { type: 'reconsideration.vote', motionId: motion.motionId, choice: 'against' });
  }
  const closed = await w.ok('chair', { type: 'reconsideration.close', motionId: motion.motionId });
  t.match(closed, { result: 'not_reopened', rule: 'P12' });
});

t.test('a defer statement accepted, escalated, returned by a ruling (P8, P10, P13)', async (t) => {
  await w.ok('m8', {
    type: 'opinion.submit',
    itemId: Z.itemId,
    materialsDigest: Z.digest,
    position: 'defer',
    text: '建议补充调研后再议。',
  });
  await w.ok('chair', { type: 'item.deliberate', itemId: Z.itemId });
  await w.ok('m1', {
    type: 'statement.record',
    itemId: Z.itemId,
    materialsDigest: Z.digest,
    position: 'defer',
    reasons: '关键情况不清',
  });
  const deferred = await w.ok('chair', {
    type: 'item.defer',
    itemId: Z.itemId,
    statementBy: 'm1',
    reason: '关键事实需进一步核实',
  });
  t.match(deferred, { result: 'deferred', rule: 'P8', basis: 'defer_accepted' });
  const escalated = await w.ok('chair', {
    type: 'item.escalate',
    itemId: Z.itemId,
    reason: '请求上级裁决',
  });
  t.match(escalated.reports, [{ kind: 'escalation' }]);
  const ruling = await w.ok('admin', {
    type: 'ruling.register',
    target: { kind: 'item', itemId: Z.itemId },
    decision: 'returned',
    text: '退回重新研究后提交',
  });
  t.equal(ruling.decision, 'returned');
  const ack = await w.ok('admin', {
    type: 'report.acknowledge',
    reportId: escalated.reports[0].reportId,
  });
  t.equal(ack.reportId, escalated.reports[0].reportId);
});

t.test(
  'attendance changes, an objection corrected, interference, close, sign, errata',
  async (t) => {
    await w.ok('rec', {
      type: 'meeting.depart',
      meetingId: M1,
      principalId: 'm4',
      reason: '临时公务',
    });
    await w.ok('m4', { type: 'meeting.arrive', meetingId: M1, principalId: 'm4' });
    const o = await w.ok('disc', {
      type: 'objection.raise',
      target: { kind: 'meeting', meetingId: M1 },
      rule: 'P4',
      text: '出席情况记录不全',
    });
    const answer = await w.ok('chair', {
      type: 'objection.answer',
      objectionId: o.objectionId,
      answer: 'corrected',
      reasons: '已补记',
    });
    t.equal(answer.escalated, false);
    await w.ok('att', {
      type: 'interference.record',
      bodyId: A,
      who: { name: '某人', post: '某公司经理', relation: 'relative', leaderName: '某领导' },
      matter: { category: 'construction', text: '为亲属承揽工程说情' },
      form: 'message_passed',
      occurredAt: w.now - 2 * HOUR,
    });
    const interference = await w.get(`/bodies/${A}/interference`, 'disc');
    t.match(interference.json(), [{ recordedBy: 'att', subject: { form: 'message_passed' } }]);
    const closed = await w.ok('rec', { type: 'meeting.close', meetingId: M1 });
    for (const who of ['rec', 'chair']) {
      await w.ok(who, { type: 'record.sign', meetingId: M1, recordDigest: closed.recordDigest });
    }
    const erratum = await w.ok('rec', {
      type: 'erratum.record',
      meetingId: M1,
      correctsSeq: w.size - 3,
      text: '出席记录更正：m4 离席时间应为 10:05',
    });
    t.equal(erratum.recordDigest, closed.recordDigest);
    const summary = await w.get(`/meetings/${M1}`, 'm2');
    t.equal(summary.json().state, 'archived');
  }
);

t.test('the returned item comes back at a later meeting (P10)', async (t) => {
  const M2 = await w.schedule(7 * 24);
  const same = await w.send('m1', {
    type: 'item.resubmit',
    previousItemId: Z.itemId,
    meetingId: M1,
    title: '补充调研后的议题',
    materials: [{ title: '调研报告', sha256: SHA_B }],
  });
  t.equal(same.statusCode >= 400, true, 'never the same meeting');
  const again = await w.ok('m1', {
    type: 'item.resubmit',
    previousItemId: Z.itemId,
    meetingId: M2,
    title: '补充调研后的议题',
    materials: [{ title: '调研报告', sha256: SHA_B }],
  });
  t.equal(again.previousItemId, Z.itemId);
});

t.test('every command type of the engine was accepted over HTTP', async (t) => {
  const seen = new Set<string>();
  for (const { entry } of w.store.iterateEntries()) seen.add(entry.command.payload.type);
  t.same([...seen].sort(), [...COMMAND_TYPES].sort());
});

t.test('readiness: the ledger replays and commands are accepted', async (t) => {
  const ready = await w.app.inject('/ready');
  t.equal(ready.statusCode, 200);
  t.same(ready.json(), { status: 'ready', size: w.size });
});
