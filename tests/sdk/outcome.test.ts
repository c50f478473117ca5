/**
 * Issue 15 §2: an accepted command says what happened. A P8 deferral answers `vote.open` with 201
 * like an opened vote; `outcome` (in the reply, and `outcomeOf` in the SDK) tells them apart. The
 * README's example (demo/examples/deferral.ts) runs here through the SDK, and every reply is
 * checked against its command's result schema.
 */
import t from 'tap';
import { formatSecretKey } from '@yishi/crypto';
import { commandOutcome, COMMAND_RESULT_SCHEMAS, type CommandType } from '@yishi/schema';
import { createYishiClient, outcomeOf, Signer } from '@yishi/sdk';
import { openVote } from '../../demo/examples/deferral.js';
import { assertSchema } from '../helpers/schema-check.js';
import { ServiceWorld, VOTERS } from '../service/helpers/service-world.js';

const w = await (await ServiceWorld.create(t)).populate();

/** The SDK's fetch, answered by the app in process (the world's clock signs and decides). */
const inject: typeof fetch = async (input, init) => {
  const request = new Request(input, init);
  const url = new URL(request.url);
  const requestHeaders: Record<string, string> = {};
  request.headers.forEach((v, k) => (requestHeaders[k] = v));
  const body = request.body ? await request.text() : undefined;
  const res = await w.app.inject({
    method: request.method as 'GET' | 'POST',
    url: url.pathname + url.search,
    headers: requestHeaders,
    ...(body === undefined ? {} : { payload: body }),
  });
  const headers = new Headers();
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, String(v));
  return new Response(res.body, { status: res.statusCode, headers });
};

const chairKey = w.keys['chair'] as Uint8Array;
const chair = createYishiClient({
  baseUrl: 'http://yishi.test',
  signer: new Signer(formatSecretKey('chair', chairKey), w.clock),
  fetch: inject,
});

/** An item of a fresh open meeting, in deliberation, with the given positions stated. */
async function itemWith(positions: Array<'agree' | 'disagree'>) {
  const meetingId = await w.schedule();
  const item = await w.submit(meetingId);
  await w.open(meetingId, w.now + 7 * 24 * 3_600_000);
  await w.ok('chair', { type: 'item.deliberate', itemId: item.itemId });
  const speakers = [...VOTERS.slice(1), 'chair'];
  for (const [i, id] of speakers.entries()) {
    const position = positions[i] ?? 'agree';
    await w.ok(id, {
      type: 'statement.record',
      itemId: item.itemId,
      materialsDigest: item.digest,
      position,
      ...(position === 'agree' ? {} : { reasons: '关键事实不清' }),
    });
  }
  return { meetingId, ...item };
}

t.test('a P8 deferral of vote.open reads as deferred, with its rule and basis', async (t) => {
  const item = await itemWith(['disagree', 'disagree', 'disagree', 'disagree']);
  const r = await chair.submit({
    type: 'vote.open',
    itemId: item.itemId,
    materialsDigest: item.digest,
  });
  t.equal(r.response.status, 201, 'answered like an opened vote');
  t.equal(r.error, undefined);
  t.match(outcomeOf(r), { outcome: 'deferred', rule: 'P8', basis: 'statements' });
  t.same(r.data?.outcome, outcomeOf(r), 'the reply carries the same outcome');
  assertSchema(COMMAND_RESULT_SCHEMAS['vote.open'], r.data, 'the vote.open reply');
  const d = r.data?.derived;
  t.ok(d && 'result' in d && d.result === 'deferred', 'derived is the typed deferral');
  const close = await chair.submit({ type: 'meeting.close', meetingId: item.meetingId });
  t.match(outcomeOf(close), { outcome: 'closed' });
});

t.test("the README's openVote tells an opened vote from a deferral", async (t) => {
  const deferred = await itemWith(['disagree', 'disagree', 'disagree', 'disagree']);
  t.same(await openVote(chair, deferred.itemId, deferred.digest), {
    opened: false,
    rule: 'P8',
    basis: 'statements',
  });
  await chair.submit({ type: 'meeting.close', meetingId: deferred.meetingId });
  const agreed = await itemWith([]);
  t.same(await openVote(chair, agreed.itemId, agreed.digest), {
    opened: true,
    method: 'roll_call',
    denominator: 9,
  });
});

t.test('a closed vote names its denominator in one place: outcome.denominator', async (t) => {
  const item = await itemWith([]);
  const opened = await chair.submit({
    type: 'vote.open',
    itemId: item.itemId,
    materialsDigest: item.digest,
  });
  t.match(outcomeOf(opened), { outcome: 'opened', denominator: 9 });
  for (const id of VOTERS) {
    await w.ok(id, {
      type: 'vote.cast',
      itemId: item.itemId,
      materialsDigest: item.digest,
      choice: 'for',
    });
  }
  const closed = await chair.submit({ type: 'vote.close', itemId: item.itemId });
  assertSchema(COMMAND_RESULT_SCHEMAS['vote.close'], closed.data, 'the vote.close reply');
  t.match(outcomeOf(closed), { outcome: 'adopted', rule: 'P9', basis: 'vote', denominator: 9 });
  t.equal(closed.data?.derived.counts?.denominator, 9, 'the ledger keeps counts.denominator');
});

t.test('a refused command has no outcome', async (t) => {
  const refused = await chair.submit({ type: 'body.create', name: '越权' });
  t.equal(refused.error?.code, 'ROLE_NOT_ALLOWED');
  t.equal(outcomeOf(refused), undefined);
});

t.test('commandOutcome reads every derived shape without throwing', async (t) => {
  for (const type of Object.keys(COMMAND_RESULT_SCHEMAS) as CommandType[]) {
    for (const d of [undefined, null, 7, [], {}, { result: 'adopted', rule: 'P9' }]) {
      t.doesNotThrow(() => commandOutcome(type, d), type);
    }
  }
  t.same(commandOutcome('item.withdraw', { result: 'withdrawn', rule: 'P3', basis: 'withdrawn' }), {
    outcome: 'withdrawn',
    rule: 'P3',
    basis: 'withdrawn',
  });
  t.same(commandOutcome('member.suspend', { principalId: 'm1' }), { outcome: 'recorded' });
});
