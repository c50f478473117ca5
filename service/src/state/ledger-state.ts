import { initialState, replayEntry, ReplayError, type State } from '@yishi/procedure';
import type { LedgerStore } from '../ledger/index.js';
import { openServiceDatabase, type ServiceDatabase } from '../storage/service-db.js';
import { MeetingRecords } from './meeting-records.js';
import { Projections } from './projections.js';
import { dropSnapshot, restoreSnapshot, saveSnapshot, type SnapshotRejection } from './snapshot.js';

/** The engine's state and the read models, both as of the ledger's last entry. */
export interface LedgerState {
  state: State;
  projections: Projections;
}

/** The little of a logger loading needs (pino and fastify's logger fit). */
export interface LoadLogger {
  info(obj: object, msg: string): void;
  warn?(obj: object, msg: string): void;
}

/** Options of {@link loadLedgerState}. */
export interface LoadOptions {
  /** Ignore any snapshot and replay every entry (`yishi serve --full-replay`). */
  fullReplay?: boolean;
  /** Write a snapshot when the start replayed at least this many entries (default 10,000). */
  snapshotAfter?: number;
  log?: LoadLogger;
}

/** How the state was loaded. */
export interface Loaded extends LedgerState {
  /** Entries covered by the snapshot used (0: full replay). */
  fromSnapshot: number;
  /** Entries replayed. */
  replayed: number;
  /** Why no snapshot was used, when none was. */
  rejected?: SnapshotRejection;
}

/** Records are written every this many entries of a replay (bounds memory, one transaction). */
const FLUSH_EVERY = 4096;

function replayInto(
  store: LedgerStore,
  from: number,
  state: State,
  projections: Projections
): State {
  let n = 0;
  for (const { entry } of store.iterateEntries(from, store.size)) {
    const captured = projections.before(state, entry.command);
    const r = replayEntry(state, entry);
    const first = r.findings[0];
    if (first) throw new ReplayError(first);
    state = r.state;
    projections.after(
      state,
      {
        seq: entry.seq,
        time: entry.time,
        command: entry.command,
        derived: entry.derived as Record<string, unknown>,
      },
      captured
    );
    // Every entry read here is on the ledger: its records may be written.
    if (++n % FLUSH_EVERY === 0) projections.flushThrough(entry.seq);
  }
  projections.flushThrough(state.seq);
  return state;
}

/**
 * The service's state is always replay(ledger). At start it is restored from the snapshot in
 * service.db when that snapshot matches this ledger (see `snapshot.ts`), and only the entries
 * after it are replayed; otherwise every entry from 0 is decided again by the rules (their
 * recorded `derived` must be the one the rules give) and the closed meetings' records are
 * written again. A start that replayed many entries writes a new snapshot.
 * @throws ReplayError at the first entry that does not replay.
 */
export function loadLedgerState(
  store: LedgerStore,
  db: ServiceDatabase,
  opts: LoadOptions = {}
): Loaded {
  const t0 = performance.now();
  const log = opts.log;
  const records = new MeetingRecords(db);
  let from = 0;
  let state = initialState();
  let projections: Projections | undefined;
  let rejected: SnapshotRejection | undefined;
  if (opts.fullReplay) {
    log?.info({}, 'full replay requested: the state snapshot is not used');
  } else {
    const r = restoreSnapshot(db, store, records);
    if (r.ok) {
      from = r.size;
      state = r.ledger.state;
      projections = r.ledger.projections;
    } else {
      rejected = r.reason;
      const warn = r.reason === 'NO_SNAPSHOT' ? log?.info : (log?.warn ?? log?.info);
      warn?.call(
        log,
        { reason: r.reason, ...r.detail },
        'no usable state snapshot; replaying the whole ledger'
      );
      // It will never match: drop it, so the next snapshot (at close at the latest) replaces it.
      if (r.reason !== 'NO_SNAPSHOT') dropSnapshot(db);
    }
  }
  if (!projections) {
    records.clear();
    projections = new Projections(records);
  }
  state = replayInto(store, from, state, projections);
  const replayed = store.size - from;
  const ledger = { state, projections };
  log?.info(
    { fromSnapshot: from, replayed, ms: Math.round(performance.now() - t0) },
    'state loaded'
  );
  if (replayed >= (opts.snapshotAfter ?? 10_000) && store.size > 0) {
    try {
      const saved = saveSnapshot(db, store, ledger);
      log?.info(
        { size: saved.size, bytes: saved.bytes, ms: Math.round(saved.ms) },
        'state snapshot written'
      );
    } catch (err) {
      // The state is good; only the next start will be slower.
      (log?.warn ?? log?.info)?.call(log, { err }, 'the state snapshot could not be written');
    }
  }
  return { ...ledger, fromSnapshot: from, replayed, ...(rejected ? { rejected } : {}) };
}

/**
 * The state after every entry of `store`, by a full replay (the reference the snapshots are
 * checked against). Closed meetings' records go to `db`, an in-memory database by default.
 * @throws ReplayError at the first entry that does not replay.
 */
export function rebuildState(store: LedgerStore, db?: ServiceDatabase): LedgerState {
  const records = new MeetingRecords(db ?? openServiceDatabase(':memory:'));
  const projections = new Projections(records);
  const state = replayInto(store, 0, initialState(), projections);
  return { state, projections };
}
