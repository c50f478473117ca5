// RFC 8785 (JCS) without re-serialising: whether a JSON text is already the canonical form of the
// value it parses to. The ledger store writes each body as canonicalJson(entry), so the verifier
// can hash the text it read instead of canonicalising the parsed entry again (about a fifth of
// the per-entry work besides the signature).
//
// canonicalJson (@yishi/crypto) is `canonicalize`, which serialises strings and numbers with
// JSON.stringify and objects with their keys sorted by UTF-16 code units. So for a value that
// came out of JSON.parse (plain objects, dense arrays, finite numbers, no undefined),
// canonicalJson(value) === JSON.stringify(value) whenever every object's own keys are already in
// that order, and canonicalJson throws only on a lone surrogate. Hence: text === JSON.stringify
// (value), keys in order everywhere, and no "\ud..." escape in the text (JSON.stringify writes
// lone surrogates as lowercase \udxxx escapes and nothing else with that prefix, except inside
// an escaped backslash, which is refused too: being conservative only costs the slow path).
// Duplicate keys, whitespace, other escapes, "-0", "1.0" or "1e3" all make the texts differ.
//
// Only types come from @yishi/schema: the workers load this file and must not load TypeBox.
import { canonicalEntryJson, canonicalSignedCommandJson } from '@yishi/crypto';
import type { LedgerEntry } from '@yishi/schema';

/** Every object's own keys strictly ascending by UTF-16 code units, at every depth. */
export function keysInOrder(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (!keysInOrder(item)) return false;
    return true;
  }
  let previous: string | undefined;
  for (const key of Object.keys(value)) {
    if (previous !== undefined && !(previous < key)) return false;
    previous = key;
    if (!keysInOrder((value as Record<string, unknown>)[key])) return false;
  }
  return true;
}

/**
 * Whether `text` is exactly canonicalJson(value) for `value` = JSON.parse(text). False means
 * "not known to be": the caller then canonicalises the value itself. Never throws.
 */
export function isCanonicalText(text: string, value: unknown): boolean {
  if (text.includes('\\ud')) return false;
  try {
    return JSON.stringify(value) === text && keysInOrder(value);
  } catch {
    return false; // too deep to stringify or walk: left to canonicalJson
  }
}

/** A ledger entry that passed the verifier's shape check (LedgerEntrySchema, by hand). */
export type EntryShape = LedgerEntry;

/**
 * canonicalJson(e) for an entry that passed the shape check, given canonicalJson of its payload
 * and of its derived (@yishi/crypto assembles the text without walking the entry again).
 */
export const entryText = (e: EntryShape, payloadJson: string, derivedJson: string): string =>
  canonicalEntryJson({
    seq: e.seq,
    prev: e.prev,
    time: e.time,
    salt: e.salt,
    commandJson: canonicalSignedCommandJson(payloadJson, e.command.publicKey, e.command.signature),
    derivedJson,
  });

/**
 * If `text` (which `e` was parsed from) is canonicalJson(e), the payload's canonical JSON (what
 * is signed); else null, and the caller canonicalises. Cheaper than {@link isCanonicalText} on
 * the whole entry: the payload is serialised once, for both uses. The text holds the payload's
 * and derived's JSON.stringify texts, so the "\ud" test covers their lone surrogates too.
 * Never throws.
 */
export function canonicalPayloadOf(e: EntryShape, text: string): string | null {
  if (text.includes('\\ud')) return null;
  try {
    const payloadJson = JSON.stringify(e.command.payload);
    if (entryText(e, payloadJson, JSON.stringify(e.derived)) !== text) return null;
    return keysInOrder(e.command.payload) && keysInOrder(e.derived) ? payloadJson : null;
  } catch {
    return null;
  }
}
