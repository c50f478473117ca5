/**
 * No existence oracle (issue 13): a principal who may not see a body gets, for its things, the
 * very answer a missing thing gets: 404, the same bytes, the same content type.
 */
import t from 'tap';
import { ServiceWorld } from './helpers/service-world.js';

const w = await (await ServiceWorld.create(t)).populate();
const meetingId = await w.schedule();
const { itemId } = await w.submit(meetingId);
const A = w.bodyId;

/** Each per-id read: a thing of body A, and the same read of a thing that does not exist. */
const PAIRS: [string, string][] = [
  ['/principals/m1', '/principals/nobody'],
  [`/bodies/${A}`, '/bodies/body-999999'],
  [`/bodies/${A}/meetings`, '/bodies/body-999999/meetings'],
  [`/bodies/${A}/objections`, '/bodies/body-999999/objections'],
  [`/bodies/${A}/interference`, '/bodies/body-999999/interference'],
  [`/meetings/${meetingId}`, '/meetings/mtg-999999'],
  [`/meetings/${meetingId}/record`, '/meetings/mtg-999999/record'],
  [`/meetings/${meetingId}/record/markdown`, '/meetings/mtg-999999/record/markdown'],
  [`/meetings/${meetingId}/minutes`, '/meetings/mtg-999999/minutes'],
  [`/meetings/${meetingId}/minutes/markdown`, '/meetings/mtg-999999/minutes/markdown'],
  [`/items/${itemId}`, '/items/item-999999'],
];

t.test('existing-but-hidden and missing answer byte for byte the same', async (t) => {
  // mb: a member of body B; aud2: an auditor appointed to nothing.
  for (const reader of ['mb', 'aud2']) {
    for (const [existing, missing] of PAIRS) {
      const a = await w.get(existing, reader);
      const b = await w.get(missing, reader);
      t.equal(a.statusCode, 404, `${reader} ${existing}`);
      t.equal(b.statusCode, 404, `${reader} ${missing}`);
      t.equal(a.body, b.body, `${reader}: ${existing} answers as ${missing}`);
      t.equal(a.headers['content-type'], b.headers['content-type']);
    }
  }
});

t.test('a reader who sees the body still reads its things', async (t) => {
  t.equal((await w.get(`/meetings/${meetingId}`, 'm1')).statusCode, 200);
  t.equal((await w.get(`/items/${itemId}`, 'aud')).statusCode, 200);
  t.equal((await w.get(`/bodies/${A}`, 'admin')).statusCode, 200);
});
