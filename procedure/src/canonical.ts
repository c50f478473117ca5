/**
 * RFC 8785 canonical JSON of the engine's own values (records, proposals), fast. The engine only
 * ever holds strings, safe integers, booleans, null, arrays and plain objects, and every string
 * is well-formed Unicode (decide refuses commands carrying lone surrogates). For such values JCS
 * is exactly: object keys sorted by UTF-16 code units, strings and integers as ECMAScript
 * JSON.stringify writes them (RFC 8785 §3.2.2), no whitespace. The tests check this against
 * `@yishi/crypto`'s general `canonicalJson`, which stays the reference.
 */

/** Canonical JSON text of an engine value. @throws TypeError on a value outside the subset. */
export function canonicalJsonFast(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isSafeInteger(value)) throw new TypeError('canonical JSON: not a safe integer');
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          out += canonicalJsonFast(value[i]);
        }
        return `${out}]`;
      }
      const keys = Object.keys(value).sort();
      let out = '{';
      let first = true;
      for (const k of keys) {
        const v = (value as Record<string, unknown>)[k];
        if (v === undefined) continue;
        out += `${first ? '' : ','}${JSON.stringify(k)}:${canonicalJsonFast(v)}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`canonical JSON: a ${typeof value}`);
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when every string (and key) inside `value` is well-formed Unicode. */
export function wellFormedStrings(value: unknown): boolean {
  if (typeof value === 'string') return !LONE_SURROGATE.test(value);
  if (typeof value !== 'object' || value === null) return true;
  if (Array.isArray(value)) return value.every(wellFormedStrings);
  for (const [k, v] of Object.entries(value)) {
    if (LONE_SURROGATE.test(k) || !wellFormedStrings(v)) return false;
  }
  return true;
}
