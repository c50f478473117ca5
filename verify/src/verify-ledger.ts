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
 *
 * A scoped export's redacted lines (decision 0023) stand for entries of bodies outside the scope:
 * their position, `prev` and leaf hash are checked in 1 and 2 (a redacted line's `prev` is the
 * previous leaf hash, and the next line's `prev` is its leaf hash) and their leaf hashes enter the
 * tree of 5; 3 and 4 apply to the full entries only (the genesis is never redacted). A claimed
 * leaf hash is trusted only as far as the checkpoints commit to it: a changed one breaks the
 * chain or a checkpoint's root.
 */
import {
  base64Decode,
  bytesToHex,
  hexToBytes,
  entryLeafHash,
  equalBytes,
  isAcceptablePublicKey,
  MemoryMerkleTree,
  parsePublicKey,
  signingMessage,
  verify as strictVerify,
} from '@yishi/crypto';
import {
  commandSigningContext,
  GENESIS_PREV,
  LedgerEntrySchema,
  type LedgerEntry,
} from '@yishi/schema';
import { Compile } from 'typebox/compile';
import type { LedgerCheck, LedgerFailure } from './error.js';
import { redactedEntryOf, type RedactedEntry } from './redacted.js';
import {
  checkCheckpoints,
  checkGenesis,
  type GenesisFacts,
  type TrustedLogKey,
} from './log-checks.js';
import type { Policy } from './policy.js';

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
   * A witness policy (C2SP tlog-policy, parsed with `parsePolicy`): every checkpoint must carry
   * cosignatures meeting its quorum (`CHECKPOINT_QUORUM`). Without `vkey`, the log key is the
   * policy's (its first `log` line).
   */
  policy?: Policy;
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
  /** Redacted lines of a scoped export (entries of other bodies: position and hashes only). */
  redactedEntries: number;
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

const checkEntryShape = Compile(LedgerEntrySchema);

/**
 * Streaming verifier: feed entries in ledger order with {@link addEntry}, checkpoint notes with
 * {@link addCheckpoint} (any order), then call {@link finish}. Memory: about 64 bytes per entry
 * (the tree's hashes), never the entries themselves.
 */
export class LedgerVerifier {
  private readonly tree = new MemoryMerkleTree();
  private readonly checkpointNotes: string[] = [];
  private readonly verifySignature: SignatureVerifier;
  private readonly trusted?: TrustedLogKey;
  private readonly policy?: Policy;
  private prevHex = GENESIS_PREV;
  /** A `prev` mismatch at this seq, waiting for the next entry to tell which side changed. */
  private pendingBreak?: number;
  private genesis?: GenesisFacts;
  private count = 0;
  private signatures = 0;
  private redacted = 0;
  private failure?: LedgerFailure;
  private vkeyError?: string;

  constructor(options: LedgerVerifierOptions = {}) {
    this.verifySignature = options.verifySignature ?? strictVerify;
    if (options.policy !== undefined) this.policy = options.policy;
    const vkey = options.vkey ?? options.policy?.logs[0]?.vkey;
    if (vkey !== undefined) {
      try {
        const key = parsePublicKey(vkey.trim());
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

  /** The first failure found so far (the entry it names may lie before the last one fed). */
  currentFailure(): LedgerFailure | undefined {
    return this.failure;
  }

  /**
   * Feeds the next line of a scoped export that stands for a redacted entry: its position, its
   * `prev` and its leaf hash (checked for shape here too: a caller may build it by hand).
   */
  addRedacted(redacted: RedactedEntry): void {
    const seq = this.count++;
    if (this.failure) return;
    const r = redactedEntryOf(redacted);
    if (r === undefined) {
      this.fail('ENTRY_MALFORMED', `line for entry ${seq} is not a well-formed redacted entry`, {
        seq,
      });
      return;
    }
    if (r.seq !== seq) {
      this.fail('ENTRY_SEQUENCE', `expected entry ${seq}, found redacted entry ${r.seq}`, { seq });
      return;
    }
    if (seq === 0) {
      this.fail('GENESIS_INVALID', 'entry 0, the genesis, is redacted', { seq });
      return;
    }
    if (!this.checkChain({ seq, prev: r.prev })) return;
    this.tree.append(hexToBytes(r.leafHash));
    this.prevHex = r.leafHash;
    this.redacted++;
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
      redactedEntries: this.redacted,
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
  private checkChain(entry: Pick<LedgerEntry, 'seq' | 'prev'>): boolean {
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
      message = signingMessage(commandSigningContext(payload), payload);
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
    const verdict = checkGenesis(entry.command, this.trusted);
    if (!verdict.ok) {
      // A genesis of another key than the trusted one still names its ledger in the report.
      if (verdict.genesis) this.genesis = verdict.genesis;
      this.failure ??= verdict.failure;
      return false;
    }
    this.genesis = verdict.genesis;
    return true;
  }

  private checkCheckpoints(): { size: number; rootHash: string } | undefined {
    const verdict = checkCheckpoints(this.checkpointNotes, this.tree, {
      trusted: this.trusted,
      genesis: this.genesis,
      policy: this.policy,
    });
    if (!verdict.ok) {
      this.failure ??= verdict.failure;
      return undefined;
    }
    return verdict.latest;
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
