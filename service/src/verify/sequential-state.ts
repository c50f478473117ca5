// What the main thread keeps while the workers' batches come back in order: seq numbering and
// the hash chain across batches, the genesis, the RFC 6962 tree and the checkpoints. The genesis
// and checkpoint checks are the reference verifier's own (@yishi/verify); any failure hands over.
import { bytesToHex, createTreeHasher, equalBytes, MemoryMerkleTree, rootAt } from '@yishi/crypto';
import { nodeHashBackend } from '@yishi/crypto/node';
import { GENESIS_PREV } from '@yishi/schema';
import {
  checkCheckpoints,
  checkGenesis,
  type GenesisCommand,
  type GenesisFacts,
  type LedgerReport,
  type Policy,
  type TrustedLogKey,
} from '@yishi/verify';
import { handover, HASH, type BatchReply } from './messages.js';

/** RFC 6962 hashing by node:crypto: the same bytes as @yishi/crypto's default, faster. */
const hasher = createTreeHasher(nodeHashBackend);

export class SequentialState {
  readonly tree = new MemoryMerkleTree(hasher);
  readonly notes: string[] = [];
  private last: Uint8Array = Buffer.from(GENESIS_PREV, 'hex');
  private redacted = 0;
  genesis?: GenesisFacts;

  constructor(
    private readonly trusted: TrustedLogKey | undefined,
    private readonly policy?: Policy
  ) {}

  take(reply: BatchReply): void {
    if (!reply.ok) handover(reply.problem);
    const ok = reply as Extract<BatchReply, { ok: true }>;
    this.notes.push(...ok.notes);
    if (ok.count === 0) return;
    if (ok.firstSeq !== this.tree.size) handover('entries are not numbered in order');
    if (!equalBytes(ok.firstPrev, this.last)) handover('the chain breaks between batches');
    if (this.tree.size === 0) this.checkGenesis(ok.genesis);
    this.redacted += ok.redacted;
    for (let i = 0; i < ok.count; i++)
      this.tree.append(ok.leaves.subarray(HASH * i, HASH * (i + 1)));
    this.last = ok.leaves.slice(HASH * (ok.count - 1), HASH * ok.count);
  }

  private checkGenesis(g: GenesisCommand | undefined): void {
    if (!g) return handover('no genesis');
    const verdict = checkGenesis(g, this.trusted);
    if (!verdict.ok) return handover(verdict.failure.detail);
    this.genesis = verdict.genesis;
  }

  /** As LedgerVerifier's finish, for a ledger where everything held. */
  report(): LedgerReport {
    const count = this.tree.size;
    const genesis = this.genesis;
    if (count === 0 || !genesis) return handover('the ledger is empty');
    const verdict = checkCheckpoints(this.notes, this.tree, {
      trusted: this.trusted,
      genesis,
      policy: this.policy,
    });
    if (!verdict.ok) return handover(verdict.failure.detail);
    const latest = verdict.latest;
    const report: LedgerReport = {
      ok: true,
      entries: count,
      checkpoints: this.notes.length,
      signaturesVerified: count - this.redacted,
      redactedEntries: this.redacted,
      logKeySource: this.trusted ? 'vkey' : 'genesis',
      uncheckpointedEntries: count - (latest?.size ?? 0),
    };
    report.rootHash = bytesToHex(rootAt(this.tree, count, hasher));
    report.ledgerId = genesis.ledgerId;
    report.origin = genesis.origin;
    if (latest) report.latestCheckpoint = latest;
    return report;
  }
}
