/**
 * RFC 8785 (JCS) text of a ledger entry assembled from its parts, without walking the command a
 * second time.
 *
 * JCS is recursive: the canonical form of an object is `{`, its members sorted by the UTF-16 code
 * units of their names, each `"name":` followed by the canonical form of its value, `}`. An
 * entry's members are all ASCII, so their order is fixed: command, derived, prev, salt, seq, time,
 * v. The command's and derived's canonical texts are the caller's (the pipeline already has the
 * command's, having checked its signature over it); prev and salt are lowercase hex, which JSON
 * writes as is; seq and time are safe integers, whose ECMAScript Number-to-String form is the one
 * JCS prescribes (RFC 8785 §3.2.2.3). So the result is exactly `canonicalJson(entry)`.
 */

/** The parts of an entry, each already in canonical form where it is JSON. */
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
 * The canonical JSON text of `{ v: 1, seq, prev, time, salt, command, derived }`, assembled from
 * `parts`: equal to `canonicalJson(entry)` whenever `commandJson` and `derivedJson` are the
 * canonical texts of the command and of derived.
 * @throws TypeError if seq or time is not a non-negative safe integer, prev or salt not lowercase
 * hex of the right length, or commandJson / derivedJson not strings.
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
