/**
 * Protocol v2 (issue 13): a command or a signed read made for one ledger is refused by a service
 * keeping another, even where the same member key is registered on both and ids coincide.
 */
import t from 'tap';
import {
  base64Encode,
  EMPTY_BODY_DIGEST,
  generateSecretKey,
  getPublicKey,
  sign,
  signingMessage,
  signReadRequest,
} from '@yishi/crypto';
import { V1_SIGNING_CONTEXTS, type SignedCommand } from '@yishi/schema';
import { ServiceWorld } from './helpers/service-world.js';

/** Two ledgers, each with body-1 and its chair `chair`, who holds the same key on both. */
async function twoLedgers(t: Parameters<typeof ServiceWorld.create>[0]) {
  const a = await ServiceWorld.create(t);
  const b = await ServiceWorld.create(t);
  const chairKey = generateSecretKey();
  for (const w of [a, b]) {
    w.bodyId = (await w.ok('admin', { type: 'body.create', name: '某市委常委会' })).bodyId;
    w.keys['chair'] = chairKey;
    await w.ok('admin', {
      type: 'principal.register',
      principalId: 'chair',
      name: '张书记',
      publicKey: w.publicKey('chair'),
      role: 'chair',
      bodyId: w.bodyId,
    });
  }
  return { a, b };
}

const schedule = (w: ServiceWorld) => ({
  type: 'meeting.schedule',
  bodyId: w.bodyId,
  kind: 'leadership',
  title: '常委会会议',
  scheduledStart: w.now + 7 * 86_400_000,
});

t.test('a command signed for ledger A replayed to ledger B is refused', async (t) => {
  const { a, b } = await twoLedgers(t);
  t.equal(a.bodyId, b.bodyId, 'the ids coincide');
  t.not(a.init.ledgerId, b.init.ledgerId);
  const command = a.sign('chair', schedule(a));
  t.equal(command.payload['ledger'], a.init.ledgerId);
  t.equal((await a.send(command)).statusCode, 201, 'accepted by A');
  const sizeB = b.size;
  const res = await b.send(command);
  t.equal(res.statusCode, 401);
  t.equal(res.json().code, 'WRONG_LEDGER');
  t.same(res.json().details, { expected: b.init.ledgerId, got: a.init.ledgerId });
  t.equal(b.size, sizeB, 'nothing appended to B');
  t.equal((await b.send(b.sign('chair', schedule(b)))).statusCode, 201, 'B takes its own');
});

t.test('a command naming no ledger (v1) is refused', async (t) => {
  const { a } = await twoLedgers(t);
  const key = a.keys['chair'] as Uint8Array;
  const payload = { ...schedule(a), ts: a.now, nonce: 'cd'.repeat(16) };
  const v1: SignedCommand = {
    payload,
    publicKey: base64Encode(getPublicKey(key)),
    signature: base64Encode(sign(signingMessage(V1_SIGNING_CONTEXTS.command, payload), key)),
  };
  const res = await a.send(v1);
  t.equal(res.statusCode, 401);
  t.equal(res.json().code, 'WRONG_LEDGER');
});

t.test('a signed read made for ledger A replayed to ledger B is refused', async (t) => {
  const { a, b } = await twoLedgers(t);
  const authorization = signReadRequest(
    {
      ledger: a.init.ledgerId,
      method: 'GET',
      path: '/principals/me',
      query: '',
      bodyDigest: EMPTY_BODY_DIGEST,
      ts: a.now,
    },
    a.keys['chair'] as Uint8Array
  );
  const read = (w: ServiceWorld) =>
    w.app.inject({ method: 'GET', url: '/principals/me', headers: { authorization } });
  t.equal((await read(a)).statusCode, 200, 'accepted by A');
  const res = await read(b);
  t.equal(res.statusCode, 401);
  t.equal(res.json().code, 'SIGNATURE_INVALID');
});

t.test('GET /ledger/info names the ledger, its origin, log key and protocol', async (t) => {
  const a = await ServiceWorld.create(t);
  const res = await a.app.inject({ method: 'GET', url: '/ledger/info' });
  t.equal(res.statusCode, 200);
  t.same(res.json(), {
    ledgerId: a.init.ledgerId,
    origin: a.init.origin,
    logVkey: a.init.vkey,
    protocol: 2,
  });
});
