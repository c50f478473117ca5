/**
 * Check one decision against a signed checkpoint, without the full ledger: the entry as the
 * service returned it, the `c2sp.org/tlog-proof@v1` text from `GET /log/proof/{index}`, and the
 * log's vkey the caller trusts. Runs in Node and in a browser.
 */
import {
  bytesToHex,
  entryLeafHash,
  parseNoteVerifier,
  parseTlogProof,
  verifyTlogProof,
  YishiCryptoError,
  type Checkpoint,
} from '@yishi/crypto';
import type { LedgerEntry } from '@yishi/schema';
import type { DecisionErrorCode } from './error.js';
import { parsePolicy, PolicyError, requireQuorum, type Policy } from './policy.js';

/** The verdict on one decision. */
export type DecisionVerdict =
  | { ok: true; index: number; checkpoint: { origin: string; size: number; rootHash: string } }
  | { ok: false; code: DecisionErrorCode; message: string };

/**
 * Verifies that `entry` is in the log at the index the proof names, under a checkpoint signed by
 * `vkey`. Never throws for bad input: the verdict carries the failing check's code
 * (`ENTRY_INDEX_MISMATCH`, `TLOG_PROOF_*`, `NOTE_*`, `CHECKPOINT_*`, `INCLUSION_PROOF_INVALID`,
 * `KEY_*`, …). With `options.origin` (the origin `GET /ledger/info` reported when the ledger was
 * pinned), a key for another origin is refused with `ORIGIN_MISMATCH`.
 */
export function verifyDecision(
  tlogProof: string,
  entry: LedgerEntry,
  trust: string | { policy: Policy | string },
  options: { origin?: string } = {}
): DecisionVerdict {
  try {
    const policy =
      typeof trust === 'string'
        ? undefined
        : typeof trust.policy === 'string'
          ? parsePolicy(trust.policy)
          : trust.policy;
    const verifiers =
      policy === undefined
        ? [parseNoteVerifier((trust as string).trim())]
        : policy.logs.map((l) => l.verifier);
    const origin = parseTlogProof(tlogProof).checkpoint.split('\n', 1)[0] ?? '';
    const verifier = verifiers.find((v) => v.name === origin) ?? verifiers[0];
    if (verifier === undefined) throw new PolicyError('POLICY_MALFORMED', 'the policy has no log');
    if (options.origin !== undefined && options.origin !== verifier.name) {
      return {
        ok: false,
        code: 'ORIGIN_MISMATCH',
        message: `the log key is for origin ${verifier.name}, not ${options.origin}`,
      };
    }
    const result = verifyTlogProof(tlogProof, {
      leafHash: entryLeafHash(entry),
      verifiers: [verifier],
      origin: verifier.name,
    });
    // With a policy, the checkpoint must also carry a quorum of valid cosignatures.
    if (policy !== undefined) requireQuorum(parseTlogProof(tlogProof).checkpoint, policy);
    if (result.index !== entry.seq) {
      return {
        ok: false,
        code: 'ENTRY_INDEX_MISMATCH',
        message: `the proof is for entry ${result.index}, the entry is ${entry.seq}`,
      };
    }
    return { ok: true, index: result.index, checkpoint: describe(result.checkpoint) };
  } catch (err) {
    return {
      ok: false,
      code:
        err instanceof YishiCryptoError || err instanceof PolicyError
          ? err.code
          : 'ENTRY_MALFORMED',
      message: (err as Error).message,
    };
  }
}

const describe = (c: Checkpoint) => ({
  origin: c.origin,
  size: c.size,
  rootHash: bytesToHex(c.rootHash),
});
