// Per-entry checks, run by the verify workers: the shape, the RFC 8785 canonical form and leaf
// hash, the stored-hash comparison and the Ed25519 signature, plus the chain inside a batch.
//
// Trust boundary: rows and lines are attacker-controlled; they are parsed defensively and the
// answer is only "all of this batch holds" plus hashes, never a verdict.
//
// Nothing here may import @yishi/schema or @yishi/verify: a worker that loads them (TypeBox
// compiling every schema) takes a second to start instead of a tenth. What a worker needs from
// them comes in its WorkerConfig; types (`import type`) cost nothing at run time.
import { base64Decode, canonicalJson, createTreeHasher, equalBytes } from '@yishi/crypto';
import { nodeHashBackend } from '@yishi/crypto/node';
import type { LedgerEntry } from '@yishi/schema';
import { fastVerify } from '../crypto-fast/fast-ed25519.js';
import { canonicalPayloadOf, entryText } from './canonical-text.js';
import { HASH, type BatchReply } from './messages.js';

const HEX64 = /^[0-9a-f]{64}$/;
const HEX32 = /^[0-9a-f]{32}$/;
const PUBLIC_KEY = /^[A-Za-z0-9+/]{43}=$/;
const SIGNATURE = /^[A-Za-z0-9+/]{86}==$/;
const COMMAND_TYPE = /^[a-z][a-z0-9_.]*$/;
const MAX_TS = 8_640_000_000_000_000;
const ENTRY_KEYS = ['command', 'derived', 'prev', 'salt', 'seq', 'time', 'v'];
const COMMAND_KEYS = ['payload', 'publicKey', 'signature'];
const REDACTED_KEYS = ['leafHash', 'prev', 'seq'];

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function hasExactly(o: Json, keys: readonly string[]): boolean {
  const own = Object.keys(o);
  if (own.length !== keys.length) return false;
  own.sort();
  return own.every((k, i) => k === keys[i]);
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/**
 * LedgerEntrySchema (@yishi/schema), checked by hand and never more loosely: whatever passes
 * here passes the schema. Anything unusual (unsafe integers, say) fails here and is handed over.
 */
function isEntryShape(v: unknown): v is LedgerEntry {
  if (!isObject(v) || !hasExactly(v, ENTRY_KEYS)) return false;
  if (v['v'] !== 1 || !isCount(v['seq']) || !isCount(v['time'])) return false;
  const { prev, salt, command } = v;
  if (typeof prev !== 'string' || !HEX64.test(prev)) return false;
  if (typeof salt !== 'string' || !HEX32.test(salt)) return false;
  if (!isObject(command) || !hasExactly(command, COMMAND_KEYS)) return false;
  const { payload, publicKey, signature } = command;
  if (typeof publicKey !== 'string' || !PUBLIC_KEY.test(publicKey)) return false;
  if (typeof signature !== 'string' || !SIGNATURE.test(signature)) return false;
  if (!isObject(payload)) return false;
  const { type, ts, nonce } = payload;
  if (typeof type !== 'string' || type.length > 64 || !COMMAND_TYPE.test(type)) return false;
  if (!isCount(ts) || ts > MAX_TS) return false;
  return typeof nonce === 'string' && HEX32.test(nonce);
}

/** A reusable buffer for bytes hashed or verified at once (never kept past the call). */
class Scratch {
  private buf = Buffer.alloc(1 << 16);

  /** ASCII `prefix` then the UTF-8 of `text`, in the scratch buffer (valid until the next call). */
  write(prefix: string, text: string): Buffer {
    const head = prefix.length;
    const need = head + 3 * text.length; // UTF-8 takes at most 3 bytes per UTF-16 unit
    if (need > this.buf.length) this.buf = Buffer.alloc(need);
    this.buf.write(prefix, 0, 'latin1');
    return this.buf.subarray(0, head + this.buf.write(text, head, 'utf8'));
  }
}

const scratch = new Scratch();

/** RFC 6962 hashing by node:crypto: the same bytes as @yishi/crypto's default, faster. */
const hasher = createTreeHasher(nodeHashBackend);

export class EntryChecker {
  /** The signing contexts and their newline, ASCII (SIGNING_CONTEXT_PATTERN). */
  private readonly v2Line: string;
  private readonly v1Line: string;

  /** `commandContext` for payloads naming their ledger, `v1CommandContext` for the others. */
  constructor(commandContext: string, v1CommandContext: string) {
    this.v2Line = `${commandContext}\n`;
    this.v1Line = `${v1CommandContext}\n`;
  }

  /**
   * The entry's leaf hash if every per-entry check holds, else a reason. `text` is the JSON the
   * entry was parsed from, if there is one: when it is already canonical, it is what is hashed.
   */
  check(value: unknown, stored: Uint8Array | undefined, text?: string): Uint8Array | string {
    if (!isEntryShape(value)) return 'an entry is not in the shape the fast pass knows';
    const entry = value;
    const { payload, publicKey, signature } = entry.command;
    let payloadJson = text === undefined ? null : canonicalPayloadOf(entry, text);
    let leaf: Uint8Array;
    if (payloadJson !== null) {
      leaf = hasher.hashLeafText(text as string);
    } else {
      try {
        payloadJson = canonicalJson(payload);
        leaf = hasher.hashLeafText(entryText(entry, payloadJson, canonicalJson(entry.derived)));
      } catch {
        return 'an entry has no canonical form';
      }
    }
    if (stored !== undefined && !equalBytes(stored, leaf)) return 'a stored leaf hash differs';
    let key: Uint8Array;
    let sig: Uint8Array;
    try {
      key = base64Decode(publicKey);
      sig = base64Decode(signature);
    } catch {
      return 'an entry has a malformed key or signature';
    }
    // signingMessage(context, payload): utf8(context + "\n" + JCS(payload)).
    // The context is v2 for a payload naming its ledger, else v1 (commandSigningContext).
    const line = Object.hasOwn(payload, 'ledger') ? this.v2Line : this.v1Line;
    const message = scratch.write(line, payloadJson);
    // LedgerVerifier also checks the key (isAcceptablePublicKey: it decodes strictly and is not
    // of small order). A signature that verifies implies it: fastVerify's verdict is verify's
    // (@yishi/crypto), which refuses exactly those keys before anything else. Only the reason a
    // bad entry is handed over would differ, and the reference words that itself.
    if (!fastVerify(sig, message, key)) return 'a signature does not verify';
    return leaf;
  }
}

/**
 * One export line as parseExportLine and feedExportLines (@yishi/verify) take it, or a reason to
 * hand over: an entry, a checkpoint, or the header as line 1.
 */
export function exportLine(
  line: string,
  lineNumber: number,
  exportFormat: string
):
  | { kind: 'entry'; entry: unknown; text?: string }
  | { kind: 'redacted'; seq: number; prev: string; leafHash: string }
  | { kind: 'checkpoint'; note: string }
  | { kind: 'header' }
  | string {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return `line ${lineNumber} is not JSON`;
  }
  if (!isObject(o)) return `line ${lineNumber} is not an object`;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === 'entry') {
    // {"entry":E} with nothing around it: E's text, for the checker to hash if it is canonical.
    const text = line.startsWith('{"entry":') && line.endsWith('}') ? line.slice(9, -1) : undefined;
    return text === undefined
      ? { kind: 'entry', entry: o['entry'] }
      : { kind: 'entry', entry: o['entry'], text };
  }
  if (keys.length === 1 && keys[0] === 'redacted') {
    // As parseExportLine: exactly seq, prev and leafHash; anything else is handed over.
    const r = o['redacted'];
    if (!isObject(r) || !hasExactly(r, REDACTED_KEYS)) return `line ${lineNumber} is unusual`;
    const { seq, prev, leafHash } = r;
    if (!isCount(seq) || typeof prev !== 'string' || !HEX64.test(prev)) {
      return `line ${lineNumber} is unusual`;
    }
    if (typeof leafHash !== 'string' || !HEX64.test(leafHash)) {
      return `line ${lineNumber} is unusual`;
    }
    return { kind: 'redacted', seq, prev, leafHash };
  }
  if (keys.length === 1 && keys[0] === 'checkpoint' && typeof o['checkpoint'] === 'string') {
    return { kind: 'checkpoint', note: o['checkpoint'] };
  }
  if (lineNumber === 1 && o['yishi'] === exportFormat) return { kind: 'header' };
  return `line ${lineNumber} is not an entry, a checkpoint or the header`;
}

/** Checks entries in order and keeps what the reply needs. */
export class BatchBuilder {
  readonly leaves: Uint8Array;
  count = 0;
  redacted = 0;
  firstSeq = -1;
  firstPrev: Uint8Array = new Uint8Array(HASH);
  genesis: { payload: Json; publicKey: string } | undefined;

  constructor(
    private readonly checker: EntryChecker,
    capacity: number
  ) {
    this.leaves = new Uint8Array(HASH * capacity);
  }

  /** Adds one entry, or returns why not. */
  add(value: unknown, stored: Uint8Array | undefined, text: string | undefined): string | null {
    const leaf = this.checker.check(value, stored, text);
    if (typeof leaf === 'string') return leaf;
    const entry = value as LedgerEntry;
    const problem = this.link(entry.seq, entry.prev);
    if (problem !== null) return problem;
    if (entry.seq === 0) {
      this.genesis = {
        payload: entry.command.payload,
        publicKey: entry.command.publicKey,
      };
    }
    this.leaves.set(leaf, HASH * this.count);
    this.count++;
    return null;
  }

  /** Adds a redacted line of a scoped export (the genesis never is one), or returns why not. */
  addRedacted(seq: number, prev: string, leafHash: string): string | null {
    if (seq === 0) return 'the genesis is redacted';
    const problem = this.link(seq, prev);
    if (problem !== null) return problem;
    this.leaves.set(Buffer.from(leafHash, 'hex'), HASH * this.count);
    this.count++;
    this.redacted++;
    return null;
  }

  /** Numbering and chain inside the batch; the first line's are the main thread's to check. */
  private link(seq: number, prev: string): string | null {
    const count = this.count;
    if (count === 0) {
      this.firstSeq = seq;
      this.firstPrev = Buffer.from(prev, 'hex');
    } else {
      if (seq !== this.firstSeq + count) return 'entries are not numbered in order';
      const before = this.leaves.subarray(HASH * (count - 1), HASH * count);
      if (!equalBytes(Buffer.from(prev, 'hex'), before)) return 'the chain breaks';
    }
    return null;
  }

  reply(id: number, rows: number, notes: string[]): BatchReply {
    const reply: BatchReply = {
      id,
      ok: true,
      count: this.count,
      redacted: this.redacted,
      rows,
      leaves: this.leaves.slice(0, HASH * this.count),
      firstSeq: this.firstSeq,
      firstPrev: new Uint8Array(this.firstPrev),
      notes,
    };
    if (this.genesis) reply.genesis = this.genesis;
    return reply;
  }
}
