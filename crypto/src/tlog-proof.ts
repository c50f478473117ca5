/**
 * c2sp.org/tlog-proof@v1 (https://c2sp.org/tlog-proof): an offline-verifiable proof that an
 * entry is in a log, as newline-separated text —
 *
 *   c2sp.org/tlog-proof@v1
 *   [extra <base64 opaque data>]        (optional, unauthenticated)
 *   index <decimal, no leading zeroes>
 *   <base64 hash>                        (zero or more: the RFC 6962 inclusion proof, leaf first)
 *   <empty line>
 *   <the signed checkpoint note, verbatim>
 *
 * The text is attacker-controlled: {@link parseTlogProof} refuses any deviation with a coded
 * TlogProofError, and {@link verifyTlogProof} runs the spec's verification steps (checkpoint
 * signed by a known log key for the expected origin, then the inclusion proof of the leaf).
 * The `extra` data is returned but never trusted.
 */
import {
  assertBytes,
  assertString,
  base64Decode,
  base64Encode,
  hasControlCharacter,
  isWellFormedString,
} from './bytes.js';
import { openCheckpoint, type Checkpoint } from './checkpoint.js';
import { TlogProofError } from './error.js';
import { HASH_SIZE, verifyInclusion } from './merkle.js';
import { NOTE_MAX_BYTES, type NoteVerifier, type OpenedNote } from './note.js';

/** First line of every tlog proof. */
export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';
/** Most proof hashes accepted (a tree of 2^63 leaves needs 63). */
export const TLOG_PROOF_MAX_HASHES = 64;
/** Largest tlog-proof text accepted, in UTF-16 code units (room for a maximal note). */
export const TLOG_PROOF_MAX_LENGTH = NOTE_MAX_BYTES + 8192;

/** The parts of a tlog proof. */
export type TlogProof = {
  /** Zero-based index of the entry in the log. */
  index: number;
  /** RFC 6962 inclusion proof, leaf's sibling first. */
  proof: Uint8Array[];
  /** The signed checkpoint note, verbatim. */
  checkpoint: string;
  /** Opaque, unauthenticated extra data. */
  extra?: Uint8Array;
};

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/**
 * The text of a tlog proof.
 * @throws TypeError / RangeError if `index` is not a safe integer >= 0, a proof hash is not 32
 *   bytes, `extra` is given but empty, or `checkpoint` is not a non-empty, newline-terminated note.
 */
export function formatTlogProof(p: TlogProof): string {
  if (!Number.isSafeInteger(p.index) || p.index < 0)
    throw new RangeError('"index" must be a safe integer >= 0');
  if (!Array.isArray(p.proof)) throw new TypeError('"proof" expected an array of Uint8Array');
  p.proof.forEach((h, i) => assertBytes(h, `proof[${i}]`, HASH_SIZE));
  assertString(p.checkpoint, 'checkpoint');
  if (!p.checkpoint.endsWith('\n')) throw new RangeError('"checkpoint" must be a signed note');
  const lines = [TLOG_PROOF_HEADER];
  if (p.extra !== undefined) {
    assertBytes(p.extra, 'extra');
    if (p.extra.length === 0) throw new RangeError('"extra" must be omitted rather than empty');
    lines.push(`extra ${base64Encode(p.extra)}`);
  }
  lines.push(`index ${p.index}`, ...p.proof.map((h) => base64Encode(h)));
  return `${lines.join('\n')}\n\n${p.checkpoint}`;
}

/**
 * Parses a tlog proof. The checkpoint note is returned verbatim, not yet verified.
 * @throws TlogProofError `TLOG_PROOF_TOO_LARGE`, `TLOG_PROOF_MALFORMED` (control characters, no
 *   blank line), `TLOG_PROOF_HEADER_INVALID`, `TLOG_PROOF_EXTRA_INVALID`,
 *   `TLOG_PROOF_INDEX_INVALID`, `TLOG_PROOF_HASH_INVALID`, `TLOG_PROOF_CHECKPOINT_MISSING`.
 * @throws TypeError if `text` is not a string.
 */
export function parseTlogProof(text: string): TlogProof {
  assertString(text, 'text');
  if (text.length > TLOG_PROOF_MAX_LENGTH)
    throw new TlogProofError('TLOG_PROOF_TOO_LARGE', 'proof too large');
  if (!isWellFormedString(text) || hasControlCharacter(text, true)) {
    throw new TlogProofError('TLOG_PROOF_MALFORMED', 'invalid Unicode or control character');
  }
  const blank = text.indexOf('\n\n');
  if (blank < 0)
    throw new TlogProofError('TLOG_PROOF_MALFORMED', 'no blank line before the checkpoint');
  const lines = text.slice(0, blank).split('\n');
  const checkpoint = text.slice(blank + 2);
  if (lines[0] !== TLOG_PROOF_HEADER) {
    throw new TlogProofError(
      'TLOG_PROOF_HEADER_INVALID',
      `first line must be ${TLOG_PROOF_HEADER}`
    );
  }
  let at = 1;
  let extra: Uint8Array | undefined;
  if (lines[at]?.startsWith('extra ')) {
    try {
      extra = base64Decode((lines[at] as string).slice('extra '.length));
    } catch {
      throw new TlogProofError('TLOG_PROOF_EXTRA_INVALID', 'extra is not strict base64');
    }
    if (extra.length === 0) throw new TlogProofError('TLOG_PROOF_EXTRA_INVALID', 'empty extra');
    at += 1;
  }
  const indexLine = lines[at] ?? '';
  const digits = indexLine.startsWith('index ') ? indexLine.slice('index '.length) : '';
  if (!DECIMAL.test(digits) || !Number.isSafeInteger(Number(digits))) {
    throw new TlogProofError('TLOG_PROOF_INDEX_INVALID', 'expected "index <decimal>"');
  }
  const hashLines = lines.slice(at + 1);
  if (hashLines.length > TLOG_PROOF_MAX_HASHES) {
    throw new TlogProofError('TLOG_PROOF_TOO_LARGE', `more than ${TLOG_PROOF_MAX_HASHES} hashes`);
  }
  const proof = hashLines.map((line) => {
    let h: Uint8Array;
    try {
      h = base64Decode(line);
    } catch {
      throw new TlogProofError('TLOG_PROOF_HASH_INVALID', 'proof hash is not strict base64');
    }
    if (h.length !== HASH_SIZE)
      throw new TlogProofError('TLOG_PROOF_HASH_INVALID', 'proof hash is not 32 bytes');
    return h;
  });
  if (checkpoint === '' || !checkpoint.endsWith('\n')) {
    throw new TlogProofError(
      'TLOG_PROOF_CHECKPOINT_MISSING',
      'no newline-terminated checkpoint note'
    );
  }
  const parsed: TlogProof = { index: Number(digits), proof, checkpoint };
  if (extra !== undefined) parsed.extra = extra;
  return parsed;
}

/**
 * Verifies a tlog proof for an entry whose leaf hash the caller computed (spec step 1): the
 * checkpoint must be signed by one of `verifiers` and have origin `origin` (steps 2–3; witness
 * policy beyond "some known key signed" is the caller's), and the inclusion proof must bind
 * `leafHash` at `index` to the checkpoint's root (step 4).
 * @throws TlogProofError, NoteError, CheckpointError or MerkleProofError, whichever step fails.
 */
export function verifyTlogProof(
  text: string,
  options: { leafHash: Uint8Array; verifiers: NoteVerifier[]; origin: string }
): { index: number; checkpoint: Checkpoint; note: OpenedNote; extra?: Uint8Array } {
  assertBytes(options.leafHash, 'leafHash', HASH_SIZE);
  assertString(options.origin, 'origin');
  const parsed = parseTlogProof(text);
  const { checkpoint, note } = openCheckpoint(parsed.checkpoint, options.verifiers, options.origin);
  verifyInclusion(
    options.leafHash,
    parsed.index,
    checkpoint.size,
    parsed.proof,
    checkpoint.rootHash
  );
  const result: { index: number; checkpoint: Checkpoint; note: OpenedNote; extra?: Uint8Array } = {
    index: parsed.index,
    checkpoint,
    note,
  };
  if (parsed.extra !== undefined) result.extra = parsed.extra;
  return result;
}
