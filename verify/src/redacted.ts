/**
 * A redacted entry of a scoped export (decision 0023): an entry of a body outside the export's
 * scope, given as its position, its `prev` and its leaf hash only.
 *
 * Trust boundary: the values come from an export file; {@link redactedEntryOf} checks them
 * exactly (three keys, a position, two lowercase SHA-256 hex hashes) before any use.
 */

/** An entry of another body in a scoped export: its position and hashes only. */
export interface RedactedEntry {
  seq: number;
  /** Hex SHA-256 leaf hash of the entry before it (the entry's own `prev`). */
  prev: string;
  /** Hex RFC 6962 leaf hash of the entry. */
  leafHash: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** `value` as a redacted entry if it is exactly one, else undefined. */
export function redactedEntryOf(value: unknown): RedactedEntry | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const o = value as Record<string, unknown>;
  if (Object.keys(o).length !== 3) return undefined;
  const { seq, prev, leafHash } = o;
  if (!Number.isSafeInteger(seq) || (seq as number) < 0) return undefined;
  if (typeof prev !== 'string' || !HEX64.test(prev)) return undefined;
  if (typeof leafHash !== 'string' || !HEX64.test(leafHash)) return undefined;
  return { seq: seq as number, prev, leafHash };
}
