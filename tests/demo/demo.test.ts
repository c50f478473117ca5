/**
 * The demo a newcomer runs (`npm run demo -- --out DIR`): its story's outcomes as the ledger
 * records them, what it keeps in DIR, `yishi verify` and `yishi audit` on DIR/ledger.jsonl with
 * DIR/log.vkey (and on a copy with one vote changed), and the README's examples, run for real.
 */
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import type { LedgerEntry } from '@yishi/schema';
import { startServer } from '@yishi/service';
import { runDemo } from '../../demo/run-demo.js';
import { yishi } from '../helpers/cli.js';
import { tempDir } from '../helpers/ledger-fixture.js';
import { repoRoot } from '../helpers/paths.js';
import { scopeExportText } from '../helpers/scope-export.js';

/** Runs `node args` without blocking this process; resolves with its exit status and output. */
function runNode(
  args: string[],
  env: NodeJS.ProcessEnv
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const dir = tempDir(t, 'yishi-demo-test-');
const out = join(dir, 'out');
const narration: string[] = [];
const demo = await runDemo({ out, log: (line) => narration.push(line) });
const { summary } = demo;

/** The ledger the demo kept, entry by entry, with who signed each command. */
const entries: LedgerEntry[] = readFileSync(join(out, 'ledger.jsonl'), 'utf8')
  .trimEnd()
  .split('\n')
  .slice(1)
  .map((line) => JSON.parse(line) as { entry?: LedgerEntry })
  .flatMap((l) => (l.entry ? [l.entry] : []));
const principalByKey = new Map<string, string>();
for (const e of entries) {
  const p = e.command.payload;
  if (p.type === 'principal.register')
    principalByKey.set(String(p['publicKey']), String(p['principalId']));
}
const signer = (e: LedgerEntry) => principalByKey.get(e.command.publicKey);
const ofType = (type: string, field?: [string, unknown]) =>
  entries.filter(
    (e) => e.command.payload.type === type && (!field || e.command.payload[field[0]] === field[1])
  );
const derivedOf = (e: LedgerEntry | undefined) => (e?.derived ?? {}) as Record<string, unknown>;

t.test(
  'the major project is adopted under P9 after every member stated, the chair last',
  async (t) => {
    t.match(summary.project, { result: 'adopted', rule: 'P9', counts: { for: 7, against: 1 } });
    const closes = ofType('vote.close', ['itemId', summary.project.itemId]);
    t.equal(closes.length, 1);
    t.match(derivedOf(closes[0]), { result: 'adopted', rule: 'P9' }, 'as the ledger records it');
    const statements = ofType('statement.record', ['itemId', summary.project.itemId]);
    t.equal(statements.length, 8);
    t.equal(signer(statements.at(-1) as LedgerEntry), 'chen-jianguo', 'the chair stated last');
  }
);

t.test(
  'the cadre item is deferred for large disagreement (P8), then adopted at the next meeting',
  async (t) => {
    const { first, second } = summary.cadre;
    t.match(first, { result: 'deferred', rule: 'P8', basis: 'statements' });
    t.match(second, {
      result: 'adopted',
      rule: 'P9',
      method: 'secret',
      previousItemId: first.itemId,
      tally: { for: 8, against: 1, abstain: 0 },
    });
    const [resubmit] = ofType('item.resubmit');
    t.equal(resubmit?.command.payload['previousItemId'], first.itemId);
    const [firstSubmit] = ofType('item.submit', ['category', 'cadre_appointment']);
    t.not(
      resubmit?.command.payload['meetingId'],
      firstSubmit?.command.payload['meetingId'],
      'it came back at another meeting'
    );
    t.equal(summary.meetings.length, 2);
    t.equal(ofType('ballot.receipt', ['itemId', second.itemId]).length, 9);
    t.equal(ofType('tally.sign', ['itemId', second.itemId]).length, 2);
    t.equal(
      ofType('vote.cast', ['itemId', second.itemId]).length,
      0,
      'no choice of a secret ballot'
    );
    t.match(derivedOf(entries[summary.cadreDecisionSeq]), { result: 'adopted', rule: 'P9' });
  }
);

t.test('the early chair statement is refused with P7, the late ad-hoc item with P3', async (t) => {
  t.same(summary.refusals.chairFirst, { code: 'CHAIR_MUST_STATE_LAST', rule: 'P7' });
  t.same(summary.refusals.adhoc, { code: 'ADHOC_MOTION_REFUSED', rule: 'P3' });
  t.equal(
    ofType('item.submit', ['category', 'large_funds']).length,
    0,
    'refused: not on the ledger'
  );
  const statements = ofType('statement.record', ['itemId', summary.project.itemId]);
  t.equal(statements.filter((e) => signer(e) === 'chen-jianguo').length, 1);
});

t.test('an objection is escalated and an interference record filed (P14, P15, P13)', async (t) => {
  t.match(summary.objection, { escalated: true, reports: ['objection'] });
  t.same(summary.interference.deliverTo, ['zhao-min'], 'delivered to the discipline secretary');
  t.same(summary.interference.reports, ['interference']);
  t.same(summary.reports.map((r) => r.kind).sort(), [
    'adopted_major_matter',
    'adopted_major_matter',
    'interference',
    'objection',
  ]);
  t.match(
    summary.reports.find((r) => r.kind === 'objection'),
    {
      addressee: 'higher_level_discipline_commission',
    }
  );
  t.equal(ofType('interference.record').length, 1);
  t.equal(signer(ofType('objection.raise')[0] as LedgerEntry), 'zhao-min');
});

t.test(
  'both meetings have numbered minutes committing to a record both signed (P16)',
  async (t) => {
    t.same(
      summary.meetings.map((m) => m.minutes),
      [
        { year: 2025, number: 1 },
        { year: 2025, number: 2 },
      ]
    );
    for (const m of summary.meetings) {
      const signed = ofType('record.sign', ['meetingId', m.meetingId]);
      t.same(signed.map(signer), ['huang-xiaoyan', 'chen-jianguo']);
    }
    const first = readFileSync(join(out, 'minutes-1.md'), 'utf8');
    t.match(first, /〔2025〕1号/);
    t.match(first, /\*\*通过\*\*，同意 7 票/);
    t.match(first, /\*\*暂缓\*\*/);
    t.match(readFileSync(join(out, 'minutes-2.md'), 'utf8'), /〔2025〕2号/);
    t.match(
      readFileSync(join(out, 'record-1.md'), 'utf8'),
      /资产负债率将升至68%/,
      'dissent verbatim'
    );
  }
);

t.test('the demo audits its own export and checks one decision alone', async (t) => {
  t.equal(demo.audit.ok, true);
  t.equal(demo.audit.findings.length, 0);
  t.equal(demo.audit.verification.logKeySource, 'vkey');
  t.equal(demo.audit.replayed, entries.length);
  t.match(demo.decision, { ok: true, index: summary.cadreDecisionSeq });
  const said = narration.join('\n');
  for (const s of [
    'CHAIR_MUST_STATE_LAST (P7)',
    'ADHOC_MOTION_REFUSED (P3)',
    '〔2025〕2号',
    '0 findings',
  ]) {
    t.ok(said.includes(s), `the narration says ${s}`);
  }
});

t.test('--out keeps the data folder, the export and the log key', async (t) => {
  t.ok(existsSync(join(out, 'data', 'ledger.db')));
  t.equal(readFileSync(join(out, 'ledger.jsonl'), 'utf8'), demo.ledger);
  t.equal(readFileSync(join(out, 'log.vkey'), 'utf8'), `${demo.vkey}\n`);
  t.equal(demo.vkey, readFileSync(join(out, 'data', 'log.vkey'), 'utf8').trim());
  await t.rejects(runDemo({ out }), { code: 'OUT_NOT_EMPTY' }, 'never over an earlier demo');
});

t.test('yishi verify and yishi audit accept DIR/ledger.jsonl with DIR/log.vkey', async (t) => {
  const vkey = join(out, 'log.vkey');
  const v = await yishi('verify', join(out, 'ledger.jsonl'), '--vkey', vkey);
  t.equal(v.status, 0, v.stdout + v.stderr);
  const a = await yishi('audit', join(out, 'ledger.jsonl'), '--vkey', vkey, '--json');
  t.equal(a.status, 0, a.stderr);
  t.match(JSON.parse(a.stdout), { ok: true, replayed: entries.length, findings: [] });
});

t.test('scoped exports of the demo verify and audit like the whole ledger', async (t) => {
  const vkey = join(out, 'log.vkey');
  // The demo's auditor is appointed to its only body: yishi export --body gives every entry.
  const one = join(dir, 'scoped-body.jsonl');
  const e = await yishi(
    'export',
    '--data',
    join(out, 'data'),
    '--body',
    summary.bodyId,
    '--out',
    one
  );
  t.equal(e.status, 0, e.stderr);
  const a = await yishi('audit', one, '--vkey', vkey, '--json');
  t.equal(a.status, 0, a.stderr);
  t.match(JSON.parse(a.stdout), { ok: true, redactedEntries: 0, replayed: entries.length });
  // Scoped to no body: only the ledger-wide entries are shown, and the rest still verifies.
  const none = join(dir, 'scoped-none.jsonl');
  writeFileSync(none, scopeExportText(readFileSync(join(out, 'ledger.jsonl'), 'utf8'), []));
  const v = await yishi('verify', none, '--vkey', vkey, '--json', '--workers', '2');
  t.equal(v.status, 0, v.stderr);
  const report = JSON.parse(v.stdout) as { redactedEntries: number; entries: number };
  t.ok(report.redactedEntries > entries.length / 2, `${report.redactedEntries} redacted`);
  const b = await yishi('audit', none, '--vkey', vkey, '--json');
  t.equal(b.status, 0, b.stderr);
  t.match(JSON.parse(b.stdout), {
    ok: true,
    findings: [],
    redactedEntries: report.redactedEntries,
  });
});

t.test(
  'yishi audit --policy accepts the export, and refuses it without cosignatures',
  async (t) => {
    const policy = join(out, 'data', 'policy.txt');
    const a = await yishi('audit', join(out, 'ledger.jsonl'), '--policy', policy, '--json');
    t.equal(a.status, 0, a.stderr);
    t.match(JSON.parse(a.stdout), { ok: true, findings: [] });
    // The same export with every cosignature line dropped: the log's own notes lack the quorum.
    const bare = demo.ledger
      .split('\n')
      .map((line) => {
        if (!line.startsWith('{"checkpoint"')) return line;
        const note = (JSON.parse(line) as { checkpoint: string }).checkpoint;
        const [text, sigs] = [
          note.slice(0, note.lastIndexOf('\n\n') + 2),
          note.slice(note.lastIndexOf('\n\n') + 2),
        ];
        const mine = sigs
          .split('\n')
          .filter((l) => l.startsWith(`\u2014 ${demo.vkey.split('+')[0]} `));
        return JSON.stringify({ checkpoint: `${text}${mine.join('\n')}\n` });
      })
      .join('\n');
    const path = join(dir, 'uncosigned.jsonl');
    writeFileSync(path, bare);
    t.equal(
      (await yishi('audit', path, '--vkey', join(out, 'log.vkey'))).status,
      0,
      "still the log's"
    );
    const b = await yishi('audit', path, '--policy', policy, '--json');
    t.equal(b.status, 1);
    t.equal(JSON.parse(b.stdout).verification.failure.check, 'CHECKPOINT_QUORUM');
  }
);

/** A copy of the demo's export with one vote's choice changed (`against` → `for`). */
function tamperedCopy(): { path: string; seq: number; closeSeq: number } {
  const vote = ofType('vote.cast').find((e) => e.command.payload['choice'] === 'against');
  if (!vote) throw new Error('the demo has no vote against');
  const lines = demo.ledger.split('\n');
  const i = lines.findIndex(
    (l) => l.startsWith('{"entry":') && JSON.parse(l).entry.seq === vote.seq
  );
  lines[i] = (lines[i] as string).replace('"choice":"against"', '"choice":"for"');
  const path = join(dir, 'tampered.jsonl');
  writeFileSync(path, lines.join('\n'));
  const close = ofType('vote.close', ['itemId', vote.command.payload['itemId']])[0] as LedgerEntry;
  return { path, seq: vote.seq, closeSeq: close.seq };
}

t.test('yishi audit names the changed vote in a tampered copy', async (t) => {
  const { path, seq, closeSeq } = tamperedCopy();
  const a = await yishi('audit', path, '--vkey', join(out, 'log.vkey'), '--json');
  t.equal(a.status, 1);
  const report = JSON.parse(a.stdout);
  t.equal(report.ok, false);
  t.match(report.verification.failure, { check: 'ENTRY_SIGNATURE', seq });
  t.match(
    report.findings.find((f: { seq: number }) => f.seq === closeSeq),
    { code: 'DERIVED_MISMATCH' },
    'the recorded count no longer follows from the votes'
  );
});

t.test(
  'the tampered copy reads as a short report naming the vote, its voter and item',
  async (t) => {
    const { path, seq, closeSeq } = tamperedCopy();
    const vote = entries[seq] as LedgerEntry;
    const register = ofType('principal.register', ['publicKey', vote.command.publicKey])[0];
    const itemId = vote.command.payload['itemId'];
    const item = entries.find(
      (e) => derivedOf(e)['itemId'] === itemId && e.command.payload.type === 'item.submit'
    );
    const meeting = entries.find(
      (e) =>
        derivedOf(e)['meetingId'] === item?.command.payload['meetingId'] &&
        e.command.payload.type === 'meeting.schedule'
    );
    const [name, itemTitle, meetingTitle] = [
      register?.command.payload['name'],
      item?.command.payload['title'],
      meeting?.command.payload['title'],
    ].map(String);
    const vkey = join(out, 'log.vkey');
    const a = await yishi('audit', path, '--vkey', vkey, '--workers', '1');
    t.equal(a.status, 1);
    t.equal(a.stderr, '', 'the report is on stdout, no progress off a terminal');
    const text = a.stdout;
    t.ok(text.split('\n').length <= 40, `short: ${text.split('\n').length} lines`);
    t.match(
      text,
      new RegExp(`^FAILED: ENTRY_SIGNATURE at entry ${seq}; replay finds \\d+ problems$`, 'm')
    );
    t.match(text, new RegExp(`^entry ${seq} — ENTRY_SIGNATURE: `, 'm'), 'integrity first');
    t.match(text, `vote.cast under the key of ${name} (member)`, "the voter's name and role");
    t.match(text, `meeting “${meetingTitle}” · item “${itemTitle}”`, 'the meeting and the item');
    t.match(
      text,
      new RegExp(`^  - entry ${closeSeq} — DERIVED_MISMATCH: .*P9 Vote and threshold`, 'm')
    );
    t.match(text, /^ +counts\.for: +recorded 7, rules give 8$/m, 'field by field');
    t.match(text, /^ +counts\.against: +recorded 1, rules give 0$/m);
    t.notMatch(text, /\{"recorded"/, 'no JSON dump');
    t.ok(
      text.indexOf(`entry ${seq} —`) < text.indexOf(`entry ${closeSeq} —`),
      'the consequence under the failure it follows from'
    );
    t.match(
      text,
      new RegExp(
        `signatures: +${seq} of ${entries.length} verified; checking stopped at entry ${seq}$`,
        'm'
      )
    );
    t.match(text, /checkpoints: +\d+ present, not checked/);

    const zh = await yishi('audit', path, '--vkey', vkey, '--lang', 'zh', '--workers', '1');
    t.match(
      zh.stdout,
      new RegExp(`^未通过：第 ${seq} 条，ENTRY_SIGNATURE；重放发现 \\d+ 个问题$`, 'm')
    );
    t.match(zh.stdout, `vote.cast，使用 ${name}（成员） 的密钥`);
    t.match(zh.stdout, `会议《${meetingTitle}》 · 议题《${itemTitle}》`);
    t.match(zh.stdout, /counts\.for: +记录为 7，按规则应为 8/);

    for (const workers of ['2', '3']) {
      const json1 = await yishi('audit', path, '--vkey', vkey, '--json', '--workers', '1');
      const jsonN = await yishi('audit', path, '--vkey', vkey, '--json', '--workers', workers);
      t.equal(jsonN.stdout, json1.stdout, `--workers ${workers}: the same JSON report`);
      const textN = await yishi('audit', path, '--vkey', vkey, '--workers', workers);
      t.equal(textN.stdout, text, `--workers ${workers}: the same text`);
    }
  }
);

t.test('the intact export: every entry covered by the latest checkpoint', async (t) => {
  const a = await yishi('audit', join(out, 'ledger.jsonl'), '--vkey', join(out, 'log.vkey'));
  t.equal(a.status, 0, a.stdout);
  const n = entries.length;
  t.match(a.stdout, new RegExp(`signatures: +${n} of ${n} verified$`, 'm'));
  t.match(
    a.stdout,
    new RegExp(`all ${n} entries covered by the latest checkpoint \\(size ${n}\\)$`, 'm')
  );
  t.match(a.stdout, new RegExp(`replay: +${n} entries replayed, no findings$`, 'm'));
});

// ---------------------------------------------------------------------------------------------
// The README's examples: each file under demo/examples/ is quoted verbatim and run here.

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const example = (name: string) => readFileSync(join(repoRoot, 'demo/examples', name), 'utf8');

t.test('the README quotes every example verbatim', async (t) => {
  for (const [name, lang] of [
    ['developer.ts', 'ts'],
    ['deferral.ts', 'ts'],
    ['auditor.ts', 'ts'],
    ['auditor.sh', 'sh'],
  ] as const) {
    t.ok(readme.includes(`\`\`\`${lang}\n${example(name)}\`\`\`\n`), `${name} is in README.md`);
  }
});

t.test('the demo and its examples build as npm run demo builds them', async (t) => {
  const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
  const built = spawnSync(process.execPath, [tsc, '-b', join(repoRoot, 'demo')], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  t.equal(built.status, 0, built.stdout + built.stderr);
  const run = join(repoRoot, 'demo/dist/run.js');
  const help = spawnSync(process.execPath, [run, '--help'], { encoding: 'utf8', timeout: 60_000 });
  t.equal(help.status, 0);
  t.match(help.stdout, /Usage: npm run demo \[-- --out DIR\]/);
  const bad = spawnSync(process.execPath, [run, '--bogus'], { encoding: 'utf8', timeout: 60_000 });
  t.equal(bad.status, 2, 'an unknown option is a usage error');

  t.test('the developer example runs against a fresh service', async (t) => {
    const data = join(tempDir(t), 'data');
    const server = await startServer(
      {
        dataDir: data,
        host: '127.0.0.1',
        port: 0,
        logLevel: 'silent',
        checkpointIntervalMs: 50,
        rateLimitPerMinute: 10_000,
        bodyLimit: 128 * 1024,
      },
      pino({ level: 'silent' })
    );
    t.teardown(() => server.close());
    // Asynchronous: the service answers from this process while the example runs.
    const r = await runNode([join(repoRoot, 'demo/dist/examples/developer.js')], {
      ...process.env,
      YISHI_URL: server.url,
      YISHI_DATA: data,
    });
    t.equal(r.status, 0, r.stderr);
    t.match(r.stdout, /^registered sun-lihua at entry \d+$/m);
    t.match(r.stdout, /^I am sun-lihua, member of body-\d+$/m);
    t.match(r.stdout, /^refused: 403 ROLE_NOT_ALLOWED$/m);
    t.match(r.stdout, /^entry \d+ is in the log$/m);
  });

  t.test('the auditor example passes the demo ledger and fails a tampered copy', async (t) => {
    const audit = (ledger: string) =>
      spawnSync(
        process.execPath,
        [join(repoRoot, 'demo/dist/examples/auditor.js'), ledger, join(out, 'log.vkey')],
        { encoding: 'utf8', timeout: 60_000 }
      );
    const good = audit(join(out, 'ledger.jsonl'));
    t.equal(good.status, 0, good.stdout + good.stderr);
    t.match(
      good.stdout,
      new RegExp(`^${entries.length} entries, \\d+ checkpoints, ${entries.length} replayed$`, 'm')
    );
    t.match(good.stdout, /^OK$/m);
    const { path, seq } = tamperedCopy();
    const bad = audit(path);
    t.equal(bad.status, 1);
    t.match(bad.stdout, new RegExp(`^integrity: ENTRY_SIGNATURE at entry ${seq}$`, 'm'));
    t.match(bad.stdout, /^FAILED$/m);
  });
});

t.test('the auditor shell example runs in the folder the demo kept', async (t) => {
  const r = spawnSync('bash', ['-e', join(repoRoot, 'demo/examples/auditor.sh')], {
    cwd: out,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, PATH: `${join(repoRoot, 'node_modules/.bin')}:${process.env['PATH']}` },
  });
  t.equal(r.status, 0, r.stdout + r.stderr);
  t.match(r.stdout, /^OK: the ledger verifies\.$/m);
  t.match(r.stdout, /^OK: the ledger verifies and every entry replays under the rules\.$/m);
  t.equal(readFileSync(join(out, 'export.jsonl'), 'utf8'), demo.ledger, 'the same export');
});
