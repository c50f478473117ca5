/**
 * C2SP tlog-policy (https://c2sp.org/tlog-policy): which logs and witnesses a verifier trusts
 * and the quorum of cosignatures a checkpoint needs.
 *
 *   log <vkey> [url]
 *   witness <name> <vkey> [url]
 *   group <name> all|any|<k> <member>...
 *   quorum <name>|none
 *
 * A policy file is handed over by whoever configures a verifier: {@link parsePolicy} refuses
 * anything off the grammar with a coded {@link PolicyError} (line number in the message).
 * {@link verifyCheckpointPolicy} opens a signed checkpoint with the policy's log keys and
 * witness keys in one `openNote` call (unknown signature lines are ignored, a known key's bad
 * signature rejects the note, per C2SP signed-note) and evaluates the quorum.
 */
import {
  NoteError,
  openNote,
  parseCheckpoint,
  parseNoteVerifier,
  type Checkpoint,
  type NoteVerifier,
} from '@yishi/crypto';
import {
  cosignatureTimestamp,
  parseCosignerVkey,
  type CosignatureVerifier,
} from './cosignature.js';

/** Codes of {@link PolicyError}. */
export const POLICY_ERROR_CODES = [
  /** A line off the grammar, a bad vkey, an undefined or repeated name, a bad threshold. */
  'POLICY_MALFORMED',
  /** No `quorum` line, or more than one. */
  'POLICY_QUORUM_MISSING',
  /** A checkpoint whose verified cosignatures do not satisfy the quorum. */
  'POLICY_QUORUM_UNMET',
] as const;
export type PolicyErrorCode = (typeof POLICY_ERROR_CODES)[number];

/** A policy that cannot be read, or a checkpoint that does not satisfy one. */
export class PolicyError extends Error {
  constructor(
    readonly code: PolicyErrorCode,
    message: string
  ) {
    super(message);
    this.name = 'PolicyError';
  }
}

/** A log the policy trusts. */
export type PolicyLog = { vkey: string; verifier: NoteVerifier; url?: string };
/** A witness the policy names. */
export type PolicyWitness = {
  name: string;
  vkey: string;
  verifier: CosignatureVerifier;
  url?: string;
};
/** A group: satisfied when at least `threshold` of `members` are. */
export type PolicyGroup = { name: string; threshold: number; members: string[] };

/** A parsed policy. `quorum` is a witness or group name, or `none`. */
export type Policy = {
  logs: PolicyLog[];
  witnesses: PolicyWitness[];
  groups: PolicyGroup[];
  quorum: string;
};

/** The spec's recommended minimum limits, which we also take as maxima. */
const MAX_ENTRIES = 32;
const MAX_POLICY_BYTES = 64 * 1024;
const WS = /[ \t]+/;

const fail = (line: number, message: string): never => {
  throw new PolicyError('POLICY_MALFORMED', `line ${line}: ${message}`);
};

/**
 * Parses a policy file.
 * @throws PolicyError `POLICY_MALFORMED`, `POLICY_QUORUM_MISSING`.
 */
export function parsePolicy(text: string): Policy {
  if (typeof text !== 'string') throw new TypeError('"text" expected string');
  if (text.length > MAX_POLICY_BYTES) fail(0, 'policy too large');
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0b-\x1f\x7f]/.test(text)) fail(0, 'control character other than tab/newline');
  const logs: PolicyLog[] = [];
  const witnesses: PolicyWitness[] = [];
  const groups: PolicyGroup[] = [];
  const names = new Set<string>();
  const keys = new Set<string>();
  let quorum: string | undefined;
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const n = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const [keyword, ...args] = trimmed.split(WS) as [string, ...string[]];
    const keyOf = (pk: Uint8Array) => Array.from(pk).join(',');
    switch (keyword) {
      case 'log': {
        if (args.length < 1 || args.length > 2) fail(n, 'log <vkey> [url]');
        let verifier: NoteVerifier & { publicKey: Uint8Array };
        try {
          verifier = parseNoteVerifier(args[0]!);
        } catch {
          return fail(n, 'invalid log vkey');
        }
        if (keys.has(keyOf(verifier.publicKey))) fail(n, 'duplicate key');
        keys.add(keyOf(verifier.publicKey));
        if (logs.length >= MAX_ENTRIES) fail(n, 'too many logs');
        logs.push({ vkey: args[0]!, verifier, ...(args[1] ? { url: args[1] } : {}) });
        return;
      }
      case 'witness': {
        if (args.length < 2 || args.length > 3) fail(n, 'witness <name> <vkey> [url]');
        const name = args[0]!;
        if (name === 'none' || names.has(name)) fail(n, `name ${name} already defined`);
        let verifier: CosignatureVerifier;
        try {
          verifier = parseCosignerVkey(args[1]!);
        } catch {
          return fail(n, 'invalid witness vkey');
        }
        if (keys.has(keyOf(verifier.publicKey))) fail(n, 'duplicate key');
        keys.add(keyOf(verifier.publicKey));
        if (witnesses.length >= MAX_ENTRIES) fail(n, 'too many witnesses');
        names.add(name);
        witnesses.push({ name, vkey: args[1]!, verifier, ...(args[2] ? { url: args[2] } : {}) });
        return;
      }
      case 'group': {
        if (args.length < 3) fail(n, 'group <name> all|any|<k> <member>...');
        const [name, k, ...members] = args as [string, string, ...string[]];
        if (name === 'none' || names.has(name)) fail(n, `name ${name} already defined`);
        const seen = new Set<string>();
        for (const m of members) {
          if (!names.has(m)) fail(n, `member ${m} not defined on a preceding line`);
          if (seen.has(m)) fail(n, `member ${m} listed twice`);
          seen.add(m);
        }
        let threshold: number;
        if (k === 'all') threshold = members.length;
        else if (k === 'any') threshold = 1;
        else if (/^[1-9][0-9]{0,5}$/.test(k)) threshold = Number(k);
        else return fail(n, 'threshold must be all, any or a decimal k');
        if (threshold < 1 || threshold > members.length) fail(n, 'need 1 <= k <= members');
        if (groups.length >= MAX_ENTRIES) fail(n, 'too many groups');
        names.add(name);
        groups.push({ name, threshold, members });
        return;
      }
      case 'quorum': {
        if (args.length !== 1) fail(n, 'quorum <name>|none');
        if (quorum !== undefined) {
          throw new PolicyError('POLICY_QUORUM_MISSING', `line ${n}: a second quorum line`);
        }
        if (args[0] !== 'none' && !names.has(args[0]!)) fail(n, `quorum ${args[0]} not defined`);
        quorum = args[0]!;
        return;
      }
      default:
        fail(n, `unknown keyword ${keyword}`);
    }
  });
  if (quorum === undefined) throw new PolicyError('POLICY_QUORUM_MISSING', 'no quorum line');
  return { logs, witnesses, groups, quorum };
}

/** True if the witnesses in `cosigned` (by policy name) satisfy the policy's quorum. */
export function quorumSatisfied(policy: Policy, cosigned: ReadonlySet<string>): boolean {
  const memo = new Map<string, boolean>();
  const holds = (name: string): boolean => {
    const cached = memo.get(name);
    if (cached !== undefined) return cached;
    const group = policy.groups.find((g) => g.name === name);
    const value =
      group === undefined
        ? cosigned.has(name)
        : group.members.filter(holds).length >= group.threshold;
    memo.set(name, value);
    return value;
  };
  return policy.quorum === 'none' || holds(policy.quorum);
}

/** A checkpoint checked against a policy. */
export type PolicyVerdict = {
  checkpoint: Checkpoint;
  /** Policy names of the witnesses whose cosignatures verified, with their timestamps. */
  cosigners: { name: string; timestamp: number }[];
  /** True if the cosigners satisfy the quorum. */
  quorum: boolean;
};

/**
 * Opens a signed checkpoint against a policy: it must verify under one of the policy's logs
 * (whose key name is the origin) and every known signature must verify. Does not throw when the
 * quorum is unmet: see `quorum` (or use {@link requireQuorum}).
 * @throws NoteError / CheckpointError as openNote and parseCheckpoint do (`NOTE_UNVERIFIED` if
 *   no log of the policy signed it).
 */
export function verifyCheckpointPolicy(note: string, policy: Policy): PolicyVerdict {
  const logVerifiers = policy.logs.map((l) => l.verifier);
  const verifiers: NoteVerifier[] = [...logVerifiers, ...policy.witnesses.map((w) => w.verifier)];
  const opened = openNote(note, verifiers);
  const id = (v: { name: string; keyId: Uint8Array }) =>
    `${v.name} ${Array.from(v.keyId).join(',')}`;
  const verifiedIds = new Set(opened.verified.map(id));
  const checkpoint = parseCheckpoint(opened.text);
  const byLog = policy.logs.find(
    (l) => verifiedIds.has(id(l.verifier)) && l.verifier.name === checkpoint.origin
  );
  if (byLog === undefined) {
    throw new NoteError('NOTE_UNVERIFIED', 'no log of the policy signed this checkpoint');
  }
  const cosigners: { name: string; timestamp: number }[] = [];
  for (const w of policy.witnesses) {
    if (!verifiedIds.has(id(w.verifier))) continue;
    const line = opened.signatures.find((s) => id(s) === id(w.verifier));
    cosigners.push({ name: w.name, timestamp: cosignatureTimestamp(line!.signature) ?? 0 });
  }
  const quorum = quorumSatisfied(policy, new Set(cosigners.map((c) => c.name)));
  return { checkpoint, cosigners, quorum };
}

/**
 * As {@link verifyCheckpointPolicy}, and throws PolicyError `POLICY_QUORUM_UNMET` when the
 * quorum is not satisfied.
 */
export function requireQuorum(note: string, policy: Policy): PolicyVerdict {
  const verdict = verifyCheckpointPolicy(note, policy);
  if (!verdict.quorum) {
    throw new PolicyError('POLICY_QUORUM_UNMET', "the checkpoint lacks its witnesses' quorum");
  }
  return verdict;
}
