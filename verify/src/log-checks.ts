/**
 * The checks that anchor a ledger to its log key, shared by every verifier (the reference
 * {@link LedgerVerifier} and the service's parallel file verifier): entry 0 is a genesis signed by
 * the log key it declares (and that key is the trusted one), and every checkpoint is signed by
 * the log key, names the log's origin, commits to the entries' root at its size and is consistent
 * with the previous one (RFC 9162 §2.1.4, C2SP tlog-checkpoint).
 *
 * Trust boundary: the genesis and the notes are attacker-controlled; only `trusted` (the key the
 * auditor supplies) is trusted. Both functions are pure and never throw for bad input: they
 * return the failure, worded once for every caller.
 */
import {
  base64Decode,
  bytesToHex,
  consistencyProof,
  equalBytes,
  formatPublicKey,
  openNote,
  parseCheckpoint,
  parseNoteVerifier,
  rootAt,
  verifyConsistency,
  type NoteVerifier,
  type SubtreeHashReader,
} from '@yishi/crypto';
import { GENESIS_COMMAND_TYPE } from '@yishi/schema';
import type { LedgerFailure } from './error.js';
import { verifyCheckpointPolicy, type Policy } from './policy.js';

/** What a genesis entry declares about its log. */
export interface GenesisFacts {
  origin: string;
  ledgerId: string;
  logPublicKey: string;
}

/** The log key an auditor trusts (its vkey, parsed). */
export interface TrustedLogKey {
  name: string;
  publicKey: Uint8Array;
}

/** The command of entry 0, as far as the genesis check reads it. */
export interface GenesisCommand {
  payload: Record<string, unknown>;
  publicKey: string;
}

/**
 * Checks entry 0's command: a genesis signed by the log key it declares, and that key is
 * `trusted`'s when one is given. The signature itself is checked with every other entry. A
 * well-formed genesis of another key than the trusted one fails with the facts it declares.
 */
export function checkGenesis(
  command: GenesisCommand,
  trusted?: TrustedLogKey
):
  | { ok: true; genesis: GenesisFacts }
  | { ok: false; failure: LedgerFailure; genesis?: GenesisFacts } {
  const p = command.payload;
  const fine =
    p['type'] === GENESIS_COMMAND_TYPE &&
    typeof p['origin'] === 'string' &&
    typeof p['ledgerId'] === 'string' &&
    typeof p['logPublicKey'] === 'string' &&
    p['logPublicKey'] === command.publicKey;
  if (!fine) {
    return {
      ok: false,
      failure: {
        check: 'GENESIS_INVALID',
        seq: 0,
        detail: 'entry 0 is not a genesis signed by the log key it declares',
      },
    };
  }
  const genesis: GenesisFacts = {
    origin: p['origin'] as string,
    ledgerId: p['ledgerId'] as string,
    logPublicKey: p['logPublicKey'] as string,
  };
  if (trusted && !equalBytes(trusted.publicKey, base64Decode(genesis.logPublicKey))) {
    return {
      ok: false,
      failure: {
        check: 'LOG_KEY_MISMATCH',
        seq: 0,
        detail: 'the ledger was started by another log key than the one you trust (--vkey)',
      },
      genesis,
    };
  }
  return { ok: true, genesis };
}

/** A tree over the ledger's leaf hashes: its size and every perfect subtree hash. */
export interface VerifiedTree extends SubtreeHashReader {
  readonly size: number;
}

/**
 * Checks every checkpoint note against the tree of the ledger's entries, under the trusted key
 * (else the key the genesis declares). With a witness `policy` (C2SP tlog-policy), the largest
 * checkpoint must also carry cosignatures meeting its quorum, and no checkpoint a cosignature of
 * a witness it names that does not verify. Returns the largest checkpoint, or the first failure.
 */
export function checkCheckpoints(
  notes: readonly string[],
  tree: VerifiedTree,
  key: {
    trusted?: TrustedLogKey | undefined;
    genesis?: GenesisFacts | undefined;
    policy?: Policy | undefined;
  }
):
  | { ok: true; latest: { size: number; rootHash: string } | undefined }
  | { ok: false; failure: LedgerFailure } {
  const { trusted, genesis, policy } = key;
  const fail = (failure: LedgerFailure) => ({ ok: false as const, failure });
  const verifier = logVerifier(trusted, genesis);
  const origin = trusted?.name ?? genesis?.origin;
  const parsed: { size: number; root: Uint8Array; unmet: string | undefined }[] = [];
  for (const note of notes) {
    let text: string;
    try {
      if (!verifier) throw new Error('no log key to check it against');
      text = openNote(note, [verifier]).text;
    } catch (err) {
      const code = (err as { code?: string }).code;
      const malformed = code === 'NOTE_MALFORMED' || code === 'NOTE_TOO_LARGE';
      // The size is unverified text here: it only tells the auditor which checkpoint failed.
      const claimed = /^[^\n]*\n(0|[1-9][0-9]{0,15})\n/.exec(note)?.[1];
      return fail({
        check: malformed ? 'CHECKPOINT_MALFORMED' : 'CHECKPOINT_SIGNATURE',
        ...(claimed === undefined ? {} : { checkpointSize: Number(claimed) }),
        detail: `a checkpoint does not verify: ${(err as Error).message}`,
      });
    }
    let body;
    try {
      body = parseCheckpoint(text);
    } catch (err) {
      return fail({
        check: 'CHECKPOINT_MALFORMED',
        detail: `a checkpoint body is malformed: ${(err as Error).message}`,
      });
    }
    if (body.origin !== origin) {
      return fail({
        check: 'CHECKPOINT_ORIGIN',
        checkpointSize: body.size,
        detail: `a checkpoint names origin ${body.origin}`,
      });
    }
    let unmet: string | undefined;
    if (policy) {
      const verdict = checkQuorum(note, policy);
      if (!verdict.ok) {
        return fail({
          check: 'CHECKPOINT_QUORUM',
          checkpointSize: body.size,
          detail: `the checkpoint at size ${body.size} ${verdict.why}`,
        });
      }
      unmet = verdict.unmet;
    }
    parsed.push({ size: body.size, root: body.rootHash, unmet });
  }
  parsed.sort((a, b) => a.size - b.size);
  let previous: (typeof parsed)[number] | undefined;
  for (const cp of parsed) {
    if (cp.size > tree.size) {
      return fail({
        check: 'CHECKPOINT_BEYOND_LEDGER',
        checkpointSize: cp.size,
        seq: tree.size,
        detail: `a checkpoint commits to ${cp.size} entries but the ledger holds ${tree.size}: its tail was dropped`,
      });
    }
    if (cp.size > 0 && !equalBytes(rootAt(tree, cp.size), cp.root)) {
      const from = previous?.size ?? 0;
      return fail({
        check: 'CHECKPOINT_ROOT_MISMATCH',
        checkpointSize: cp.size,
        seq: from,
        detail: `the entries do not hash to the root signed at size ${cp.size}: an entry in ${from}..${cp.size - 1} was changed`,
      });
    }
    if (previous && previous.size > 0 && previous.size <= cp.size) {
      try {
        const proof =
          previous.size === cp.size ? [] : consistencyProof(tree, previous.size, cp.size);
        verifyConsistency(previous.size, cp.size, proof, previous.root, cp.root);
      } catch (err) {
        return fail({
          check: 'CHECKPOINT_INCONSISTENT',
          checkpointSize: cp.size,
          detail: `checkpoints at sizes ${previous.size} and ${cp.size} are not consistent: ${(err as Error).message}`,
        });
      }
    }
    previous = cp;
  }
  // Every checkpoint was checked consistent with the largest: its quorum vouches for them all (the
  // log signed its first ones before any witness could cosign them, and a witness never cosigns a
  // size below the last it cosigned).
  const top = previous;
  const met = top !== undefined && parsed.some((p) => p.size === top.size && !p.unmet);
  if (policy && !met) {
    return fail({
      check: 'CHECKPOINT_QUORUM',
      ...(previous ? { checkpointSize: previous.size } : {}),
      detail: previous
        ? `the latest checkpoint, at size ${previous.size}, ${previous.unmet}`
        : "no checkpoint to carry the witnesses' quorum",
    });
  }
  return {
    ok: true,
    latest: previous && { size: previous.size, rootHash: bytesToHex(previous.root) },
  };
}

function logVerifier(
  trusted: TrustedLogKey | undefined,
  genesis: GenesisFacts | undefined
): NoteVerifier | undefined {
  if (trusted) return parseNoteVerifier(formatPublicKey(trusted.name, trusted.publicKey));
  if (!genesis) return undefined;
  return parseNoteVerifier(formatPublicKey(genesis.origin, base64Decode(genesis.logPublicKey)));
}

/**
 * `note` against `policy`: not ok when a cosignature of a witness the policy names does not
 * verify (or the note does not verify under the policy's log); `unmet` says why the quorum is
 * not met, if it is not.
 */
function checkQuorum(
  note: string,
  policy: Policy
): { ok: true; unmet: string | undefined } | { ok: false; why: string } {
  try {
    const verdict = verifyCheckpointPolicy(note, policy);
    if (verdict.quorum) return { ok: true, unmet: undefined };
    const names = verdict.cosigners.map((c) => c.name);
    const by = names.length === 0 ? 'no witness' : names.join(', ');
    return { ok: true, unmet: `lacks the quorum ${policy.quorum}: cosigned by ${by}` };
  } catch (err) {
    return { ok: false, why: `does not verify under the policy: ${(err as Error).message}` };
  }
}
