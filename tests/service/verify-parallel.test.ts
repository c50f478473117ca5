import t from 'tap';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportLedger, makeLedger, type LedgerFixture } from '../helpers/ledger-fixture.js';
import { yishi } from '../helpers/cli.js';
import { entryLeafHash, entryLeafHashHex } from '@yishi/crypto';
import type { LedgerEntry } from '@yishi/schema';
// Not re-exported by @yishi/service's index.ts yet, so the built module is imported directly.
import { verifyLedgerFile, type VerifyFileOptions } from '@yishi/service';

/** Small batches so that a ledger of a few dozen entries crosses many batch boundaries. */
const PARALLEL: VerifyFileOptions = { workers: 2, batchSize: 4 };

/** The reference (workers: 1, LedgerVerifier alone) and the parallel run, side by side. */
async function both(path: string, vkey?: string) {
  const extra = vkey === undefined ? {} : { vkey };
  const reference = await verifyLedgerFile(path, { workers: 1, ...extra });
  const parallel = await verifyLedgerFile(path, { ...PARALLEL, ...extra });
  return { reference, parallel };
}

/** A copy of the fixture's database, opened for tampering with its append-only triggers off. */
function tamperable(t: { teardown(fn: () => void): void }, fixture: LedgerFixture, name: string) {
  const path = join(fixture.paths.dir, `${name}.db`);
  copyFileSync(fixture.paths.db, path);
  const db = new Database(path);
  db.pragma('foreign_keys = OFF');
  for (const trigger of [
    'entries_no_update',
    'entries_no_delete',
    'checkpoints_no_update',
    'checkpoints_no_delete',
  ]) {
    db.exec(`DROP TRIGGER ${trigger}`);
  }
  t.teardown(() => {
    if (db.open) db.close();
  });
  return { path, db };
}

type Tamper = (db: Database.Database) => void;

const bodyOf = (db: Database.Database, seq: number): string =>
  (db.prepare('SELECT body FROM entries WHERE seq = ?').get(seq) as { body: string }).body;

const setBody = (db: Database.Database, seq: number, edit: (entry: LedgerEntry) => void) => {
  const entry = JSON.parse(bodyOf(db, seq));
  edit(entry);
  db.prepare('UPDATE entries SET body = ? WHERE seq = ?').run(JSON.stringify(entry), seq);
};

t.test('an intact ledger is verified by the workers with the reference report', async (t) => {
  const fixture = await makeLedger(t, 37, 4);
  const { path: exportPath } = await exportLedger(fixture);
  for (const path of [fixture.paths.db, exportPath]) {
    for (const vkey of [undefined, fixture.vkey]) {
      const { reference, parallel } = await both(path, vkey);
      t.equal(reference.mode, 'in-process');
      t.equal(parallel.mode, 'workers', 'the parallel pass concluded on its own');
      t.equal(parallel.report.ok, true);
      t.equal(parallel.report.entries, 38);
      t.equal(parallel.report.signaturesVerified, 38);
      t.equal(JSON.stringify(parallel.report), JSON.stringify(reference.report), 'same report');
    }
  }
});

t.test(
  'more workers than batches, and one batch for the whole ledger, change nothing',
  async (t) => {
    const fixture = await makeLedger(t, 9, 2);
    const reference = await verifyLedgerFile(fixture.paths.db, { workers: 1 });
    for (const options of [
      { workers: 7, batchSize: 4 },
      { workers: 2, batchSize: 10_000 },
      { workers: 3, batchSize: 1 },
    ]) {
      const parallel = await verifyLedgerFile(fixture.paths.db, options);
      t.equal(parallel.mode, 'workers', JSON.stringify(options));
      t.same(parallel.report, reference.report);
    }
  }
);

t.test('a tampered database gets the same first failure with and without workers', async (t) => {
  const fixture = await makeLedger(t, 30, 3);
  const cases: [name: string, tamper: Tamper, check: string, seq?: number][] = [
    [
      'derived changed, stored hash kept',
      (db) => setBody(db, 6, (e) => (e.derived = { note: 'changed' })),
      'ENTRY_HASH_STORED',
      6,
    ],
    [
      'derived changed and its stored hash recomputed',
      (db) => {
        setBody(db, 9, (e) => (e.derived = { note: 'changed' }));
        const hash = entryLeafHash(JSON.parse(bodyOf(db, 9)));
        db.prepare('UPDATE entries SET leaf_hash = ? WHERE seq = 9').run(hash);
      },
      'ENTRY_CHAIN',
      9,
    ],
    [
      'a signature replaced by another entry’s',
      (db) => {
        const other = JSON.parse(bodyOf(db, 3)).command.signature;
        setBody(db, 8, (e) => (e.command.signature = other));
      },
      'ENTRY_HASH_STORED',
      8,
    ],
    [
      'the first entry of a batch deleted',
      (db) => db.exec('DELETE FROM entries WHERE seq = 12'),
      'ENTRY_SEQUENCE',
      12,
    ],
    [
      'the tail dropped',
      (db) => db.exec('DELETE FROM entries WHERE seq >= 25'),
      'CHECKPOINT_BEYOND_LEDGER',
      25,
    ],
    [
      'a checkpoint note altered',
      (db) => {
        const { note, size } = db
          .prepare('SELECT note, size FROM checkpoints ORDER BY size LIMIT 1 OFFSET 2')
          .get() as { note: string; size: number };
        db.prepare('UPDATE checkpoints SET note = ? WHERE size = ?').run(
          note.replace(/\n[A-Za-z0-9+/]{43}=\n/, `\n${'A'.repeat(43)}=\n`),
          size
        );
      },
      'CHECKPOINT_SIGNATURE',
    ],
    [
      'a body that is not JSON',
      (db) => db.prepare('UPDATE entries SET body = ? WHERE seq = 17').run('{"v":1,'),
      'ENTRY_MALFORMED',
      17,
    ],
    ['every entry deleted', (db) => db.exec('DELETE FROM entries'), 'LEDGER_EMPTY'],
  ];
  for (const [name, tamper, check, seq] of cases) {
    const { path, db } = tamperable(t, fixture, name.replace(/[^a-z]+/g, '-'));
    tamper(db);
    db.close();
    const { reference, parallel } = await both(path, fixture.vkey);
    t.equal(parallel.mode, 'workers-then-in-process', `${name}: handed over`);
    t.type(parallel.handover, 'string');
    t.match(reference.report.failure, { check, ...(seq === undefined ? {} : { seq }) }, name);
    t.same(parallel.report.failure, reference.report.failure, `${name}: same failure`);
    t.equal(JSON.stringify(parallel.report), JSON.stringify(reference.report), name);
  }
});

t.test('a forged signature whose entry was re-hashed fails as ENTRY_SIGNATURE', async (t) => {
  const fixture = await makeLedger(t, 6, 1);
  const { lines } = await exportLedger(fixture);
  const bad = join(fixture.paths.dir, 'forged.jsonl');
  // Entry 3's payload changed, then the chain rebuilt after it: only the signature tells.
  let prev: string | undefined;
  const rechained = lines.map((line) => {
    const o = JSON.parse(line) as { entry?: LedgerEntry };
    if (o.entry) {
      if (o.entry.seq === 3) o.entry.command.payload['text'] = 'forged';
      if (prev !== undefined && o.entry.seq > 3) o.entry.prev = prev;
      prev = entryLeafHashHex(o.entry);
    }
    return JSON.stringify(o);
  });
  writeFileSync(bad, `${rechained.join('\n')}\n`);
  const { reference, parallel } = await both(bad, fixture.vkey);
  t.match(reference.report.failure, { check: 'ENTRY_SIGNATURE', seq: 3 });
  t.equal(parallel.mode, 'workers-then-in-process');
  t.same(parallel.report, reference.report);
});

t.test('the trusted key is checked the same way', async (t) => {
  const fixture = await makeLedger(t, 5, 1);
  const other = await makeLedger(t, 1, 1);
  for (const vkey of [other.vkey, 'not a key']) {
    const { reference, parallel } = await both(fixture.paths.db, vkey);
    t.match(reference.report.failure, { check: 'LOG_KEY_MISMATCH' });
    t.equal(parallel.mode, 'workers-then-in-process');
    t.same(parallel.report, reference.report);
  }
});

t.test('an export is read line by line as before: blank lines, CRLF, a stray header', async (t) => {
  const fixture = await makeLedger(t, 12, 2);
  const { lines } = await exportLedger(fixture);
  const variants: [name: string, text: string, ok: boolean][] = [
    ['blank lines between entries', `${lines.join('\n\n')}\n\n`, true],
    ['CRLF line ends', `${lines.join('\r\n')}\r\n`, true],
    ['no header line', `${lines.slice(1).join('\n')}\n`, true],
    [
      'checkpoints first',
      `${[...lines.filter((l) => !l.includes('"entry"'))].join('\n')}\n${lines.filter((l) => l.includes('"entry"')).join('\n')}\n`,
      true,
    ],
    ['a header repeated later', `${[...lines, lines[0]].join('\n')}\n`, false],
    [
      'a line that is not JSON',
      `${[...lines.slice(0, 5), '{', ...lines.slice(5)].join('\n')}\n`,
      false,
    ],
    [
      'an unknown line',
      `${[...lines.slice(0, 5), '{"other":1}', ...lines.slice(5)].join('\n')}\n`,
      false,
    ],
  ];
  for (const [name, text, ok] of variants) {
    const path = join(fixture.paths.dir, `${name.replace(/[^a-z]+/g, '-')}.jsonl`);
    writeFileSync(path, text);
    const { reference, parallel } = await both(path, fixture.vkey);
    t.equal(reference.report.ok, ok, name);
    t.equal(parallel.mode, ok ? 'workers' : 'workers-then-in-process', name);
    t.equal(JSON.stringify(parallel.report), JSON.stringify(reference.report), name);
  }
});

t.test('any one-character change to an export gets the reference verdict', async (t) => {
  const fixture = await makeLedger(t, 10, 2);
  const { lines } = await exportLedger(fixture);
  const text = `${lines.join('\n')}\n`;
  const path = join(fixture.paths.dir, 'mutated.jsonl');
  const alphabet = '0123456789abcdef"{}:,[] \nA=+/x';
  let handedOver = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.nat({ max: text.length - 1 }),
      fc.constantFrom(...alphabet),
      async (at, ch) => {
        writeFileSync(path, text.slice(0, at) + ch + text.slice(at + 1));
        const { reference, parallel } = await both(path);
        if (parallel.mode !== 'workers') handedOver++;
        t.equal(JSON.stringify(parallel.report), JSON.stringify(reference.report), `${at} ${ch}`);
        return parallel.report.ok === reference.report.ok;
      }
    ),
    { numRuns: 8, seed: 7 }
  );
  t.ok(handedOver > 0, 'some changes were caught and handed over');
});

t.test('refuses a worker count or batch size that is not a positive integer', async (t) => {
  const fixture = await makeLedger(t, 1, 1);
  for (const options of [
    { workers: 0 },
    { workers: 1.5 },
    { workers: 257 },
    { workers: Number.NaN },
    { batchSize: 0 },
    { batchSize: -3 },
  ]) {
    await t.rejects(
      verifyLedgerFile(fixture.paths.db, options),
      RangeError,
      JSON.stringify(options)
    );
  }
});

t.test('yishi verify --workers gives the same output as in process', async (t) => {
  const fixture = await makeLedger(t, 20, 2);
  const { lines } = await exportLedger(fixture);
  const bad = join(fixture.paths.dir, 'bad.jsonl');
  const entry = JSON.parse(lines[6] as string);
  entry.entry.derived = { note: 'changed' };
  writeFileSync(
    bad,
    `${[...lines.slice(0, 6), JSON.stringify(entry), ...lines.slice(7)].join('\n')}\n`
  );
  const runs: [target: string, flags: string[], status: number, dflt: boolean][] = [
    [fixture.paths.db, ['--json'], 0, true],
    [bad, ['--json'], 1, false],
    [bad, [], 1, true],
  ];
  for (const [target, flags, status, dflt] of runs) {
    const one = await yishi('verify', target, '--vkey', fixture.vkey, ...flags, '--workers', '1');
    const others = [
      await yishi('verify', target, '--vkey', fixture.vkey, ...flags, '--workers', '2'),
    ];
    if (dflt) others.push(await yishi('verify', target, '--vkey', fixture.vkey, ...flags));
    t.equal(one.status, status, one.stderr);
    for (const other of others) {
      t.equal(other.status, one.status);
      t.equal(other.stdout, one.stdout);
      t.equal(other.stderr, one.stderr);
    }
  }
  t.match(readFileSync(bad, 'utf8'), /changed/);
  for (const n of ['0', 'two', '257']) {
    const r = await yishi('verify', fixture.paths.db, '--workers', n);
    t.equal(r.status, 2, `--workers ${n}`);
    t.match(r.stderr, /--workers/);
  }
  t.match((await yishi('verify', '--help')).stdout, /--workers N/);
});
