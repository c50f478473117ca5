import t from 'tap';
import { canonicalJson, generateSecretKey, base64Encode, getPublicKey } from '@yishi/crypto';
import { signCommand } from '@yishi/sdk';
import { rebuildState } from '@yishi/service/internal';
import { DAY, ServiceWorld } from './helpers/service-world.js';

const w = await ServiceWorld.create(t);
await w.populate();

t.test('an accepted command answers 201 with its seq, leaf hash and derived ids', async (t) => {
  const before = w.size;
  const res = await w.send('admin', { type: 'body.create', name: '专项工作领导小组' });
  t.equal(res.statusCode, 201);
  const body = res.json();
  t.equal(body.seq, before);
  t.match(body.leafHash, /^[0-9a-f]{64}$/);
  t.equal(body.time, w.now);
  t.equal(body.derived.bodyId, `body-${before}`);
  t.equal(w.size, before + 1);
  t.equal(w.store.entry(before).time, w.now, 'the entry time is the time the rules decided with');
});

t.test('a retried signed command gets the same answer and never a second entry', async (t) => {
  const command = w.sign('admin', { type: 'body.create', name: '重复提交' });
  const first = await w.send(command);
  t.equal(first.statusCode, 201);
  const size = w.size;
  w.now += 10 * 60_000; // long after: the original answer, not a skew refusal
  const again = await w.send(command);
  t.equal(again.statusCode, 201);
  t.equal(again.headers['idempotent-replayed'], 'true');
  t.same(again.json(), first.json());
  t.equal(w.size, size);
});

t.test('a different command reusing a nonce is refused', async (t) => {
  const first = w.sign('admin', { type: 'body.create', name: '第一' });
  t.equal((await w.send(first)).statusCode, 201);
  const size = w.size;
  const second = w.sign('admin', {
    type: 'body.create',
    name: '第二',
    nonce: first.payload.nonce,
  });
  const res = await w.send(second);
  t.equal(res.statusCode, 409);
  t.equal(res.json().code, 'NONCE_REPLAYED');
  t.equal(w.size, size);
});

t.test(
  'concurrent copies of one command: one entry, the others told it is in flight',
  async (t) => {
    const command = w.sign('admin', { type: 'body.create', name: '并发' });
    const size = w.size;
    const answers = await Promise.all([w.send(command), w.send(command), w.send(command)]);
    const codes = answers.map((r) => r.statusCode).sort();
    t.equal(codes.filter((c) => c === 201).length >= 1, true);
    for (const r of answers) {
      if (r.statusCode !== 201) t.equal(r.json().code, 'COMMAND_IN_FLIGHT');
    }
    t.equal(w.size, size + 1);
  }
);

t.test('refuses a timestamp more than 5 minutes off, either way', async (t) => {
  const size = w.size;
  for (const delta of [-5 * 60_000 - 1, 5 * 60_000 + 1]) {
    const res = await w.send('admin', {
      type: 'body.create',
      name: '时钟',
      ts: w.now + delta,
    });
    t.equal(res.statusCode, 401);
    t.equal(res.json().code, 'CLOCK_SKEW');
  }
  for (const delta of [-5 * 60_000, 5 * 60_000]) {
    t.equal(
      (await w.send('admin', { type: 'body.create', name: '边界', ts: w.now + delta })).statusCode,
      201,
      'exactly 5 minutes is accepted'
    );
  }
  t.equal(w.size, size + 2);
});

t.test(
  'refuses a bad signature, a tampered payload and an unacceptable envelope key',
  async (t) => {
    const size = w.size;
    const good = w.sign('admin', { type: 'body.create', name: '签名' });
    const tampered = { ...good, payload: { ...good.payload, name: '篡改' } };
    const res = await w.send(tampered);
    t.equal(res.statusCode, 401);
    t.equal(res.json().code, 'SIGNATURE_INVALID');
    const otherSig = w.sign('m1', { type: 'body.create', name: '签名' });
    t.equal(
      (await w.send({ ...good, signature: otherSig.signature })).json().code,
      'SIGNATURE_INVALID'
    );
    // The identity point (small order) as the signing key.
    const small = `AQ${'A'.repeat(41)}=`;
    t.equal((await w.send({ ...good, publicKey: small })).json().code, 'SIGNATURE_INVALID');
    t.equal(w.size, size);
  }
);

t.test('an unknown key, even with a valid signature, is refused', async (t) => {
  const stranger = generateSecretKey();
  const command = signCommand(
    { type: 'body.create', name: '陌生人', ledger: w.init.ledgerId },
    stranger,
    w.clock
  );
  const res = await w.send(command);
  t.equal(res.statusCode, 401);
  t.equal(res.json().code, 'UNKNOWN_KEY');
});

t.test('keys that are small-order or non-canonical are never registered', async (t) => {
  const size = w.size;
  const bad = [
    `AQ${'A'.repeat(41)}=`, // the identity: small order
    `7P///////////////////////////////////////38=`, // y = p - 1: x = 0, small order
    `7f///////////////////////////////////////38=`, // y = p: non-canonical
  ];
  for (const publicKey of bad) {
    const res = await w.send('admin', {
      type: 'principal.register',
      principalId: 'badkey',
      name: '坏钥',
      publicKey,
      role: 'auditor',
    });
    t.equal(res.statusCode, 422, publicKey);
    t.equal(res.json().code, 'KEY_NOT_ACCEPTABLE');
  }
  const rotate = await w.send('m8', {
    type: 'key.rotate',
    principalId: 'm8',
    newPublicKey: bad[0],
  });
  t.equal(rotate.json().code, 'KEY_NOT_ACCEPTABLE');
  t.equal(w.size, size);
});

t.test('a revoked key cannot act, whatever timestamp it claims', async (t) => {
  const oldKey = w.keys['m7'] as Uint8Array;
  const newKey = generateSecretKey();
  const rotated = await w.send('m7', {
    type: 'key.rotate',
    principalId: 'm7',
    newPublicKey: base64Encode(getPublicKey(newKey)),
  });
  t.equal(rotated.statusCode, 201);
  const size = w.size;
  // A command signed with the old key, "backdated" to before the rotation.
  const backdated = signCommand(
    {
      type: 'meeting.schedule',
      ledger: w.init.ledgerId,
      bodyId: w.bodyId,
      kind: 'leadership',
      title: '旧钥',
      scheduledStart: w.now + 7 * DAY,
    },
    oldKey,
    () => w.now - 4 * 60_000
  );
  const res = await w.send(backdated);
  t.equal(res.statusCode, 401);
  t.equal(res.json().code, 'KEY_REVOKED');
  t.equal(w.size, size);
  w.keys['m7'] = newKey;
  const read = await w.get('/principals/me', 'm7');
  t.equal(read.statusCode, 200, 'the new key reads');
  w.keys['m7old'] = oldKey;
  t.equal((await w.get('/principals/me', 'm7old')).json().code, 'KEY_REVOKED');
});

t.test('the rules refuse with 409 or 403, a rule id and a bilingual message', async (t) => {
  const size = w.size;
  const meetingId = await w.schedule(2);
  const late = await w.send('m1', {
    type: 'item.submit',
    meetingId,
    category: 'major_decision',
    title: '临时议题',
    materials: [{ title: '请示', sha256: 'c'.repeat(64) }],
  });
  t.equal(late.statusCode, 409);
  t.match(late.json(), { code: 'AGENDA_DEADLINE_PASSED', rule: 'P3', error: 'Conflict' });
  t.equal(late.json().message, 'the agenda submission deadline has passed');
  const zh = await w.app.inject({
    method: 'POST',
    url: `/meetings/${meetingId}/items`,
    payload: w.sign('m1', {
      type: 'item.submit',
      meetingId,
      category: 'major_decision',
      title: '临时议题',
      materials: [{ title: '请示', sha256: 'c'.repeat(64) }],
    }),
    headers: { 'accept-language': 'zh-CN' },
  });
  t.equal(zh.json().message, '已过议题提交截止时间');
  const role = await w.send('att', {
    type: 'meeting.schedule',
    bodyId: w.bodyId,
    kind: 'leadership',
    title: '列席者',
    scheduledStart: w.now + DAY,
  });
  t.equal(role.statusCode, 403);
  t.equal(role.json().code, 'ROLE_NOT_ALLOWED');
  t.equal(w.size, size + 1, 'only the schedule was written');
});

t.test('the path and the signed payload must name the same resource', async (t) => {
  const meetingId = await w.schedule();
  const other = await w.schedule();
  const command = w.sign('chair', { type: 'meeting.close', meetingId });
  const res = await w.app.inject({
    method: 'POST',
    url: `/meetings/${other}/closing`,
    payload: command,
  });
  t.equal(res.statusCode, 400);
  t.equal(res.json().code, 'PATH_MISMATCH');
  const wrongType = await w.app.inject({
    method: 'POST',
    url: `/meetings/${meetingId}/opening`,
    payload: command,
  });
  t.equal(wrongType.statusCode, 400, 'a command of another type is not this route’s body');
  t.equal(wrongType.json().code, 'VALIDATION_FAILED');
});

t.test('Idempotency-Key: repeats get the first answer, another payload is 422', async (t) => {
  const size = w.size;
  const headers = { 'idempotency-key': '"create-body-42"' };
  const first = await w.send(
    w.sign('admin', { type: 'body.create', name: '幂等' }),
    undefined,
    headers
  );
  t.equal(first.statusCode, 201);
  const again = await w.send(
    w.sign('admin', { type: 'body.create', name: '幂等' }),
    undefined,
    headers
  );
  t.equal(again.statusCode, 422, 'a fresh signature (new nonce) is a different request');
  t.equal(again.json().code, 'IDEMPOTENCY_KEY_REUSED');
  t.equal(w.size, size + 1);
});

t.test('Idempotency-Key: the exact retry is answered from memory, refusals too', async (t) => {
  const command = w.sign('admin', { type: 'body.create', name: '记忆' });
  const headers = { 'idempotency-key': 'key-2' };
  const first = await w.send(command, undefined, headers);
  const second = await w.send(command, undefined, headers);
  t.equal(second.statusCode, 201);
  t.same(second.json(), first.json());
  t.equal(second.headers['idempotent-replayed'], 'true');
  // A refusal is remembered: the same request gets the same refusal.
  const refused = w.sign('att', {
    type: 'meeting.schedule',
    bodyId: w.bodyId,
    kind: 'leadership',
    title: '无权',
    scheduledStart: w.now + DAY,
  });
  const h3 = { 'idempotency-key': 'key-3' };
  const r1 = await w.send(refused, undefined, h3);
  const r2 = await w.send(refused, undefined, h3);
  t.equal(r1.statusCode, 403);
  t.same(r2.json(), r1.json());
  // Scoped per principal: another principal may use the same key.
  const m1 = await w.send(
    w.sign('chair', {
      type: 'meeting.schedule',
      bodyId: w.bodyId,
      kind: 'leadership',
      title: '另一人',
      scheduledStart: w.now + DAY,
    }),
    undefined,
    headers
  );
  t.equal(m1.statusCode, 201);
  const bad = await w.send(command, undefined, { 'idempotency-key': 'bad key with spaces' });
  t.equal(bad.json().code, 'IDEMPOTENCY_KEY_INVALID');
});

t.test('Idempotency-Key: a retry while the first is in flight is 409', async (t) => {
  const headers = { 'idempotency-key': 'in-flight' };
  const command = w.sign('admin', { type: 'body.create', name: '飞行中' });
  const [a, b] = await Promise.all([
    w.send(command, undefined, headers),
    w.send(command, undefined, headers),
  ]);
  const codes = [a.statusCode, b.statusCode].sort();
  t.same(codes, [201, 409]);
  const conflict = a.statusCode === 409 ? a : b;
  t.equal(conflict.json().code, 'IDEMPOTENCY_IN_FLIGHT');
});

t.test('the state is replay(ledger): rebuilt from disk it is the same', async (t) => {
  const rebuilt = rebuildState(w.store);
  t.equal(canonicalJson(rebuilt.state), canonicalJson(w.app.pipeline.state));
});

t.test('a failed append stops commands, the state is rebuilt and nothing diverges', async (t) => {
  const size = w.size;
  const store = w.store as unknown as { appendBatch: (...a: unknown[]) => unknown };
  const original = store.appendBatch;
  store.appendBatch = () => {
    throw new Error('disk full');
  };
  const res = await w.send('admin', { type: 'body.create', name: '写入失败' });
  store.appendBatch = original;
  t.equal(res.statusCode, 503);
  t.equal(res.json().code, 'LEDGER_UNAVAILABLE');
  await w.app.pipeline.settled();
  t.equal(w.app.pipeline.status, 'ok');
  t.equal(w.size, size);
  t.equal(
    Object.values(w.app.pipeline.state.bodies).some((b) => b.name === '写入失败'),
    false,
    'the accepted-but-lost body is gone from the state'
  );
  const next = await w.send('admin', { type: 'body.create', name: '恢复后' });
  t.equal(next.statusCode, 201);
  t.equal(next.json().seq, size);
});

t.test('a ledger that does not replay accepts no command (fail closed)', async (t) => {
  const { makeLedger } = await import('../helpers/ledger-fixture.js');
  const { buildApp, Checkpointer, LedgerStore } = await import('@yishi/service/internal');
  const fixture = await makeLedger(t, 2, 1); // its entries are not commands of the rules
  const store = LedgerStore.open(fixture.paths.db);
  const app = await buildApp({
    store,
    checkpointer: new Checkpointer(store, { skey: fixture.skey }),
    logVkey: fixture.vkey,
  });
  t.teardown(async () => {
    await app.close();
    store.close();
  });
  t.equal(app.pipeline.status, 'failed');
  const res = await app.inject({
    method: 'POST',
    url: '/bodies',
    payload: signCommand(
      { type: 'body.create', name: 'x', ledger: fixture.ledgerId },
      fixture.adminSecretKey
    ),
  });
  t.equal(res.statusCode, 503);
  t.equal(res.json().code, 'LEDGER_UNAVAILABLE');
  t.equal(store.size, 3);
  t.equal((await app.inject('/log/checkpoint')).statusCode, 200, 'the public log still answers');
});
