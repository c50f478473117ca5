// Closed meetings' records live in service.db, not in memory: the API's records, minutes and
// meeting lists are byte for byte what they were when records were kept in memory (the record
// built by the rules at close), and stay so across a restart that restores the state snapshot.
import { join } from 'node:path';
import { Writable } from 'node:stream';
import t from 'tap';
import { pino } from 'pino';
import {
  EMPTY_BODY_DIGEST,
  generateNoteKey,
  sha256,
  signReadRequest,
  utf8Encode,
} from '@yishi/crypto';
import {
  buildMinutes,
  buildRecord,
  initialState,
  renderMinutesMarkdown,
  renderRecordMarkdown,
  replayEntry,
  type MeetingRecord,
} from '@yishi/procedure';
import { buildApp, Checkpointer, LedgerStore } from '@yishi/service/internal';
import { tempDir } from '../../helpers/ledger-fixture.js';
import { appendEntries, generatedEntries } from './helpers/generated-ledger.js';

/** Every closed meeting's record as the rules build it at its close (what the API served). */
function recordsAtClose(entries: ReturnType<typeof generatedEntries>): Map<string, MeetingRecord> {
  const out = new Map<string, MeetingRecord>();
  let state = initialState();
  for (const e of entries) {
    state = replayEntry(state, e).state;
    if ((e.command.payload as { type: string }).type === 'meeting.close') {
      const id = (e.derived as { meetingId: string }).meetingId;
      out.set(id, structuredClone(buildRecord(state, id) as MeetingRecord));
    }
  }
  return out;
}

t.test('records, minutes and meeting lists are identical before and after a restart', async (t) => {
  const entries = generatedEntries(20250303);
  const expected = recordsAtClose(entries);
  t.ok(expected.size >= 2, `${expected.size} closed meetings`);
  const dir = tempDir(t);
  const store = LedgerStore.open(join(dir, 'ledger.db'));
  t.teardown(() => store.close());
  appendEntries(store, entries);
  const origin = (entries[0]?.command.payload as unknown as { origin: string }).origin;
  const { skey, vkey } = generateNoteKey(origin);
  const now = (entries[entries.length - 1]?.time ?? 0) + 1000;
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    })
  );
  const start = () =>
    buildApp({
      store,
      checkpointer: new Checkpointer(store, { skey }),
      logVkey: vkey,
      // The log key: snapshots are authenticated under a key derived from it.
      logSkey: skey,
      serviceDb: join(dir, 'service.db'),
      clock: () => now,
      logger,
    });

  const reader = 'chair';
  const secret = sha256(utf8Encode(`test-key:${reader}`));
  const answers = async (app: Awaited<ReturnType<typeof start>>) => {
    const { state, projections } = app.pipeline.ledger;
    const ids = new Set([
      ...Object.keys(state.meetings),
      ...projections.closed.keys(),
      ...projections.cancelled.keys(),
    ]);
    const urls = [...Object.keys(state.bodies)].map((b) => `/bodies/${b}/meetings`);
    for (const id of [...ids].sort()) {
      for (const tail of ['', '/record', '/record/markdown', '/minutes', '/minutes/markdown']) {
        urls.push(`/meetings/${id}${tail}`);
      }
    }
    const out: Array<[string, number, string]> = [];
    for (const url of urls) {
      const authorization = signReadRequest(
        {
          ledger: app.pipeline.state.ledger?.ledgerId ?? '',
          method: 'GET',
          path: url,
          query: '',
          bodyDigest: EMPTY_BODY_DIGEST,
          ts: now,
        },
        secret
      );
      const res = await app.inject({ method: 'GET', url, headers: { authorization } });
      out.push([url, res.statusCode, res.body]);
    }
    return out;
  };

  const first = await start();
  const before = await answers(first);
  t.ok(before.filter(([, status]) => status === 200).length > 20, 'the reads answer');
  for (const [id, record] of expected) {
    const get = (tail: string) => before.find(([u]) => u === `/meetings/${id}${tail}`);
    const json = get('/record');
    t.equal(json?.[1], 200, `${id}: record`);
    t.equal(
      JSON.stringify((JSON.parse(json?.[2] ?? '{}') as { record: unknown }).record),
      JSON.stringify(record),
      `${id}: the record is the one built at close`
    );
    t.equal(get('/record/markdown')?.[2], renderRecordMarkdown(record), `${id}: record markdown`);
    t.equal(
      get('/minutes/markdown')?.[2],
      renderMinutesMarkdown(buildMinutes(record)),
      `${id}: minutes markdown`
    );
  }
  const archived = before.filter(
    ([u, s, b]) => u.endsWith('/meetings') && s === 200 && b.includes('"archived"')
  );
  t.ok(archived.length > 0, 'a meeting list holds archived meetings');
  await first.close();
  t.ok(
    lines.some((l) => l['msg'] === 'state snapshot written'),
    'closing wrote a snapshot'
  );

  lines.length = 0;
  const second = await start();
  t.match(
    lines.find((l) => l['msg'] === 'state loaded'),
    { fromSnapshot: entries.length, replayed: 0 },
    'the restart restored the snapshot'
  );
  const after = await answers(second);
  t.same(after.length, before.length);
  for (let i = 0; i < before.length; i++) {
    t.equal(after[i]?.[2], before[i]?.[2], `${before[i]?.[0]}: byte-identical after the restart`);
    t.equal(after[i]?.[1], before[i]?.[1]);
  }
  await second.close();

  lines.length = 0;
  const third = await buildApp({
    store,
    checkpointer: new Checkpointer(store, { skey }),
    logVkey: vkey,
    serviceDb: join(dir, 'service.db'),
    clock: () => now,
    logger,
    fullReplay: true,
  });
  t.match(
    lines.find((l) => l['msg'] === 'state loaded'),
    { fromSnapshot: 0 },
    'full replay'
  );
  const replayed = await answers(third);
  for (let i = 0; i < before.length; i++) {
    t.equal(replayed[i]?.[2], before[i]?.[2], `${before[i]?.[0]}: identical after a full replay`);
  }
  await third.close();
});
