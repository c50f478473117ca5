/**
 * C2SP signed-note v1.0.0 (https://c2sp.org/signed-note@v1.0.0), Ed25519 signatures only.
 *
 * A note is `text || "\n" || signature lines`, the text ending in a newline, each signature line
 * `— <key name> <base64(4-byte key ID || signature)>\n` (U+2014 em dash, space). A note is
 * attacker-controlled until verified, so {@link openNote} parses it defensively:
 * - at most {@link NOTE_MAX_BYTES} bytes of UTF-8 and {@link NOTE_MAX_SIGNATURES} signature lines
 *   (the spec requires accepting at least 16);
 * - valid Unicode, no ASCII control characters other than newline;
 * - the text is separated from the signatures by the LAST blank line;
 * - every signature line well-formed (valid key name, strict base64 of at least 5 bytes);
 * - signatures from unknown (name, key ID) pairs are ignored; a known key's signature that fails
 *   is `NOTE_INVALID_SIGNATURE` (the spec's SHOULD reject the whole note); a known key signing
 *   twice (even with an identical line) is `NOTE_DUPLICATE_SIGNATURE`; identical lines of an
 *   unknown key are listed once; no verified known signature is `NOTE_UNVERIFIED`.
 */
import {
  assertBytes,
  assertString,
  base64Decode,
  base64Encode,
  bytesToHex,
  concatBytes,
  equalBytes,
  hasControlCharacter,
  isWellFormedString,
  utf8Encode,
} from './bytes.js';
import { generateSecretKey, getPublicKey, sign, verify } from './ed25519.js';
import { NoteError } from './error.js';
import {
  formatPublicKey,
  formatSecretKey,
  isValidKeyName,
  noteKeyId,
  parsePublicKey,
  parseSecretKey,
} from './key-text.js';

/** Largest note {@link openNote} accepts, in UTF-8 bytes. */
export const NOTE_MAX_BYTES = 1024 * 1024;
/** Most signature lines {@link openNote} accepts (as Go's sumdb note). */
export const NOTE_MAX_SIGNATURES = 100;

/** Something that signs note texts under one key. */
export interface NoteSigner {
  /** Key name, as it appears in signature lines. */
  readonly name: string;
  /** 4-byte key ID. */
  readonly keyId: Uint8Array;
  /** The signature of the note text's UTF-8 bytes. */
  sign(message: Uint8Array): Uint8Array;
}

/** Something that verifies signatures of one key. */
export interface NoteVerifier {
  /** Key name, as it appears in signature lines. */
  readonly name: string;
  /** 4-byte key ID. */
  readonly keyId: Uint8Array;
  /** True if `signature` is valid for the note text's UTF-8 bytes; must not throw. */
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

/** One signature line of a note. */
export type NoteSignature = { name: string; keyId: Uint8Array; signature: Uint8Array };

/** A note whose signatures were checked by {@link openNote}. */
export type OpenedNote = {
  /** The note text, final newline included. */
  text: string;
  /** Every signature line, known or not (identical repeated lines of unknown keys once). */
  signatures: NoteSignature[];
  /** The known keys whose signatures verified. */
  verified: { name: string; keyId: Uint8Array }[];
};

const EM_DASH_SPACE = '\u2014 ';

/**
 * Ed25519 key derivation and signing (RFC 8032 §5.1.5, §5.1.6). This package's noble-based
 * functions are the default; a caller may pass another implementation of the same functions
 * (the service passes node:crypto's), which must give the same bytes.
 */
export interface Ed25519Signing {
  getPublicKey(secretKey: Uint8Array): Uint8Array;
  sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
}

const NOBLE_SIGNING: Ed25519Signing = { getPublicKey, sign };

/** A NoteSigner for an Ed25519 secret key. @throws TypeError / RangeError on bad arguments. */
export function createNoteSigner(
  name: string,
  secretKey: Uint8Array,
  signing: Ed25519Signing = NOBLE_SIGNING
): NoteSigner {
  assertBytes(secretKey, 'secretKey', 32);
  const seed = secretKey.slice();
  const keyId = noteKeyId(name, signing.getPublicKey(seed));
  return Object.freeze({
    name,
    keyId,
    sign: (message: Uint8Array) => signing.sign(message, seed),
  });
}

/**
 * A NoteVerifier for an Ed25519 public key; `verifyFn` defaults to this package's strict
 * {@link verify} (the service passes its node:crypto fast path, which gives the same verdicts).
 * @throws TypeError / RangeError on an invalid name or a non-32-byte key.
 */
export function createNoteVerifier(
  name: string,
  publicKey: Uint8Array,
  verifyFn: (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean = verify
): NoteVerifier & { readonly publicKey: Uint8Array } {
  const key = assertBytes(publicKey, 'publicKey', 32).slice();
  const keyId = noteKeyId(name, key);
  return Object.freeze({
    name,
    keyId,
    publicKey: key,
    verify: (message: Uint8Array, signature: Uint8Array) => verifyFn(signature, message, key),
  });
}

/**
 * A new Ed25519 note key: `skey` (secret-key text) and `vkey` (public-key text).
 * @throws RangeError if `name` is not a valid key name.
 */
export function generateNoteKey(name: string): { skey: string; vkey: string } {
  const secretKey = generateSecretKey();
  return {
    skey: formatSecretKey(name, secretKey),
    vkey: formatPublicKey(name, getPublicKey(secretKey)),
  };
}

/** The signer of a secret-key text. @throws KeyFormatError as parseSecretKey does. */
export function parseNoteSigner(skey: string): NoteSigner {
  const { name, secretKey } = parseSecretKey(skey);
  return createNoteSigner(name, secretKey);
}

/** The verifier of a public-key text (C2SP vkey). @throws KeyFormatError as parsePublicKey does. */
export function parseNoteVerifier(vkey: string): NoteVerifier & { readonly publicKey: Uint8Array } {
  const { name, publicKey } = parsePublicKey(vkey);
  return createNoteVerifier(name, publicKey);
}

/**
 * Signs `text` with every signer: returns `text || "\n" || signature lines`.
 * @throws RangeError if `text` is empty, does not end in "\n", holds a lone surrogate or a
 *   control character other than newline, or is too large; or if `signers` is empty or a signer
 *   has an invalid name or a key ID that is not 4 bytes.
 */
export function signNote(text: string, signers: NoteSigner[]): string {
  assertString(text, 'text');
  if (!text.endsWith('\n')) throw new RangeError('"text" must end in a newline');
  if (!isWellFormedString(text) || hasControlCharacter(text, true)) {
    throw new RangeError('"text" must be valid Unicode without control characters but newline');
  }
  if (!Array.isArray(signers) || signers.length === 0) {
    throw new RangeError('"signers" must be a non-empty array');
  }
  const message = utf8Encode(text);
  let lines = '';
  for (const signer of signers) {
    if (!isValidKeyName(signer.name))
      throw new RangeError(`invalid key name ${JSON.stringify(signer.name)}`);
    assertBytes(signer.keyId, 'signer.keyId', 4);
    const signature = assertBytes(signer.sign(message), 'signer.sign()');
    lines += `${EM_DASH_SPACE}${signer.name} ${base64Encode(concatBytes(signer.keyId, signature))}\n`;
  }
  const note = `${text}\n${lines}`;
  if (note.length > NOTE_MAX_BYTES || utf8Encode(note).length > NOTE_MAX_BYTES) {
    throw new RangeError(`the note would exceed ${NOTE_MAX_BYTES} bytes`);
  }
  return note;
}

function checkVerifiers(verifiers: unknown): NoteVerifier[] {
  if (!Array.isArray(verifiers)) throw new TypeError('"verifiers" expected an array');
  const seen = new Set<string>();
  for (const v of verifiers as NoteVerifier[]) {
    if (
      typeof v !== 'object' ||
      v === null ||
      typeof v.verify !== 'function' ||
      typeof v.name !== 'string'
    ) {
      throw new TypeError('"verifiers" expected NoteVerifier objects');
    }
    assertBytes(v.keyId, 'verifier.keyId', 4);
    const id = `${v.name} ${bytesToHex(v.keyId)}`;
    if (seen.has(id)) throw new RangeError(`two verifiers for the same key ${id}`);
    seen.add(id);
  }
  return verifiers as NoteVerifier[];
}

/**
 * Parses a signed note and verifies its signatures from known keys (see the file header).
 * @throws NoteError `NOTE_TOO_LARGE`, `NOTE_TOO_MANY_SIGNATURES`, `NOTE_MALFORMED`,
 *   `NOTE_DUPLICATE_SIGNATURE`, `NOTE_INVALID_SIGNATURE`, `NOTE_UNVERIFIED`.
 * @throws TypeError if `note` is not a string or `verifiers` not an array of verifiers;
 *   RangeError if two verifiers share a name and key ID.
 */
export function openNote(note: string, verifiers: NoteVerifier[]): OpenedNote {
  assertString(note, 'note');
  const known = checkVerifiers(verifiers);
  if (note.length > NOTE_MAX_BYTES) throw new NoteError('NOTE_TOO_LARGE', 'note too large');
  if (!isWellFormedString(note)) throw new NoteError('NOTE_MALFORMED', 'note is not valid Unicode');
  if (utf8Encode(note).length > NOTE_MAX_BYTES)
    throw new NoteError('NOTE_TOO_LARGE', 'note too large');
  if (hasControlCharacter(note, true)) {
    throw new NoteError('NOTE_MALFORMED', 'note has a control character other than newline');
  }
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('NOTE_MALFORMED', 'no blank line before the signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) {
    throw new NoteError(
      'NOTE_MALFORMED',
      'signature block must be non-empty lines ending in newline'
    );
  }
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > NOTE_MAX_SIGNATURES) {
    throw new NoteError('NOTE_TOO_MANY_SIGNATURES', `more than ${NOTE_MAX_SIGNATURES} signatures`);
  }
  const message = utf8Encode(text);
  const signatures: NoteSignature[] = [];
  const verified: { name: string; keyId: Uint8Array }[] = [];
  const seenLines = new Set<string>();
  const seenKnown = new Set<string>();
  for (const line of lines) {
    if (!line.startsWith(EM_DASH_SPACE))
      throw new NoteError('NOTE_MALFORMED', 'bad signature line');
    const rest = line.slice(EM_DASH_SPACE.length);
    const space = rest.indexOf(' ');
    const name = space < 0 ? '' : rest.slice(0, space);
    const encoded = space < 0 ? '' : rest.slice(space + 1);
    if (!isValidKeyName(name) || encoded === '') {
      throw new NoteError('NOTE_MALFORMED', 'bad signature line');
    }
    let raw: Uint8Array;
    try {
      raw = base64Decode(encoded);
    } catch {
      throw new NoteError('NOTE_MALFORMED', 'signature is not strict base64');
    }
    if (raw.length < 5) throw new NoteError('NOTE_MALFORMED', 'signature shorter than 5 bytes');
    const keyId = raw.slice(0, 4);
    const signature = raw.slice(4);
    const verifier = known.find((v) => v.name === name && equalBytes(v.keyId, keyId));
    if (verifier === undefined) {
      if (!seenLines.has(line)) signatures.push({ name, keyId, signature });
      seenLines.add(line);
      continue;
    }
    signatures.push({ name, keyId, signature });
    const id = `${name} ${bytesToHex(keyId)}`;
    if (seenKnown.has(id)) {
      throw new NoteError('NOTE_DUPLICATE_SIGNATURE', `key ${id} signed twice`);
    }
    seenKnown.add(id);
    let ok: boolean;
    try {
      ok = verifier.verify(message, signature) === true;
    } catch {
      ok = false;
    }
    if (!ok)
      throw new NoteError('NOTE_INVALID_SIGNATURE', `signature of known key ${id} is invalid`);
    verified.push({ name, keyId: keyId.slice() });
  }
  if (verified.length === 0) throw new NoteError('NOTE_UNVERIFIED', 'no known key signed the note');
  return { text, signatures, verified };
}
