/**
 * C2SP tlog-checkpoint v1.0.0 (https://c2sp.org/tlog-checkpoint): the note text of a log's
 * signed tree head —
 *
 *   <origin>\n<tree size, decimal, no leading zeroes>\n<base64 RFC 6962 root>\n[<extension>\n]*
 *
 * A checkpoint body comes from the network or an auditor's file: {@link parseCheckpoint} is
 * defensive and refuses with a coded CheckpointError. The origin's recommended shape (no spaces,
 * no '+') is not enforced, as the spec says clients must not assume it.
 */
import {
  assertBytes,
  assertString,
  base64Decode,
  base64Encode,
  hasControlCharacter,
  isWellFormedString,
} from './bytes.js';
import { CheckpointError } from './error.js';
import { HASH_SIZE } from './merkle.js';
import { openNote, signNote, type NoteSigner, type NoteVerifier, type OpenedNote } from './note.js';

/** A log's tree head. `size` may exceed 2^32 (up to 2^53 − 1). */
export type Checkpoint = {
  origin: string;
  size: number;
  rootHash: Uint8Array;
  extensions: string[];
};

const DECIMAL = /^(0|[1-9][0-9]*)$/;

const isLine = (s: unknown): s is string =>
  typeof s === 'string' && s.length > 0 && isWellFormedString(s) && !hasControlCharacter(s, false);

/**
 * The note text of a checkpoint.
 * @throws TypeError / RangeError if the origin or an extension is empty or holds a newline or
 *   control character, the size is not a safe integer >= 0, or the root is not 32 bytes.
 */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  const { origin, size, rootHash, extensions } = checkpoint;
  assertString(origin, 'origin');
  if (!isLine(origin))
    throw new RangeError('"origin" must be a non-empty line without control characters');
  if (!Number.isSafeInteger(size) || size < 0)
    throw new RangeError('"size" must be a safe integer >= 0');
  assertBytes(rootHash, 'rootHash', HASH_SIZE);
  if (!Array.isArray(extensions)) throw new TypeError('"extensions" expected an array of strings');
  for (const ext of extensions) {
    if (!isLine(ext))
      throw new RangeError('an extension must be a non-empty line without control characters');
  }
  return [origin, String(size), base64Encode(rootHash), ...extensions]
    .map((l) => `${l}\n`)
    .join('');
}

/**
 * Parses a checkpoint note text (the note's text part, final newline included).
 * @throws CheckpointError `CHECKPOINT_MALFORMED` (not newline-terminated lines, fewer than 3
 *   lines, control characters), `CHECKPOINT_ORIGIN_INVALID` (empty), `CHECKPOINT_SIZE_INVALID`
 *   (not canonical decimal, or above 2^53 − 1), `CHECKPOINT_ROOT_INVALID` (not strict base64 of
 *   32 bytes), `CHECKPOINT_EXTENSION_INVALID` (an empty extension line).
 * @throws TypeError if `body` is not a string.
 */
export function parseCheckpoint(body: string): Checkpoint {
  assertString(body, 'body');
  if (!body.endsWith('\n'))
    throw new CheckpointError('CHECKPOINT_MALFORMED', 'must end in newline');
  if (!isWellFormedString(body) || hasControlCharacter(body, true)) {
    throw new CheckpointError('CHECKPOINT_MALFORMED', 'invalid Unicode or control character');
  }
  const lines = body.slice(0, -1).split('\n');
  if (lines.length < 3) throw new CheckpointError('CHECKPOINT_MALFORMED', 'fewer than 3 lines');
  const [origin, sizeText, rootText, ...extensions] = lines as [
    string,
    string,
    string,
    ...string[],
  ];
  if (origin === '') throw new CheckpointError('CHECKPOINT_ORIGIN_INVALID', 'empty origin');
  if (!DECIMAL.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
    throw new CheckpointError(
      'CHECKPOINT_SIZE_INVALID',
      'size is not a canonical decimal <= 2^53 - 1'
    );
  }
  let rootHash: Uint8Array;
  try {
    rootHash = base64Decode(rootText);
  } catch {
    throw new CheckpointError('CHECKPOINT_ROOT_INVALID', 'root is not strict base64');
  }
  if (rootHash.length !== HASH_SIZE) {
    throw new CheckpointError('CHECKPOINT_ROOT_INVALID', `root is not ${HASH_SIZE} bytes`);
  }
  if (extensions.some((e) => e === '')) {
    throw new CheckpointError('CHECKPOINT_EXTENSION_INVALID', 'empty extension line');
  }
  return { origin, size: Number(sizeText), rootHash, extensions };
}

/**
 * Formats and signs a checkpoint: the signed note a log publishes.
 * @throws as formatCheckpoint and signNote do.
 */
export function signCheckpoint(checkpoint: Checkpoint, signers: NoteSigner[]): string {
  return signNote(formatCheckpoint(checkpoint), signers);
}

/**
 * Opens a signed checkpoint note: verifies it with `verifiers` (openNote) and parses its text.
 * When `origin` is given, the checkpoint's origin must equal it.
 * @throws NoteError as openNote does; CheckpointError as parseCheckpoint does, and
 *   `CHECKPOINT_ORIGIN_INVALID` for an unexpected origin.
 */
export function openCheckpoint(
  note: string,
  verifiers: NoteVerifier[],
  origin?: string
): { checkpoint: Checkpoint; note: OpenedNote } {
  const opened = openNote(note, verifiers);
  const checkpoint = parseCheckpoint(opened.text);
  if (origin !== undefined && checkpoint.origin !== origin) {
    throw new CheckpointError('CHECKPOINT_ORIGIN_INVALID', 'checkpoint from an unexpected origin');
  }
  return { checkpoint, note: opened };
}
