// P16 minutes and record: the record (会议记录) and its digest fixed at close, signed by the recorder
// and the chair; the minutes (会议纪要) numbered per body per year, committing to the record's
// digest; corrections are errata pointing at what they correct.
import t from 'tap';
import {
  buildMinutes,
  buildRecord,
  recordDigest,
  renderMinutesMarkdown,
  renderRecordMarkdown,
} from '@yishi/procedure';
import { bytesToHex, canonicalJson, sha256, utf8Encode } from '@yishi/crypto';
import { DAY, World, firstVoters, positions } from './helpers/world.js';

/** A full meeting: attendance, recusal, opinion, statements, roll call with dissent, a secret ballot, an objection. */
function fullMeeting() {
  const w = World.create();
  const m = w.schedule();
  const a = w.submit(m).itemId;
  const b = w.submit(m, 'cadre_appointment').itemId;
  w.ok('m7', { type: 'item.recuse', itemId: a, principalId: 'm7', reason: '其配偶为项目相关方' });
  w.ok('m8', {
    type: 'opinion.submit',
    itemId: a,
    materialsDigest: w.digestOf(a),
    position: 'disagree',
    text: '建议暂缓。\n第二行理由。',
  });
  w.open(m, firstVoters(8), ['disc', 'att', 'rec']);
  w.deliberate(a);
  w.ok('att', {
    type: 'statement.record',
    itemId: a,
    materialsDigest: w.digestOf(a),
    reasons: '列席发言：补充说明',
  });
  w.stateAll(a, positions(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'chair'], { m2: 'disagree' }));
  w.openVote(a);
  w.castAll(a, { m1: 'for', m3: 'for', m4: 'for', m5: 'for', m6: 'for', chair: 'for' });
  w.cast(a, 'm2', 'against', '财务风险评估不足，原文照录。');
  w.closeVote(a);
  w.deliberate(b);
  w.stateAll(b, positions(firstVoters(8)));
  w.openVote(b, { method: 'secret', scrutineers: ['m1', 'm2'] });
  for (const id of firstVoters(8)) {
    w.ok(id, {
      type: 'ballot.receipt',
      itemId: b,
      materialsDigest: w.digestOf(b),
      receipt: 'd'.repeat(64),
    });
  }
  for (const s of ['m1', 'm2'])
    w.ok(s, { type: 'tally.sign', itemId: b, for: 7, against: 1, abstain: 0 });
  w.closeVote(b);
  w.ok('disc', {
    type: 'objection.raise',
    target: { kind: 'item', itemId: a },
    rule: 'P6',
    text: '回避理由应更具体',
  });
  w.ok('chair', {
    type: 'objection.answer',
    objectionId: `obj-${w.state.seq}`,
    answer: 'corrected',
    reasons: '已补充',
  });
  return { w, m, a, b };
}

t.test('P16', async (t) => {
  t.test('closing fixes the record digest: SHA-256 of the canonical record', async (t) => {
    const { w, m } = fullMeeting();
    const d = w.close(m);
    const record = buildRecord(w.state, m);
    t.equal(d.recordDigest, recordDigest(record));
    t.match(d.recordDigest, /^[0-9a-f]{64}$/);
    t.same(d.minutes, { year: 2025, number: 1 });
    t.same(buildRecord(w.state, m), record, 'a pure function of the state');
    t.equal(
      d.recordDigest,
      bytesToHex(sha256(utf8Encode(canonicalJson(record)))),
      'the digest is SHA-256 over @yishi/crypto canonical JSON (RFC 8785)'
    );
  });

  t.test('the record digest matches RFC 8785 even for awkward text', async (t) => {
    const w = World.create();
    const m = w.schedule();
    const odd = 'Tab\t quote" backslash\\ ctrl\u0001 emoji 😀 é \u2028 中文';
    w.ok('m1', {
      type: 'item.submit',
      meetingId: m,
      category: 'routine',
      title: odd,
      materials: [{ title: odd, sha256: 'a'.repeat(64) }],
    });
    w.open(m);
    const d = w.close(m);
    const record = buildRecord(w.state, m);
    t.equal(record.items[0]?.title, odd);
    t.equal(d.recordDigest, bytesToHex(sha256(utf8Encode(canonicalJson(record)))));
  });

  t.test(
    'the record holds attendance, materials, statements in order, opinions, votes, tally, recusals, objections, outcomes, dissent',
    async (t) => {
      const { w, m, a, b } = fullMeeting();
      w.close(m);
      const r = buildRecord(w.state, m);
      t.equal(r.attendance.denominator, 9);
      t.equal(r.attendance.present.length, 8);
      t.same(
        r.attendance.absent.map((x) => [x.principalId, x.reason]),
        [['m8', '出差']]
      );
      t.same(
        r.attendance.attendees.map((x) => x.principalId),
        ['disc', 'att', 'rec']
      );
      const ia = r.items.find((i) => i.itemId === a);
      t.same(ia?.materials, [{ title: '请示', sha256: 'a'.repeat(64) }]);
      t.equal(ia?.materialsDigest, w.digestOf(a));
      t.same(
        ia?.statements.map((s) => s.principalId),
        ['att', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'chair']
      );
      t.same(
        ia?.recusals.map((x) => x.principalId),
        ['m7']
      );
      t.same(
        ia?.opinions.map((x) => x.text),
        ['建议暂缓。\n第二行理由。']
      );
      t.equal(ia?.vote?.ballots?.length, 7);
      t.match(ia?.outcome, {
        result: 'adopted',
        rule: 'P9',
        counts: { for: 6, against: 1, denominator: 8 },
      });
      t.same(
        ia?.dissent.map((x) => [x.principalId, x.kind, x.text]),
        [
          ['m2', 'statement', 'm2 的理由'],
          ['m2', 'vote', '财务风险评估不足，原文照录。'],
          ['m8', 'opinion', '建议暂缓。\n第二行理由。'],
        ]
      );
      const ib = r.items.find((i) => i.itemId === b);
      t.same(ib?.vote?.tally, { for: 7, against: 1, abstain: 0, signedBy: ['m1', 'm2'] });
      t.equal(ib?.vote?.ballots, null);
      t.same(
        r.objections.map((o) => [o.rule, o.state]),
        [['P6', 'corrected']]
      );
    }
  );

  t.test(
    'the Markdown record is in Chinese and carries digests and dissent verbatim',
    async (t) => {
      const { w, m, a } = fullMeeting();
      w.close(m);
      const md = renderRecordMarkdown(buildRecord(w.state, m));
      for (const s of [
        '# 会议记录：常委会会议',
        '## 出席情况',
        '应到会 9 人，开会时实到 8 人。',
        '郑八（成员）（事由：出差）',
        w.digestOf(a),
        'a'.repeat(64),
        '> 财务风险评估不足，原文照录。',
        '> 建议暂缓。',
        '> 第二行理由。',
        '依据 P9',
        '无记名投票',
        '计票：同意 7 票，不同意 1 票，弃权 0 票',
        '纪要编号：〔2025〕1号',
        '## 程序异议',
        '主要负责人答复：已纠正',
      ]) {
        t.ok(md.includes(s), `record contains ${s}`);
      }
    }
  );

  t.test('the minutes are numbered and commit to the record digest', async (t) => {
    const { w, m } = fullMeeting();
    const d = w.close(m);
    const minutes = buildMinutes(buildRecord(w.state, m));
    t.equal(minutes.recordDigest, d.recordDigest);
    t.same(minutes.number, { year: 2025, number: 1 });
    t.equal(minutes.decisions.length, 2);
    const md = renderMinutesMarkdown(minutes);
    t.ok(md.includes('某市委常委会会议纪要'));
    t.ok(md.includes('〔2025〕1号'));
    t.ok(md.includes(String(d.recordDigest)));
    t.ok(md.includes('**通过**'));
  });

  t.test('minutes are numbered per body per year (China Standard Time)', async (t) => {
    const w = World.create();
    const n = () => {
      const m = w.schedule('leadership', 24);
      w.open(m);
      return w.close(m).minutes;
    };
    t.same(n(), { year: 2025, number: 1 });
    t.same(n(), { year: 2025, number: 2 });
    w.time = Date.UTC(2025, 11, 30, 15, 0) - 24 * 3_600_000;
    t.same(n(), { year: 2025, number: 3 }, '2025-12-30 23:00 CST');
    w.time = Date.UTC(2025, 11, 31, 16, 30) - 24 * 3_600_000;
    t.same(n(), { year: 2026, number: 1 }, '2026-01-01 00:30 CST, still 2025 in UTC');
    const other = w.ok('admin', { type: 'body.create', name: '另一党组' }).bodyId as string;
    w.register('c2', 'chair', '另一书记', undefined, other);
    const m2 = w.ok('c2', {
      type: 'meeting.schedule',
      bodyId: other,
      kind: 'leadership',
      title: 'x',
      scheduledStart: w.time + DAY,
    }).meetingId as string;
    w.time += DAY;
    w.ok('c2', { type: 'meeting.open', meetingId: m2, present: ['c2'], absent: [], attendees: [] });
    t.same(w.ok('c2', { type: 'meeting.close', meetingId: m2 }).minutes, { year: 2026, number: 1 });
  });

  t.test('the recorder and the chair sign the digest; then the meeting is archived', async (t) => {
    const { w, m, a } = fullMeeting();
    const sign = (digest: string) => ({ type: 'record.sign', meetingId: m, recordDigest: digest });
    const early = w.no('rec', sign('0'.repeat(64)));
    t.equal(early.code, 'MEETING_NOT_CLOSED');
    t.equal(early.rule, 'P16');
    const digest = w.close(m).recordDigest as string;
    t.equal(w.no('rec', sign('0'.repeat(64))).code, 'RECORD_DIGEST_MISMATCH');
    t.equal(w.no('m1', sign(digest)).code, 'ROLE_NOT_ALLOWED');
    t.same(w.ok('rec', sign(digest)), {
      meetingId: m,
      role: 'recorder',
      recordDigest: digest,
      archived: false,
    });
    t.equal(recordDigest(buildRecord(w.state, m)), digest, 'signing does not change the record');
    t.equal(w.no('rec', sign(digest)).code, 'ALREADY_SIGNED');
    t.equal(w.ok('chair', sign(digest)).archived, true);
    t.notOk(w.state.meetings[m]);
    t.notOk(w.state.items[a]);
    t.same(w.state.archive[m], { bodyId: w.bodyId, minutes: '2025-1', recordDigest: digest });
    t.throws(() => buildRecord(w.state, m), RangeError);
  });

  t.test('errata point at an earlier entry; nothing is edited', async (t) => {
    const { w, m } = fullMeeting();
    const digest = w.close(m).recordDigest as string;
    const target = w.state.meetings[m]?.openedSeq ?? 0;
    const err = (correctsSeq: number) => ({
      type: 'erratum.record',
      meetingId: m,
      correctsSeq,
      text: '出席名单笔误更正',
    });
    const d = w.ok('rec', err(target));
    t.same(d, {
      erratumId: `err-${w.state.seq}`,
      meetingId: m,
      correctsSeq: target,
      recordDigest: digest,
    });
    t.equal(w.no('rec', err(w.seq)).code, 'ERRATUM_TARGET_INVALID');
    t.equal(w.no('rec', err(0)).code, 'ERRATUM_TARGET_INVALID', 'before the meeting existed');
    t.equal(w.no('m1', err(target)).code, 'ROLE_NOT_ALLOWED');
    w.ok('rec', { type: 'record.sign', meetingId: m, recordDigest: digest });
    w.ok('chair', { type: 'record.sign', meetingId: m, recordDigest: digest });
    w.ok('chair', err(target)); // after archival too
    t.equal(w.no('rec', { ...err(target), meetingId: 'mtg-31337' }).code, 'UNKNOWN_MEETING');
  });
});
