/**
 * P16 the record and the minutes as Markdown, in Simplified Chinese: what the committee archives
 * and a secretary files. Pure functions of the structured JSON; dates as Chinese documents write
 * them (2026年12月5日 09:00, China Standard Time, UTC+8), amounts in 元/万元/亿元 (9.6亿元), people
 * and items by name and title. The JSON keeps the internal ids (`mtg-14`, `item-15`, `obj-27`);
 * the Markdown shows them only where nothing else names the thing (the earlier attempt of a
 * resubmitted item). Text written by members (reasons, opinions, dissent) is quoted verbatim,
 * line by line.
 */
import type { Minutes } from './minutes.js';
import type { KeyResetMark, MeetingRecord, PersonRef } from './record.js';

const CATEGORY: Record<string, string> = {
  major_decision: '重大事项决策',
  cadre_appointment: '重要干部任免',
  major_project: '重大项目投资决策',
  large_funds: '大额资金使用',
  routine: '一般事项',
};
const KIND: Record<string, string> = { leadership: '领导班子会议', topical: '专题会议' };
const ROLE: Record<string, string> = {
  chair: '主要负责人',
  member: '成员',
  recorder: '记录人',
  discipline: '纪检负责人',
  attendee: '列席人员',
};
const POSITION: Record<string, string> = { agree: '同意', disagree: '不同意', defer: '缓议' };
const CHOICE: Record<string, string> = { for: '同意', against: '不同意', abstain: '弃权' };
const METHOD: Record<string, string> = {
  roll_call: '记名表决',
  show_of_hands: '举手表决',
  secret: '无记名投票',
};
const RESULT: Record<string, string> = {
  adopted: '通过',
  rejected: '未通过',
  deferred: '暂缓',
  withdrawn: '撤回',
  reopened: '同意复议',
  not_reopened: '不同意复议',
};
const BASIS: Record<string, string> = {
  vote: '表决结果',
  close_vote: '表决双方人数接近',
  statements: '表态意见分歧较大',
  defer_accepted: '采纳缓议意见（关键情况不清）',
  quorum_lost: '表决时到会人数不足',
  not_concluded: '会议结束时未议结',
  withdrawn: '提交人撤回',
  meeting_cancelled: '会议取消',
};
const OBJECTION_STATE: Record<string, string> = {
  open: '待答复',
  corrected: '已纠正',
  rejected: '不予采纳',
  escalated: '已向上级纪委报告',
};
const WHY: Record<string, string> = {
  rejected: '答复不予采纳',
  unanswered_at_close: '会议结束时仍未答复',
  raised_after_close: '会后提出',
};

const label = (table: Record<string, string>, key: string): string => table[key] ?? key;

/** A single line: newlines and runs of whitespace collapse to one space. */
function inline(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Verbatim text as a Markdown block quote, line by line, indented by `indent`. */
function quote(s: string, indent = ''): string {
  return s
    .split(/\r\n|\r|\n/)
    .map((l) => `${indent}> ${l}`)
    .join('\n');
}

const CST = 8 * 3_600_000;

/** `2026年12月5日` of `time` (ms since the epoch), in China Standard Time. */
export function formatChineseDate(time: number): string {
  const d = new Date(time + CST);
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
}

/** `2026年12月5日 09:00（北京时间）` of `time` (ms since the epoch); `—` for none. */
export function formatCst(time: number | null): string {
  if (time === null) return '—';
  const d = new Date(time + CST);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${formatChineseDate(time)} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}（北京时间）`;
}

/**
 * An amount of yuan as Chinese documents write it, exactly: the largest of 亿元 and 万元 that
 * needs at most four decimals, else 元 (960000000 → `9.6亿元`, 50000 → `5万元`, 123456789 →
 * `12345.6789万元`, 8000 → `8000元`). Decimal string arithmetic, never floating point.
 */
export function formatYuan(amount: number): string {
  if (!Number.isSafeInteger(amount) || amount < 0) return `${amount}元`;
  const digits = String(amount);
  for (const [unit, zeros] of [
    ['亿元', 8],
    ['万元', 4],
  ] as const) {
    if (digits.length <= zeros) continue;
    const whole = digits.slice(0, -zeros);
    const fraction = digits.slice(-zeros).replace(/0+$/, '');
    if (fraction.length <= 4) return `${whole}${fraction ? `.${fraction}` : ''}${unit}`;
  }
  return `${digits}元`;
}

const DIGITS = '零一二三四五六七八九';
/** Chinese numeral for 1…99 (一, 十, 十一, 二十三); larger numbers as digits. */
export function chineseNumeral(n: number): string {
  if (n < 1 || n > 99 || !Number.isInteger(n)) return String(n);
  if (n < 10) return DIGITS[n] as string;
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 1 ? '' : DIGITS[tens]}十${ones === 0 ? '' : DIGITS[ones]}`;
}

/** The minutes number label: `〔2025〕3号`. */
export function minutesLabel(n: { year: number; number: number } | null): string {
  return n ? `〔${n.year}〕${n.number}号` : '（未编号）';
}

function who(p: PersonRef): string {
  const role = p.role ? `（${label(ROLE, p.role)}）` : '';
  return `${inline(p.name)}${role}`;
}

function names(ps: PersonRef[]): string {
  return ps.length === 0 ? '无' : ps.map(who).join('、');
}

function ruleNote(rule: string, basis: string): string {
  return `依据 ${rule}：${label(BASIS, basis)}`;
}

/** The record (会议记录) as Chinese Markdown. */
export function renderRecordMarkdown(r: MeetingRecord): string {
  const out: string[] = [];
  out.push(`# 会议记录：${inline(r.meeting.title)}`, '');
  out.push(`- 领导班子：${inline(r.body.name)}`);
  out.push(`- 会议类型：${label(KIND, r.meeting.kind)}`);
  out.push(`- 预定开始：${formatCst(r.meeting.scheduledStart)}`);
  out.push(`- 开会时间：${formatCst(r.meeting.openedAt)}`);
  out.push(`- 散会时间：${formatCst(r.meeting.closedAt)}`);
  out.push(`- 纪要编号：${minutesLabel(r.minutes)}`);
  out.push(`- 议事规则版本：第 ${r.meeting.rulebookVersion} 版`);
  out.push('');
  const a = r.attendance;
  out.push('## 出席情况', '');
  out.push(`应到会 ${a.denominator} 人，开会时实到 ${a.present.length} 人。`, '');
  out.push(`- 出席：${names(a.present)}`);
  out.push(
    `- 缺席：${a.absent.length === 0 ? '无' : a.absent.map((x) => `${who(x)}（事由：${inline(x.reason)}）`).join('、')}`
  );
  out.push(`- 列席：${names(a.attendees)}`);
  for (const c of a.changes) {
    const what = c.event === 'arrive' ? '到会' : '离会';
    out.push(
      `- ${formatCst(c.time)} ${who(c)} ${what}${c.reason ? `（${inline(c.reason)}）` : ''}`
    );
  }
  out.push('');
  out.push('## 议题', '');
  if (r.items.length === 0) out.push('无议题。', '');
  r.items.forEach((it, i) => {
    out.push(`### ${chineseNumeral(i + 1)}、${inline(it.title)}`, '');
    out.push(`- 事项类别：${label(CATEGORY, it.category)}`);
    out.push(`- 提交人：${who(it.submitter)}${it.adhoc ? '；临时动议' : ''}`);
    if (it.previousItemId) out.push(`- 重新提交：前次议题记录编号 ${it.previousItemId}`);
    if (it.amount !== null) out.push(`- 金额：${formatYuan(it.amount)}`);
    if (it.candidate)
      out.push(`- 人选：${inline(it.candidate.name)}；拟任职务：${inline(it.post ?? '')}`);
    out.push('- 材料：');
    for (const m of it.materials) out.push(`  - ${inline(m.title)}（SHA-256：\`${m.sha256}\`）`);
    out.push(`- 议题摘要（表态与表决所绑定）：\`${it.materialsDigest}\``);
    if (it.recusals.length > 0) {
      out.push('- 回避：');
      for (const x of it.recusals) out.push(`  - ${who(x)}，理由：${inline(x.reason)}`);
    }
    if (it.opinions.length > 0) {
      out.push('- 缺席成员书面意见（不计入表决）：');
      for (const o of it.opinions) {
        out.push(`  - ${who(o)}${o.position ? `，意见：${label(POSITION, o.position)}` : ''}`);
        out.push(quote(o.text, '    '));
      }
    }
    if (it.urgent) {
      out.push('- 紧急事项：主要负责人于表决前标记为紧急，理由：');
      out.push(quote(it.urgent.justification, '    '));
    }
    if (it.statements.length > 0) {
      out.push('- 发言（按顺序）：');
      for (const s of it.statements) {
        const pos = s.position ? label(POSITION, s.position) : '发言（无表决权）';
        out.push(`  ${s.order}. ${who(s)}：${pos}`);
        if (s.reasons) out.push(quote(s.reasons, '     '));
      }
    }
    if (it.deferAccepted) {
      const by = it.statements.find((x) => x.principalId === it.deferAccepted?.statementBy);
      out.push(
        `- 主要负责人采纳缓议意见（${by ? inline(by.name) : it.deferAccepted.statementBy}），理由：`
      );
      out.push(quote(it.deferAccepted.reason, '    '));
    }
    if (it.vote) {
      const v = it.vote;
      out.push(`- 表决方式：${label(METHOD, v.method)}；应到会（本议题）${v.denominator} 人`);
      if (v.ballots) {
        out.push('- 逐人表决：');
        for (const b of v.ballots) {
          out.push(`  - ${who(b)}：${label(CHOICE, b.choice)}`);
          if (b.reason) out.push(quote(b.reason, '    '));
        }
      }
      if (v.receipts) {
        out.push(`- 投票人（回执）：${names(v.receipts)}`);
        out.push(`- 监票人：${names(v.scrutineers)}`);
        if (v.tally) {
          out.push(
            `- 计票：同意 ${v.tally.for} 票，不同意 ${v.tally.against} 票，弃权 ${v.tally.abstain} 票（监票人签署：${v.tally.signedBy.join('、')}）`
          );
        }
      }
    }
    if (it.withdrawal) {
      out.push('- 撤回理由：');
      out.push(quote(it.withdrawal.reason, '    '));
    }
    if (it.outcome) {
      const o = it.outcome;
      const counts = o.counts
        ? `（同意 ${o.counts.for}，不同意 ${o.counts.against}，弃权 ${o.counts.abstain}；应到会 ${o.counts.denominator}）`
        : '';
      out.push(`- 结果：**${label(RESULT, o.result)}**${counts}，${ruleNote(o.rule, o.basis)}`);
      if (o.urgentOverride) {
        out.push(
          `- 紧急事项按多数意见决定（urgent_override）${o.overrodeDeferral ? '，否则本应暂缓表决' : ''}，已向上级党组织报告`
        );
      }
    } else out.push('- 结果：未作结论');
    if (it.dissent.length > 0) {
      out.push('- 不同意见（原文）：');
      for (const d of it.dissent) {
        const kind = d.kind === 'vote' ? '表决' : d.kind === 'statement' ? '表态' : '书面意见';
        const stance = d.kind === 'vote' ? label(CHOICE, d.stance) : label(POSITION, d.stance);
        out.push(`  - ${inline(d.name)}（${kind}：${stance}）`);
        if (d.text) out.push(quote(d.text, '    '));
      }
    }
    out.push('');
  });
  if (r.motions.length > 0) {
    out.push('## 复议', '');
    for (const x of r.motions) {
      out.push(`### 复议「${inline(x.itemTitle)}」`, '');
      out.push(`- 提议人：${who(x.proposer)}`);
      out.push('- 提议理由：');
      out.push(quote(x.reason, '    '));
      out.push('- 逐人表决：');
      for (const b of x.ballots) {
        out.push(`  - ${who(b)}：${label(CHOICE, b.choice)}`);
        if (b.reason) out.push(quote(b.reason, '    '));
      }
      if (x.outcome) {
        const c = x.outcome.counts;
        out.push(
          `- 结果：**${label(RESULT, x.outcome.result)}**（同意 ${c.for}，不同意 ${c.against}，弃权 ${c.abstain}；应到会 ${c.denominator}），${ruleNote(x.outcome.rule, x.outcome.basis)}`
        );
      }
      out.push('');
    }
  }
  if (r.keySetByAdmin) out.push(...keyResetLines(r.keySetByAdmin), '');
  out.push('## 程序异议', '');
  if (r.objections.length === 0) out.push('无。', '');
  for (const o of r.objections) {
    const item = r.items.find((x) => x.itemId === o.itemId);
    const about = o.itemId ? `（议题「${item ? inline(item.title) : o.itemId}」）` : '';
    out.push(
      `- ${who(o.raisedBy)} 依据 ${o.rule} 提出${about}，状态：${label(OBJECTION_STATE, o.state)}`
    );
    out.push(quote(o.text, '    '));
    if (o.answer) {
      out.push(`  - 主要负责人答复：${o.answer.answer === 'corrected' ? '已纠正' : '不予采纳'}`);
      out.push(quote(o.answer.reasons, '    '));
    }
    if (o.escalation) out.push(`  - 已报告上级纪委（${label(WHY, o.escalation.why)}）`);
  }
  out.push('');
  return out.join('\n');
}

/** The minutes (会议纪要) as Chinese Markdown. */
export function renderMinutesMarkdown(m: Minutes): string {
  const out: string[] = [];
  out.push(`# ${inline(m.body.name)}会议纪要`, '');
  out.push(`**${minutesLabel(m.number)}**`, '');
  out.push(`- 会议：${inline(m.meeting.title)}（${label(KIND, m.meeting.kind)}）`);
  out.push(`- 时间：${formatCst(m.meeting.openedAt)} 至 ${formatCst(m.meeting.closedAt)}`);
  out.push(
    `- 出席：应到会 ${m.attendance.denominator} 人，实到 ${m.attendance.present} 人；列席 ${m.attendance.attendees} 人`
  );
  if (m.attendance.absent.length > 0) {
    out.push(
      `- 缺席：${m.attendance.absent.map((a) => `${inline(a.name)}（${inline(a.reason)}）`).join('、')}`
    );
  }
  out.push('', '## 议定事项', '');
  if (m.decisions.length === 0) out.push('无。');
  m.decisions.forEach((d, i) => {
    const counts = d.counts
      ? `，同意 ${d.counts.for} 票、不同意 ${d.counts.against} 票、弃权 ${d.counts.abstain} 票`
      : '';
    const urgent = d.urgentOverride ? '；紧急事项，已向上级党组织报告' : '';
    out.push(
      `${i + 1}. ${inline(d.title)}（${label(CATEGORY, d.category)}${d.previousItemId ? '，重新提交' : ''}）：**${label(RESULT, d.result)}**${counts}（${ruleNote(d.rule, d.basis)}）${urgent}`
    );
  });
  if (m.reconsiderations.length > 0) {
    out.push('', '## 复议', '');
    for (const x of m.reconsiderations) {
      out.push(
        `- 复议「${inline(x.itemTitle)}」：${x.result ? label(RESULT, x.result) : '未作结论'}${x.rule ? `（依据 ${x.rule}）` : ''}`
      );
    }
  }
  if (m.keySetByAdmin) out.push('', ...keyResetLines(m.keySetByAdmin));
  out.push('', '## 会议记录摘要', '');
  out.push(`本纪要对应的会议记录 SHA-256：\`${m.recordDigest}\``, '');
  if (m.meeting.closedAt !== null)
    out.push(`${inline(m.body.name)}`, `${formatChineseDate(m.meeting.closedAt)}`, '');
  return out.join('\n');
}

const MARK_KIND: Record<KeyResetMark['kind'], string> = {
  statement: '表态',
  opinion: '书面意见',
  vote: '表决',
  receipt: '投票回执',
};

/** The signatures made with a key an admin set (issue 13), one line each. */
function keyResetLines(marks: readonly KeyResetMark[]): string[] {
  const out = ['## 管理员重置密钥的签名', ''];
  for (const x of marks) {
    out.push(
      `- ${inline(x.name)}的${MARK_KIND[x.kind]}（条目 ${x.seq}）：该签名使用的密钥由管理员（${x.by}）重置，本人尚未以原密钥确认`
    );
  }
  return out;
}
