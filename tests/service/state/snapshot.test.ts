// State snapshots (service.db): a start restores the snapshot and replays only the entries after
// it, and gets exactly the state and read models of a full replay; a snapshot that does not match
// the ledger, or cannot be read, is never used: the start replays everything and says why.
import { serialize } from 'node:v8';
import t, { type Test } from 'tap';
import type { LedgerEntry } from '@yishi/schema';
import {
  rebuildState,
  snapshotMac,
  type CommandPipeline,
  type LedgerState,
} from '@yishi/service/internal';
import { tempDir } from '../../helpers/ledger-fixture.js';
import {
  appendEntries,
  captureLog,
  generatedEntries,
  openPair,
  pipelineOn,
  TEST_SNAPSHOT_KEY,
  type LogLine,
} from './helpers/generated-ledger.js';

const loaded = (lines: LogLine[]) => lines.find((l) => l.msg === 'state loaded')?.obj;
const rejection = (lines: LogLine[]) =>
  lines.find((l) => l.msg === 'no usable state snapshot; replaying the whole ledger')?.obj[
    'reason'
  ];

/** The read models and records of `ledger`, as plain data. */
function readModels(ledger: LedgerState) {
  const p = ledger.projections;
  return {
    closed: [...p.closed.entries()],
    cancelled: [...p.cancelled.entries()],
    reports: [...p.reports.entries()],
    interference: [...p.interference.entries()],
    objections: [...p.objections.entries()],
    records: [...p.closed.keys()].map((id) => [id, p.closedRecord(id), p.closedSummary(id)]),
  };
}

/** Asserts `pipeline`'s state and read models are a full replay's of its store. */
function sameAsFullReplay(
  t: Test,
  pipeline: CommandPipeline,
  reference: LedgerState,
  what: string
): void {
  t.equal(pipeline.status, 'ok', `${what}: accepting`);
  t.equal(
    JSON.stringify(pipeline.state),
    JSON.stringify(reference.state),
    `${what}: the state is a full replay's, key order included`
  );
  t.strictSame(pipeline.state, reference.state, `${what}: the state deep-equals a full replay's`);
  t.strictSame(readModels(pipeline.ledger), readModels(reference), `${what}: read models`);
}

const SEEDS = [7, 20250303, 4242];
const generated = new Map<number, LedgerEntry[]>();
const entriesOf = (seed: number): LedgerEntry[] => {
  let e = generated.get(seed);
  if (!e) generated.set(seed, (e = generatedEntries(seed)));
  return e;
};

t.test(
  'a generated ledger closes and archives meetings (the tests below exercise records)',
  async (t) => {
    for (const seed of SEEDS) {
      const entries = entriesOf(seed);
      const types = entries.map((e) => (e.command.payload as { type: string }).type);
      t.ok(types.filter((x) => x === 'meeting.close').length >= 2, `seed ${seed}: closes`);
      t.ok(types.filter((x) => x === 'record.sign').length >= 4, `seed ${seed}: signatures`);
    }
  }
);

t.test(
  'restoring a snapshot and replaying the tail gives a full replay’s state at every cut point',
  async (t) => {
    for (const seed of SEEDS) {
      const entries = entriesOf(seed);
      const closes = entries
        .filter((e) => (e.command.payload as { type: string }).type === 'meeting.close')
        .map((e) => e.seq);
      const cuts = [
        1,
        Math.floor(entries.length / 3),
        (closes[0] as number) + 1, // just after a close: its record is covered by the snapshot
        closes[closes.length - 1] as number, // just before the last close
        entries.length - 1,
        entries.length,
      ];
      for (const cut of cuts) {
        const dir = tempDir(t);
        const { store, db } = openPair(dir);
        appendEntries(store, entries.slice(0, cut));
        const first = captureLog();
        const p1 = pipelineOn(store, db, first.log, { snapshotAfter: 0 });
        t.match(loaded(first.lines), { fromSnapshot: 0, replayed: cut }, 'first start replays');
        t.ok(
          first.lines.some((l) => l.msg === 'state snapshot written'),
          'and writes a snapshot'
        );
        await p1.close();
        appendEntries(store, entries.slice(cut));

        const second = captureLog();
        const p2 = pipelineOn(store, db, second.log);
        t.match(
          loaded(second.lines),
          { fromSnapshot: cut, replayed: entries.length - cut },
          `seed ${seed} cut ${cut}: the second start restores the snapshot`
        );
        sameAsFullReplay(t, p2, rebuildState(store), `seed ${seed} cut ${cut}`);
        await p2.close();
        store.close();
        db.close();
      }
    }
  }
);

/** A ledger with a snapshot at `cut`, then the rest of the entries appended. */
async function withSnapshot(t: Test, cut: number) {
  const entries = entriesOf(SEEDS[0] as number);
  const dir = tempDir(t);
  const { store, db } = openPair(dir);
  appendEntries(store, entries.slice(0, cut));
  const p = pipelineOn(store, db, captureLog().log, { snapshotAfter: 0 });
  await p.close();
  appendEntries(store, entries.slice(cut));
  t.teardown(() => {
    store.close();
    if (db.open) db.close();
  });
  return { store, db, entries };
}

/** Replaces the body and signs it as the service would (with the service's key). */
const setBody = (db: ReturnType<typeof openPair>['db'], body: Buffer) => {
  const row = db
    .prepare('SELECT format, engine, ledger_id, origin, size, leaf_hash FROM state_snapshot')
    .get() as {
    format: number;
    engine: string;
    ledger_id: string;
    origin: string;
    size: number;
    leaf_hash: Buffer;
  };
  const fields = {
    format: row.format,
    engine: row.engine,
    ledgerId: row.ledger_id,
    origin: row.origin,
    size: row.size,
    leafHash: row.leaf_hash,
  };
  db.prepare('UPDATE state_snapshot SET body = ?, digest = ?').run(
    body,
    snapshotMac(TEST_SNAPSHOT_KEY, fields, body)
  );
};

const BAD: Array<[string, string, (db: ReturnType<typeof openPair>['db'], size: number) => void]> =
  [
    ['NO_SNAPSHOT', 'no snapshot row', (db) => db.prepare('DELETE FROM state_snapshot').run()],
    [
      'FORMAT_MISMATCH',
      'another snapshot format',
      (db) => db.prepare('UPDATE state_snapshot SET format = 99').run(),
    ],
    [
      'ENGINE_MISMATCH',
      'other rules (engine fingerprint)',
      (db) => db.prepare("UPDATE state_snapshot SET engine = 'other rules'").run(),
    ],
    [
      'LEDGER_MISMATCH',
      'another ledger id',
      (db) => db.prepare("UPDATE state_snapshot SET ledger_id = 'another-ledger'").run(),
    ],
    [
      'LEDGER_MISMATCH',
      'another origin',
      (db) => db.prepare("UPDATE state_snapshot SET origin = 'example.com/other'").run(),
    ],
    [
      'BEYOND_LEDGER',
      'a size past the ledger',
      (db, size) => db.prepare('UPDATE state_snapshot SET size = ?').run(size + 100),
    ],
    ['BEYOND_LEDGER', 'size 0', (db) => db.prepare('UPDATE state_snapshot SET size = 0').run()],
    [
      'LEAF_HASH_MISMATCH',
      'another leaf hash at N-1',
      (db) => db.prepare('UPDATE state_snapshot SET leaf_hash = zeroblob(32)').run(),
    ],
    [
      'LEAF_HASH_MISMATCH',
      'a size whose leaf hash is not the one it was taken after',
      (db) => db.prepare('UPDATE state_snapshot SET size = size - 1').run(),
    ],
    [
      'DIGEST_MISMATCH',
      'a flipped byte in the body',
      (db) => {
        const row = db.prepare('SELECT body FROM state_snapshot').get() as { body: Buffer };
        row.body.writeUInt8(row.body.readUInt8(row.body.length >> 1) ^ 1, row.body.length >> 1);
        db.prepare('UPDATE state_snapshot SET body = ?').run(row.body);
      },
    ],
    [
      'UNDECODABLE',
      'bytes that are not a v8 serialisation (MAC matching)',
      (db) => setBody(db, Buffer.from('not a snapshot at all')),
    ],
    [
      'UNDECODABLE',
      'a decodable value that is not a state (MAC matching)',
      (db) => setBody(db, serialize({ state: 'nope', projections: [] })),
    ],
    [
      'UNDECODABLE',
      'a state at another seq (MAC matching)',
      (db) => setBody(db, serialize({ state: { v: 1, seq: 3 }, projections: {} })),
    ],
    [
      'RECORDS_MISSING',
      'a closed meeting’s record row lost',
      (db, size) => {
        const n = db.prepare('DELETE FROM meeting_records WHERE close_seq < ?').run(size).changes;
        if (n === 0) throw new Error('no row to remove');
      },
    ],
  ];

t.test(
  'every kind of bad snapshot is ignored: the start replays everything and says why',
  async (t) => {
    const entries = entriesOf(SEEDS[0] as number);
    const cut = entries.length - 7;
    for (const [code, what, spoil] of BAD) {
      const { store, db } = await withSnapshot(t, cut);
      spoil(db, cut);
      const c = captureLog();
      const p = pipelineOn(store, db, c.log);
      t.equal(rejection(c.lines), code, `${what}: ${code}`);
      t.match(
        loaded(c.lines),
        { fromSnapshot: 0, replayed: entries.length },
        `${what}: full replay`
      );
      if (code !== 'NO_SNAPSHOT') {
        t.ok(
          c.lines.some((l) => l.level === 'warn' && l.obj['reason'] === code),
          `${what}: logged at warn`
        );
      }
      sameAsFullReplay(t, p, rebuildState(store), what);
      await p.close();
      t.equal(
        (db.prepare('SELECT count(*) AS n FROM state_snapshot').get() as { n: number }).n,
        0,
        `${what}: the unusable snapshot is dropped`
      );
    }
  }
);

t.test('--full-replay ignores a good snapshot', async (t) => {
  const entries = entriesOf(SEEDS[0] as number);
  const { store, db } = await withSnapshot(t, 40);
  const c = captureLog();
  const p = pipelineOn(store, db, c.log, { fullReplay: true });
  t.match(loaded(c.lines), { fromSnapshot: 0, replayed: entries.length });
  sameAsFullReplay(t, p, rebuildState(store), 'full replay');
  await p.close();
});

t.test('a start that replayed many entries writes a snapshot; a short tail does not', async (t) => {
  const entries = entriesOf(SEEDS[1] as number);
  const { store, db } = openPair(tempDir(t));
  appendEntries(store, entries.slice(0, 50));
  const c1 = captureLog();
  await pipelineOn(store, db, c1.log, { snapshotAfter: 50 }).close();
  t.ok(
    c1.lines.some((l) => l.msg === 'state snapshot written'),
    '50 replayed: written'
  );
  appendEntries(store, entries.slice(50, 60));
  const c2 = captureLog();
  await pipelineOn(store, db, c2.log, { snapshotAfter: 50 }).close();
  t.match(loaded(c2.lines), { fromSnapshot: 50, replayed: 10 });
  t.notOk(
    c2.lines.some((l) => l.msg === 'state snapshot written'),
    '10 replayed: not written'
  );
  store.close();
  db.close();
});

t.test(
  'a close appended but not projected before a crash: the tail replay writes its record',
  async (t) => {
    const entries = entriesOf(SEEDS[2] as number);
    const lastClose = entries.findLast(
      (e) => (e.command.payload as { type: string }).type === 'meeting.close'
    ) as LedgerEntry;
    const meetingId = (lastClose.derived as { meetingId: string }).meetingId;
    // The service had the state up to the close, snapshot included; then the close was appended
    // and the process died before the record row was written.
    const { store, db } = openPair(tempDir(t));
    appendEntries(store, entries.slice(0, lastClose.seq));
    await pipelineOn(store, db, captureLog().log, { snapshotAfter: 0 }).close();
    appendEntries(store, entries.slice(lastClose.seq, lastClose.seq + 1));
    t.equal(
      (
        db
          .prepare('SELECT count(*) AS n FROM meeting_records WHERE meeting_id = ?')
          .get(meetingId) as { n: number }
      ).n,
      0,
      'no row for the close yet'
    );
    const c = captureLog();
    const p = pipelineOn(store, db, c.log);
    t.match(loaded(c.lines), { fromSnapshot: lastClose.seq, replayed: 1 });
    t.equal(
      (
        db
          .prepare('SELECT count(*) AS n FROM meeting_records WHERE meeting_id = ?')
          .get(meetingId) as {
          n: number;
        }
      ).n,
      1,
      'the row was written by the tail replay'
    );
    sameAsFullReplay(t, p, rebuildState(store), 'repaired');
    await p.close();
    store.close();
    db.close();
  }
);
