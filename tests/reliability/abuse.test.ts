/**
 * Abuse: what a member, an outsider or a thief of a key tries against a live meeting. Replayed
 * commands, stale and future timestamps, revoked keys, a member acting or reading in another
 * body, an attendee voting, a recorder signing a vote, someone else's key claimed, floods. Each
 * case is refused with its documented code and changes neither the ledger nor the state; a
 * flood is answered 429 with Retry-After while everyone else is served.
 */
import t from 'tap';
import {
  base64Encode,
  EMPTY_BODY_DIGEST,
  generateSecretKey,
  sign,
  signingMessage,
  signReadRequest,
} from '@yishi/crypto';
import { SIGNING_CONTEXTS, type SignedCommand } from '@yishi/schema';
import { signCommand } from '@yishi/sdk';
import { MAX_SKEW_MS } from '@yishi/service/internal';
import { DAY, HOUR, ServiceWorld, VOTERS, urlOf } from '../service/helpers/service-world.js';

const w = await ServiceWorld.create(t, { rateLimitPerMinute: 1_000_000 });
await w.populate();
const meetingId = await w.schedule();
const item = await w.submit(meetingId, 'm1');
await w.open(meetingId, w.now + 7 * DAY);
await w.ok('chair', { type: 'item.deliberate', itemId: item.itemId });
for (const id of [...VOTERS.filter((v) => v !== 'chair'), 'chair']) {
  await w.ok(id, {
    type: 'statement.record',
    itemId: item.itemId,
    materialsDigest: item.digest,
    position: 'agree',
  });
}
await w.ok('chair', { type: 'vote.open', itemId: item.itemId, materialsDigest: item.digest });
const castBy = (who: string, extra: Record<string, unknown> = {}) =>
  w.sign(who, {
    type: 'vote.cast',
    itemId: item.itemId,
    materialsDigest: item.digest,
    choice: 'for',
    ...extra,
  });

// A member whose key the admin revoked.
await w.register('gone', 'member', w.bodyId);
const goneKey = w.keys['gone'] as Uint8Array;
await w.ok('admin', { type: 'key.revoke', publicKey: w.publicKey('gone'), reason: '钥匙遗失' });

const digest = () => JSON.stringify(w.app.pipeline.state);

interface AbuseCase {
  name: string;
  request: () => Promise<{ statusCode: number; json: () => { code: string } }>;
  status: number;
  code: string;
}

const otherMeeting = await w.ok('chairb', {
  type: 'meeting.schedule',
  bodyId: w.otherBodyId,
  kind: 'leadership',
  title: '另一班子会议',
  scheduledStart: w.now + 7 * DAY,
});

const CASES: AbuseCase[] = [
  {
    name: 'a second vote by the same member (new nonce)',
    request: async () => {
      await w.send(castBy('m1'));
      return w.send(castBy('m1', { choice: 'against' }));
    },
    status: 409,
    code: 'ALREADY_VOTED',
  },
  {
    name: "a command re-signed under a used nonce by the nonce's owner",
    request: async () => {
      const first = w.sign('m3', {
        type: 'vote.cast',
        itemId: item.itemId,
        materialsDigest: item.digest,
        choice: 'for',
      });
      await w.send(first);
      return w.send(castBy('m3', { nonce: first.payload.nonce, choice: 'against' }));
    },
    status: 409,
    code: 'NONCE_REPLAYED',
  },
  {
    name: 'a stale timestamp (just over 5 minutes old)',
    request: () => w.send(castBy('m4', { ts: w.now - MAX_SKEW_MS - 1 })),
    status: 401,
    code: 'CLOCK_SKEW',
  },
  {
    name: 'a future timestamp (just over 5 minutes ahead)',
    request: () => w.send(castBy('m4', { ts: w.now + MAX_SKEW_MS + 1 })),
    status: 401,
    code: 'CLOCK_SKEW',
  },
  {
    name: 'a signed read with a stale timestamp',
    request: async () => {
      w.now -= MAX_SKEW_MS + 1;
      const res = w.get(`/meetings/${meetingId}`, 'm1');
      w.now += MAX_SKEW_MS + 1;
      return res;
    },
    status: 401,
    code: 'CLOCK_SKEW',
  },
  {
    name: 'a revoked key casting a vote',
    request: () =>
      w.send(
        signCommand(
          { type: 'body.create', name: '撤销', ledger: w.init.ledgerId },
          goneKey,
          w.clock
        )
      ),
    status: 401,
    code: 'KEY_REVOKED',
  },
  {
    name: 'a revoked key reading',
    request: () => w.get('/principals/me', 'gone'),
    status: 401,
    code: 'KEY_REVOKED',
  },
  {
    name: 'a key nobody registered',
    request: () =>
      w.send(
        signCommand(
          { type: 'body.create', name: '无名', ledger: w.init.ledgerId },
          generateSecretKey(),
          w.clock
        )
      ),
    status: 401,
    code: 'UNKNOWN_KEY',
  },
  {
    name: "someone else's key claimed, signed with the attacker's",
    request: () => {
      const forged = castBy('m5');
      const attacker = generateSecretKey();
      const bad: SignedCommand = {
        ...forged,
        signature: base64Encode(
          sign(signingMessage(SIGNING_CONTEXTS.command, forged.payload), attacker)
        ),
      };
      return w.send(bad);
    },
    status: 401,
    code: 'SIGNATURE_INVALID',
  },
  {
    name: 'a signed read whose signature covers another path',
    request: () =>
      w.app.inject({
        method: 'GET',
        url: `/meetings/${meetingId}`,
        headers: { authorization: readHeaderFor('m1', '/principals/me') },
      }),
    status: 401,
    code: 'SIGNATURE_INVALID',
  },
  {
    name: 'a member of another body submitting an item',
    request: () =>
      w.send('mb', {
        type: 'item.submit',
        meetingId,
        category: 'major_decision',
        title: '越界议题',
        materials: [{ title: '请示', sha256: 'c'.repeat(64) }],
      }),
    status: 403,
    code: 'NOT_A_MEMBER_OF_BODY',
  },
  {
    name: "a member of another body voting on this body's item",
    request: () => w.send(castBy('mb')),
    status: 403,
    code: 'NOT_A_MEMBER_OF_BODY',
  },
  {
    name: "a member reading another body's meeting",
    request: () => w.get(`/meetings/${otherMeeting['meetingId']}`, 'm1'),
    status: 404,
    code: 'MEETING_NOT_FOUND',
  },
  {
    name: "a member reading another body's objections",
    request: () => w.get(`/bodies/${w.otherBodyId}/objections`, 'm1'),
    status: 404,
    code: 'BODY_NOT_FOUND',
  },
  {
    name: 'an attendee voting',
    request: () => w.send(castBy('att')),
    status: 403,
    code: 'NOT_VOTING_MEMBER',
  },
  {
    name: 'a recorder signing a vote',
    request: () => w.send(castBy('rec')),
    status: 403,
    code: 'NOT_VOTING_MEMBER',
  },
  {
    name: 'the non-voting discipline secretary voting',
    request: () => w.send(castBy('disc')),
    status: 403,
    code: 'NOT_VOTING_MEMBER',
  },
  {
    name: 'a member recusing someone else',
    request: () =>
      w.send('m6', {
        type: 'item.recuse',
        itemId: item.itemId,
        principalId: 'm7',
        reason: '代为回避',
      }),
    status: 403,
    code: 'ROLE_NOT_ALLOWED',
  },
  {
    name: 'a member closing the vote (the chair does)',
    request: () => w.send('m6', { type: 'vote.close', itemId: item.itemId }),
    status: 403,
    code: 'ROLE_NOT_ALLOWED',
  },
  {
    name: 'an auditor acting',
    request: () => w.send('aud', { type: 'body.create', name: '审计越权' }),
    status: 403,
    code: 'ROLE_NOT_ALLOWED',
  },
  {
    name: 'the path naming another item than the signed payload',
    request: () =>
      w.app.inject({
        method: 'POST',
        url: urlOf({ type: 'vote.cast', itemId: 'item-999999' }),
        payload: castBy('m8'),
      }),
    status: 400,
    code: 'PATH_MISMATCH',
  },
];

/** A genuine read signature by `who`, but for `path`. */
function readHeaderFor(who: string, path: string): string {
  return signReadRequest(
    {
      ledger: w.init.ledgerId,
      method: 'GET',
      path,
      query: '',
      bodyDigest: EMPTY_BODY_DIGEST,
      ts: w.now,
    },
    w.keys[who] as Uint8Array
  );
}

t.test('every abuse is refused with its documented code and changes nothing', async (t) => {
  for (const c of CASES) {
    // Set-up steps a case takes (a first command) happen inside `request`; measure around it.
    const res = await c.request();
    const size = w.size;
    const state = digest();
    t.equal(res.statusCode, c.status, `${c.name}: ${c.status}`);
    t.equal(res.json().code, c.code, `${c.name}: ${c.code}`);
    // The same abuse again, measured on its own: nothing moves.
    const again = await c.request();
    t.equal(again.statusCode, c.status, `${c.name}, again`);
    t.equal(w.size, size, `${c.name}: the ledger did not grow`);
    t.equal(digest(), state, `${c.name}: the state did not change`);
  }
  t.comment(`abuse figures: ${CASES.length} abuse cases, each refused with its code, twice`);
});

t.test('a replayed accepted command gets its first answer and never a second entry', async (t) => {
  const vote = castBy('m2');
  const first = await w.send(vote);
  t.equal(first.statusCode, 201);
  const size = w.size;
  for (const headers of [{}, { 'idempotency-key': 'other-key' }] as Record<string, string>[]) {
    w.now += HOUR; // long after: a replay is answered, never decided again
    const again = await w.send(vote, undefined, headers);
    t.equal(again.statusCode, 201);
    t.equal(again.headers['idempotent-replayed'], 'true');
    t.same(again.json(), first.json());
  }
  t.equal(w.size, size, 'one entry for one signed command');
  w.now -= 2 * HOUR;
});

t.test('floods: 429 with Retry-After for the flooder, everyone else served', async (t) => {
  const fw = await ServiceWorld.create(t, { rateLimitPerMinute: 40 });
  await fw.populate();
  // populate spent the admin's allowance: start a fresh window.
  fw.now += 60_000;
  const flood = await Promise.all(
    Array.from({ length: 120 }, () => fw.get('/principals/me', 'm1'))
  );
  const limited = flood.filter((r) => r.statusCode === 429);
  t.equal(flood.filter((r) => r.statusCode === 200).length, 40, 'the allowance is served');
  t.equal(limited.length, 80, 'the rest is refused');
  for (const r of limited.slice(0, 3)) {
    t.equal(r.json().code, 'RATE_LIMITED');
    const after = Number(r.headers['retry-after']);
    t.ok(Number.isInteger(after) && after >= 1 && after <= 60, `Retry-After ${after}`);
  }
  // A flooding key's commands are refused too, before any decision.
  const size = fw.size;
  const cmd = await fw.send('m1', { type: 'body.create', name: '洪水' });
  t.equal(cmd.statusCode, 429);
  t.equal(fw.size, size);
  // Others, concurrently with a second wave of the flood: served.
  const [wave, others] = await Promise.all([
    Promise.all(Array.from({ length: 100 }, () => fw.get('/principals/me', 'm1'))),
    Promise.all([
      fw.get('/principals/me', 'm2'),
      fw.get(`/bodies/${fw.bodyId}`, 'chair'),
      fw.send('admin', { type: 'body.create', name: '照常' }),
    ]),
  ]);
  t.ok(
    wave.every((r) => r.statusCode === 429),
    'the flooder stays limited'
  );
  t.same(
    others.map((r) => r.statusCode),
    [200, 200, 201],
    'everyone else is served during the flood'
  );
  // An unsigned flood from one address does not limit another address.
  const unsigned = await Promise.all(
    Array.from({ length: 60 }, () =>
      fw.app.inject({ method: 'GET', url: '/log/key', remoteAddress: '10.0.0.66' })
    )
  );
  t.ok(
    unsigned.some((r) => r.statusCode === 429),
    'the flooding address is limited'
  );
  const other = await fw.app.inject({ method: 'GET', url: '/log/key', remoteAddress: '10.0.0.7' });
  t.equal(other.statusCode, 200, 'another address is not');
  t.equal((await fw.app.inject({ url: '/health', remoteAddress: '10.0.0.66' })).statusCode, 200);
  // After the window, the flooder is served again.
  fw.now += 60_000;
  t.equal((await fw.get('/principals/me', 'm1')).statusCode, 200);
});
