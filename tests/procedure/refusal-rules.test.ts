// Every refusal a rule causes carries that rule, the same for a code and a command whichever check
// refused: ROLE_NOT_ALLOWED and NOT_A_MEMBER_OF_BODY under the command's rule (ACTOR_RULES),
// NOT_PRESENT under P7 for a statement and P5 for a vote (PRESENCE_RULES).
import t from 'tap';
import { ACTOR_RULES, PRESENCE_RULES, RULES, rulesOfCode } from '@yishi/procedure';
import { World, firstVoters, positions } from './helpers/world.js';

function meetingWithItem() {
  const w = World.create();
  w.register('aud', 'auditor', '审计员');
  w.register(
    'outsider',
    'member',
    '外人',
    undefined,
    w.ok('admin', { type: 'body.create', name: '某县委常委会' }).bodyId as string
  );
  const m = w.schedule();
  const { itemId, digest } = w.submit(m);
  return { w, m, itemId, digest };
}

t.test('ROLE_NOT_ALLOWED carries the command’s rule, whoever is refused', async (t) => {
  const { w, m, itemId, digest } = meetingWithItem();
  const cases: [string, Record<string, unknown>, string][] = [
    ['m1', { type: 'meeting.cancel', meetingId: m, reason: '改期' }, 'P3'],
    ['att', { type: 'item.withdraw', itemId, reason: '撤回' }, 'P3'],
    ['aud', { type: 'item.withdraw', itemId, reason: '撤回' }, 'P3'],
    [
      'm1',
      { type: 'meeting.open', meetingId: m, present: ['chair'], absent: [], attendees: [] },
      'P4',
    ],
    ['aud', { type: 'meeting.close', meetingId: m }, 'P16'],
    ['m2', { type: 'item.deliberate', itemId }, 'P9'],
    ['aud', { type: 'statement.record', itemId, materialsDigest: digest, position: 'agree' }, 'P7'],
    [
      'aud',
      {
        type: 'objection.raise',
        target: { kind: 'meeting', meetingId: m },
        rule: 'P3',
        text: '异议',
      },
      'P14',
    ],
    ['aud', { type: 'record.sign', meetingId: m, recordDigest: 'a'.repeat(64) }, 'P16'],
  ];
  for (const [who, payload, rule] of cases) {
    const d = w.send(who, payload);
    t.equal(d.ok, false, `${payload.type} by ${who} is refused`);
    if (d.ok) continue;
    t.equal(d.refusal.code, 'ROLE_NOT_ALLOWED', `${payload.type} by ${who}: ${d.refusal.code}`);
    t.equal(d.refusal.rule, rule, `${payload.type} by ${who}: ${rule}`);
  }
});

t.test('ROLE_NOT_ALLOWED for a meeting schedule is P3, from a member and an auditor', async (t) => {
  const { w } = meetingWithItem();
  const schedule = {
    type: 'meeting.schedule',
    bodyId: w.bodyId,
    kind: 'leadership',
    title: '会议',
    scheduledStart: w.time + 48 * 3_600_000,
  };
  for (const who of ['m1', 'aud']) {
    const r = w.no(who, schedule);
    t.equal(r.code, 'ROLE_NOT_ALLOWED');
    t.equal(r.rule, 'P3', who);
  }
});

t.test('NOT_A_MEMBER_OF_BODY carries the command’s rule too', async (t) => {
  const { w, m, itemId, digest } = meetingWithItem();
  const cases: [Record<string, unknown>, string][] = [
    [{ type: 'meeting.cancel', meetingId: m, reason: '改期' }, 'P3'],
    [{ type: 'statement.record', itemId, materialsDigest: digest, position: 'agree' }, 'P7'],
    [{ type: 'item.withdraw', itemId, reason: '撤回' }, 'P3'],
    [{ type: 'meeting.close', meetingId: m }, 'P16'],
    [
      {
        type: 'objection.raise',
        target: { kind: 'meeting', meetingId: m },
        rule: 'P3',
        text: '异议',
      },
      'P14',
    ],
  ];
  for (const [payload, rule] of cases) {
    const r = w.no('outsider', payload);
    t.equal(r.code, 'NOT_A_MEMBER_OF_BODY', String(payload.type));
    t.equal(r.rule, rule, `${payload.type}: ${rule}`);
  }
});

t.test('NOT_PRESENT is P7 for a statement and P5 for a vote', async (t) => {
  const w = World.create();
  const m = w.schedule();
  const { itemId, digest } = w.submit(m);
  w.open(m, firstVoters(7));
  w.deliberate(itemId);
  const st = w.no('m8', {
    type: 'statement.record',
    itemId,
    materialsDigest: digest,
    position: 'agree',
  });
  t.equal(st.code, 'NOT_PRESENT');
  t.equal(st.rule, 'P7');
  w.stateAll(itemId, positions(firstVoters(7)));
  w.openVote(itemId);
  const vote = w.no('m8', { type: 'vote.cast', itemId, materialsDigest: digest, choice: 'for' });
  t.equal(vote.code, 'NOT_PRESENT');
  t.equal(vote.rule, 'P5');
});

t.test('the tables name only rules the error table lists for the code', async (t) => {
  for (const [type, rule] of Object.entries(ACTOR_RULES)) {
    t.ok(rulesOfCode('ROLE_NOT_ALLOWED').includes(rule), `${type} ROLE_NOT_ALLOWED ${rule}`);
    t.ok(rulesOfCode('NOT_A_MEMBER_OF_BODY').includes(rule), `${type} NOT_A_MEMBER ${rule}`);
    t.ok(RULES[rule].refusals.includes('ROLE_NOT_ALLOWED'), `${rule} lists ROLE_NOT_ALLOWED`);
  }
  for (const [type, rule] of Object.entries(PRESENCE_RULES)) {
    t.ok(rulesOfCode('NOT_PRESENT').includes(rule), `${type} NOT_PRESENT ${rule}`);
  }
});
