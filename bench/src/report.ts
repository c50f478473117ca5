// One row of the benchmark table: a figure, the baseline measured in the same run, their ratio.
import { loadavg } from 'node:os';

/** What `--json` prints for each figure. */
export interface Row {
  name: string;
  /** null when the figure was skipped (the baseline field then says why). */
  value: number | null;
  unit: string;
  baseline: string;
  baselineValue: number | null;
  /** value / baselineValue. */
  ratio: number | null;
}

/** A row and, for the table only, the target it is held to. */
export interface Figure extends Row {
  target?: string;
  met?: boolean;
}

/** A measured figure against its baseline (ratio = value / baselineValue). */
export function figure(
  name: string,
  value: number,
  unit: string,
  baseline: string,
  baselineValue: number,
  extra: { target?: string; met?: boolean } = {}
): Figure {
  const row: Figure = { name, value, unit, baseline, baselineValue, ratio: value / baselineValue };
  if (extra.target !== undefined) row.target = extra.target;
  if (extra.met !== undefined) row.met = extra.met;
  return row;
}

/** A figure that could not be measured, and why. */
export function skipped(name: string, reason: string, target?: string): Figure {
  const row: Figure = {
    name,
    value: null,
    unit: '',
    baseline: `skipped: ${reason}`,
    baselineValue: null,
    ratio: null,
  };
  if (target !== undefined) row.target = target;
  return row;
}

const num = (v: number | null): string => {
  if (v === null) return '-';
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  if (Math.abs(v) >= 1) return v.toFixed(2);
  return v.toPrecision(3);
};

/** The rows as a plain-text table, with the machine's load averages. */
export function formatTable(rows: Figure[]): string {
  const header = ['figure', 'value', 'unit', 'baseline (same run)', 'baseline', 'ratio', 'target'];
  const cells = rows.map((r) => [
    r.name,
    num(r.value),
    r.unit,
    r.baseline,
    num(r.baselineValue),
    r.ratio === null ? '-' : r.ratio.toFixed(2),
    r.target === undefined
      ? ''
      : `${r.target}${r.met === undefined ? '' : r.met ? ' met' : ' MISSED'}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) =>
    c
      .map((x, i) =>
        i === 1 || i === 4 || i === 5 ? x.padStart(widths[i] ?? 0) : x.padEnd(widths[i] ?? 0)
      )
      .join(' | ');
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return [
    line(header),
    widths.map((w) => '-'.repeat(w)).join('-|-'),
    ...cells.map(line),
    '',
    `load average at the end (1, 5, 15 min): ${load}`,
  ].join('\n');
}

/** The rows as `--json` prints them: the six fields of {@link Row} only. */
export const toJson = (rows: Figure[]): Row[] =>
  rows.map(({ name, value, unit, baseline, baselineValue, ratio }) => ({
    name,
    value,
    unit,
    baseline,
    baselineValue,
    ratio,
  }));
