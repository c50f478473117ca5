/**
 * P11 over HTTP: a rejected cadre candidate renominated through POST
 * /meetings/{meetingId}/resubmissions (item.resubmit), linked to the rejected attempt; the
 * refusals carry rule P11 and their codes.
 */
import t from 'tap';
import { SHA_A, ServiceWorld, VOTERS } from './helpers/service-world.js';

const w = await ServiceWorld.create(t, { rateLimitPerMinute: 100_000 });
await w.populate();
const six = VOTERS.slice(0, 6);
const nomination = { candidate: { name: '候选人甲' }, post: '某局局长' };
const material = [{ title: '考察材料', sha256: SHA_A }];

/** A cadre item rejected at a new meeting: 6 present, a secret ballot 4–2 (P9, not close). */
async function rejected(previousItemId?: string): Promise<{ meetingId: string; itemId: string }> {
  const meetingId = await w.schedule(96);
  const item = await w.ok('m1', {
    ...(previousItemId === undefined
      ? { type: 'item.submit', category: 'cadre_appointment' }
      : { type: 'item.resubmit', previousItemId }),
    meetingId,
    title: '关于甲同志任职的议题',
    materials: material,
    ...nomination,
  });
  const itemId = item.itemId as string;
  const digest = item.materialsDigest as string;
  await w.open(meetingId, w.app.pipeline.state.meetings[meetingId]?.scheduledStart as number, six);
  await w.ok('chair', { type: 'item.deliberate', itemId });
  for (const id of [...six.slice(1), 'chair']) {
    await w.ok(id, {
      type: 'statement.record',
      itemId,
      materialsDigest: digest,
      position: 'agree',
    });
  }
  await w.ok('chair', {
    type: 'vote.open',
    itemId,
    materialsDigest: digest,
    scrutineers: ['m1', 'm2'],
  });
  for (const id of six) {
    await w.ok(id, {
      type: 'ballot.receipt',
      itemId,
      materialsDigest: digest,
      receipt: 'c'.repeat(64),
    });
  }
  for (const s of ['m1', 'm2']) {
    await w.ok(s, { type: 'tally.sign', itemId, for: 4, against: 2, abstain: 0 });
  }
  const closed = await w.ok('chair', { type: 'vote.close', itemId });
  if (closed.result !== 'rejected') throw new Error(`expected rejected, got ${closed.result}`);
  return { meetingId, itemId };
}

const resubmit = (previousItemId: string, meetingId: string, extra = {}) => ({
  type: 'item.resubmit',
  previousItemId,
  meetingId,
  title: '关于甲同志任职的议题（再次提名）',
  materials: material,
  ...nomination,
  ...extra,
});

t.test('a rejected candidate is renominated, linked, until the attempts run out', async (t) => {
  const first = await rejected();
  const same = await w.send('m1', resubmit(first.itemId, first.meetingId));
  t.match(same.json(), { code: 'CADRE_SAME_MEETING', rule: 'P11' });
  const post = await w.send(
    'm1',
    resubmit(first.itemId, await w.schedule(120), { post: '某区区长' })
  );
  t.match(post.json(), { code: 'RESUBMISSION_CHANGES_MATTER', rule: 'P11' });
  const second = await rejected(first.itemId);
  const detail = (await w.get(`/items/${second.itemId}`, 'm1')).json();
  t.equal(detail.item?.previousItemId ?? detail.previousItemId, first.itemId, 'linked');
  const exhausted = await w.send('m1', resubmit(second.itemId, await w.schedule(120)));
  t.equal(exhausted.statusCode >= 400 && exhausted.statusCode < 500, true);
  t.match(exhausted.json(), {
    code: 'CADRE_ATTEMPTS_EXHAUSTED',
    rule: 'P11',
  });
});

t.test('refuses a cadre item that was not rejected', async (t) => {
  const meetingId = await w.schedule(96);
  const pending = await w.ok('m2', {
    type: 'item.submit',
    meetingId,
    category: 'cadre_appointment',
    title: '关于乙同志任职的议题',
    materials: material,
    candidate: { name: '候选人乙' },
    post: '某局副局长',
  });
  const later = await w.schedule(120);
  const r = await w.send(
    'm2',
    resubmit(pending.itemId as string, later, {
      candidate: { name: '候选人乙' },
      post: '某局副局长',
    })
  );
  t.match(r.json(), { code: 'ITEM_NOT_REJECTED', rule: 'P11' });
});
