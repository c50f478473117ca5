import t from 'tap';
import Database from 'better-sqlite3';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportLedger, makeLedger, type LedgerFixture } from '../helpers/ledger-fixture.js';
import { entryLeafHash } from '@yishi/crypto';
import type { LedgerEntry } from '@yishi/schema';
import { verifyLedgerFile, type VerifyFileOptions } from '@yishi/service';

// Workers read a database themselves, range by range (batchSize entries each); these cases put
// the range boundaries and the tampering in different places relative to one another.

async function both(path: string, vkey: string, options: VerifyFileOptions) {
  const reference = await verifyLedgerFile(path, { workers: 1, vkey });
  const parallel = await verifyLedgerFile(path, { ...options, vkey });
  return { reference, parallel };
}

/** A copy of the fixture's database with its append-only triggers and checks off. */
function tamperable(t: { teardown(fn: () => void): void }, fixture: LedgerFixture, name: string) {
  const path = join(fixture.paths.dir, `${name.replace(/[^a-z0-9]+/gi, '-')}.db`);
  copyFileSync(fixture.paths.db, path);
  const db = new Database(path);
  db.pragma('foreign_keys = OFF');
  db.pragma('ignore_check_constraints = ON');
  for (const name of ['entries_no_update', 'entries_no_delete', 'entries_contiguous']) {
    db.exec(`DROP TRIGGER IF EXISTS ${name}`);
  }
  t.teardown(() => {
    if (db.open) db.close();
  });
  return { path, db };
}

const bodyOf = (db: Database.Database, seq: number): string =>
  (db.prepare('SELECT body FROM entries WHERE seq = ?').get(seq) as { body: string }).body;

const setBody = (db: Database.Database, seq: number, body: string) =>
  db.prepare('UPDATE entries SET body = ? WHERE seq = ?').run(body, seq);

/** The same entry written with its keys in reverse order and spaces: not canonical, same value. */
const uncanonical = (body: string): string => {
  const reverse = (v: unknown): unknown =>
    typeof v !== 'object' || v === null || Array.isArray(v)
      ? v
      : Object.fromEntries(
          Object.entries(v)
            .reverse()
            .map(([k, x]) => [k, reverse(x)])
        );
  return JSON.stringify(reverse(JSON.parse(body)), null, 1);
};

t.test(
  'every range size, from one entry to more than the ledger, gives the reference report',
  async (t) => {
    const fixture = await makeLedger(t, 37, 4);
    const reference = await verifyLedgerFile(fixture.paths.db, { workers: 1, vkey: fixture.vkey });
    t.equal(reference.report.ok, true);
    for (const batchSize of [1, 2, 3, 8, 19, 37, 38, 39, 8192]) {
      const parallel = await verifyLedgerFile(fixture.paths.db, {
        workers: 2,
        batchSize,
        vkey: fixture.vkey,
      });
      t.equal(parallel.mode, 'workers', `batchSize ${batchSize}`);
      t.equal(JSON.stringify(parallel.report), JSON.stringify(reference.report));
    }
  }
);

t.test(
  'a tampered row in the middle of a worker’s range hands over to the reference',
  async (t) => {
    const fixture = await makeLedger(t, 30, 3);
    const cases: [name: string, tamper: (db: Database.Database) => void, check: string][] = [
      [
        'derived changed at seq 13, stored hash kept',
        (db) => {
          const e = JSON.parse(bodyOf(db, 13)) as LedgerEntry;
          e.derived = { note: 'changed' };
          setBody(db, 13, JSON.stringify(e));
        },
        'ENTRY_HASH_STORED',
      ],
      [
        'derived changed at seq 13 and the stored hash recomputed',
        (db) => {
          const e = JSON.parse(bodyOf(db, 13)) as LedgerEntry;
          e.derived = { note: 'changed' };
          setBody(db, 13, JSON.stringify(e));
          db.prepare('UPDATE entries SET leaf_hash = ? WHERE seq = 13').run(entryLeafHash(e));
        },
        'ENTRY_CHAIN',
      ],
      ['seq 13 deleted', (db) => db.exec('DELETE FROM entries WHERE seq = 13'), 'ENTRY_SEQUENCE'],
      [
        'a stored leaf hash of 31 bytes at seq 13',
        (db) =>
          db.prepare('UPDATE entries SET leaf_hash = ? WHERE seq = 13').run(Buffer.alloc(31, 1)),
        'ENTRY_HASH_STORED',
      ],
      ['the body at seq 13 is not JSON', (db) => setBody(db, 13, '{"v":1,'), 'ENTRY_MALFORMED'],
    ];
    for (const [name, tamper, check] of cases) {
      const { path, db } = tamperable(t, fixture, name);
      tamper(db);
      db.close();
      const { reference, parallel } = await both(path, fixture.vkey, { workers: 2, batchSize: 8 });
      t.match(reference.report.failure, { check, seq: 13 }, name);
      t.equal(parallel.mode, 'workers-then-in-process', `${name}: handed over`);
      t.equal(JSON.stringify(parallel.report), JSON.stringify(reference.report), name);
    }
  }
);

t.test('a gap in the seq column hands over even if the entries inside are intact', async (t) => {
  const fixture = await makeLedger(t, 20, 2);
  const { path, db } = tamperable(t, fixture, 'renumbered');
  // Rows from seq 12 on moved up by 100: the bodies, hashes and their order are untouched, so
  // the reference (which reads rows in seq order) sees the same ledger.
  db.exec('UPDATE entries SET seq = seq + 100 WHERE seq >= 12');
  db.close();
  const { reference, parallel } = await both(path, fixture.vkey, { workers: 2, batchSize: 8 });
  t.equal(reference.report.ok, true, 'the reference reads the rows in order and finds them fine');
  t.equal(parallel.mode, 'workers-then-in-process');
  t.match(parallel.handover, /seq/);
  t.same(parallel.report, reference.report);
});

t.test('extra rows after the last entry in a table hand over', async (t) => {
  const fixture = await makeLedger(t, 10, 2);
  const { path, db } = tamperable(t, fixture, 'duplicate-tail');
  db.prepare('INSERT INTO entries (seq, leaf_hash, body) VALUES (?, ?, ?)').run(
    11,
    Buffer.alloc(32),
    bodyOf(db, 10)
  );
  db.close();
  const { reference, parallel } = await both(path, fixture.vkey, { workers: 2, batchSize: 4 });
  t.equal(reference.report.ok, false);
  t.equal(parallel.mode, 'workers-then-in-process');
  t.same(parallel.report, reference.report);
});

t.test('a row far beyond the last seq hands over at the first missing range', async (t) => {
  const fixture = await makeLedger(t, 10, 2);
  const { path, db } = tamperable(t, fixture, 'far-row');
  db.prepare('INSERT INTO entries (seq, leaf_hash, body) VALUES (?, ?, ?)').run(
    2 ** 50,
    Buffer.alloc(32),
    bodyOf(db, 10)
  );
  db.close();
  // Were the pass to walk 2^48 ranges, this would not end before the test's timeout.
  const { reference, parallel } = await both(path, fixture.vkey, { workers: 2, batchSize: 4 });
  t.equal(reference.report.ok, false);
  t.equal(parallel.mode, 'workers-then-in-process');
  t.match(parallel.handover, /seq/);
  t.same(parallel.report, reference.report);
});

t.test('bodies that are not canonical JSON but hold the same entries pass as before', async (t) => {
  const fixture = await makeLedger(t, 20, 2);
  const { path, db } = tamperable(t, fixture, 'uncanonical');
  for (const seq of [0, 5, 6, 7, 19]) setBody(db, seq, uncanonical(bodyOf(db, seq)));
  db.close();
  const { reference, parallel } = await both(path, fixture.vkey, { workers: 2, batchSize: 4 });
  t.equal(reference.report.ok, true, 'the stored hashes are of the canonical form');
  t.equal(parallel.mode, 'workers', 'the fast pass canonicalised them itself');
  t.equal(JSON.stringify(parallel.report), JSON.stringify(reference.report));
  // In an export too: entry lines rewritten the same way.
  const { lines } = await exportLedger(fixture);
  const rewritten = lines.map((line, i) =>
    i % 3 === 0 && line.startsWith('{"entry":')
      ? `{"entry":${uncanonical(line.slice(9, -1)).replaceAll('\n', '')}}`
      : line
  );
  const exportPath = join(fixture.paths.dir, 'uncanonical.jsonl');
  writeFileSync(exportPath, `${rewritten.join('\n')}\n`);
  const fromExport = await both(exportPath, fixture.vkey, { workers: 2, batchSize: 4 });
  t.equal(fromExport.reference.report.ok, true);
  t.equal(fromExport.parallel.mode, 'workers');
  t.same(fromExport.parallel.report, fromExport.reference.report);
});

t.test(
  'an entry signed by a small-order key hands over and gets the reference verdict',
  async (t) => {
    const fixture = await makeLedger(t, 12, 2);
    const { path, db } = tamperable(t, fixture, 'small-order-key');
    // The identity point as the key and the trivial signature (R = identity, S = 0), which plain
    // RFC 8032 accepts for any message; the stored hash recomputed so only the key tells.
    const e = JSON.parse(bodyOf(db, 9)) as LedgerEntry;
    e.command.publicKey = Buffer.from([1, ...new Array<number>(31).fill(0)]).toString('base64');
    e.command.signature = Buffer.from([1, ...new Array<number>(63).fill(0)]).toString('base64');
    setBody(db, 9, JSON.stringify(e));
    db.prepare('UPDATE entries SET leaf_hash = ? WHERE seq = 9').run(entryLeafHash(e));
    db.close();
    const { reference, parallel } = await both(path, fixture.vkey, { workers: 2, batchSize: 4 });
    t.match(reference.report.failure, { seq: 9 });
    t.equal(parallel.mode, 'workers-then-in-process');
    t.equal(JSON.stringify(parallel.report), JSON.stringify(reference.report));
  }
);

t.test('a ledger file that is not there is refused the same way', async (t) => {
  const fixture = await makeLedger(t, 2, 1);
  const missing = join(fixture.paths.dir, 'nothing.db');
  await t.rejects(verifyLedgerFile(missing, { workers: 2 }), { code: 'ENOENT' });
  await t.rejects(verifyLedgerFile(missing, { workers: 1 }), { code: 'ENOENT' });
});
