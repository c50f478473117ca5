/**
 * How the demo speaks: headings, steps accepted (✓) and refused (✗), oversight (⚑), notes and
 * quoted blocks (the minutes). Everything goes through one `log` function, so tests can collect
 * the lines.
 */

const WEEKDAY = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];

/** `2025-03-10 周一 09:00` in China Standard Time (UTC+8). */
export function cst(time: number): string {
  const d = new Date(time + 8 * 3_600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${WEEKDAY[d.getUTCDay()]} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}

/** Display width: CJK and full-width characters take two columns. */
export function width(s: string): number {
  let w = 0;
  for (const ch of s)
    w +=
      /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(
        ch
      )
        ? 2
        : 1;
  return w;
}

/** Pads `s` with spaces to `columns` display columns. */
export function pad(s: string, columns: number): string {
  return s + ' '.repeat(Math.max(0, columns - width(s)));
}

const RULE = '─';

export class Narrator {
  private chapter = 0;

  constructor(private readonly log: (line: string) => void) {}

  line(text = ''): void {
    this.log(text);
  }

  title(text: string, subtitle: string): void {
    this.log('');
    this.log(`  ${text}`);
    this.log(`  ${'═'.repeat(width(text))}`);
    this.log(`  ${subtitle}`);
  }

  /** A numbered chapter heading. */
  heading(text: string): void {
    this.chapter++;
    const head = `── ${this.chapter}. ${text} `;
    this.log('');
    this.log(`${head}${RULE.repeat(Math.max(4, 96 - width(head)))}`);
  }

  /** A paragraph of narration. */
  say(...lines: string[]): void {
    for (const l of lines) this.log(l === '' ? '' : `  ${l}`);
  }

  /** The clock of the story moved. */
  when(time: number, text: string): void {
    this.log(`  ${cst(time)}  ${text}`);
  }

  ok(text: string, ...more: string[]): void {
    this.log(`    ✓ ${text}`);
    for (const l of more) this.log(`      ${l}`);
  }

  refused(text: string, ...more: string[]): void {
    this.log(`    ✗ ${text}`);
    for (const l of more) this.log(`      ${l}`);
  }

  /** Oversight at work: an objection, a report upward. */
  flag(text: string, ...more: string[]): void {
    this.log(`    ⚑ ${text}`);
    for (const l of more) this.log(`      ${l}`);
  }

  note(text: string): void {
    this.log(`      ${text}`);
  }

  /** A block of text (Markdown minutes), indented and framed. */
  block(text: string): void {
    this.log(`    ┌${RULE.repeat(60)}`);
    for (const l of text.trimEnd().split('\n')) this.log(l === '' ? '    │' : `    │ ${l}`);
    this.log(`    └${RULE.repeat(60)}`);
  }
}
