/**
 * End to end: the service on port 0, a 9-member body's meeting over HTTP through the SDK signer —
 * scheduling, an agenda item in time and one too late, attendance and quorum, a late arrival, a
 * recusal, an absent member's written opinion, statements with the chair last, an adopted major
 * matter and its report, a deferral, an objection escalated, the record signed and the minutes;
 * then a restart (the state is replayed from the ledger), and `yishi verify` and `yishi audit` on
 * the export.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { generateKeyPair, Signer } from '@yishi/sdk';
import { COMMAND_ROUTES, REDACT_PATHS, startServer } from '@yishi/service/internal';
import { tempDir } from '../helpers/ledger-fixture.js';
import { repoRoot } from '../helpers/paths.js';
import { testServerConfig } from '../helpers/test-server.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SHA = (c: string) => c.repeat(64);
let now = Date.UTC(2025, 2, 3, 1, 0, 0); // 2025-03-03 09:00 CST
const clock = () => now;

const logLines: string[] = [];
const logger = pino(
  { level: 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
  new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  })
);

const dir = tempDir(t);
const config = testServerConfig(join(dir, 'data'), 'info');
let server = await startServer(config, logger, { clock });
t.teardown(() => server.close());
/** The ledger every command and read of this suite names (protocol v2), as the service reports it. */
const ledgerId = ((await (await fetch(`${server.url}/ledger/info`)).json()) as { ledgerId: string })
  .ledgerId;

type Payload = { type: string } & Record<string, unknown>;
type Reply = { status: number; body: any; headers: Headers }; // eslint-disable-line @typescript-eslint/no-explicit-any

const signers: Record<string, Signer> = {
  admin: new Signer(readFileSync(join(config.dataDir, 'admin.key'), 'utf8'), clock),
};

async function send(who: string, payload: Payload): Promise<Reply> {
  const route = COMMAND_ROUTES.find((r) => r.type === payload.type);
  if (!route) throw new Error(payload.type);
  const path = route.url.replace(/:([A-Za-z]+)/g, (_m, n: string) => String(payload[n]));
  const command = (signers[who] as Signer).command(payload, ledgerId);
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept-language': 'en' },
    body: JSON.stringify(command),
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

async function ok(who: string, payload: Payload) {
  const r = await send(who, payload);
  if (r.status !== 201) throw new Error(`${payload.type} by ${who}: ${JSON.stringify(r.body)}`);
  return r.body.derived;
}

async function get(who: string, path: string) {
  const res = await fetch(`${server.url}${path}`, {
    headers: {
      authorization: (signers[who] as Signer).authorization('GET', path, undefined, ledgerId),
    },
  });
  const text = await res.text();
  const json = /^application\/json(;|$)/.test(res.headers.get('content-type') ?? '')
    ? JSON.parse(text)
    : undefined;
  return { status: res.status, text, body: json, headers: res.headers };
}

const VOTERS = ['chair', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8'];
let bodyId = '';
let meetingId = '';
let itemA = { itemId: '', digest: '' };
let itemB = { itemId: '', digest: '' };

t.test(
  'the admin registers the body, its nine members, recorder, discipline, attendee',
  async (t) => {
    bodyId = (await ok('admin', { type: 'body.create', name: '某市委常委会' })).bodyId;
    const roles: [string, string, boolean?][] = [
      ...VOTERS.map((id): [string, string] => [id, id === 'chair' ? 'chair' : 'member']),
      ['rec', 'recorder'],
      ['disc', 'discipline', false],
      ['att', 'attendee'],
      ['aud', 'auditor'],
    ];
    for (const [id, role, votes] of roles) {
      const keys = generateKeyPair(id);
      signers[id] = new Signer(keys.secretKey, clock);
      const p: Payload = {
        type: 'principal.register',
        principalId: id,
        name: `${id} 同志`,
        publicKey: keys.publicKeyBase64,
        role,
      };
      if (role !== 'auditor') p['bodyId'] = bodyId;
      if (votes !== undefined) p['votes'] = votes;
      await ok('admin', p);
    }
    await ok('admin', { type: 'auditor.appoint', principalId: 'aud', bodyIds: [bodyId] });
    const me = await get('m1', '/principals/me');
    t.equal(me.status, 200);
    t.match(me.body, { principalId: 'm1', role: 'member', bodyId, votes: true });
    const body = await get('chair', `/bodies/${bodyId}`);
    t.equal(body.body.members.length, 13 - 1);
  }
);

t.test('scheduling, and the agenda: items in time, one too late (P3)', async (t) => {
  meetingId = (
    await ok('chair', {
      type: 'meeting.schedule',
      bodyId,
      kind: 'leadership',
      title: '2025年第5次常委会会议',
      scheduledStart: now + 7 * DAY,
    })
  ).meetingId;
  const a = await ok('m1', {
    type: 'item.submit',
    meetingId,
    category: 'major_decision',
    title: '关于实施城市更新行动的决定',
    materials: [
      { title: '请示', sha256: SHA('a') },
      { title: '可行性研究报告', sha256: SHA('b') },
    ],
  });
  itemA = { itemId: a.itemId, digest: a.materialsDigest };
  t.same(a.notify, ['disc'], 'the discipline role is notified of a major matter');
  const b = await ok('m2', {
    type: 'item.submit',
    meetingId,
    category: 'major_project',
    title: '关于新建会展中心项目的决定',
    materials: [{ title: '项目建议书', sha256: SHA('c') }],
  });
  itemB = { itemId: b.itemId, digest: b.materialsDigest };
  now += 7 * DAY - 12 * HOUR;
  const late = await send('m3', {
    type: 'item.submit',
    meetingId,
    category: 'large_funds',
    title: '关于拨付专项资金的请示',
    amount: 30_000_000,
    materials: [{ title: '请示', sha256: SHA('d') }],
  });
  t.equal(late.status, 409);
  t.match(late.body, { code: 'AGENDA_DEADLINE_PASSED', rule: 'P3' });
});

t.test('attendance and quorum (P4), a written opinion (P5), a late arrival', async (t) => {
  now += 12 * HOUR;
  const absentAll = (present: string[]) =>
    VOTERS.filter((v) => !present.includes(v)).map((principalId) => ({
      principalId,
      reason: principalId === 'm8' ? '病假' : '出差',
    }));
  const four = ['chair', 'm1', 'm2', 'm3'];
  const refused = await send('chair', {
    type: 'meeting.open',
    meetingId,
    present: four,
    absent: absentAll(four),
    attendees: [],
  });
  t.equal(refused.status, 409);
  t.match(refused.body, { code: 'QUORUM_NOT_MET', rule: 'P4' });
  const seven = ['chair', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6'];
  const opened = await ok('chair', {
    type: 'meeting.open',
    meetingId,
    present: seven,
    absent: absentAll(seven),
    attendees: ['att', 'disc'],
  });
  t.match(opened, { denominator: 9, presentVoting: 7, agenda: [itemA.itemId, itemB.itemId] });
  await ok('m8', {
    type: 'opinion.submit',
    itemId: itemA.itemId,
    materialsDigest: itemA.digest,
    position: 'agree',
    text: '同意，建议加强资金监管。',
  });
  now += 10 * 60_000;
  await ok('rec', { type: 'meeting.arrive', meetingId, principalId: 'm7' });
  const m = await get('m1', `/meetings/${meetingId}`);
  t.equal(m.body.state, 'open');
  t.equal(m.body.present.includes('m7'), true);
});

t.test(
  'item A: a recusal, statements with the chair last, a vote, adopted and reported',
  async (t) => {
    await ok('chair', { type: 'item.deliberate', itemId: itemA.itemId });
    await ok('m2', {
      type: 'item.recuse',
      itemId: itemA.itemId,
      principalId: 'm2',
      reason: '本人亲属参与该项目',
    });
    const state = (who: string, position: string, reasons?: string) =>
      send(who, {
        type: 'statement.record',
        itemId: itemA.itemId,
        materialsDigest: itemA.digest,
        position,
        ...(reasons ? { reasons } : {}),
      });
    const early = await state('chair', 'agree');
    t.equal(early.status, 409);
    t.match(early.body, { code: 'CHAIR_MUST_STATE_LAST', rule: 'P7' });
    const recused = await state('m2', 'agree');
    t.match(recused.body, { code: 'RECUSED', rule: 'P6' });
    for (const id of ['m1', 'm3', 'm4', 'm5', 'm6'])
      t.equal((await state(id, 'agree')).status, 201);
    t.equal((await state('m7', 'disagree', '资金来源尚需论证')).status, 201);
    await ok('att', {
      type: 'statement.record',
      itemId: itemA.itemId,
      materialsDigest: itemA.digest,
      reasons: '列席发言：建议分期实施。',
    });
    t.equal((await state('chair', 'agree')).status, 201, 'the chair states last');

    const open = await ok('chair', {
      type: 'vote.open',
      itemId: itemA.itemId,
      materialsDigest: itemA.digest,
    });
    t.match(open, { method: 'roll_call', denominator: 8, eligible: 7 });
    const cast = (who: string, choice: string, reason?: string) =>
      send(who, {
        type: 'vote.cast',
        itemId: itemA.itemId,
        materialsDigest: itemA.digest,
        choice,
        ...(reason ? { reason } : {}),
      });
    for (const id of ['chair', 'm1', 'm3', 'm4', 'm5', 'm6'])
      t.equal((await cast(id, 'for')).status, 201);
    t.match((await cast('m1', 'for')).body, { code: 'ALREADY_VOTED' }, 'one vote per member');
    t.match((await cast('m2', 'for')).body, { code: 'RECUSED' });
    t.equal((await cast('m7', 'against', '资金来源尚需论证')).status, 201);
    const closed = await ok('chair', { type: 'vote.close', itemId: itemA.itemId });
    t.match(closed, {
      result: 'adopted',
      rule: 'P9',
      counts: { for: 6, against: 1, abstain: 0 },
      reports: [{ kind: 'adopted_major_matter', bodyId }],
    });
  }
);

t.test(
  'item B: large disagreement defers the vote (P8); an objection is escalated (P14)',
  async (t) => {
    await ok('chair', { type: 'item.deliberate', itemId: itemB.itemId });
    const positions: [string, string, string?][] = [
      ['m1', 'agree'],
      ['m2', 'disagree', '投资回报测算不实'],
      ['m3', 'defer', '选址情况不清'],
      ['m4', 'agree'],
      ['m5', 'disagree', '债务风险较高'],
      ['m6', 'agree'],
      ['m7', 'agree'],
      ['chair', 'agree'],
    ];
    for (const [who, position, reasons] of positions) {
      await ok(who, {
        type: 'statement.record',
        itemId: itemB.itemId,
        materialsDigest: itemB.digest,
        position,
        ...(reasons ? { reasons } : {}),
      });
    }
    const deferred = await ok('chair', {
      type: 'vote.open',
      itemId: itemB.itemId,
      materialsDigest: itemB.digest,
    });
    t.match(deferred, { result: 'deferred', rule: 'P8', basis: 'statements' });
    const objection = await ok('disc', {
      type: 'objection.raise',
      target: { kind: 'item', itemId: itemB.itemId },
      rule: 'P3',
      text: '项目材料未按规定提前送达。',
    });
    const answered = await ok('chair', {
      type: 'objection.answer',
      objectionId: objection.objectionId,
      answer: 'rejected',
      reasons: '材料已按时送达。',
    });
    t.match(answered, {
      escalated: true,
      reports: [{ kind: 'objection', addressee: 'higher_level_discipline_commission' }],
    });
    const seen = await get('disc', `/bodies/${bodyId}/objections`);
    t.match(seen.body, [{ objectionId: objection.objectionId, state: 'escalated' }]);
  }
);

let recordDigest = '';

t.test('the meeting closes; the record is signed; the minutes are numbered (P16)', async (t) => {
  await ok('m6', { type: 'meeting.depart', meetingId, principalId: 'm6', reason: '另有公务' });
  const closed = await ok('chair', { type: 'meeting.close', meetingId });
  recordDigest = closed.recordDigest;
  t.match(closed, { minutes: { year: 2025, number: 1 } });
  const record = await get('rec', `/meetings/${meetingId}/record`);
  t.equal(record.status, 200);
  t.match(record.body, { final: true, recordDigest });
  const items = record.body.record.items;
  t.match(items[0], {
    itemId: itemA.itemId,
    outcome: { result: 'adopted', rule: 'P9' },
    recusals: [{ principalId: 'm2' }],
    opinions: [{ principalId: 'm8' }],
  });
  t.equal(items[0].statements.at(-1).principalId, 'chair', 'the chair stated last');
  t.match(items[0].dissent, [
    { principalId: 'm7', kind: 'statement', text: '资金来源尚需论证' },
    { principalId: 'm7', kind: 'vote', text: '资金来源尚需论证' },
  ]);
  t.match(items[1], { itemId: itemB.itemId, outcome: { result: 'deferred', rule: 'P8' } });
  for (const who of ['rec', 'chair']) {
    await ok(who, { type: 'record.sign', meetingId, recordDigest });
  }
  const signed = await get('m1', `/meetings/${meetingId}/record`);
  t.equal(signed.body.signatures.recorder !== null && signed.body.signatures.chair !== null, true);
  const minutes = await get('m1', `/meetings/${meetingId}/minutes`);
  t.match(minutes.body.minutes, {
    number: { year: 2025, number: 1 },
    recordDigest,
    decisions: [
      { itemId: itemA.itemId, result: 'adopted' },
      { itemId: itemB.itemId, result: 'deferred' },
    ],
  });
  const md = await get('m1', `/meetings/${meetingId}/minutes/markdown`);
  t.match(md.headers.get('content-type'), /text\/markdown/);
  t.match(md.text, /纪要/);
  const recordMd = await get('aud', `/meetings/${meetingId}/record/markdown`);
  t.match(recordMd.text, /资金来源尚需论证/);
  t.equal((await get('admin', `/meetings/${meetingId}/record`)).status, 403);
});

t.test('the reports outbox: the admin reads and acknowledges', async (t) => {
  const pending = await get('admin', '/reports');
  const kinds = pending.body.map((r: { kind: string }) => r.kind).sort();
  t.same(kinds, ['adopted_major_matter', 'objection']);
  const adopted = pending.body.find((r: { kind: string }) => r.kind === 'adopted_major_matter');
  await ok('admin', { type: 'report.acknowledge', reportId: adopted.reportId });
  t.same(
    (await get('admin', '/reports')).body.map((r: { kind: string }) => r.kind),
    ['objection']
  );
  t.equal((await get('admin', '/reports?status=all')).body.length, 2);
});

t.test(
  'after a restart the state is replayed from the ledger; nonces are remembered',
  async (t) => {
    const replay = (signers['chair'] as Signer).command(
      {
        type: 'meeting.schedule',
        bodyId,
        kind: 'topical',
        title: '专题会议',
        scheduledStart: now + DAY,
      },
      ledgerId
    );
    const post = () =>
      fetch(`${server.url}/meetings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(replay),
      });
    const first = await post();
    t.equal(first.status, 201);
    const firstBody = await first.json();
    await server.close();
    server = await startServer(config, logger, { clock });
    const again = await post();
    t.equal(again.status, 201);
    t.equal(again.headers.get('idempotent-replayed'), 'true');
    t.same(await again.json(), firstBody);
    const m = await get('m1', `/meetings/${meetingId}`);
    t.equal(m.body.state, 'archived');
    t.match(m.body.items, [
      { outcome: { result: 'adopted' } },
      { outcome: { result: 'deferred' } },
    ]);
  }
);

t.test('the auditor exports the ledger and yishi verify accepts it', async (t) => {
  let exported = '';
  for (let i = 0; i < 200; i++) {
    exported = (await get('aud', '/ledger/export')).text;
    const lines = exported.trimEnd().split('\n');
    const header = JSON.parse(lines[0] as string);
    const cp = await fetch(`${server.url}/log/checkpoint`).then((r) => r.text());
    if (cp.split('\n')[1] === String(header.entries)) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const file = join(dir, 'ledger.jsonl');
  writeFileSync(file, exported);
  const v = spawnSync(
    process.execPath,
    [
      join(repoRoot, 'service/bin/yishi.js'),
      'verify',
      file,
      '--vkey',
      join(config.dataDir, 'log.vkey'),
    ],
    { encoding: 'utf8', timeout: 60_000 }
  );
  t.equal(v.status, 0, v.stderr);
  t.match(v.stdout, /OK: the ledger verifies/);
  const audit = spawnSync(
    process.execPath,
    [
      join(repoRoot, 'service/bin/yishi.js'),
      'audit',
      file,
      '--vkey',
      join(config.dataDir, 'log.vkey'),
    ],
    { encoding: 'utf8', timeout: 60_000 }
  );
  t.equal(audit.status, 0, `every entry replays under the rules: ${audit.stdout}${audit.stderr}`);
  t.equal((await get('m1', '/ledger/export')).status, 403, 'members do not export the ledger');
});

t.test('logs carry request ids and never keys, signatures or authorization headers', async (t) => {
  const all = logLines.join('');
  t.match(all, /"reqId":"[0-9a-f-]{36}"/);
  t.notMatch(all, /Yishi-Ed25519/);
  t.notMatch(all, /PRIVATE\+KEY/);
});

t.test('each request is one access-log line: method, URL, status and time', async (t) => {
  const records = logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
  t.equal(records.filter((r) => r['msg'] === 'incoming request').length, 0);
  const done = records.filter((r) => r['msg'] === 'request completed');
  t.ok(done.length > 10, `${done.length} requests logged`);
  for (const r of done) {
    const req = r['req'] as { method?: unknown; url?: unknown } | undefined;
    const res = r['res'] as { statusCode?: unknown } | undefined;
    if (
      typeof req?.method !== 'string' ||
      typeof req.url !== 'string' ||
      typeof res?.statusCode !== 'number' ||
      typeof r['responseTime'] !== 'number'
    ) {
      t.fail(`an access-log line lacks a field: ${JSON.stringify(r)}`);
      return;
    }
  }
  t.ok(done.some((r) => (r['req'] as { method: string }).method === 'POST'));
});

t.test('a request line names the verified principal and the refusal code', async (t) => {
  const records = logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const done = records.filter((r) => r['msg'] === 'request completed');
  t.ok(
    done.some((r) => r['principal'] === 'm3' && r['code'] === 'AGENDA_DEADLINE_PASSED'),
    'the late item: its signer and the refusal'
  );
  t.ok(
    done.some(
      (r) => r['principal'] === 'chair' && r['code'] === 'QUORUM_NOT_MET' && r['rule'] === 'P4'
    ),
    'the meeting opened without quorum, with the rule'
  );
  t.ok(
    done.some(
      (r) => r['principal'] === 'm1' && (r['res'] as { statusCode: number }).statusCode === 403
    ),
    'a signed read refused'
  );
  t.ok(
    done.some((r) => r['principal'] === 'admin' && r['code'] === undefined),
    'an accepted command'
  );
});
