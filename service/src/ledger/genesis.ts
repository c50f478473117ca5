import {
  base64Decode,
  base64Encode,
  getPublicKey,
  isAcceptablePublicKey,
  sign,
  signingMessage,
} from '@yishi/crypto';
import {
  GENESIS_COMMAND_TYPE,
  PROTOCOL_VERSION,
  SIGNING_CONTEXTS,
  type SignedCommand,
} from '@yishi/schema';
import { LedgerError } from './error.js';
import type { AppendedEntry, LedgerStore } from './ledger-store.js';

export interface GenesisOptions {
  /** The ledger's id (1–128 characters). */
  ledgerId: string;
  /** Checkpoint origin (1–256 characters, one line). */
  origin: string;
  /** The log's 32-byte Ed25519 secret key: it signs the genesis and, as a note key, checkpoints. */
  logSecretKey: Uint8Array;
  /** The first admin (the higher-level organisation), registered by the genesis. */
  admin: { principalId: string; name: string; publicKey: string };
  /** Client time of the command, ms since the epoch. */
  ts: number;
  /** 16 random bytes, lowercase hex. */
  nonce: string;
}

export interface InitLedgerOptions extends GenesisOptions {
  /** Receive time of entry 0; defaults to `ts`. */
  time?: number;
  /** What the service derived from the genesis; defaults to null. */
  derived?: unknown;
}

const PRINCIPAL_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const NONCE = /^[0-9a-f]{32}$/;
const MAX_TS = 8_640_000_000_000_000;

function invalid(message: string): LedgerError {
  return new LedgerError('INVALID_ARGUMENT', message);
}

function isText(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= max;
}

function checkOptions(opts: GenesisOptions): void {
  if (typeof opts !== 'object' || opts === null) throw invalid('"opts" expected an object');
  if (!isText(opts.ledgerId, 128)) throw invalid('"ledgerId" expected 1-128 characters');
  // eslint-disable-next-line no-control-regex
  if (!isText(opts.origin, 256) || /[\u0000-\u001f\u007f]/.test(opts.origin)) {
    throw invalid('"origin" expected 1-256 characters on one line');
  }
  if (!(opts.logSecretKey instanceof Uint8Array) || opts.logSecretKey.length !== 32) {
    throw invalid('"logSecretKey" expected Uint8Array of length 32');
  }
  if (!Number.isSafeInteger(opts.ts) || opts.ts < 0 || opts.ts > MAX_TS) {
    throw invalid('"ts" expected ms since the epoch');
  }
  if (typeof opts.nonce !== 'string' || !NONCE.test(opts.nonce)) {
    throw invalid('"nonce" expected 32 lowercase hex characters');
  }
  const admin = opts.admin as Partial<GenesisOptions['admin']> | undefined;
  if (typeof admin !== 'object' || admin === null) throw invalid('"admin" expected an object');
  if (typeof admin.principalId !== 'string' || !PRINCIPAL_ID.test(admin.principalId)) {
    throw invalid('"admin.principalId" expected a principal id');
  }
  if (!isText(admin.name, 100)) throw invalid('"admin.name" expected 1-100 characters');
  let adminKey: Uint8Array;
  try {
    adminKey = base64Decode(admin.publicKey as string);
  } catch {
    throw invalid('"admin.publicKey" expected standard base64');
  }
  if (!isAcceptablePublicKey(adminKey)) {
    throw invalid('"admin.publicKey" is not an acceptable Ed25519 public key');
  }
}

/**
 * The genesis command (entry 0): `{ type: 'ledger.genesis', ts, nonce, ledger, ledgerId,
 * protocol: 2, origin, logPublicKey, admin }`, signed by the log key in the `yishi/command/v2`
 * context. `ledger` and `ledgerId` are the same id: the ledger is named by its genesis, and every
 * later command names it in `ledger` (protocol v2). Pure apart from the arguments.
 */
export function createGenesisCommand(opts: GenesisOptions): SignedCommand {
  checkOptions(opts);
  const logPublicKey = base64Encode(getPublicKey(opts.logSecretKey));
  const payload = {
    type: GENESIS_COMMAND_TYPE,
    ts: opts.ts,
    nonce: opts.nonce,
    ledger: opts.ledgerId,
    ledgerId: opts.ledgerId,
    protocol: PROTOCOL_VERSION,
    origin: opts.origin,
    logPublicKey,
    admin: {
      principalId: opts.admin.principalId,
      name: opts.admin.name,
      publicKey: opts.admin.publicKey,
    },
  };
  const signature = sign(signingMessage(SIGNING_CONTEXTS.command, payload), opts.logSecretKey);
  return { payload, publicKey: logPublicKey, signature: base64Encode(signature) };
}

/**
 * Starts a ledger: records `ledger_id` and `origin` in meta and appends the genesis as entry 0.
 * Refuses a ledger that already has entries. The meta values are set first; if the process dies
 * before the append, calling initLedger again finishes the job (meta may change while empty).
 */
export function initLedger(store: LedgerStore, opts: InitLedgerOptions): AppendedEntry {
  if (store.size > 0) throw new LedgerError('LEDGER_NOT_EMPTY', 'the ledger already has entries');
  const command = createGenesisCommand(opts);
  store.setMeta('ledger_id', opts.ledgerId);
  store.setMeta('origin', opts.origin);
  const [result] = store.appendBatch([
    { command, derived: opts.derived ?? null, time: opts.time ?? opts.ts },
  ]);
  if (result === undefined || !result.ok) {
    throw new LedgerError(result?.code ?? 'ENTRY_INVALID', 'the genesis could not be appended');
  }
  return { entry: result.entry, leafHash: result.leafHash };
}
