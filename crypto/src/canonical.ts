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
 *
 * This is the project's only RFC 8785 text builder. Besides the reference `canonicalJson` it
 * offers the fast forms the service and the engine need, each equal to the reference (tested
 * against it): `canonicalJsonFast` for values in the JSON data model, and assemblies of an
 * object's text from its members' already-canonical texts (`canonicalObjectJson`, and the two
 * fixed shapes of the ledger: `canonicalEntryJson`, `canonicalSignedCommandJson`).
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

// ---- fast forms, each equal to canonicalJson ----

/** Thrown inside {@link fastText} for anything it leaves to the reference. */
const UNSUPPORTED: unique symbol = Symbol('unsupported');

/**
 * JCS text of a value in the JSON data model: for such values RFC 8785 is exactly object keys
 * sorted by UTF-16 code units (the default Array sort), strings as JSON.stringify writes them,
 * finite numbers as ECMAScript's Number-to-String (RFC 8785 §3.2.2.3, what String() does), no
 * whitespace. Anything else throws UNSUPPORTED.
 */
function fastText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw UNSUPPORTED;
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          out += fastText(value[i]);
        }
        return `${out}]`;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw UNSUPPORTED;
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') throw UNSUPPORTED;
      const keys = Object.keys(value).sort();
      let out = '{';
      let first = true;
      for (const k of keys) {
        const v = (value as Record<string, unknown>)[k];
        if (v === undefined) continue;
        out += `${first ? '' : ','}${JSON.stringify(k)}:${fastText(v)}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      throw UNSUPPORTED; // undefined (in an array or at the top), function, symbol, bigint
  }
}

/**
 * {@link canonicalJson}, faster for values in the JSON data model (what JSON.parse returns, plus
 * properties set to `undefined`, which are omitted): the same text, or the same TypeError. It
 * skips the reference's separate validation walk; anything it cannot vouch for (a lone surrogate,
 * which JSON.stringify writes as a `\udxxx` escape; NaN; a class instance; a cycle) is handed to
 * canonicalJson, which writes it or throws.
 * @throws TypeError as canonicalJson does.
 */
export function canonicalJsonFast(value: unknown): string {
  let text: string;
  try {
    text = fastText(value);
  } catch {
    return canonicalJson(value); // UNSUPPORTED, or a stack overflow on a cycle
  }
  // Conservative: an escaped backslash followed by "ud" also takes the reference path.
  return text.includes('\\ud') ? canonicalJson(value) : text;
}

/**
 * True when every string and object key inside `value` is well-formed Unicode (no lone
 * surrogate), the condition RFC 8785 §3.2.2.2 puts on strings. Never throws (a cycle is walked
 * until the stack runs out: pass JSON data).
 */
export function hasWellFormedStrings(value: unknown): boolean {
  if (typeof value === 'string') return isWellFormedString(value);
  if (typeof value !== 'object' || value === null) return true;
  if (Array.isArray(value)) return value.every(hasWellFormedStrings);
  for (const [k, v] of Object.entries(value)) {
    if (!isWellFormedString(k) || !hasWellFormedStrings(v)) return false;
  }
  return true;
}

/**
 * The JCS text of an object assembled from its members' canonical texts, without walking the
 * member values again (RFC 8785 §3.2.3: members sorted by the UTF-16 code units of their names,
 * each `"name":` followed by the canonical form of its value). Equal to `canonicalJson(object)`
 * whenever each `members[name]` is `canonicalJson(object[name])`.
 * @throws TypeError if a member text is not a non-empty string or a name has a lone surrogate.
 */
export function canonicalObjectJson(members: Readonly<Record<string, string>>): string {
  if (typeof members !== 'object' || members === null) {
    throw new TypeError('"members" expected an object of canonical texts');
  }
  let out = '{';
  for (const name of Object.keys(members).sort()) {
    const text = members[name];
    if (typeof text !== 'string' || text.length === 0) {
      throw new TypeError(`"members.${name}" expected a non-empty string`);
    }
    if (!isWellFormedString(name)) throw new TypeError('a member name has a lone surrogate');
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(name)}:${text}`;
  }
  return `${out}}`;
}

/**
 * `canonicalJson({ payload, publicKey, signature })` of a signed command, given
 * `canonicalJson(payload)` (which signature verification computes anyway): the members in
 * code-unit order ("payload" < "publicKey" < "signature"), each string as JSON.stringify writes
 * it, which is JCS's string form for well-formed strings. {@link canonicalObjectJson} of the
 * three members, written out.
 */
export function canonicalSignedCommandJson(
  payloadJson: string,
  publicKey: string,
  signature: string
): string {
  return `{"payload":${payloadJson},"publicKey":${JSON.stringify(publicKey)},"signature":${JSON.stringify(signature)}}`;
}

/** The parts of a ledger entry, each already in canonical form where it is JSON. */
export interface CanonicalEntryParts {
  seq: number;
  /** Lowercase hex SHA-256 of the previous entry's leaf (64 characters). */
  prev: string;
  /** Service receive time, ms since the epoch. */
  time: number;
  /** Lowercase hex of the 16-byte salt (32 characters). */
  salt: string;
  /** `canonicalJson(command)`. */
  commandJson: string;
  /** `canonicalJson(derived)`. */
  derivedJson: string;
}

const HEX_64 = /^[0-9a-f]{64}$/;
const HEX_32 = /^[0-9a-f]{32}$/;

const isIndex = (n: unknown): n is number =>
  typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/**
 * The canonical JSON text of the ledger entry `{ v: 1, seq, prev, time, salt, command, derived }`
 * assembled from `parts`: equal to `canonicalJson(entry)` whenever `commandJson` and
 * `derivedJson` are the canonical texts of the command and of derived. The entry's member names
 * are ASCII, so their JCS order is fixed: command, derived, prev, salt, seq, time, v; prev and
 * salt are lowercase hex, which JSON writes as is; seq and time are safe integers, whose
 * Number-to-String form is the one JCS prescribes (RFC 8785 §3.2.2.3).
 * @throws TypeError if seq or time is not a non-negative safe integer, prev or salt not lowercase
 *   hex of the right length, or commandJson / derivedJson not non-empty strings.
 */
export function canonicalEntryJson(parts: CanonicalEntryParts): string {
  const { seq, prev, time, salt, commandJson, derivedJson } = parts;
  if (!isIndex(seq)) throw new TypeError(`"seq" expected a non-negative safe integer`);
  if (!isIndex(time)) throw new TypeError(`"time" expected a non-negative safe integer`);
  if (typeof prev !== 'string' || !HEX_64.test(prev)) {
    throw new TypeError(`"prev" expected 64 lowercase hex characters`);
  }
  if (typeof salt !== 'string' || !HEX_32.test(salt)) {
    throw new TypeError(`"salt" expected 32 lowercase hex characters`);
  }
  if (typeof commandJson !== 'string' || commandJson.length === 0) {
    throw new TypeError(`"commandJson" expected a non-empty string`);
  }
  if (typeof derivedJson !== 'string' || derivedJson.length === 0) {
    throw new TypeError(`"derivedJson" expected a non-empty string`);
  }
  return (
    `{"command":${commandJson},"derived":${derivedJson},"prev":"${prev}","salt":"${salt}",` +
    `"seq":${seq},"time":${time},"v":1}`
  );
}
