// The readable report's pieces in @yishi/verify (what the CLI prints and the web page shows):
// field differences, the grouping of findings under the integrity failure, the counts, the
// optional redacted count of scoped exports, and both languages.
import t from 'tap';
import {
  explainAudit,
  explainVerification,
  fieldDifferences,
  LEDGER_CHECKS,
  renderReportText,
  showValue,
  textWidth,
  type AuditReport,
  type LedgerReport,
} from '@yishi/verify';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths.js';

const verification = (over: Partial<LedgerReport> = {}): LedgerReport => ({
  ok: true,
  entries: 1234,
  checkpoints: 5,
  signaturesVerified: 1234,
  logKeySource: 'vkey',
  latestCheckpoint: { size: 1234, rootHash: 'ab'.repeat(32) },
  uncheckpointedEntries: 0,
  redactedEntries: 0,
  ...over,
});

const mismatch = (seq: number) => ({
  seq,
  code: 'DERIVED_MISMATCH' as const,
  evidence: {
    recorded: { result: 'adopted', rule: 'P9', counts: { for: 7, against: 1, abstain: 0 } },
    recomputed: { counts: { abstain: 0, against: 0, for: 8 }, rule: 'P9', result: 'adopted' },
  },
});

const audit = (v: LedgerReport, findings: AuditReport['findings']): AuditReport => ({
  ok: v.ok && findings.length === 0,
  verification: v,
  replayed: v.entries,
  findings,
  truncated: false,
  notices: [],
  redactedEntries: v.redactedEntries,
});

t.test('field differences: one line per field, whatever the key order', async (t) => {
  const { differences, more } = fieldDifferences(
    mismatch(1).evidence.recorded,
    mismatch(1).evidence.recomputed
  );
  t.same(differences, [
    { path: 'counts.against', recorded: 1, recomputed: 0 },
    { path: 'counts.for', recorded: 7, recomputed: 8 },
  ]);
  t.equal(more, 0);
  t.same(
    fieldDifferences({ a: [1, 2], b: 'x' }, { a: [1], c: null }).differences,
    [
      { path: 'a[1]', recorded: 2 },
      { path: 'c', recomputed: null },
      { path: 'b', recorded: 'x' },
    ],
    'absent on either side'
  );
  t.same(fieldDifferences(1, 2).differences, [{ path: '', recorded: 1, recomputed: 2 }]);
  t.same(fieldDifferences({ x: { y: 1 } }, { x: { y: 1 } }).differences, [], 'equal values');
  const wide = fieldDifferences(
    Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, i])),
    {},
    5
  );
  t.equal(wide.differences.length, 5);
  t.equal(wide.more, 25, 'bounded');
  let deep: unknown = 1;
  for (let i = 0; i < 5000; i++) deep = { d: deep };
  t.ok(fieldDifferences(deep, {}).differences.length <= 20, 'deep input does not overflow');
  t.equal(showValue('e'.repeat(64)), `${'e'.repeat(16)}…`, 'hashes cut');
  t.equal(showValue({ a: 1 }), '{"a":1}');
  t.equal(textWidth('签名：'), 6);
  t.equal(textWidth('ab'), 2);
});

t.test('consequences are grouped under the integrity failure they follow', async (t) => {
  const v = verification({
    ok: false,
    signaturesVerified: 36,
    latestCheckpoint: undefined,
    uncheckpointedEntries: 1234,
    failure: { check: 'ENTRY_SIGNATURE', seq: 36, detail: 'entry 36: …' },
  });
  delete v.latestCheckpoint;
  const report = audit(v, [mismatch(20), mismatch(39)]);
  const contexts = [
    {
      seq: 36,
      type: 'vote.cast',
      signer: { id: 'sun', name: '孙丽华', role: 'member' },
      meeting: { id: 'm', title: '第1次会议' },
      item: { id: 'i', title: '某议题' },
    },
    { seq: 39, type: 'vote.close', signer: { id: 'chen', name: '陈建国', role: 'chair' } },
  ];
  const r = explainAudit(report, { contexts });
  t.equal(r.ok, false);
  t.equal(r.headline, 'FAILED: ENTRY_SIGNATURE at entry 36; replay finds 2 problems');
  t.same(
    r.integrity?.consequences.map((f) => f.seq),
    [39]
  );
  t.same(
    r.findings.map((f) => f.seq),
    [20],
    'a finding before the failure stands apart'
  );
  t.same(r.integrity?.where, [
    'vote.cast under the key of 孙丽华 (member)',
    'meeting “第1次会议” · item “某议题”',
  ]);
  t.equal(r.integrity?.consequences[0]?.rule, 'P9 Vote and threshold');
  t.same(r.integrity?.consequences[0]?.differences, [
    { path: 'counts.against', text: 'recorded 1, rules give 0' },
    { path: 'counts.for', text: 'recorded 7, rules give 8' },
  ]);
  const facts = Object.fromEntries(r.facts.map((f) => [f.key, f.text]));
  t.equal(facts['signatures'], '36 of 1,234 verified; checking stopped at entry 36');
  t.match(facts['checkpoints'], /^5 present, not checked/);
  const text = renderReportText(r);
  t.ok(text.indexOf('entry 36 —') < text.indexOf('entry 39 —'));
  t.ok(text.indexOf('entry 39 —') < text.indexOf('entry 20 —'), 'integrity first');
  const zh = renderReportText(explainAudit(report, { contexts, lang: 'zh' }));
  t.match(zh, /^未通过：第 36 条，ENTRY_SIGNATURE；重放发现 2 个问题$/m);
  t.match(zh, /vote\.cast，使用 孙丽华（成员） 的密钥/);
  t.match(zh, /counts\.for: +记录为 7，按规则应为 8/);
  t.match(zh, /规则 P9 表决与通过/);
});

t.test("in Chinese the verifier's evidence is worded by its check code", async (t) => {
  const english = 'entry 35 was changed: its bytes no longer hash to what entry 36 recorded';
  const failed = (failure: NonNullable<LedgerReport['failure']>) => {
    const v = verification({ ok: false, failure });
    delete v.latestCheckpoint;
    return v;
  };
  const chain = failed({ check: 'ENTRY_CHAIN', seq: 35, detail: english });
  t.equal(explainVerification(chain).integrity?.detail, english, 'English keeps its own text');
  const zh = explainVerification(chain, { lang: 'zh' });
  t.equal(zh.integrity?.detail, '第 35 条与相邻条目记录的哈希不符：它或其 prev 字段被改动');
  const text = renderReportText(zh);
  t.notMatch(text, /was changed|no longer hash/, 'no English evidence in the Chinese report');
  t.match(text, /^ {2}第 35 条与相邻条目记录的哈希不符/m);
  t.match(
    explainAudit(audit(chain, []), { lang: 'zh' }).integrity?.detail,
    /^第 35 条/,
    'the audit report too'
  );
  const root = failed({
    check: 'CHECKPOINT_ROOT_MISMATCH',
    seq: 50,
    checkpointSize: 80,
    detail: 'the entries do not hash to the root signed at size 80: an entry in 50..79 was changed',
  });
  t.match(
    explainVerification(root, { lang: 'zh' }).integrity?.detail,
    '规模为 80 的检查点签署的根不符：第 50 至 79 条中有条目被改动',
    'filled from the failure’s fields'
  );
  for (const check of LEDGER_CHECKS) {
    for (const at of [{}, { seq: 7 }, { checkpointSize: 9 }, { seq: 3, checkpointSize: 9 }]) {
      const detail = explainVerification(
        failed({ check, ...at, detail: 'English evidence: an error message' }),
        { lang: 'zh' }
      ).integrity?.detail;
      t.notMatch(detail, /English|error message|undefined/, `${check} ${JSON.stringify(at)}`);
      if (detail !== '') t.match(detail, /[\u4e00-\u9fff]/, `${check} is worded in Chinese`);
    }
  }
  const unknown = failed({ check: 'NEW_CHECK' as never, detail: 'as sent' });
  t.equal(
    explainVerification(unknown, { lang: 'zh' }).integrity?.detail,
    'as sent',
    'a check this version does not know keeps its text'
  );
});

t.test('checkpoint coverage is said plainly', async (t) => {
  const all = explainVerification(verification());
  t.equal(all.headline, 'OK: the ledger verifies.');
  const facts = (r: typeof all) => Object.fromEntries(r.facts.map((f) => [f.key, f.text]));
  t.equal(
    facts(all)['checkpoints'],
    '5 verified; all 1,234 entries covered by the latest checkpoint (size 1,234)'
  );
  t.equal(facts(all)['signatures'], '1,234 of 1,234 verified');
  const part = explainVerification(
    verification({ latestCheckpoint: { size: 1000, rootHash: '00' }, uncheckpointedEntries: 234 })
  );
  t.match(facts(part)['checkpoints'], /covers entries 0 to 1,000-1; 234 entries after it/);
  const none = verification({ checkpoints: 0, uncheckpointedEntries: 1234 });
  delete none.latestCheckpoint;
  t.match(facts(explainVerification(none))['checkpoints'], /^none: no entry is covered/);
  t.notOk('redacted' in facts(all), 'no redacted line without the field');
});

t.test('a scoped export shows how many entries were redacted', async (t) => {
  const v = { ...verification({ signaturesVerified: 1000 }), redactedEntries: 234 };
  const r = explainVerification(v);
  const facts = Object.fromEntries(r.facts.map((f) => [f.key, f.text]));
  t.match(facts['redacted'], /^234 entries redacted/);
  t.equal(facts['signatures'], '1,000 of 1,000 verified', 'out of the entries shown');
  const zero = explainVerification({ ...verification(), redactedEntries: 0 });
  t.notOk(zero.facts.some((f) => f.key === 'redacted'));
});

t.test('the report code is browser-safe: no node: imports', async (t) => {
  const dir = join(repoRoot, 'verify/src/report');
  for (const file of readdirSync(dir)) {
    t.notMatch(readFileSync(join(dir, file), 'utf8'), /from 'node:/, file);
  }
});
