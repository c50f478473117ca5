/**
 * A field-by-field difference between the `derived` an entry recorded and the one the rules give:
 * `counts.for: recorded 7, rules give 8` instead of two JSON dumps with keys in different orders.
 * Both values are attacker-controlled JSON: the walk is bounded in depth and in output.
 */

/** One field that differs; `recorded`/`recomputed` are undefined where the field is absent. */
export interface FieldDifference {
  /** Dotted path, arrays by index: `counts.for`, `reports[0].subject.title`; '' for the root. */
  path: string;
  recorded?: unknown;
  recomputed?: unknown;
}

const MAX_DEPTH = 16;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => same(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && same(a[k], b[k]));
  }
  return false;
}

/**
 * The fields in which `recorded` and `recomputed` differ, in the order the rules give them (then
 * fields only the recorded value has), at most `limit` of them.
 */
export function fieldDifferences(
  recorded: unknown,
  recomputed: unknown,
  limit = 20
): { differences: FieldDifference[]; more: number } {
  const differences: FieldDifference[] = [];
  let more = 0;
  const push = (d: FieldDifference) => {
    if (differences.length < limit) differences.push(d);
    else more++;
  };
  const walk = (
    a: unknown,
    b: unknown,
    path: string,
    depth: number,
    hasA: boolean,
    hasB: boolean
  ) => {
    if (hasA && hasB && same(a, b)) return;
    const d: FieldDifference = { path };
    if (hasA) d.recorded = a;
    if (hasB) d.recomputed = b;
    if (!hasA || !hasB || depth >= MAX_DEPTH) return push(d);
    if (isObject(a) && isObject(b)) {
      for (const k of Object.keys(b)) {
        const p = path === '' ? k : `${path}.${k}`;
        walk(a[k], b[k], p, depth + 1, Object.hasOwn(a, k), true);
      }
      for (const k of Object.keys(a)) {
        if (Object.hasOwn(b, k)) continue;
        walk(a[k], undefined, path === '' ? k : `${path}.${k}`, depth + 1, true, false);
      }
      return;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      const n = Math.max(a.length, b.length);
      for (let i = 0; i < n; i++) {
        walk(a[i], b[i], `${path}[${i}]`, depth + 1, i < a.length, i < b.length);
      }
      return;
    }
    push(d);
  };
  walk(recorded, recomputed, '', 0, true, true);
  return { differences, more };
}

/**
 * A value as a report shows it: numbers, booleans and null as JSON, strings quoted, 64-digit hex
 * hashes cut to 16 digits, objects and arrays inline when short.
 */
export function showValue(value: unknown, max = 60): string {
  if (typeof value === 'string') {
    if (/^[0-9a-f]{40,}$/.test(value)) return `${value.slice(0, 16)}…`;
    const text = JSON.stringify(value);
    return text.length <= max ? text : `${text.slice(0, max - 2)}…"`;
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (text === undefined) return String(value);
  if (text.length <= max) return text;
  return Array.isArray(value)
    ? `[… ${value.length} items]`
    : `{… ${Object.keys(value as object).length} fields}`;
}
