// P16 minutes a secretary can file: titles and names instead of internal ids, amounts in
// 元/万元/亿元, dates in Chinese form; the JSON record and minutes keep the ids.
import t from 'tap';
import {
  buildMinutes,
  buildRecord,
  formatChineseDate,
  formatYuan,
  renderMinutesMarkdown,
  renderRecordMarkdown,
} from '@yishi/procedure';
import { World, positions, VOTERS } from './helpers/world.js';

t.test('amounts are written in 元, 万元 or 亿元, exactly', async (t) => {
  const table: Array<[number, string]> = [
    [0, '0元'],
    [8000, '8000元'],
    [9999, '9999元'],
    [10_000, '1万元'],
    [50_000, '5万元'],
    [12_345, '1.2345万元'],
    [5_000_000, '500万元'],
    [99_990_000, '9999万元'],
    [100_000_000, '1亿元'],
    [960_000_000, '9.6亿元'],
    [1_234_500_000, '12.345亿元'],
    [123_456_789, '12345.6789万元'],
    [100_000_001, '10000.0001万元'],
    [300_000_000_000, '3000亿元'],
    [Number.MAX_SAFE_INTEGER, '900719925474.0991万元'],
  ];
  for (const [amount, text] of table) t.equal(formatYuan(amount), text, String(amount));
});

t.test('dates are written 2025年3月3日 in China Standard Time', async (t) => {
  t.equal(formatChineseDate(Date.UTC(2025, 2, 3, 1, 0, 0)), '2025年3月3日');
  t.equal(formatChineseDate(Date.UTC(2026, 11, 4, 16, 0, 0)), '2026年12月5日', 'UTC+8');
  t.equal(formatChineseDate(Date.UTC(2026, 11, 4, 15, 59, 0)), '2026年12月4日');
});

/** A meeting deciding a large_funds item of 960000000 yuan, with an objection on it. */
function meeting() {
  const w = World.create();
  const m = w.schedule();
  const { itemId } = w.submit(m, 'large_funds', {
    title: '关于购置储能设备的议题',
    amount: 960_000_000,
  });
  w.open(m);
  w.deliberate(itemId);
  w.stateAll(itemId, positions(VOTERS));
  w.openVote(itemId);
  w.castAll(itemId, Object.fromEntries(VOTERS.map((v) => [v, 'for' as const])));
  w.closeVote(itemId);
  w.ok('disc', {
    type: 'objection.raise',
    target: { kind: 'item', itemId },
    rule: 'P3',
    text: '材料提交时间应核实',
  });
  w.close(m);
  const record = buildRecord(w.state, m);
  return { w, m, itemId, record, minutes: buildMinutes(record) };
}

t.test('the Markdown minutes name titles and people, never internal ids', async (t) => {
  const { m, itemId, record, minutes } = meeting();
  const md = renderMinutesMarkdown(minutes);
  t.notMatch(md, /\b(mtg|item|obj|rep|body)-\d+/, 'no internal id');
  t.match(md, '关于购置储能设备的议题（大额资金使用）：**通过**');
  t.match(md, /- 时间：2025年3月\d+日 \d\d:\d\d（北京时间）/);
  t.match(md, /\n2025年3月\d+日\n/, 'dated at the foot, as a document');
  t.equal(minutes.meeting.id, m, 'the JSON keeps the meeting id');
  t.equal(minutes.decisions[0]?.itemId, itemId, 'and the item id');
  t.equal(record.items[0]?.amount, 960_000_000, 'the record keeps the exact amount');
});

t.test(
  'the Markdown record writes the amount in 亿元 and names the objection by title',
  async (t) => {
    const { record } = meeting();
    const md = renderRecordMarkdown(record);
    t.match(md, '- 金额：9.6亿元');
    t.notMatch(md, '960000000');
    t.match(md, /依据 P3 提出（议题「关于购置储能设备的议题」）/);
    t.notMatch(md, /\b(mtg|item|obj|rep)-\d+/, 'no internal id');
    t.match(md, /- 预定开始：2025年3月\d+日 \d\d:\d\d（北京时间）/);
    t.ok(record.objections[0]?.objectionId.startsWith('obj-'), 'the JSON keeps the objection id');
  }
);
