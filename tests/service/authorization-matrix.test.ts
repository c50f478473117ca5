/**
 * Role × endpoint: every principal kind against every read and every command route. Reads are
 * checked both ways (allowed: 200, denied: 403 or 401). Commands are sent by every principal kind
 * that may not issue them (refused with 401/403, nothing written), then by every kind that may
 * (never refused for who they are: accepted, or refused by a rule of procedure).
 */
import t from 'tap';
import { base64Encode, generateSecretKey, getPublicKey } from '@yishi/crypto';
import { signCommand } from '@yishi/sdk';
import { COMMAND_ROUTES } from '@yishi/service/internal';
import { HOUR, SHA_B, ServiceWorld, VOTERS } from './helpers/service-world.js';

const w = await ServiceWorld.create(t, {
  rateLimitPerMinute: 100_000,
  webhooks: { allow: '127.0.0.1/32' },
});
await w.populate();
const A = w.bodyId;

// Meetings: S scheduled (item Is), C closed (item Ic deferred, Ic2 adopted), O1 open with I1 in
// deliberation, O2 with I2 in a roll-call vote, O3 with I3 in a secret ballot, O4 with a
// reconsideration motion in its vote.
const S = await w.schedule(7 * 24);
const C = await w.schedule(30);
const O1 = await w.schedule(48);
const O2 = await w.schedule(48);
const O3 = await w.schedule(48);
const O4 = await w.schedule(48);
const Is = await w.submit(S, 'm1');
const Ic = await w.submit(C, 'm1');
const Ic2 = await w.submit(C, 'm2');
const I1 = await w.submit(O1, 'm1');
const I2 = await w.submit(O2, 'm1');
const I3 = await w.submit(O3, 'm1', 'routine');
const start = (id: string) => w.app.pipeline.state.meetings[id]?.scheduledStart as number;

async function stateAll(itemId: string, digest: string) {
  for (const id of VOTERS.slice(1)) {
    await w.ok(id, {
      type: 'statement.record',
      itemId,
      materialsDigest: digest,
      position: 'agree',
    });
  }
  await w.ok('chair', {
    type: 'statement.record',
    itemId,
    materialsDigest: digest,
    position: 'agree',
  });
}

await w.open(C, start(C));
await w.ok('chair', { type: 'item.deliberate', itemId: Ic2.itemId });
await stateAll(Ic2.itemId, Ic2.digest);
await w.ok('chair', { type: 'vote.open', itemId: Ic2.itemId, materialsDigest: Ic2.digest });
for (const id of VOTERS) {
  await w.ok(id, {
    type: 'vote.cast',
    itemId: Ic2.itemId,
    materialsDigest: Ic2.digest,
    choice: 'for',
  });
}
await w.ok('chair', { type: 'vote.close', itemId: Ic2.itemId });
const closed = await w.ok('rec', { type: 'meeting.close', meetingId: C });
const recordDigest = closed.recordDigest as string;

w.now = start(O1);
for (const m of [O1, O2, O3, O4]) await w.open(m, start(m));
await w.ok('chair', { type: 'item.deliberate', itemId: I1.itemId });
await w.ok('chair', { type: 'item.deliberate', itemId: I2.itemId });
await stateAll(I2.itemId, I2.digest);
await w.ok('chair', { type: 'vote.open', itemId: I2.itemId, materialsDigest: I2.digest });
await w.ok('chair', { type: 'item.deliberate', itemId: I3.itemId });
await stateAll(I3.itemId, I3.digest);
await w.ok('chair', {
  type: 'vote.open',
  itemId: I3.itemId,
  materialsDigest: I3.digest,
  method: 'secret',
  scrutineers: ['m1', 'm2'],
});
const motionId = (
  await w.ok('m3', {
    type: 'reconsideration.open',
    meetingId: O4,
    itemId: Ic2.itemId,
    reason: '情况有变',
  })
).motionId as string;
const objectionId = (
  await w.ok('disc', {
    type: 'objection.raise',
    target: { kind: 'meeting', meetingId: O1 },
    rule: 'P3',
    text: '材料未按时送达',
  })
).objectionId as string;
const interference = await w.ok('m3', {
  type: 'interference.record',
  bodyId: A,
  who: { name: '某领导', post: '副市长', relation: 'leader' },
  matter: { category: 'procurement', text: '要求指定供应商' },
  form: 'request',
  occurredAt: w.now - HOUR,
});
const reportId = interference.reports[0].reportId as string;
const hook = await w.app.inject({
  method: 'POST',
  url: '/webhooks',
  payload: w.sign('admin', { type: 'webhook.register', url: 'http://127.0.0.1:9/hook' }),
});
if (hook.statusCode !== 201) throw new Error(`webhook: ${hook.body}`);

// Special principals: m8 suspended, `gone` (an auditor) with its key revoked, a stranger.
await w.ok('admin', { type: 'member.suspend', principalId: 'm8', reason: '停职检查' });
await w.register('gone', 'auditor', null);
await w.ok('admin', { type: 'key.revoke', publicKey: w.publicKey('gone'), reason: '丢失' });
w.keys['stranger'] = generateSecretKey();

const KINDS = ['admin', 'aud', 'aud2', 'chair', 'm1', 'rec', 'disc', 'att', 'chairb', 'mb'];
const SPECIAL: Record<string, { status: number; code: string }> = {
  m8: { status: 403, code: 'PRINCIPAL_SUSPENDED' },
  gone: { status: 401, code: 'KEY_REVOKED' },
  stranger: { status: 401, code: 'UNKNOWN_KEY' },
};
const bodyA = ['chair', 'm1', 'rec', 'disc', 'att'];

// ---------------------------------------------------------------------------------------------
// Reads

const READS: [string, string[]][] = [
  ['/principals/me', KINDS],
  ['/principals/m1', ['admin', 'aud', 'm1', ...bodyA]],
  // Key events: the principal and admins; to anyone else, the missing principal's 404.
  ['/principals/m1/key-events', ['admin', 'm1']],
  ['/bodies', KINDS],
  [`/bodies/${A}`, ['admin', 'aud', ...bodyA]],
  [`/bodies/${A}/meetings`, ['aud', ...bodyA]],
  [`/meetings/${O1}`, ['aud', ...bodyA]],
  [`/meetings/${C}`, ['aud', ...bodyA]],
  [`/items/${I1.itemId}`, ['aud', ...bodyA]],
  [`/meetings/${C}/record`, ['aud', ...bodyA]],
  [`/meetings/${C}/record/markdown`, ['aud', ...bodyA]],
  [`/meetings/${O1}/record`, ['aud', ...bodyA]],
  [`/meetings/${C}/minutes`, ['aud', ...bodyA]],
  [`/meetings/${C}/minutes/markdown`, ['aud', ...bodyA]],
  [`/bodies/${A}/objections`, ['aud', ...bodyA]],
  [`/bodies/${A}/interference`, ['admin', 'aud', 'disc']],
  ['/reports', KINDS],
  ['/reports?status=all', KINDS],
  ['/webhooks', ['admin']],
  ['/webhooks/wh-1/deliveries', ['admin']],
  ['/ledger/export', ['admin', 'aud', 'aud2']],
];

t.test('every route is in the read matrix or the command matrix', async (t) => {
  const doc = (w.app as unknown as { swagger(): { paths: Record<string, object> } }).swagger();
  const paths = Object.keys(doc.paths);
  const reads = new Set(READS.map(([u]) => u.split('?')[0]));
  const covered = (p: string) =>
    COMMAND_ROUTES.some((r) => r.url.replace(/:([A-Za-z]+)/g, '{$1}') === p) ||
    [...reads].some((u) => {
      const re = new RegExp(`^${p.replace(/\{[A-Za-z]+\}/g, '[^/]+')}$`);
      return re.test(u as string);
    }) ||
    ['/webhooks', '/webhooks/{webhookId}/removal'].includes(p) ||
    p.startsWith('/log/') ||
    p === '/health' ||
    p === '/ledger/info' ||
    p === '/ready';
  for (const p of paths) t.ok(covered(p), p);
});

/**
 * No existence oracle (issue 13): a reader who may not see body A gets, for A's things, the 404 a
 * missing thing gets; 403 only for what a reader who sees the body may not read.
 */
const HIDDEN_FROM = ['aud2', 'chairb', 'mb'];
function hiddenCode(url: string): string | null {
  if (url.startsWith('/principals/m')) return 'PRINCIPAL_NOT_FOUND';
  if (url.startsWith(`/bodies/${A}`)) return 'BODY_NOT_FOUND';
  if (url.startsWith('/meetings/')) return 'MEETING_NOT_FOUND';
  if (url.startsWith('/items/')) return 'ITEM_NOT_FOUND';
  return null;
}

t.test('reads: each role reads what it may and nothing else', async (t) => {
  for (const [url, allowed] of READS) {
    for (const kind of KINDS) {
      const res = await w.get(url, kind);
      if (allowed.includes(kind)) t.equal(res.statusCode, 200, `${kind} reads ${url}`);
      else if (
        (HIDDEN_FROM.includes(kind) || url.endsWith('/key-events')) &&
        hiddenCode(url) !== null
      ) {
        t.equal(res.statusCode, 404, `${kind} may not see ${url}`);
        t.equal(res.json().code, hiddenCode(url));
      } else {
        t.equal(res.statusCode, 403, `${kind} may not read ${url}`);
        t.equal(res.json().code, 'FORBIDDEN');
      }
    }
    for (const [kind, want] of Object.entries(SPECIAL)) {
      const res = await w.get(url, kind);
      t.equal(res.statusCode, want.status, `${kind} ${url}`);
      t.equal(res.json().code, want.code);
    }
    const anonymous = await w.get(url, null);
    t.equal(anonymous.statusCode, 401, `anonymous ${url}`);
    t.equal(anonymous.json().code, 'AUTH_REQUIRED');
  }
});

t.test('lists show each role only what it may read', async (t) => {
  const ids = async (url: string, who: string, key: string) =>
    ((await w.get(url, who)).json() as Record<string, string>[]).map((x) => x[key]).sort();
  t.same(await ids('/bodies', 'admin', 'bodyId'), [A, w.otherBodyId].sort());
  t.same(await ids('/bodies', 'mb', 'bodyId'), [w.otherBodyId]);
  t.same(await ids('/bodies', 'aud', 'bodyId'), [A]);
  t.same(await ids('/bodies', 'aud2', 'bodyId'), []);
  const adopted = (await w.get('/reports', 'admin')).json()[0].reportId as string;
  t.same(await ids('/reports', 'admin', 'reportId'), [adopted, reportId].sort());
  t.same(await ids('/reports', 'aud', 'reportId'), [adopted, reportId].sort());
  t.same(await ids('/reports', 'disc', 'reportId'), [reportId], 'P15: delivered to discipline');
  for (const who of ['chair', 'm1', 'rec', 'att', 'aud2', 'mb']) {
    t.same(await ids('/reports', who, 'reportId'), [], who);
  }
  t.same(await ids(`/bodies/${A}/meetings`, 'm1', 'meetingId').then((x) => x.length), 6);
});

t.test('a signed read is bound to its method, path, query and time', async (t) => {
  const { signReadRequest, EMPTY_BODY_DIGEST } = await import('@yishi/crypto');
  const key = w.keys['admin'] as Uint8Array;
  const auth = (path: string, query: string, ts = w.now) =>
    signReadRequest(
      { ledger: w.init.ledgerId, method: 'GET', path, query, bodyDigest: EMPTY_BODY_DIGEST, ts },
      key
    );
  const get = (url: string, authorization: string) =>
    w.app.inject({ method: 'GET', url, headers: { authorization } });
  t.equal((await get('/reports', auth('/reports', ''))).statusCode, 200);
  t.equal(
    (await get('/reports?status=all', auth('/reports', ''))).json().code,
    'SIGNATURE_INVALID'
  );
  t.equal((await get('/webhooks', auth('/reports', ''))).json().code, 'SIGNATURE_INVALID');
  const skew = await get('/reports', auth('/reports', '', w.now - 6 * 60_000));
  t.equal(skew.json().code, 'CLOCK_SKEW');
  const malformed = await get('/reports', 'Bearer abc');
  t.equal(malformed.json().code, 'AUTH_REQUIRED');
  const small = auth('/reports', '').replace(/key=[^,]+/, `key=AQ${'A'.repeat(41)}=`);
  t.equal((await get('/reports', small)).json().code, 'SIGNATURE_INVALID');
});

// ---------------------------------------------------------------------------------------------
// Commands

const fresh = () => base64Encode(getPublicKey(generateSecretKey()));
type Builder = () => Record<string, unknown> & { type: string };
const voters = ['chair', 'm1'];
const COMMANDS: [Builder, string[]][] = [
  [() => ({ type: 'body.create', name: '新班子' }), ['admin']],
  [() => ({ type: 'rulebook.set', bodyId: A, params: { agendaLeadHours: 48 } }), ['admin']],
  [
    () => ({
      type: 'principal.register',
      principalId: 'newp',
      name: '新成员',
      publicKey: fresh(),
      role: 'member',
      bodyId: A,
    }),
    ['admin'],
  ],
  [() => ({ type: 'principal.update_role', principalId: 'm5', role: 'member' }), ['admin']],
  [() => ({ type: 'membership.end', principalId: 'm6', reason: '调离' }), ['admin']],
  [() => ({ type: 'member.suspend', principalId: 'm7', reason: '停职' }), ['admin']],
  [() => ({ type: 'member.reinstate', principalId: 'm8' }), ['admin']],
  [() => ({ type: 'key.rotate', principalId: 'm4', newPublicKey: fresh() }), ['admin']],
  [() => ({ type: 'key.revoke', publicKey: w.publicKey('m3'), reason: '丢失' }), ['admin']],
  [
    () => ({
      type: 'key.confirm',
      principalId: 'm1',
      previousPublicKey: w.publicKey('m2'),
      previousSignature: `${'A'.repeat(86)}==`,
    }),
    ['m1'],
  ],
  [() => ({ type: 'auditor.appoint', principalId: 'aud2', bodyIds: [A] }), ['admin']],
  [
    () => ({
      type: 'ruling.register',
      target: { kind: 'item', itemId: Ic.itemId },
      decision: 'approved',
      text: '同意',
    }),
    ['admin'],
  ],
  [() => ({ type: 'report.acknowledge', reportId }), ['admin']],
  [
    () => ({
      type: 'meeting.schedule',
      bodyId: A,
      kind: 'leadership',
      title: '会议',
      scheduledStart: w.now + 7 * 24 * HOUR,
    }),
    ['chair', 'rec'],
  ],
  [
    () => ({ type: 'meeting.open', meetingId: S, present: [...VOTERS], absent: [], attendees: [] }),
    ['chair'],
  ],
  [() => ({ type: 'meeting.arrive', meetingId: O1, principalId: 'm4' }), ['chair', 'rec']],
  [() => ({ type: 'meeting.depart', meetingId: O1, principalId: 'm4' }), ['chair', 'rec']],
  [
    () => ({
      type: 'item.submit',
      meetingId: S,
      category: 'routine',
      title: '一般事项',
      materials: [{ title: '说明', sha256: SHA_B }],
    }),
    voters,
  ],
  [
    () => ({
      type: 'item.resubmit',
      previousItemId: Ic.itemId,
      meetingId: S,
      title: '再议',
      materials: [{ title: '说明', sha256: SHA_B }],
    }),
    voters,
  ],
  [
    () => ({ type: 'item.recuse', itemId: Is.itemId, principalId: 'm4', reason: '亲属' }),
    ['chair'],
  ],
  [() => ({ type: 'item.mark_urgent', itemId: Is.itemId, justification: '时限' }), ['chair']],
  [() => ({ type: 'item.withdraw', itemId: Is.itemId, reason: '撤回' }), ['chair', 'm1']],
  [() => ({ type: 'item.deliberate', itemId: Is.itemId }), ['chair']],
  [
    () => ({ type: 'opinion.submit', itemId: I1.itemId, materialsDigest: I1.digest, text: '意见' }),
    voters,
  ],
  [
    () => ({
      type: 'statement.record',
      itemId: I1.itemId,
      materialsDigest: I1.digest,
      position: 'agree',
    }),
    voters,
  ],
  [() => ({ type: 'item.defer', itemId: I1.itemId, statementBy: 'm1', reason: '缓议' }), ['chair']],
  [() => ({ type: 'item.escalate', itemId: Ic.itemId, reason: '请求裁决' }), ['chair']],
  [() => ({ type: 'vote.open', itemId: I1.itemId, materialsDigest: I1.digest }), ['chair']],
  [
    () => ({ type: 'vote.cast', itemId: I2.itemId, materialsDigest: I2.digest, choice: 'for' }),
    voters,
  ],
  [
    () => ({
      type: 'ballot.receipt',
      itemId: I3.itemId,
      materialsDigest: I3.digest,
      receipt: 'c'.repeat(64),
    }),
    voters,
  ],
  [() => ({ type: 'tally.sign', itemId: I3.itemId, for: 0, against: 0, abstain: 0 }), ['m1']],
  [() => ({ type: 'vote.close', itemId: I2.itemId }), ['chair']],
  [
    () => ({ type: 'reconsideration.open', meetingId: O1, itemId: Ic2.itemId, reason: '复议' }),
    voters,
  ],
  [() => ({ type: 'reconsideration.vote', motionId, choice: 'for' }), voters],
  [() => ({ type: 'reconsideration.close', motionId }), ['chair']],
  [
    () => ({
      type: 'objection.raise',
      target: { kind: 'item', itemId: I1.itemId },
      rule: 'P7',
      text: '异议',
    }),
    ['chair', 'm1', 'disc'],
  ],
  [
    () => ({ type: 'objection.answer', objectionId, answer: 'corrected', reasons: '已纠正' }),
    ['chair'],
  ],
  [
    () => ({
      type: 'interference.record',
      bodyId: A,
      who: { name: '某人', post: '某职', relation: 'relative', leaderName: '某领导' },
      matter: { category: 'land', text: '打招呼' },
      form: 'message_passed',
      occurredAt: w.now - HOUR,
    }),
    ['admin', 'chair', 'm1', 'rec', 'disc', 'att'],
  ],
  [() => ({ type: 'record.sign', meetingId: C, recordDigest }), ['chair', 'rec']],
  [
    () => ({ type: 'erratum.record', meetingId: C, correctsSeq: 1, text: '更正' }),
    ['chair', 'rec'],
  ],
  [() => ({ type: 'meeting.close', meetingId: O1 }), ['chair', 'rec']],
  [() => ({ type: 'meeting.cancel', meetingId: S, reason: '取消' }), ['chair']],
];

t.test('the command matrix covers every command route', async (t) => {
  const types = COMMANDS.map(([b]) => b().type).sort();
  t.same(types, COMMAND_ROUTES.map((r) => r.type).sort());
});

t.test(
  'commands: a role that may not issue a command is refused and nothing is written',
  async (t) => {
    for (const [build, allowed] of COMMANDS) {
      const type = build().type;
      for (const kind of [...KINDS, ...Object.keys(SPECIAL)]) {
        if (allowed.includes(kind)) continue;
        const size = w.size;
        const res = await w.send(kind, build());
        const special = SPECIAL[kind];
        if (special) {
          t.equal(res.statusCode, special.status, `${kind} ${type}`);
          t.equal(res.json().code, special.code, `${kind} ${type}`);
        } else {
          t.equal(res.statusCode, 403, `${kind} may not ${type}: ${res.body}`);
          t.match(
            res.json().code,
            /^(ROLE_NOT_ALLOWED|NOT_A_MEMBER_OF_BODY|NOT_VOTING_MEMBER|ROLE_MAY_NOT_STATE_POSITION|NOT_A_SCRUTINEER)$/,
            `${kind} ${type}`
          );
        }
        t.equal(w.size, size, `${kind} ${type} wrote nothing`);
      }
    }
  }
);

t.test('auditors never write: every command is refused with ROLE_NOT_ALLOWED', async (t) => {
  for (const [build] of COMMANDS) {
    for (const kind of ['aud', 'aud2']) {
      const size = w.size;
      const payload = build();
      const res = await w.send(kind, payload);
      t.equal(res.statusCode, 403, `${kind} ${payload.type}`);
      t.equal(res.json().code, 'ROLE_NOT_ALLOWED', `${kind} ${payload.type}`);
      if (payload.type === 'interference.record') t.equal(res.json().rule, 'P15');
      t.equal(w.size, size, `${kind} ${payload.type} wrote nothing`);
    }
  }
});

t.test('an admin records interference for any body (the higher level)', async (t) => {
  for (const bodyId of [A, w.otherBodyId]) {
    const res = await w.send('admin', {
      type: 'interference.record',
      bodyId,
      who: { name: '某人', post: '某职', relation: 'leader' },
      matter: { category: 'land', text: '打招呼' },
      form: 'request',
      occurredAt: w.now - HOUR,
    });
    t.equal(res.statusCode, 201, `${bodyId}: ${res.body}`);
  }
});

t.test('commands: a role that may issue a command is never refused for who it is', async (t) => {
  for (const [build, allowed] of COMMANDS) {
    for (const kind of allowed) {
      const payload = build();
      const res = await w.send(kind, payload);
      t.notOk([401, 403].includes(res.statusCode), `${kind} ${payload.type}: ${res.body}`);
    }
  }
});

t.test('a stolen key cannot backdate: key validity is by ledger position', async (t) => {
  const old = w.keys['gone'] as Uint8Array;
  const res = await w.send(
    signCommand(
      {
        type: 'interference.record',
        ledger: w.init.ledgerId,
        bodyId: A,
        who: { name: 'x', post: 'y', relation: 'leader' },
        matter: { category: 'land', text: 'z' },
        form: 'request',
        occurredAt: 0,
      },
      old,
      () => w.now - 5 * 60_000
    )
  );
  t.equal(res.json().code, 'KEY_REVOKED');
});
