/**
 * C2SP tlog-witness v1.0.0 (https://c2sp.org/tlog-witness), `add-checkpoint`, as a pure module:
 * verify the log's signature, check the old size against the witness's last cosigned
 * checkpoint, check consistency (RFC 6962 §2.1.2), compare-and-swap the record and cosign
 * (C2SP tlog-cosignature v1). Storage is an interface, so the same logic runs on the service's
 * SQLite witness and in a member's client.
 *
 * Request body (attacker-controlled; parsed defensively):
 *
 *   old <size>\n  <base64 hash>\n × 0..63  \n  <signed checkpoint note>
 *
 * Answers: 200 cosignature line(s); 400 malformed or old > size; 403 not signed by a trusted
 * key of the origin (or a trusted key's signature fails); 404 unknown origin; 409 `old` is not
 * the last cosigned size (body `<size>\n`, `Content-Type: text/x.tlog.size`); 422 a bad proof,
 * a non-empty proof from 0, a size-0 tree with another root, or the same size with another root.
 */
import {
  EMPTY_ROOT,
  NoteError,
  base64Decode,
  base64Encode,
  bytesToHex,
  concatBytes,
  equalBytes,
  openNote,
  parseCheckpoint,
  sha256,
  utf8Encode,
  verifyConsistency,
  type Checkpoint,
  type NoteSigner,
  type NoteVerifier,
} from '@yishi/crypto';
import { cosignatureLine } from './cosignature.js';

/** The witness's record of a log: its latest cosigned checkpoint. */
export type WitnessRecord = {
  size: number;
  rootHash: Uint8Array;
  /** The checkpoint with the log's verified signatures and this witness's cosignature. */
  note: string;
};

/**
 * Where a witness keeps its records. Contract: `compareAndSwap` is atomic and durable — it
 * stores `next` only if the current record's (size, root) still equals `expected` (undefined:
 * no record yet), and has persisted it before it returns true. Concurrent callers may
 * interleave between `get` and `compareAndSwap`; the swap is what decides.
 */
export interface WitnessStore {
  get(origin: string): WitnessRecord | undefined | Promise<WitnessRecord | undefined>;
  compareAndSwap(
    origin: string,
    expected: { size: number; rootHash: Uint8Array } | undefined,
    next: WitnessRecord
  ): boolean | Promise<boolean>;
}

/** A witness's answer, to be written as an HTTP response. */
export type WitnessResponse = {
  status: 200 | 400 | 403 | 404 | 409 | 422;
  contentType: string;
  body: string;
  /** Why, for a refusal (stable; tests assert it). */
  code?: WitnessErrorCode;
};

/** Why a witness refused a checkpoint. */
export const WITNESS_ERROR_CODES = [
  'WITNESS_BAD_REQUEST',
  'WITNESS_UNKNOWN_ORIGIN',
  'WITNESS_BAD_SIGNATURE',
  'WITNESS_OLD_SIZE_TOO_LARGE',
  'WITNESS_OLD_SIZE_CONFLICT',
  'WITNESS_BAD_PROOF',
  'WITNESS_ROOT_MISMATCH',
] as const;
export type WitnessErrorCode = (typeof WITNESS_ERROR_CODES)[number];

/** What a witness needs. */
export type WitnessOptions = {
  /** The witness's cosigner (see createCosigner). */
  cosigner: NoteSigner;
  /** The trusted log keys; each key's name is the origin of the log it signs for. */
  logs: NoteVerifier[];
  store: WitnessStore;
  /** Test hook: awaited between the checks and the compare-and-swap. */
  beforeSwap?: (origin: string) => void | Promise<void>;
};

/** Content type of a 409 body. */
export const TLOG_SIZE_CONTENT_TYPE = 'text/x.tlog.size';
/** Most consistency proof lines a request may carry (tlog-witness: the client MUST NOT send more than 63). */
export const WITNESS_MAX_PROOF_LINES = 63;

const DECIMAL = /^(0|[1-9][0-9]{0,15})$/;
const TEXT = 'text/plain; charset=utf-8';

const refuse = (
  status: WitnessResponse['status'],
  code: WitnessErrorCode,
  message: string
): WitnessResponse => ({ status, code, contentType: TEXT, body: `${message}\n` });

type ParsedRequest = { old: number; proof: Uint8Array[]; note: string };

/** Parses an add-checkpoint body; undefined if it is malformed. */
export function parseAddCheckpoint(body: string): ParsedRequest | undefined {
  if (typeof body !== 'string') return undefined;
  const blank = body.indexOf('\n\n');
  if (blank < 0) return undefined;
  const head = body.slice(0, blank).split('\n');
  const note = body.slice(blank + 2);
  const oldLine = head.shift() ?? '';
  if (!oldLine.startsWith('old ')) return undefined;
  const oldText = oldLine.slice(4);
  if (!DECIMAL.test(oldText) || !Number.isSafeInteger(Number(oldText))) return undefined;
  if (head.length > WITNESS_MAX_PROOF_LINES) return undefined;
  const proof: Uint8Array[] = [];
  for (const line of head) {
    let hash: Uint8Array;
    try {
      hash = base64Decode(line);
    } catch {
      return undefined;
    }
    if (hash.length !== 32) return undefined;
    proof.push(hash);
  }
  return { old: Number(oldText), proof, note };
}

/** The body of an add-checkpoint request. */
export function formatAddCheckpoint(old: number, proof: Uint8Array[], note: string): string {
  return `old ${old}\n${proof.map((h) => `${base64Encode(h)}\n`).join('')}\n${note}`;
}

/** Lowercase hex SHA-256 of an origin: the monitoring path segment. */
export function originHash(origin: string): string {
  return bytesToHex(sha256(utf8Encode(origin)));
}

/** A witness: `addCheckpoint` answers a request body; `checkpoint` serves the monitoring GET. */
export interface Witness {
  readonly name: string;
  addCheckpoint(body: string): Promise<WitnessResponse>;
  /** The latest cosigned checkpoint of the log whose origin hashes to `hash`, if any. */
  checkpoint(hash: string): Promise<string | undefined>;
}

/** Builds a witness. @throws TypeError if the options are incomplete. */
export function createWitness(options: WitnessOptions): Witness {
  const { cosigner, logs, store, beforeSwap } = options;
  if (!cosigner || !Array.isArray(logs) || !store) throw new TypeError('"options" incomplete');
  const origins = new Set(logs.map((l) => l.name));
  const byHash = new Map([...origins].map((o) => [originHash(o), o]));

  async function attempt(request: ParsedRequest): Promise<WitnessResponse | 'retry'> {
    const split = request.note.lastIndexOf('\n\n');
    let checkpoint: Checkpoint;
    try {
      checkpoint = parseCheckpoint(split < 0 ? '' : request.note.slice(0, split + 1));
    } catch {
      return refuse(400, 'WITNESS_BAD_REQUEST', 'malformed checkpoint');
    }
    if (!origins.has(checkpoint.origin)) {
      return refuse(404, 'WITNESS_UNKNOWN_ORIGIN', 'unknown log origin');
    }
    const trusted = logs.filter((l) => l.name === checkpoint.origin);
    let verified: { name: string; keyId: Uint8Array }[];
    let signatures: { name: string; keyId: Uint8Array; signature: Uint8Array }[];
    let text: string;
    try {
      ({ verified, signatures, text } = openNote(request.note, trusted));
    } catch (err) {
      if (
        err instanceof NoteError &&
        err.code !== 'NOTE_MALFORMED' &&
        err.code !== 'NOTE_TOO_MANY_SIGNATURES' &&
        err.code !== 'NOTE_TOO_LARGE'
      ) {
        return refuse(403, 'WITNESS_BAD_SIGNATURE', 'not signed by a trusted log key');
      }
      return refuse(400, 'WITNESS_BAD_REQUEST', 'malformed note');
    }
    const { old, proof } = request;
    if (old > checkpoint.size) {
      return refuse(400, 'WITNESS_OLD_SIZE_TOO_LARGE', 'old size exceeds the checkpoint size');
    }
    const current = await store.get(checkpoint.origin);
    const lastSize = current?.size ?? 0;
    if (old !== lastSize) {
      return {
        status: 409,
        code: 'WITNESS_OLD_SIZE_CONFLICT',
        contentType: TLOG_SIZE_CONTENT_TYPE,
        body: `${lastSize}\n`,
      };
    }
    if (checkpoint.size === 0 && !equalBytes(checkpoint.rootHash, EMPTY_ROOT)) {
      return refuse(422, 'WITNESS_BAD_PROOF', 'a tree of size 0 has the empty root');
    }
    if (old === 0) {
      if (proof.length !== 0) return refuse(422, 'WITNESS_BAD_PROOF', 'proof from size 0');
    } else if (old === checkpoint.size) {
      if (!equalBytes(current!.rootHash, checkpoint.rootHash)) {
        return refuse(422, 'WITNESS_ROOT_MISMATCH', 'same size, another root');
      }
      if (proof.length !== 0) return refuse(422, 'WITNESS_BAD_PROOF', 'proof for equal sizes');
    } else {
      try {
        verifyConsistency(old, checkpoint.size, proof, current!.rootHash, checkpoint.rootHash);
      } catch {
        return refuse(422, 'WITNESS_BAD_PROOF', 'consistency proof does not verify');
      }
    }
    const cosignature = cosignatureLine(cosigner, text);
    const logLines = signatures
      .filter((s) => verified.some((v) => v.name === s.name && equalBytes(v.keyId, s.keyId)))
      .map((s) => `\u2014 ${s.name} ${base64Encode(concatBytes(s.keyId, s.signature))}\n`)
      .join('');
    await beforeSwap?.(checkpoint.origin);
    const swapped = await store.compareAndSwap(
      checkpoint.origin,
      current === undefined ? undefined : { size: current.size, rootHash: current.rootHash },
      {
        size: checkpoint.size,
        rootHash: checkpoint.rootHash,
        note: `${text}\n${logLines}${cosignature}`,
      }
    );
    if (!swapped) return 'retry';
    return { status: 200, contentType: TEXT, body: cosignature };
  }

  return {
    name: cosigner.name,
    async addCheckpoint(body: string): Promise<WitnessResponse> {
      const request = parseAddCheckpoint(body);
      if (request === undefined) return refuse(400, 'WITNESS_BAD_REQUEST', 'malformed request');
      // A lost compare-and-swap means another request moved the record: check again against it.
      for (;;) {
        const answer = await attempt(request);
        if (answer !== 'retry') return answer;
      }
    },
    async checkpoint(hash: string): Promise<string | undefined> {
      const origin = byHash.get(hash);
      if (origin === undefined) return undefined;
      return (await store.get(origin))?.note;
    },
  };
}

/** A WitnessStore in memory (a member's client, tests). */
export function memoryWitnessStore(): WitnessStore {
  const records = new Map<string, WitnessRecord>();
  return {
    get: (origin) => records.get(origin),
    compareAndSwap(origin, expected, next) {
      const current = records.get(origin);
      const same =
        current === undefined
          ? expected === undefined
          : expected !== undefined &&
            current.size === expected.size &&
            equalBytes(current.rootHash, expected.rootHash);
      if (!same) return false;
      records.set(origin, { ...next, rootHash: next.rootHash.slice() });
      return true;
    },
  };
}
