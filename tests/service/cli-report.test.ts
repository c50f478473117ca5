// The readable report of `yishi verify` and `yishi audit` on generated ledgers: stdout, the usage
// error for a file that is no ledger, the language, --workers giving the same report as one
// worker. The tampered demo's report (names, titles, field differences) is in tests/demo.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { yishi } from '../helpers/cli.js';
import { exportLedger, makeLedger, tempDir } from '../helpers/ledger-fixture.js';
import { reportLang } from '@yishi/service/internal';

const fixture = await makeLedger(t, 24, 3);
const { path: exported, lines } = await exportLedger(fixture);

t.test('a file that is no ledger is one usage error, NOT_A_LEDGER_FILE, exit 2', async (t) => {
  const dir = tempDir(t);
  const files: Record<string, string> = {
    'readme.md': '# yishi\n\nA tamper-evident record.\n'.repeat(40),
    'data.json': JSON.stringify({ entries: [1, 2, 3] }),
    'other-format.jsonl': `${JSON.stringify({ yishi: 'ledger-export/v9', entries: 0 })}\n`,
    'an-array.jsonl': '[1,2,3]\n{"entry":{}}\n',
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const other = join(dir, 'other.db');
  new Database(other).exec('CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES (1)');
  for (const command of ['verify', 'audit']) {
    for (const file of [...Object.keys(files).map((f) => join(dir, f)), other]) {
      for (const json of [[], ['--json']]) {
        const r = await yishi(command, file, '--vkey', fixture.vkey, ...json);
        t.equal(r.status, 2, `${command} ${file}`);
        t.equal(r.stdout, '', 'nothing on stdout');
        t.match(r.stderr, new RegExp(`^yishi ${command}: NOT_A_LEDGER_FILE: `));
        t.equal(r.stderr.trimEnd().split('\n').length, 1, 'one line');
      }
    }
  }
});

t.test('an export that goes wrong after its first line is the verifier’s to report', async (t) => {
  const dir = tempDir(t);
  const cut = join(dir, 'cut.jsonl');
  writeFileSync(cut, `${lines.slice(0, 6).join('\n')}\nnot json\n`);
  const r = await yishi('verify', cut, '--vkey', fixture.vkey, '--json');
  t.equal(r.status, 1);
  t.equal(JSON.parse(r.stdout).failure.check, 'ENTRY_MALFORMED');
});

t.test('the report goes to stdout with counts that cannot confuse', async (t) => {
  const v = await yishi('verify', exported, '--vkey', fixture.vkey, '--workers', '1');
  t.equal(v.status, 0, v.stderr);
  t.equal(v.stderr, '', 'no progress when stderr is no terminal');
  t.match(v.stdout, /^OK: the ledger verifies\.$/m);
  t.match(v.stdout, /signatures: +25 of 25 verified$/m);
  t.match(
    v.stdout,
    /checkpoints: +\d+ verified; all 25 entries covered by the latest checkpoint \(size 25\)$/m
  );
  // A tail without a checkpoint: how much the latest one covers.
  const dir = tempDir(t);
  const tail = join(dir, 'tail.jsonl');
  const entries = lines.filter((l) => l.startsWith('{"entry"'));
  const notes = lines.filter((l) => l.startsWith('{"checkpoint"')).slice(0, 2);
  writeFileSync(tail, `${[lines[0], ...entries, ...notes].join('\n')}\n`);
  const p = await yishi('verify', tail, '--vkey', fixture.vkey, '--json');
  t.equal(p.status, 0, p.stderr);
  const { latestCheckpoint, uncheckpointedEntries } = JSON.parse(p.stdout);
  const text = await yishi('verify', tail, '--vkey', fixture.vkey);
  t.match(
    text.stdout,
    `the latest checkpoint (size ${latestCheckpoint.size}) covers entries 0 to ${latestCheckpoint.size}-1; ${uncheckpointedEntries} entries after it are not yet covered`
  );
});

t.test('a changed entry: verify names it, the checkpoints are "not checked"', async (t) => {
  const dir = tempDir(t);
  const bad = join(dir, 'bad.jsonl');
  writeFileSync(
    bad,
    lines.map((l, i) => (i === 8 ? l.replace('note 6 ', 'note 66 ') : l)).join('\n')
  );
  const v = await yishi('verify', bad, '--vkey', fixture.vkey, '--workers', '1');
  t.equal(v.status, 1);
  t.equal(v.stderr, '');
  t.match(v.stdout, /^FAILED: ENTRY_SIGNATURE at entry 7$/m);
  t.match(v.stdout, /^entry 7 — ENTRY_SIGNATURE: the signature does not verify/m);
  t.match(v.stdout, /test\.note under the key of .* \(admin\)/);
  t.match(v.stdout, /signatures: +7 of 25 verified; checking stopped at entry 7$/m);
  t.match(v.stdout, /checkpoints: +\d+ present, not checked/);
  t.notMatch(v.stdout, /uncheckpointed/);
});

t.test('yishi audit --workers N gives the report one worker gives', async (t) => {
  const dir = tempDir(t);
  const bad = join(dir, 'bad.jsonl');
  writeFileSync(
    bad,
    lines.map((l, i) => (i === 12 ? l.replace('note 10 ', 'note 11 ') : l)).join('\n')
  );
  for (const file of [exported, bad, fixture.paths.db]) {
    const one = await yishi('audit', file, '--vkey', fixture.vkey, '--workers', '1', '--json');
    const text = await yishi('audit', file, '--vkey', fixture.vkey, '--workers', '1');
    for (const workers of ['2', '3']) {
      const many = await yishi(
        'audit',
        file,
        '--vkey',
        fixture.vkey,
        '--workers',
        workers,
        '--json'
      );
      t.equal(many.status, one.status, `${file} --workers ${workers}: same exit code`);
      t.equal(many.stdout, one.stdout, `${file} --workers ${workers}: same JSON report`);
      const manyText = await yishi('audit', file, '--vkey', fixture.vkey, '--workers', workers);
      t.equal(manyText.stdout, text.stdout, `${file} --workers ${workers}: same text`);
    }
  }
  const r = await yishi('audit', bad, '--vkey', fixture.vkey, '--workers', '2');
  t.match(r.stdout, /^FAILED: ENTRY_SIGNATURE at entry 11; replay finds \d+ problems$/m);
  t.match(
    r.stdout,
    /test\.note under the key of/,
    'the blamed entry placed after the parallel pass'
  );
  t.equal((await yishi('audit', exported, '--workers', '0')).status, 2);
});

t.test('Chinese under a zh locale or with --lang zh', async (t) => {
  t.equal(reportLang(undefined, { LANG: 'zh_CN.UTF-8' }), 'zh');
  t.equal(reportLang(undefined, { LANG: 'en_US.UTF-8', LC_ALL: 'zh_TW.UTF-8' }), 'zh');
  t.equal(reportLang(undefined, { LANG: 'zh' }), 'zh');
  t.equal(reportLang(undefined, { LANG: 'C.UTF-8' }), 'en');
  t.equal(reportLang(undefined, {}), 'en');
  t.equal(reportLang('en', { LANG: 'zh_CN.UTF-8' }), 'en', 'the flag wins');
  const v = await yishi('verify', exported, '--vkey', fixture.vkey, '--lang', 'zh');
  t.equal(v.status, 0);
  t.match(v.stdout, /^通过：账本验证无误。$/m);
  t.match(v.stdout, /签名： +25 个中 25 个验证通过/);
  const a = await yishi('audit', exported, '--vkey', fixture.vkey, '--lang', 'zh');
  t.match(a.stdout, /^未通过：重放发现 \d+ 个问题$/m);
  t.match(a.stdout, /ENTRY_REFUSED：规则不允许此命令/);
  const bad = await yishi('audit', exported, '--lang', 'fr');
  t.equal(bad.status, 2);
  t.match(bad.stderr, /--lang/);
});
