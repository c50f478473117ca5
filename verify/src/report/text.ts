/**
 * A readable report as plain text, the way `yishi verify` and `yishi audit` print it: the
 * headline, the integrity failure with its consequences indented under it, the other findings,
 * then the counts. Field differences are aligned so `recorded 7, rules give 8` reads down a column.
 */
import type { ReadableFinding, ReadableReport } from './explain.js';

/** Columns `s` takes on a terminal: CJK and full-width characters take two. */
export function textWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    w +=
      (c >= 0x1100 && c <= 0x115f) ||
      (c >= 0x2e80 && c <= 0xa4cf) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) ||
      (c >= 0x20000 && c <= 0x3fffd)
        ? 2
        : 1;
  }
  return w;
}

const pad = (s: string, n: number): string => s + ' '.repeat(Math.max(0, n - textWidth(s)));

function findingLines(f: ReadableFinding, first: string, inner: string): string[] {
  const lines = [`${first}${f.label} — ${f.title}`];
  for (const w of f.where) lines.push(`${inner}${w}`);
  const width = Math.max(0, ...f.differences.map((d) => textWidth(d.path) + 1));
  for (const d of f.differences) lines.push(`${inner}${pad(`${d.path}:`, width)}  ${d.text}`);
  for (const n of f.notes) lines.push(`${inner}${n}`);
  return lines;
}

/** The report as lines of text, ending with a newline. */
export function renderReportText(r: ReadableReport): string {
  const lines: string[] = [r.headline];
  const i = r.integrity;
  if (i) {
    lines.push('', `${i.label} — ${i.title}`);
    for (const w of i.where) lines.push(`  ${w}`);
    if (i.detail !== '') lines.push(`  ${i.detail}`);
    if (i.consequences.length > 0) {
      lines.push(`  ${i.consequencesHeading}`);
      for (const f of i.consequences) lines.push(...findingLines(f, '  - ', '      '));
    }
  }
  if (r.findings.length > 0) {
    lines.push('', r.findingsHeading);
    for (const f of r.findings) lines.push(...findingLines(f, '  ', '    '));
  }
  if (r.truncated) lines.push(r.truncated);
  lines.push('');
  const colon = r.lang === 'zh' ? '：' : ':';
  const width = Math.max(...r.facts.map((f) => textWidth(f.label) + textWidth(colon)));
  for (const f of r.facts) lines.push(`  ${pad(`${f.label}${colon}`, width)}  ${f.text}`);
  if (r.notices.length > 0) {
    lines.push('', r.noticesHeading);
    for (const n of r.notices) lines.push(`  notice:      ${n}`);
  }
  return `${lines.join('\n')}\n`;
}
