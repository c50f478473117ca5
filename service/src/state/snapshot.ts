// State snapshots: the engine's state and the in-memory read models after entries 0..N-1,
// stored in service.db so a start replays only entries N.. instead of the whole ledger.
//
// Trust boundary: service.db is a file anyone with write access to the data folder can edit, so
// a snapshot is never taken on its word. It is used only if its HMAC-SHA-256 verifies under the
// snapshot key (derived from the log's secret key, which never enters service.db: see
// docs/decisions/0018-authenticated-service-db.md), its format and engine fingerprint are this
// code's, it names this ledger (id and origin), the ledger's stored leaf hash at N-1 is the one it
// was taken after, and it decodes to a state at seq N-1. Anything else is a reason to replay the
// whole ledger, never an error.
import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import type { State } from '@yishi/procedure';
import type { LedgerStore } from '../ledger/index.js';
import type { ServiceDatabase } from '../storage/service-db.js';
import { LedgerState } from './ledger-state.js';
import type { MeetingRecords } from './meeting-records.js';
import { Projections, type ProjectionMaps } from './projections.js';

/**
 * The snapshot layout (v8 serialisation of {@link SnapshotBody}) and the projections' meaning:
 * bump it whenever either changes.
 */
export const SNAPSHOT_FORMAT = 2;

/** Why a snapshot was not used. */
export type SnapshotRejection =
  | 'NO_SNAPSHOT'
  | 'FORMAT_MISMATCH'
  | 'ENGINE_MISMATCH'
  | 'LEDGER_MISMATCH'
  | 'BEYOND_LEDGER'
  | 'LEAF_HASH_MISMATCH'
  /** The MAC (the `digest` column) does not verify under this service's snapshot key. */
  | 'DIGEST_MISMATCH'
  /** The service holds no snapshot key (no log secret key given): snapshots are not used. */
  | 'NO_KEY'
  | 'UNDECODABLE'
  | 'RECORDS_MISSING';

interface SnapshotBody {
  state: State;
  projections: ProjectionMaps;
}

interface SnapshotRow {
  format: number;
  engine: string;
  ledger_id: string;
  origin: string;
  size: number;
  leaf_hash: Buffer;
  digest: Buffer;
  body: Buffer;
}

let fingerprint: string | undefined;

/**
 * The identity of the code a snapshot's contents were computed with: SHA-256 over
 * @yishi/procedure's version and every one of its built modules (the rules, the default rulebook
 * included), and over this folder's built modules (the read models). A snapshot from other rules
 * or other read models is never used.
 */
export function engineFingerprint(): string {
  if (fingerprint !== undefined) return fingerprint;
  const require = createRequire(import.meta.url);
  const procedure = dirname(require.resolve('@yishi/procedure'));
  const pkg = JSON.parse(readFileSync(join(procedure, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  const h = createHash('sha256').update(`@yishi/procedure@${pkg.version}\n`);
  const hashFolder = (label: string, dir: string) => {
    const files = (readdirSync(dir, { recursive: true }) as string[])
      .filter((f) => f.endsWith('.js'))
      .sort();
    for (const f of files) h.update(`${label}/${f}\n`).update(readFileSync(join(dir, f)));
  };
  hashFolder('procedure', procedure);
  hashFolder('state', dirname(fileURLToPath(import.meta.url)));
  fingerprint = h.digest('hex');
  return fingerprint;
}

/** HKDF `info` of the snapshot key: a key for this one purpose, never the log key itself. */
export const SNAPSHOT_KEY_INFO = 'yishi/snapshot/v1';

/**
 * The key snapshots are authenticated with: HKDF-SHA-256 (RFC 5869) of the log's 32-byte secret
 * key, no salt, info {@link SNAPSHOT_KEY_INFO}, 32 bytes.
 */
export function snapshotKey(logSecretKey: Uint8Array): Uint8Array {
  if (!(logSecretKey instanceof Uint8Array) || logSecretKey.length !== 32) {
    throw new TypeError(
      `"logSecretKey" expected Uint8Array of length 32, got length=${String(
        (logSecretKey as Uint8Array | undefined)?.length
      )}`
    );
  }
  return new Uint8Array(hkdfSync('sha256', logSecretKey, new Uint8Array(0), SNAPSHOT_KEY_INFO, 32));
}

/** The row fields a snapshot's MAC covers besides its body. */
export interface MacFields {
  format: number;
  engine: string;
  ledgerId: string;
  origin: string;
  size: number;
  leafHash: Uint8Array;
}

/** HMAC-SHA-256 over every field of the row and the body, unambiguously framed. */
export function snapshotMac(key: Uint8Array, f: MacFields, body: Uint8Array): Buffer {
  const head = JSON.stringify([
    SNAPSHOT_KEY_INFO,
    f.format,
    f.engine,
    f.ledgerId,
    f.origin,
    f.size,
    Buffer.from(f.leafHash).toString('hex'),
    body.length,
  ]);
  return createHmac('sha256', key).update(`${head}\n`).update(body).digest();
}

/** What {@link saveSnapshot} wrote. */
export interface SavedSnapshot {
  size: number;
  bytes: number;
  ms: number;
}

/**
 * Writes the snapshot of `ledger`, which must be the state after exactly the store's entries
 * (`state.seq === store.size - 1`), read models included, replacing the previous one. Pending
 * records are written in the same transaction first, so a snapshot never covers a close whose
 * record row is missing.
 * @throws Error if the state is not at the store's last entry.
 */
export function saveSnapshot(
  db: ServiceDatabase,
  store: LedgerStore,
  ledger: LedgerState,
  key: Uint8Array,
  clock: () => number = Date.now
): SavedSnapshot {
  const t0 = performance.now();
  const size = ledger.state.seq + 1;
  if (size !== store.size || size < 1 || ledger.settledSeq !== ledger.state.seq) {
    throw new Error(
      `a snapshot needs the state at the last entry (state ${size}, read models ` +
        `${ledger.settledSeq + 1}, ledger ${store.size})`
    );
  }
  const p = ledger.projections;
  const body: SnapshotBody = {
    state: ledger.state,
    projections: {
      closed: p.closed,
      cancelled: p.cancelled,
      reports: p.reports,
      interference: p.interference,
      objections: p.objections,
    },
  };
  const bytes = serialize(body);
  const leaf = store.leafHash(size - 1);
  const fields: MacFields = {
    format: SNAPSHOT_FORMAT,
    engine: engineFingerprint(),
    ledgerId: store.getMeta('ledger_id') ?? '',
    origin: store.getMeta('origin') ?? '',
    size,
    leafHash: leaf,
  };
  db.transaction(() => {
    p.flushThrough(size - 1);
    db.prepare(
      `INSERT INTO state_snapshot
         (id, format, engine, ledger_id, origin, size, leaf_hash, digest, body, created_at)
       VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET format = excluded.format, engine = excluded.engine,
         ledger_id = excluded.ledger_id, origin = excluded.origin, size = excluded.size,
         leaf_hash = excluded.leaf_hash, digest = excluded.digest, body = excluded.body,
         created_at = excluded.created_at`
    ).run(
      fields.format,
      fields.engine,
      fields.ledgerId,
      fields.origin,
      size,
      Buffer.from(leaf),
      snapshotMac(key, fields, bytes),
      bytes,
      clock()
    );
  })();
  return { size, bytes: bytes.length, ms: performance.now() - t0 };
}

/** Deletes the stored snapshot (one that can never be used). */
export function dropSnapshot(db: ServiceDatabase): void {
  db.prepare('DELETE FROM state_snapshot').run();
}

/** The size the stored snapshot covers, or 0 if there is none. */
export function snapshotSize(db: ServiceDatabase): number {
  const r = db.prepare('SELECT size FROM state_snapshot WHERE id = 1').get() as
    { size: number } | undefined;
  return r?.size ?? 0;
}

/** A restored snapshot, or why none could be used. */
export type Restored =
  | { ok: true; ledger: LedgerState; size: number }
  | { ok: false; reason: SnapshotRejection; detail?: Record<string, unknown> };

const isMap = (v: unknown): v is Map<unknown, unknown> => v instanceof Map;

/**
 * The snapshot in `db` if it matches `store` (see the file's header), as a state and read models
 * backed by `records`. Never throws for a bad snapshot: it says why it was not used.
 */
export function restoreSnapshot(
  db: ServiceDatabase,
  store: LedgerStore,
  records: MeetingRecords,
  key: Uint8Array | undefined
): Restored {
  const row = db
    .prepare(
      `SELECT format, engine, ledger_id, origin, size, leaf_hash, digest, body
       FROM state_snapshot WHERE id = 1`
    )
    .get() as SnapshotRow | undefined;
  if (!row) return { ok: false, reason: 'NO_SNAPSHOT' };
  if (!key) return { ok: false, reason: 'NO_KEY' };
  if (row.format !== SNAPSHOT_FORMAT) {
    return { ok: false, reason: 'FORMAT_MISMATCH', detail: { format: row.format } };
  }
  if (row.engine !== engineFingerprint()) return { ok: false, reason: 'ENGINE_MISMATCH' };
  if (
    row.ledger_id !== (store.getMeta('ledger_id') ?? '') ||
    row.origin !== (store.getMeta('origin') ?? '')
  ) {
    return { ok: false, reason: 'LEDGER_MISMATCH', detail: { ledgerId: row.ledger_id } };
  }
  const size = row.size;
  if (!Number.isSafeInteger(size) || size < 1 || size > store.size) {
    return { ok: false, reason: 'BEYOND_LEDGER', detail: { size, ledgerSize: store.size } };
  }
  if (!Buffer.from(store.leafHash(size - 1)).equals(row.leaf_hash)) {
    return { ok: false, reason: 'LEAF_HASH_MISMATCH', detail: { size } };
  }
  // The fields above were compared with this code and this ledger; the body is believed only
  // under the MAC, which covers every field too.
  const mac = snapshotMac(
    key,
    {
      format: row.format,
      engine: row.engine,
      ledgerId: row.ledger_id,
      origin: row.origin,
      size: row.size,
      leafHash: row.leaf_hash,
    },
    row.body
  );
  if (
    !Buffer.isBuffer(row.digest) ||
    row.digest.length !== mac.length ||
    !timingSafeEqual(mac, row.digest)
  ) {
    return { ok: false, reason: 'DIGEST_MISMATCH' };
  }
  let body: SnapshotBody;
  try {
    body = deserialize(row.body) as SnapshotBody;
  } catch (err) {
    return { ok: false, reason: 'UNDECODABLE', detail: { error: (err as Error).message } };
  }
  const pm = (body as Partial<SnapshotBody> | null)?.projections;
  const state = (body as Partial<SnapshotBody> | null)?.state;
  if (
    typeof state !== 'object' ||
    state === null ||
    state.v !== 1 ||
    state.seq !== size - 1 ||
    typeof pm !== 'object' ||
    pm === null ||
    !isMap(pm.closed) ||
    !isMap(pm.cancelled) ||
    !isMap(pm.reports) ||
    !isMap(pm.interference) ||
    !isMap(pm.objections)
  ) {
    return { ok: false, reason: 'UNDECODABLE', detail: { error: 'not a state at its size' } };
  }
  // Every meeting closed before N has its record row (rows are written before the snapshot
  // that covers them; a missing one means service.db lost rows).
  const closedBefore = [...pm.closed.values()].filter((c) => c.closeSeq < size).length;
  const rows = records.countClosedBefore(size);
  if (rows !== closedBefore) {
    return { ok: false, reason: 'RECORDS_MISSING', detail: { rows, closed: closedBefore } };
  }
  return { ok: true, ledger: new LedgerState(state, new Projections(records, pm)), size };
}
