/**
 * Issue 15 §1, decision 0007: replies are JSON.stringify'd, so nothing shapes them to their
 * response schemas; this checks them. A meeting with an objection, an interference record, a
 * vote, a close and both signatures, driven through HTTP: every command's reply matches its
 * `<Type>Result`, and the reads that were `unknown` in the API (live item, record, minutes,
 * reports, objections, interference) match their schemas, before and after archiving.
 */
import t, { type Test } from 'tap';
import {
  BodyViewSchema,
  COMMAND_RESULT_SCHEMAS,
  InterferenceViewSchema,
  ItemDetailSchema,
  MeetingSummarySchema,
  MinutesReplySchema,
  ObjectionViewSchema,
  RecordReplySchema,
  ReportViewSchema,
  type CommandType,
} from '@yishi/schema';
import { Type, type TSchema } from 'typebox';
import { schemaErrors } from '../helpers/schema-check.js';
import { HOUR, ServiceWorld, VOTERS } from './helpers/service-world.js';

const w = await (await ServiceWorld.create(t)).populate();

/** Sends a command, requires 201 and a reply matching its result schema; returns `derived`. */
async function ok(
  t: Test,
  signer: string,
  payload: { type: CommandType } & Record<string, unknown>
) {
  const res = await w.send(signer, payload);
  t.equal(res.statusCode, 201, `${payload.type}: ${res.body.slice(0, 200)}`);
  const body = res.json();
  t.same(schemaErrors(COMMAND_RESULT_SCHEMAS[payload.type], body), [], `${payload.type} reply`);
  return body.derived;
}

async function read(t: Test, url: string, schema: TSchema, reader = 'aud') {
  const res = await w.get(url, reader);
  t.equal(res.statusCode, 200, `GET ${url}: ${res.body.slice(0, 200)}`);
  t.same(schemaErrors(schema, res.json()), [], `GET ${url} matches its schema`);
}

t.test('command replies and the engine-built reads match their schemas', async (t) => {
  const meetingId = await w.schedule();
  const { itemId, digest } = await w.submit(meetingId);
  await w.open(meetingId, w.now + 7 * 24 * HOUR);
  const raised = await ok(t, 'm2', {
    type: 'objection.raise',
    target: { kind: 'item', itemId },
    rule: 'P3',
    text: '材料未提前送达',
  });
  await ok(t, 'chair', {
    type: 'objection.answer',
    objectionId: raised.objectionId,
    answer: 'rejected',
    reasons: '已按时送达',
  });
  await ok(t, 'm3', {
    type: 'interference.record',
    bodyId: w.bodyId,
    who: { name: '某领导', post: '副市长', relation: 'leader' },
    matter: { category: 'procurement', text: '要求指定供应商' },
    form: 'instruction',
    occurredAt: w.now - HOUR,
  });
  await ok(t, 'chair', { type: 'item.deliberate', itemId });
  for (const id of [...VOTERS.slice(1), 'chair']) {
    await ok(t, id, {
      type: 'statement.record',
      itemId,
      materialsDigest: digest,
      position: 'agree',
    });
  }
  await ok(t, 'chair', { type: 'vote.open', itemId, materialsDigest: digest });
  await read(t, `/items/${itemId}`, ItemDetailSchema);
  for (const id of VOTERS) {
    await ok(t, id, { type: 'vote.cast', itemId, materialsDigest: digest, choice: 'for' });
  }
  await ok(t, 'chair', { type: 'vote.close', itemId });
  const closed = await ok(t, 'chair', { type: 'meeting.close', meetingId });
  await read(t, `/meetings/${meetingId}`, MeetingSummarySchema);
  await read(t, `/meetings/${meetingId}/record`, RecordReplySchema);
  await read(t, `/meetings/${meetingId}/minutes`, MinutesReplySchema);
  await read(t, '/reports?status=all', Type.Array(ReportViewSchema), 'admin');
  await read(t, `/bodies/${w.bodyId}/objections`, Type.Array(ObjectionViewSchema));
  await read(t, `/bodies/${w.bodyId}/interference`, Type.Array(InterferenceViewSchema));
  await read(t, `/bodies/${w.bodyId}`, BodyViewSchema);
  for (const signer of ['rec', 'chair']) {
    await ok(t, signer, { type: 'record.sign', meetingId, recordDigest: closed.recordDigest });
  }
  await read(t, `/meetings/${meetingId}`, MeetingSummarySchema);
  await read(t, `/meetings/${meetingId}/record`, RecordReplySchema);
  await read(t, `/meetings/${meetingId}/minutes`, MinutesReplySchema);
});
