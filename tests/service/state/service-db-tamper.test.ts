// service.db is a cache anyone who can write the data folder can edit (issue 14). Two edits an
// attacker made: a principal added to the state snapshot with its plain SHA-256 recomputed, and two
// vote counts swapped in a closed meeting's record. The service must refuse both: the snapshot is
// not used (its MAC does not verify), and the record is never served against the ledger's digest.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { deserialize, serialize } from 'node:v8';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import t from 'tap';
import {
  base64Encode,
  EMPTY_BODY_DIGEST,
  generateNoteKey,
  getPublicKey,
  sha256,
  signReadRequest,
  utf8Encode,
} from '@yishi/crypto';
import type { MeetingRecord, State } from '@yishi/procedure';
import { verifyRecord } from '@yishi/verify';
import { buildApp, Checkpointer, LedgerStore } from '@yishi/service/internal';
import { tempDir } from '../../helpers/ledger-fixture.js';
import { appendEntries, generatedEntries } from './helpers/generated-ledger.js';

const entries = generatedEntries(20250303);
const dir = tempDir(t);
const store = LedgerStore.open(join(dir, 'ledger.db'));
t.teardown(() => store.close());
appendEntries(store, entries);
const { origin, ledgerId } = entries[0]?.command.payload as unknown as {
  origin: string;
  ledgerId: string;
};
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
const serviceDb = join(dir, 'service.db');
const start = () =>
  buildApp({
    store,
    checkpointer: new Checkpointer(store, { skey }),
    logVkey: vkey,
    logSkey: skey,
    serviceDb,
    clock: () => now,
    logger,
  });
type App = Awaited<ReturnType<typeof start>>;

const read = (app: App, url: string, secret: Uint8Array) =>
  app.inject({
    method: 'GET',
    url,
    headers: {
      authorization: signReadRequest(
        {
          ledger: ledgerId,
          method: 'GET',
          path: url,
          query: '',
          bodyDigest: EMPTY_BODY_DIGEST,
          ts: now,
        },
        secret
      ),
    },
  });
const chair = sha256(utf8Encode('test-key:chair'));

t.test('a principal added to the snapshot (plain SHA-256 recomputed) is refused', async (t) => {
  const first = await start();
  await first.close();
  const intruder = sha256(utf8Encode('intruder'));
  const intruderKey = base64Encode(getPublicKey(intruder));
  const db = new Database(serviceDb);
  const row = db.prepare('SELECT body FROM state_snapshot').get() as { body: Buffer };
  const body = deserialize(row.body) as { state: State };
  const admin = Object.values(body.state.principals).find((p) => p.role === 'admin');
  t.ok(admin, 'the snapshot holds the admin');
  body.state.principals['intruder'] = { ...admin!, id: 'intruder', keys: [intruderKey] };
  body.state.keys[intruderKey] = { principalId: 'intruder', addedSeq: 1, revokedSeq: null };
  const forged = serialize(body);
  db.prepare('UPDATE state_snapshot SET body = ?, digest = ?').run(
    forged,
    createHash('sha256').update(forged).digest()
  );
  db.close();

  lines.length = 0;
  const app = await start();
  t.teardown(() => app.close());
  t.equal(
    lines.find((l) => l['msg'] === 'no usable state snapshot; replaying the whole ledger')?.[
      'reason'
    ],
    'DIGEST_MISMATCH',
    'the snapshot is refused and the log says why'
  );
  t.match(
    lines.find((l) => l['msg'] === 'state loaded'),
    { fromSnapshot: 0 },
    'full replay'
  );
  t.notOk(app.pipeline.state.principals['intruder'], 'the principal is not in the state');
  const me = await read(app, '/principals/me', intruder);
  t.equal(me.statusCode, 401);
  t.equal(me.json().code, 'UNKNOWN_KEY');
  const exported = await read(app, '/ledger/export', intruder);
  t.equal(exported.statusCode, 401);
});

t.test('a record whose vote counts were swapped is refused, then rebuilt', async (t) => {
  const app = await start();
  t.teardown(() => app.close());
  // A closed meeting whose record holds an item with counts that differ.
  const db = new Database(serviceDb);
  t.teardown(() => db.close());
  const rows = db
    .prepare('SELECT meeting_id, record, record_digest FROM meeting_records')
    .all() as Array<{ meeting_id: string; record: string; record_digest: string }>;
  let target: { id: string; digest: string; original: string; forged: string } | undefined;
  for (const r of rows) {
    const record = JSON.parse(r.record) as MeetingRecord;
    for (const item of record.items) {
      const c = item.outcome?.counts as Record<string, number> | undefined;
      if (!c) continue;
      const keys = Object.keys(c).filter((k) => typeof c[k] === 'number');
      const [a, b] = keys
        .flatMap((x, i) => keys.slice(i + 1).map((y) => [x, y] as const))
        .find(([x, y]) => c[x] !== c[y]) ?? [undefined, undefined];
      if (a === undefined || b === undefined) continue;
      [c[a], c[b]] = [c[b] as number, c[a] as number];
      target = {
        id: r.meeting_id,
        digest: r.record_digest,
        original: r.record,
        forged: JSON.stringify(record),
      };
      break;
    }
    if (target) break;
  }
  if (!target) throw new Error('no record with two different counts');
  db.prepare('UPDATE meeting_records SET record = ? WHERE meeting_id = ?').run(
    target.forged,
    target.id
  );
  t.equal(
    verifyRecord(JSON.parse(target.forged) as MeetingRecord, target.digest),
    false,
    'a client holding the digest would see the forgery too (verifyRecord)'
  );
  t.equal(verifyRecord(JSON.parse(target.original) as MeetingRecord, target.digest), true);

  lines.length = 0;
  for (const tail of ['/record', '/minutes', '/record/markdown', '']) {
    const res = await read(app, `/meetings/${target.id}${tail}`, chair);
    t.equal(res.statusCode, 500, `${tail || 'summary'}: refused`);
    t.equal(res.json().code, 'CACHE_DAMAGED', `${tail || 'summary'}: CACHE_DAMAGED`);
    t.notMatch(res.body, /"counts"/, 'nothing of the forged record is sent');
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    db.prepare('UPDATE meeting_records SET record = ? WHERE meeting_id = ?').run(
      target.forged,
      target.id
    );
  }
  t.ok(
    lines.some((l) => l['level'] === 50 && l['meetingId'] === target.id),
    'the damage is logged as an error'
  );
  // Left alone, the service rebuilds the row from the ledger.
  await read(app, `/meetings/${target.id}/record`, chair);
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  const repaired = db
    .prepare('SELECT record FROM meeting_records WHERE meeting_id = ?')
    .get(target.id) as { record: string };
  t.equal(repaired.record, target.original, 'the row is the ledger’s again');
  const res = await read(app, `/meetings/${target.id}/record`, chair);
  t.equal(res.statusCode, 200);
  t.equal(res.json().recordDigest, target.digest);
  t.equal(verifyRecord(res.json().record as MeetingRecord, target.digest), true);
});
