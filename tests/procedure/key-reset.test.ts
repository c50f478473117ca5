// A key set by someone else is visible (issue 13): an admin may reset a member's key, but what
// that key signs is flagged in `derived` until the member confirms it with the key it replaced.
import t from 'tap';
import { base64Encode, sha256, sign, signingMessage, utf8Encode } from '@yishi/crypto';
import {
  buildMinutes,
  buildRecord,
  renderMinutesMarkdown,
  renderRecordMarkdown,
  type Report,
} from '@yishi/procedure';
import { HOUR, keyOf, World } from './helpers/world.js';

const secretOf = (name: string) => sha256(utf8Encode(`test-key:${name}`));

function confirmation(w: World, principalId: string, previous: string, signedBy = previous) {
  const message = signingMessage('yishi/key-confirm/v1', {
    ledgerId: 'test-ledger',
    principalId,
    newPublicKey: w.keys[principalId],
  });
  return {
    type: 'key.confirm',
    principalId,
    previousPublicKey: keyOf(previous),
    previousSignature: base64Encode(sign(message, secretOf(signedBy))),
  };
}

function resetM1(w: World) {
  const d = w.ok('admin', {
    type: 'key.rotate',
    principalId: 'm1',
    newPublicKey: keyOf('m1-admin'),
  });
  w.keys.m1 = keyOf('m1-admin');
  return d;
}

t.test('an admin reset is marked, reported and flags what the key signs', async (t) => {
  const w = World.create();
  const d = resetM1(w);
  t.equal(d.setByAdmin, 'admin');
  t.same(d.deliverTo, ['disc']);
  const rep = (d.reports as Report[])[0];
  t.match(rep, {
    kind: 'key_reset',
    bodyId: w.bodyId,
    subject: { principalId: 'm1', setBy: 'admin' },
  });
  t.same(rep?.readableBy, ['discipline', 'admin', 'auditor']);
  const resetSeq = w.state.seq;
  const meetingId = w.schedule();
  const item = w.ok('m1', {
    type: 'item.submit',
    meetingId,
    category: 'routine',
    title: '一般事项',
    materials: [{ title: '说明', sha256: 'b'.repeat(64) }],
  });
  t.same(item.keySetByAdmin, { by: 'admin', resetSeq });
  const mine = w.ok('m2', {
    type: 'item.submit',
    meetingId,
    category: 'routine',
    title: '另一事项',
    materials: [{ title: '说明', sha256: 'b'.repeat(64) }],
  });
  t.equal(mine.keySetByAdmin, undefined, 'another member is not flagged');
});

t.test('a self-rotation by the holder of a reset key does not end the flagging', async (t) => {
  const w = World.create();
  resetM1(w);
  w.ok('m1', { type: 'key.rotate', principalId: 'm1', newPublicKey: keyOf('m1-again') });
  w.keys.m1 = keyOf('m1-again');
  const d = w.ok('m1', { type: 'key.rotate', principalId: 'm1', newPublicKey: keyOf('m1-third') });
  t.ok(d.keySetByAdmin);
});

t.test(
  'confirmation by the previous key ends the flagging; anything else is refused',
  async (t) => {
    const w = World.create();
    resetM1(w);
    t.equal(w.no('m1', confirmation(w, 'm1', 'm2')).code, 'KEY_CONFIRMATION_INVALID');
    t.equal(w.no('m1', confirmation(w, 'm1', 'm1', 'm2')).code, 'KEY_CONFIRMATION_INVALID');
    t.equal(w.no('m2', confirmation(w, 'm2', 'm2')).code, 'KEY_NOT_RESET');
    t.equal(w.no('admin', confirmation(w, 'm1', 'm1')).code, 'ROLE_NOT_ALLOWED');
    const c = w.ok('m1', confirmation(w, 'm1', 'm1'));
    t.equal(c.confirmedKey, keyOf('m1-admin'));
    t.equal(c.keySetByAdmin, undefined);
    w.advance(HOUR);
    const meetingId = w.schedule();
    const after = w.ok('m1', {
      type: 'item.submit',
      meetingId,
      category: 'routine',
      title: '一般事项',
      materials: [{ title: '说明', sha256: 'b'.repeat(64) }],
    });
    t.equal(after.keySetByAdmin, undefined, 'no longer flagged');
    t.equal(w.no('m1', confirmation(w, 'm1', 'm1')).code, 'KEY_NOT_RESET', 'once only');
  }
);

t.test('the record flags statements and votes made with a reset key', async (t) => {
  const w = World.create();
  const meetingId = w.schedule();
  const itemId = w.ok('m1', {
    type: 'item.submit',
    meetingId,
    category: 'routine',
    title: '一般事项',
    materials: [{ title: '说明', sha256: 'b'.repeat(64) }],
  }).itemId as string;
  resetM1(w);
  w.advance(7 * 24 * HOUR);
  w.open(meetingId);
  w.deliberate(itemId);
  const all = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'chair'];
  w.stateAll(itemId, Object.fromEntries(all.map((id) => [id, 'agree' as const])));
  w.openVote(itemId);
  w.castAll(itemId, Object.fromEntries(all.map((id) => [id, 'for' as const])));
  w.closeVote(itemId);
  const record = buildRecord(w.state, meetingId);
  const item = record.items[0];
  const flagged = item?.statements.filter((s) => 'keySetByAdmin' in s) ?? [];
  t.same(
    flagged.map((s) => s.principalId),
    ['m1']
  );
  const votes = item?.vote?.ballots?.filter((v) => 'keySetByAdmin' in v) ?? [];
  t.same(
    votes.map((v) => v.principalId),
    ['m1']
  );
  t.same(
    (record.keySetByAdmin ?? []).map((f) => f.kind),
    ['statement', 'vote']
  );
  const minutes = buildMinutes(record);
  t.same(
    minutes.keySetByAdmin?.map((x) => x.seq),
    record.keySetByAdmin?.map((x) => x.seq)
  );
  t.match(renderMinutesMarkdown(minutes), /该签名使用的密钥由管理员（admin）重置/);
  t.match(renderRecordMarkdown(record), /该签名使用的密钥由管理员（admin）重置/);
});

t.test('a record without a reset key carries no mark', async (t) => {
  const w = World.create();
  const meetingId = w.schedule();
  const record = buildRecord(w.state, meetingId);
  t.notOk('keySetByAdmin' in record);
  t.notOk('keySetByAdmin' in buildMinutes(record));
});

t.test('yishi audit lists each reset-key entry as a notice', async (t) => {
  const { LedgerAuditor } = await import('@yishi/verify');
  const { describeAudit } = await import('@yishi/service/internal');
  const w = World.create();
  resetM1(w);
  const resetSeq = w.state.seq;
  const meetingId = w.schedule();
  const itemId = w.ok('m1', {
    type: 'item.submit',
    meetingId,
    category: 'routine',
    title: '一般事项',
    materials: [{ title: '说明', sha256: 'b'.repeat(64) }],
  }).itemId as string;
  const scheduledSeq = w.state.seq;
  w.ok('m1', confirmation(w, 'm1', 'm1'));
  const confirmSeq = w.state.seq;
  w.ok('m1', { type: 'item.withdraw', itemId, reason: '撤回' });
  const auditor = new LedgerAuditor();
  for (const e of w.entries) auditor.addEntry(e);
  const report = auditor.finish();
  t.same(report.findings, [], 'replay finds nothing: notices are no findings');
  t.same(
    report.notices.map((n) => [n.seq, n.code, n.principalId]),
    [
      [resetSeq, 'KEY_SET_BY_ADMIN', 'm1'],
      [scheduledSeq, 'SIGNED_WITH_RESET_KEY', 'm1'],
      [confirmSeq, 'KEY_CONFIRMED', 'm1'],
    ]
  );
  const text = describeAudit(report);
  t.match(text, new RegExp(`notice: +entry ${scheduledSeq}: SIGNED_WITH_RESET_KEY item.submit`));
  t.match(
    text,
    new RegExp(`notice: +entry ${resetSeq}: KEY_SET_BY_ADMIN key.rotate principal=m1 by=admin`)
  );
});
