// State snapshots: the engine's state and the in-memory read models after entries 0..N-1,
// stored in service.db so a start replays only entries N.. instead of the whole ledger.
//
// Trust boundary: service.db is the service's own file, but a snapshot is never taken on its
// word. It is used only if its format and engine fingerprint are this code's, it names this
// ledger (id and origin), the ledger's stored leaf hash at N-1 is the one it was taken after, its
// SHA-256 digest matches its bytes, and it decodes to a state at seq N-1. Anything else is a
// reason to replay the whole ledger, never an error.
import { createHash } from 'node:crypto';
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
export const SNAPSHOT_FORMAT = 1;

/** Why a snapshot was not used. */
export type SnapshotRejection =
  | 'NO_SNAPSHOT'
  | 'FORMAT_MISMATCH'
  | 'ENGINE_MISMATCH'
  | 'LEDGER_MISMATCH'
  | 'BEYOND_LEDGER'
  | 'LEAF_HASH_MISMATCH'
  | 'DIGEST_MISMATCH'
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

const sha256 = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();

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
      SNAPSHOT_FORMAT,
      engineFingerprint(),
      store.getMeta('ledger_id') ?? '',
      store.getMeta('origin') ?? '',
      size,
      Buffer.from(leaf),
      sha256(bytes),
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
  records: MeetingRecords
): Restored {
  const row = db
    .prepare(
      `SELECT format, engine, ledger_id, origin, size, leaf_hash, digest, body
       FROM state_snapshot WHERE id = 1`
    )
    .get() as SnapshotRow | undefined;
  if (!row) return { ok: false, reason: 'NO_SNAPSHOT' };
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
  if (!sha256(row.body).equals(row.digest)) return { ok: false, reason: 'DIGEST_MISMATCH' };
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
