/**
 * Canonical JSON (RFC 8785, JSON Canonicalization Scheme) and domain-separated signing messages.
 *
 * Serialization is done by `canonicalize` (RFC 8785 §3.2: sorted keys by UTF-16 code units,
 * ECMAScript number formatting, minimal string escaping). Before that, the value is walked and
 * anything JCS cannot represent faithfully is refused with a TypeError instead of being silently
 * dropped or rewritten the way JSON.stringify does:
 * - `undefined` at the top level or inside an array, functions, symbols, bigints anywhere;
 * - NaN and ±Infinity (RFC 8785 §3.2.2.3);
 * - strings or keys with a lone surrogate (RFC 8785 §3.2.2.2 requires valid Unicode);
 * - sparse arrays, cycles, and objects that are not plain (Date, Map, typed arrays, class
 *   instances, anything with a `toJSON` method), whose JSON form is not their content.
 * An object property whose value is `undefined` is omitted, as JSON.stringify and a JSON
 * round-trip do, so `{ a: 1, b: undefined }` and `{ a: 1 }` hash alike.
 *
 * A signing message is `utf8(context + "\n") || canonicalBytes(value)`; the context names the
 * purpose (`yishi/command/v1`, ...), so a signature made for one purpose never verifies for
 * another.
 */
import canonicalize from 'canonicalize';
import { assertString, isWellFormedString, utf8Encode } from './bytes.js';

const describe = (path: string): string => (path === '' ? 'the value' : path);

function check(value: unknown, path: string, seen: Set<object>): void {
  switch (typeof value) {
    case 'string':
      if (!isWellFormedString(value)) {
        throw new TypeError(`canonical JSON: ${describe(path)} has a lone surrogate`);
      }
      return;
    case 'number':
      if (!Number.isFinite(value)) {
        throw new TypeError(`canonical JSON: ${describe(path)} is ${String(value)}`);
      }
      return;
    case 'boolean':
      return;
    case 'object':
      break;
    default:
      throw new TypeError(`canonical JSON: ${describe(path)} is a ${typeof value}`);
  }
  if (value === null) return;
  if (seen.has(value)) throw new TypeError(`canonical JSON: ${describe(path)} is a cycle`);
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value) || value[i] === undefined) {
        throw new TypeError(`canonical JSON: ${path}[${i}] is undefined`);
      }
      check(value[i], `${path}[${i}]`, seen);
    }
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    const toJSON: unknown = (value as { toJSON?: unknown }).toJSON;
    if ((proto !== Object.prototype && proto !== null) || typeof toJSON === 'function') {
      throw new TypeError(`canonical JSON: ${describe(path)} is not a plain object`);
    }
    for (const [key, child] of Object.entries(value)) {
      if (!isWellFormedString(key)) {
        throw new TypeError(`canonical JSON: a key of ${describe(path)} has a lone surrogate`);
      }
      if (child !== undefined) check(child, `${path}.${key}`, seen);
    }
  }
  seen.delete(value);
}

/**
 * The RFC 8785 canonical JSON text of `value`.
 * @throws TypeError if `value` holds anything JCS cannot represent (see the file header).
 */
export function canonicalJson(value: unknown): string {
  check(value, '', new Set());
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('canonical JSON: the value is not representable');
  return text;
}

/** UTF-8 bytes of {@link canonicalJson}. @throws TypeError as canonicalJson does. */
export function canonicalBytes(value: unknown): Uint8Array {
  return utf8Encode(canonicalJson(value));
}

/** Pattern every signing context must match, e.g. `yishi/command/v1`. */
export const SIGNING_CONTEXT_PATTERN = /^yishi\/[a-z-]+\/v[0-9]+$/;

/**
 * The bytes to sign for `value` in `context`: `utf8(context + "\n") || canonicalBytes(value)`.
 * @throws TypeError if `context` does not match {@link SIGNING_CONTEXT_PATTERN} or `value` is not
 *   representable as canonical JSON.
 */
export function signingMessage(context: string, value: unknown): Uint8Array {
  assertString(context, 'context');
  if (!SIGNING_CONTEXT_PATTERN.test(context)) {
    throw new TypeError(`"context" expected to match ${String(SIGNING_CONTEXT_PATTERN)}`);
  }
  return utf8Encode(`${context}\n${canonicalJson(value)}`);
}
