/**
 * The ledger export an auditor receives: JSON Lines, one object per line.
 *
 *   {"yishi":"ledger-export/v1","ledgerId":"…","origin":"…","entries":N,"checkpoints":K}
 *   {"entry":{…}}            × N, in ledger order, each exactly the hashed entry
 *   {"checkpoint":"…note…"}  × K, every checkpoint the log signed, oldest first
 *
 * A scoped export (an auditor appointed to some bodies; decision 0023) has, in place of each
 * entry of another body, a redacted line: its position, its `prev` and its leaf hash,
 *
 *   {"redacted":{"seq":N,"prev":"<hex>","leafHash":"<hex>"}}
 *
 * and its header says so: `"scope":{"bodies":["body-1",…],"redacted":R}`. Leaves are salted, so
 * a leaf hash reveals nothing of the entry; the tree, every checkpoint and the chain are checked
 * over all leaf hashes all the same.
 *
 * The header is informative only: the verifier counts and checks what follows, never trusts it.
 *
 * Trust boundary: every line is attacker-controlled; a line that does not parse is reported as a
 * malformed entry at its position, never thrown past the feed.
 */
import { ExportFormatError } from './error.js';
import { redactedEntryOf, type RedactedEntry } from './redacted.js';
import { LedgerVerifier, type LedgerReport, type LedgerVerifierOptions } from './verify-ledger.js';

/** The first line's format tag. */
export const EXPORT_FORMAT = 'ledger-export/v1';

/** The export's first line. */
export interface ExportHeader {
  yishi: typeof EXPORT_FORMAT;
  ledgerId: string;
  origin: string;
  entries: number;
  checkpoints: number;
  /** A scoped export: the bodies shown in full and the number of redacted entries. */
  scope?: ExportScope;
}

/** The scope of a scoped export (informative, like the whole header). */
export interface ExportScope {
  bodies: string[];
  redacted: number;
}

/** Anything that consumes a ledger export: the verifier, the auditor. */
export interface ExportSink {
  addEntry(value: unknown): void;
  /** A redacted line of a scoped export, already well formed ({@link parseExportLine}). */
  addRedacted(redacted: RedactedEntry): void;
  addCheckpoint(note: string): void;
}

/** One parsed export line. */
export type ExportLine =
  | { kind: 'header'; header: ExportHeader }
  | { kind: 'entry'; entry: unknown }
  | { kind: 'redacted'; redacted: RedactedEntry }
  | { kind: 'checkpoint'; note: string };

/** Formats the header line (without the newline). */
export const formatExportHeader = (h: Omit<ExportHeader, 'yishi'>): string =>
  JSON.stringify({ yishi: EXPORT_FORMAT, ...h });

/** Formats one entry line from the entry's canonical JSON text (without the newline). */
export const formatExportEntry = (canonicalEntryJson: string): string =>
  `{"entry":${canonicalEntryJson}}`;

/** Formats one redacted line (without the newline); hashes in lowercase hex. */
export const formatExportRedacted = (r: RedactedEntry): string =>
  `{"redacted":{"seq":${r.seq},"prev":"${r.prev}","leafHash":"${r.leafHash}"}}`;

/** Formats one checkpoint line (without the newline). */
export const formatExportCheckpoint = (note: string): string =>
  JSON.stringify({ checkpoint: note });

/** Parses one line of an export; `lineNumber` is 1-based, for the error. */
export function parseExportLine(text: string, lineNumber: number): ExportLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ExportFormatError(lineNumber, 'not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ExportFormatError(lineNumber, 'not a JSON object');
  }
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === 'entry') return { kind: 'entry', entry: o['entry'] };
  if (keys.length === 1 && keys[0] === 'redacted') {
    const redacted = redactedEntryOf(o['redacted']);
    if (redacted === undefined) {
      throw new ExportFormatError(
        lineNumber,
        'a redacted line must hold exactly seq, prev and leafHash (64 lowercase hex digits)'
      );
    }
    return { kind: 'redacted', redacted };
  }
  if (keys.length === 1 && keys[0] === 'checkpoint') {
    if (typeof o['checkpoint'] !== 'string') {
      throw new ExportFormatError(lineNumber, 'a checkpoint must be a string');
    }
    return { kind: 'checkpoint', note: o['checkpoint'] };
  }
  if (o['yishi'] === EXPORT_FORMAT) return { kind: 'header', header: o as unknown as ExportHeader };
  throw new ExportFormatError(
    lineNumber,
    'neither a header, an entry, a redacted entry nor a checkpoint'
  );
}

/**
 * Verifies an export given as lines (a string is split on newlines). A malformed line is
 * reported as `ENTRY_MALFORMED` at the entry it would have been.
 */
export function verifyExport(
  input: string | Iterable<string>,
  options: LedgerVerifierOptions = {}
): LedgerReport {
  const lines = typeof input === 'string' ? input.split('\n') : input;
  const verifier = new LedgerVerifier(options);
  feedExportLines(verifier, lines);
  return verifier.finish();
}

/**
 * Feeds export lines into a verifier; blank lines are skipped, a header is accepted only as line
 * 1. `firstLineNumber` lets a caller feed a long file in batches; returns the next line number.
 */
export function feedExportLines(
  verifier: ExportSink,
  lines: Iterable<string>,
  firstLineNumber = 1
): number {
  let n = firstLineNumber - 1;
  for (const raw of lines) {
    n++;
    if (raw.trim() === '') continue;
    let line: ExportLine;
    try {
      line = parseExportLine(raw, n);
    } catch {
      verifier.addEntry(undefined);
      continue;
    }
    if (line.kind === 'entry') verifier.addEntry(line.entry);
    else if (line.kind === 'redacted') verifier.addRedacted(line.redacted);
    else if (line.kind === 'checkpoint') verifier.addCheckpoint(line.note);
    else if (n !== 1) verifier.addEntry(undefined);
  }
  return n + 1;
}
