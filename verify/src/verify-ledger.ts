/**
 * Offline verification of a yishi ledger: what `yishi verify` and `verifyLedger` check.
 *
 * Trust boundary: everything handed to the verifier (entries, checkpoint notes) is
 * attacker-controlled: an insider with database access may have changed any byte. Parse
 * defensively; the only thing trusted is the log's verifier key the auditor supplies (`vkey`).
 * Without one, checkpoints are checked against the key the ledger's own genesis declares, which
 * proves internal consistency but not who signed it: the report says so.
 *
 * Checks, in ledger order, stopping at the first failure:
 * 1. every entry is well formed and numbered 0, 1, 2, … (deleted, reordered, inserted rows);
 * 2. every entry's `prev` is the previous entry's leaf hash, SHA-256(0x00 || JCS(entry)) (one
 *    changed byte anywhere breaks the chain at the next entry);
 * 3. every command's Ed25519 signature over `yishi/command/v1\n || JCS(payload)` verifies
 *    (RFC 8032 strict) under an acceptable key;
 * 4. entry 0 is a genesis signed by the log key it declares, and that key is the trusted one;
 * 5. the RFC 6962 tree rebuilt from the leaf hashes has, at each checkpoint's size, the root the
 *    checkpoint signed (a dropped tail or a substituted checkpoint shows here), every checkpoint
 *    is signed by the log key, and successive checkpoints are consistent (RFC 9162 §2.1.4).
 */
import {
  base64Decode,
  bytesToHex,
  consistencyProof,
  entryLeafHash,
  equalBytes,
  formatPublicKey,
  isAcceptablePublicKey,
  openNote,
  parseCheckpoint,
  parseNoteVerifier,
  parsePublicKey,
  rootAt,
  signingMessage,
  verify as strictVerify,
  verifyConsistency,
  type NoteVerifier,
} from '@yishi/crypto';
import {
  GENESIS_COMMAND_TYPE,
  GENESIS_PREV,
  LedgerEntrySchema,
  SIGNING_CONTEXTS,
  type LedgerEntry,
} from '@yishi/schema';
import { Compile } from 'typebox/compile';
import type { LedgerCheck, LedgerFailure } from './error.js';
import { MemoryTree } from './memory-tree.js';

/** Verifies one Ed25519 signature; must give RFC 8032 strict verdicts. */
export type SignatureVerifier = (
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array
) => boolean;

/** Options of {@link LedgerVerifier}. */
export interface LedgerVerifierOptions {
  /** The log's verifier key (C2SP vkey text) the auditor trusts. */
  vkey?: string;
  /**
   * Signature check for entries; defaults to the strict noble verifier. A faster verifier may be
   * passed if it gives the same verdict on every input (the service's node:crypto path does).
   */
  verifySignature?: SignatureVerifier;
}

/** The outcome of a verification. */
export interface LedgerReport {
  ok: boolean;
  entries: number;
  checkpoints: number;
  signaturesVerified: number;
  /** Hex root of the tree over all entries read. */
  rootHash?: string;
  ledgerId?: string;
  origin?: string;
  /** Where the key checkpoints were checked against came from. */
  logKeySource: 'vkey' | 'genesis' | 'none';
  /** The largest checkpoint that verified, if any. */
  latestCheckpoint?: { size: number; rootHash: string };
  /** Entries after the latest verified checkpoint (not yet committed to by a signed root). */
  uncheckpointedEntries: number;
  failure?: LedgerFailure;
}

interface GenesisFacts {
  origin: string;
  ledgerId: string;
  logPublicKey: string;
}

const checkEntryShape = Compile(LedgerEntrySchema);

/**
 * Streaming verifier: feed entries in ledger order with {@link addEntry}, checkpoint notes with
 * {@link addCheckpoint} (any order), then call {@link finish}. Memory: about 64 bytes per entry
 * (the tree's hashes), never the entries themselves.
 */
export class LedgerVerifier {
  private readonly tree = new MemoryTree();
  private readonly checkpointNotes: string[] = [];
  private readonly verifySignature: SignatureVerifier;
  private readonly trusted?: { name: string; publicKey: Uint8Array };
  private prevHex = GENESIS_PREV;
  /** A `prev` mismatch at this seq, waiting for the next entry to tell which side changed. */
  private pendingBreak?: number;
  private genesis?: GenesisFacts;
  private count = 0;
  private signatures = 0;
  private failure?: LedgerFailure;
  private vkeyError?: string;

  constructor(options: LedgerVerifierOptions = {}) {
    this.verifySignature = options.verifySignature ?? strictVerify;
    if (options.vkey !== undefined) {
      try {
        const key = parsePublicKey(options.vkey.trim());
        this.trusted = { name: key.name, publicKey: key.publicKey };
      } catch (err) {
        this.vkeyError = `the trusted vkey is not a valid key: ${(err as Error).message}`;
      }
    }
  }

  /**
   * Feeds the next entry (a parsed JSON value; it is checked, not trusted). A database reader
   * passes the leaf hash it found stored beside the entry, which must match the recomputed one.
   */
  addEntry(value: unknown, storedLeafHash?: Uint8Array): void {
    const seq = this.count++;
    if (this.failure) return;
    if (!checkEntryShape.Check(value)) {
      this.fail('ENTRY_MALFORMED', `entry ${seq} is not a well-formed ledger entry`, { seq });
      return;
    }
    const entry = value as LedgerEntry;
    if (entry.seq !== seq) {
      this.fail('ENTRY_SEQUENCE', `expected entry ${seq}, found entry ${entry.seq}`, { seq });
      return;
    }
    let leaf: Uint8Array;
    try {
      leaf = entryLeafHash(entry);
    } catch (err) {
      this.fail(
        'ENTRY_MALFORMED',
        `entry ${seq} has no canonical form: ${(err as Error).message}`,
        {
          seq,
        }
      );
      return;
    }
    if (storedLeafHash !== undefined && !equalBytes(storedLeafHash, leaf)) {
      this.fail(
        'ENTRY_HASH_STORED',
        `entry ${seq}'s stored leaf hash is not the hash of its bytes`,
        {
          seq,
        }
      );
      return;
    }
    if (!this.checkChain(entry)) return;
    if (!this.checkSignature(entry)) return;
    if (seq === 0 && !this.checkGenesis(entry)) return;
    this.tree.append(leaf);
    this.prevHex = bytesToHex(leaf);
  }

  /** Feeds a signed checkpoint note as stored or exported. */
  addCheckpoint(note: string): void {
    this.checkpointNotes.push(note);
  }

  /** Runs the checks that need the whole ledger and returns the report. */
  finish(): LedgerReport {
    if (!this.failure && this.pendingBreak !== undefined) this.resolveTrailingBreak();
    if (!this.failure && this.count === 0) this.fail('LEDGER_EMPTY', 'the ledger has no entries');
    if (!this.failure && this.vkeyError) this.fail('LOG_KEY_MISMATCH', this.vkeyError, {});
    let latest: { size: number; rootHash: string } | undefined;
    if (!this.failure) latest = this.checkCheckpoints();
    const report: LedgerReport = {
      ok: this.failure === undefined,
      entries: this.count,
      checkpoints: this.checkpointNotes.length,
      signaturesVerified: this.signatures,
      logKeySource: this.trusted ? 'vkey' : this.genesis ? 'genesis' : 'none',
      uncheckpointedEntries: this.count - (latest?.size ?? 0),
    };
    if (this.tree.size === this.count && this.count > 0) {
      report.rootHash = bytesToHex(this.tree.root());
    }
    if (this.genesis) {
      report.ledgerId = this.genesis.ledgerId;
      report.origin = this.genesis.origin;
    }
    if (latest) report.latestCheckpoint = latest;
    if (this.failure) report.failure = this.failure;
    return report;
  }

  private fail(
    check: LedgerCheck,
    detail: string,
    at: { seq?: number; checkpointSize?: number } = {}
  ): void {
    this.failure ??= { check, ...at, detail };
  }

  /**
   * A changed entry shows as a `prev` mismatch at the NEXT entry. If the entry after that chains
   * correctly to it, the next entry is intact and the one before it was changed; if it does not,
   * the next entry itself was changed (its `prev` field, say).
   */
  private checkChain(entry: LedgerEntry): boolean {
    const seq = entry.seq;
    const linked = entry.prev === this.prevHex;
    if (this.pendingBreak !== undefined) {
      const broken = this.pendingBreak;
      const blamed = linked ? broken - 1 : broken;
      this.fail(
        'ENTRY_CHAIN',
        `entry ${blamed} was changed: its bytes no longer hash to what entry ${blamed + 1} recorded`,
        { seq: blamed }
      );
      return false;
    }
    if (!linked) {
      if (seq === 0) {
        this.fail('ENTRY_CHAIN', 'entry 0 must have an all-zero prev hash', { seq });
        return false;
      }
      this.pendingBreak = seq;
    }
    return true;
  }

  private resolveTrailingBreak(): void {
    const broken = this.pendingBreak as number;
    this.fail(
      'ENTRY_CHAIN',
      `entry ${broken}'s prev does not match entry ${broken - 1}'s hash (one of the two was changed)`,
      { seq: broken }
    );
  }

  private checkSignature(entry: LedgerEntry): boolean {
    const { payload, publicKey, signature } = entry.command;
    let key: Uint8Array;
    let sig: Uint8Array;
    try {
      key = base64Decode(publicKey);
      sig = base64Decode(signature);
    } catch {
      this.fail('ENTRY_MALFORMED', `entry ${entry.seq} has a malformed key or signature`, {
        seq: entry.seq,
      });
      return false;
    }
    if (!isAcceptablePublicKey(key)) {
      this.fail('ENTRY_KEY_UNACCEPTABLE', `entry ${entry.seq} is signed by an unacceptable key`, {
        seq: entry.seq,
      });
      return false;
    }
    let message: Uint8Array;
    try {
      message = signingMessage(SIGNING_CONTEXTS.command, payload);
    } catch (err) {
      this.fail('ENTRY_MALFORMED', `entry ${entry.seq}: ${(err as Error).message}`, {
        seq: entry.seq,
      });
      return false;
    }
    if (!this.verifySignature(sig, message, key)) {
      this.fail(
        'ENTRY_SIGNATURE',
        `entry ${entry.seq}: the signature of its ${String(payload.type)} command does not verify`,
        { seq: entry.seq }
      );
      return false;
    }
    this.signatures++;
    return true;
  }

  private checkGenesis(entry: LedgerEntry): boolean {
    const p = entry.command.payload;
    const fine =
      p.type === GENESIS_COMMAND_TYPE &&
      typeof p['origin'] === 'string' &&
      typeof p['ledgerId'] === 'string' &&
      typeof p['logPublicKey'] === 'string' &&
      p['logPublicKey'] === entry.command.publicKey;
    if (!fine) {
      this.fail('GENESIS_INVALID', 'entry 0 is not a genesis signed by the log key it declares', {
        seq: 0,
      });
      return false;
    }
    this.genesis = {
      origin: p['origin'] as string,
      ledgerId: p['ledgerId'] as string,
      logPublicKey: p['logPublicKey'] as string,
    };
    if (
      this.trusted &&
      !equalBytes(this.trusted.publicKey, base64Decode(this.genesis.logPublicKey))
    ) {
      this.fail(
        'LOG_KEY_MISMATCH',
        'the ledger was started by another log key than the one you trust (--vkey)',
        { seq: 0 }
      );
      return false;
    }
    return true;
  }

  private logVerifier(): NoteVerifier | undefined {
    if (this.trusted) {
      return parseNoteVerifier(formatPublicKey(this.trusted.name, this.trusted.publicKey));
    }
    if (!this.genesis) return undefined;
    return parseNoteVerifier(
      formatPublicKey(this.genesis.origin, base64Decode(this.genesis.logPublicKey))
    );
  }

  private checkCheckpoints(): { size: number; rootHash: string } | undefined {
    const verifier = this.logVerifier();
    const origin = this.trusted?.name ?? this.genesis?.origin;
    const parsed: { size: number; root: Uint8Array }[] = [];
    for (const note of this.checkpointNotes) {
      let text: string;
      try {
        if (!verifier) throw new Error('no log key to check it against');
        text = openNote(note, [verifier]).text;
      } catch (err) {
        const code = (err as { code?: string }).code;
        const malformed = code === 'NOTE_MALFORMED' || code === 'NOTE_TOO_LARGE';
        // The size is unverified text here: it only tells the auditor which checkpoint failed.
        const claimed = /^[^\n]*\n(0|[1-9][0-9]{0,15})\n/.exec(note)?.[1];
        this.fail(
          malformed ? 'CHECKPOINT_MALFORMED' : 'CHECKPOINT_SIGNATURE',
          `a checkpoint does not verify: ${(err as Error).message}`,
          claimed === undefined ? {} : { checkpointSize: Number(claimed) }
        );
        return undefined;
      }
      let body;
      try {
        body = parseCheckpoint(text);
      } catch (err) {
        this.fail(
          'CHECKPOINT_MALFORMED',
          `a checkpoint body is malformed: ${(err as Error).message}`
        );
        return undefined;
      }
      if (body.origin !== origin) {
        this.fail('CHECKPOINT_ORIGIN', `a checkpoint names origin ${body.origin}`, {
          checkpointSize: body.size,
        });
        return undefined;
      }
      parsed.push({ size: body.size, root: body.rootHash });
    }
    parsed.sort((a, b) => a.size - b.size);
    let previous: { size: number; root: Uint8Array } | undefined;
    for (const cp of parsed) {
      if (cp.size > this.tree.size) {
        this.fail(
          'CHECKPOINT_BEYOND_LEDGER',
          `a checkpoint commits to ${cp.size} entries but the ledger holds ${this.tree.size}: its tail was dropped`,
          { checkpointSize: cp.size, seq: this.tree.size }
        );
        return undefined;
      }
      if (cp.size > 0 && !equalBytes(rootAt(this.tree, cp.size), cp.root)) {
        const from = previous?.size ?? 0;
        this.fail(
          'CHECKPOINT_ROOT_MISMATCH',
          `the entries do not hash to the root signed at size ${cp.size}: an entry in ${from}..${cp.size - 1} was changed`,
          { checkpointSize: cp.size, seq: from }
        );
        return undefined;
      }
      if (previous && previous.size > 0 && previous.size <= cp.size) {
        try {
          const proof =
            previous.size === cp.size ? [] : consistencyProof(this.tree, previous.size, cp.size);
          verifyConsistency(previous.size, cp.size, proof, previous.root, cp.root);
        } catch (err) {
          this.fail(
            'CHECKPOINT_INCONSISTENT',
            `checkpoints at sizes ${previous.size} and ${cp.size} are not consistent: ${(err as Error).message}`,
            { checkpointSize: cp.size }
          );
          return undefined;
        }
      }
      previous = cp;
    }
    return previous && { size: previous.size, rootHash: bytesToHex(previous.root) };
  }
}

/** Verifies a whole ledger held in memory (entries in order, checkpoint notes). */
export function verifyLedger(
  input: { entries: Iterable<unknown>; checkpoints: Iterable<string> },
  options: LedgerVerifierOptions = {}
): LedgerReport {
  const verifier = new LedgerVerifier(options);
  for (const entry of input.entries) verifier.addEntry(entry);
  for (const note of input.checkpoints) verifier.addCheckpoint(note);
  return verifier.finish();
}
