/**
 * Scoped exports (issue 17): an auditor appointed to body A downloads an export in which none of
 * body B's names, titles or texts occur, and which still verifies (chain, tree, checkpoints over
 * every leaf hash) and audits (the rules replayed for body A); admins and auditors appointed to
 * every body get the whole ledger; a changed redacted line fails with a stable code; the parallel
 * verifier and the CLI (`yishi export --body`, `verify`, `audit`) agree.
 */
import t from 'tap';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { auditExport, verifyExport, type LedgerReport } from '@yishi/verify';
import { Checkpointer, main, verifyLedgerFile } from '@yishi/service/internal';
import { yishi } from '../helpers/cli.js';
import { tempDir } from '../helpers/ledger-fixture.js';
import { HOUR, ServiceWorld, SHA_A } from './helpers/service-world.js';

const w = await ServiceWorld.create(t, { rateLimitPerMinute: 100_000 });
await w.populate();
const A = w.bodyId;
const B = w.otherBodyId;

// Body B's secrets: none of these may reach an auditor of body A.
const SECRETS_B = [
  '某县委常委会',
  'name of chairb',
  'name of mb',
  '乙方秘密会议',
  '乙方秘密议题',
  '乙方干预记录的文字',
];
const mtgB = (
  await w.ok('chairb', {
    type: 'meeting.schedule',
    bodyId: B,
    kind: 'leadership',
    title: '乙方秘密会议',
    scheduledStart: w.now + 7 * 24 * HOUR,
  })
).meetingId as string;
await w.ok('chairb', {
  type: 'item.submit',
  meetingId: mtgB,
  category: 'routine',
  title: '乙方秘密议题',
  materials: [{ title: '请示', sha256: SHA_A }],
});
await w.ok('mb', {
  type: 'interference.record',
  bodyId: B,
  who: { name: '某领导', post: '某职务', relation: 'leader' },
  matter: { category: 'procurement', text: '乙方干预记录的文字' },
  form: 'request',
  occurredAt: w.now - HOUR,
});
// Body A's own activity, interleaved.
const mtgA = await w.schedule();
await w.submit(mtgA, 'm1');
await w.ok('admin', { type: 'body.create', name: '丙方（无人审计）' });
const checkpointer = new Checkpointer(w.store, { skey: w.skey });
checkpointer.checkpointNow();
await w.submit(mtgA, 'm2', 'routine');
checkpointer.checkpointNow();

const readText = (p: string) => readFileSync(p, 'utf8');
const lines = (text: string) => text.trimEnd().split('\n');
const header = (text: string) => JSON.parse(lines(text)[0] as string) as Record<string, unknown>;
const redactedLines = (text: string) => lines(text).filter((l) => l.startsWith('{"redacted":'));

const scopedRes = await w.get('/ledger/export', 'aud');
const scoped = scopedRes.body;

t.test("an auditor of one body gets no other body's names, titles or texts", async (t) => {
  t.equal(scopedRes.statusCode, 200);
  for (const s of SECRETS_B) t.notOk(scoped.includes(s), `"${s}" does not occur`);
  t.ok(scoped.includes('常委会会议'), "body A's meeting is there");
  const h = header(scoped);
  const redacted = redactedLines(scoped).length;
  t.ok(redacted >= 7, `${redacted} entries redacted`);
  t.same(h['scope'], { bodies: [A], redacted });
  t.equal(h['entries'], w.size, 'every position is in the export');
});

t.test('the scoped export verifies and audits, and says how many were redacted', async (t) => {
  const redacted = redactedLines(scoped).length;
  const v = verifyExport(scoped, { vkey: w.init.vkey });
  t.ok(v.ok, JSON.stringify(v.failure));
  t.equal(v.entries, w.size);
  t.equal(v.redactedEntries, redacted);
  t.equal(v.signaturesVerified, w.size - redacted);
  t.ok((v.checkpoints ?? 0) >= 2);
  const full = verifyExport((await w.get('/ledger/export', 'admin')).body, { vkey: w.init.vkey });
  t.equal(v.rootHash, full.rootHash, 'the same tree as the whole ledger');
  const a = auditExport(scoped, { vkey: w.init.vkey });
  t.ok(a.ok, JSON.stringify(a.findings.slice(0, 2)));
  t.same(a.findings, []);
  t.equal(a.redactedEntries, redacted);
  t.equal(a.replayed, w.size - redacted);
});

t.test('admins and auditors appointed to every body get the whole ledger', async (t) => {
  const admin = await w.get('/ledger/export', 'admin');
  t.equal(redactedLines(admin.body).length, 0);
  t.notOk('scope' in header(admin.body));
  t.ok(admin.body.includes('乙方秘密议题'));
  const bodies = Object.keys(w.app.pipeline.state.bodies);
  await w.ok('admin', { type: 'auditor.appoint', principalId: 'aud2', bodyIds: bodies });
  const all = await w.get('/ledger/export', 'aud2');
  t.equal(all.statusCode, 200);
  t.equal(redactedLines(all.body).length, 0);
  t.notOk('scope' in header(all.body));
  t.ok(verifyExport(all.body, { vkey: w.init.vkey }).ok);
  await w.ok('admin', { type: 'auditor.appoint', principalId: 'aud2', bodyIds: [] });
  const none = await w.get('/ledger/export', 'aud2');
  t.same(header(none.body)['scope'], {
    bodies: [],
    redacted: redactedLines(none.body).length,
  });
  t.ok(auditExport(none.body, { vkey: w.init.vkey }).ok, 'only ledger-wide entries: audits');
});

t.test('a changed redacted line fails verification with a stable code', async (t) => {
  const ls = lines(scoped);
  const i = ls.findIndex((l, n) => l.startsWith('{"redacted":') && n + 1 < ls.length - 3);
  const r = JSON.parse(ls[i] as string) as { redacted: { prev: string; leafHash: string } };
  const flip = (hex: string) => `${hex[0] === '0' ? '1' : '0'}${hex.slice(1)}`;
  const withLine = (obj: unknown) =>
    [...ls.slice(0, i), JSON.stringify(obj), ...ls.slice(i + 1)].join('\n');
  const badLeaf = withLine({ redacted: { ...r.redacted, leafHash: flip(r.redacted.leafHash) } });
  const badPrev = withLine({ redacted: { ...r.redacted, prev: flip(r.redacted.prev) } });
  for (const [name, text] of [
    ['leafHash', badLeaf],
    ['prev', badPrev],
  ] as const) {
    const v = verifyExport(text, { vkey: w.init.vkey });
    t.notOk(v.ok, `a changed ${name}`);
    t.equal(v.failure?.check, 'ENTRY_CHAIN', `a changed ${name}: ENTRY_CHAIN`);
    t.notOk(auditExport(text, { vkey: w.init.vkey }).ok);
  }
  const malformed = withLine({ redacted: { ...r.redacted, extra: 1 } });
  t.equal(verifyExport(malformed).failure?.check, 'ENTRY_MALFORMED', 'an extra key');
  const genesis = ls.map((l, n) =>
    n === 1
      ? JSON.stringify({ redacted: { seq: 0, prev: '0'.repeat(64), leafHash: 'a'.repeat(64) } })
      : l
  );
  t.equal(verifyExport(genesis.join('\n')).failure?.check, 'GENESIS_INVALID', 'a redacted genesis');
});

t.test('the parallel verifier gives the reference report on a scoped export', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'scoped.jsonl');
  writeFileSync(path, scoped);
  const reference = verifyExport(scoped, { vkey: w.init.vkey });
  const parallel = await verifyLedgerFile(path, { workers: 2, vkey: w.init.vkey, batchSize: 7 });
  t.equal(parallel.mode, 'workers', parallel.handover ?? '');
  t.same(parallel.report, reference);
  const ls = lines(scoped);
  const i = ls.findIndex((l) => l.startsWith('{"redacted":'));
  const r = JSON.parse(ls[i] as string) as { redacted: { leafHash: string } };
  r.redacted.leafHash = 'f'.repeat(64);
  const bad = join(dir, 'bad.jsonl');
  writeFileSync(bad, [...ls.slice(0, i), JSON.stringify(r), ...ls.slice(i + 1)].join('\n'));
  const failed = await verifyLedgerFile(bad, { workers: 2, vkey: w.init.vkey, batchSize: 7 });
  t.equal(failed.mode, 'workers-then-in-process');
  t.same(failed.report, verifyExport(lines(readText(bad)).join('\n'), { vkey: w.init.vkey }));
  t.equal(failed.report.failure?.check, 'ENTRY_CHAIN');
});

t.test('yishi export --body writes the scoped export; verify and audit pass on it', async (t) => {
  const dir = tempDir(t);
  const out = join(dir, 'a.jsonl');
  const data = w.init.paths.dir;
  const run = await yishi('export', '--data', data, '--body', A, '--out', out);
  t.equal(run.status, 0, run.stderr);
  const text = readText(out);
  for (const s of SECRETS_B) t.notOk(text.includes(s), `"${s}" does not occur`);
  const h = header(text);
  t.match(h['scope'], { bodies: [A] });
  const v = await yishi('verify', out, '--vkey', w.init.vkey, '--json', '--workers', '1');
  t.equal(v.status, 0, v.stderr);
  const report = JSON.parse(v.stdout) as LedgerReport;
  t.equal(report.redactedEntries, redactedLines(text).length);
  t.ok(report.redactedEntries > 0);
  const a = await yishi('audit', out, '--vkey', w.init.vkey, '--json');
  t.equal(a.status, 0, a.stderr);
  t.equal(
    (JSON.parse(a.stdout) as { redactedEntries: number }).redactedEntries,
    report.redactedEntries
  );
  const both = join(dir, 'ab.jsonl');
  t.equal(
    (await yishi('export', '--data', data, '--body', A, '--body', B, '--out', both)).status,
    0
  );
  t.match(header(readText(both))['scope'], { bodies: [A, B] });
});

t.test('yishi export --body with an unknown body is a usage error', async (t) => {
  const dir = tempDir(t);
  const out = join(dir, 'x.jsonl');
  const run = await yishi('export', '--data', w.init.paths.dir, '--body', 'body-999', '--out', out);
  t.equal(run.status, 2);
  t.match(run.stderr, /body-999/);
  t.notOk(existsSync(out), 'no file left behind');
  t.equal((await yishi('export', '--data', w.init.paths.dir, '--body', '')).status, 2);
});

/** A stream that says it is a terminal and keeps what is written to it. */
class Terminal extends Writable {
  readonly isTTY = true;
  text = '';
  override _write(chunk: Buffer | string, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

t.test('yishi export shows progress on a terminal, on standard error only', async (t) => {
  const dir = tempDir(t);
  const stderr = new Terminal();
  const stdout = new Terminal();
  const out = join(dir, 'p.jsonl');
  const args = ['export', '--data', w.init.paths.dir, '--body', A];
  const sink = new Writable({ write: (_c, _e, done) => done() });
  t.equal(await main([...args, '--out', out], { stdout: sink, stderr }), 0);
  t.match(stderr.text, /\r\[#{30}\] 100%/, 'a bar that reaches 100%');
  t.ok(stderr.text.includes('\r\u001b[K'), 'cleared when done');
  const quiet = new Terminal();
  t.equal(await main(args, { stdout, stderr: quiet }), 0);
  t.equal(quiet.text, '', 'no bar over an export written to the terminal');
  t.ok(stdout.text.startsWith('{"yishi":'));
  const piped = new Writable({ write: (_c, _e, done) => done() });
  t.equal(
    await main([...args, '--out', join(dir, 'q.jsonl')], { stdout: piped, stderr: piped }),
    0
  );
});
