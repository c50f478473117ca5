// How the service's state is built before the command pipeline exists, and rebuilt after a
// failed append: from the snapshot in service.db plus the entries after it, or by a full replay.
import { initialState } from '@yishi/procedure';
import type { LedgerStore } from '../ledger/index.js';
import { openServiceDatabase, type ServiceDatabase } from '../storage/service-db.js';
import { LedgerState } from './ledger-state.js';
import { Projections } from './projections.js';
import { MeetingRecords, type MeetingRecordRow } from './meeting-records.js';
import { dropSnapshot, restoreSnapshot, saveSnapshot, type SnapshotRejection } from './snapshot.js';

/** The little of a logger loading needs (pino and fastify's logger fit). */
export interface LoadLogger {
  info(obj: object, msg: string): void;
  warn?(obj: object, msg: string): void;
  error?(obj: object, msg: string): void;
}

/** Options of {@link loadLedgerState}. */
export interface LoadOptions {
  /** Ignore any snapshot and replay every entry (`yishi serve --full-replay`). */
  fullReplay?: boolean;
  /**
   * The key snapshots are authenticated with ({@link snapshotKey} of the log's secret key).
   * Without it no snapshot is used or written: every start replays the whole ledger.
   */
  snapshotKey?: Uint8Array;
  /** Write a snapshot when the start replayed at least this many entries (default 10,000). */
  snapshotAfter?: number;
  log?: LoadLogger;
}

/** How the state was loaded. */
export interface Loaded {
  ledger: LedgerState;
  /** Entries covered by the snapshot used (0: full replay). */
  fromSnapshot: number;
  /** Entries replayed. */
  replayed: number;
  /** Why no snapshot was used, when none was. */
  rejected?: SnapshotRejection;
}

/** Records are written every this many entries of a replay (bounds memory, one transaction). */
const FLUSH_EVERY = 4096;

/** Replays the store's entries from `from` into `ledger`, writing closed meetings' records. */
function replayTail(store: LedgerStore, from: number, ledger: LedgerState): void {
  let n = 0;
  for (const { entry } of store.iterateEntries(from, store.size)) {
    ledger.replay(entry);
    // Every entry read here is on the ledger: its records may be written.
    if (++n % FLUSH_EVERY === 0) ledger.projections.flushThrough(entry.seq);
  }
  ledger.projections.flushThrough(ledger.state.seq);
}

/**
 * One closed meeting's record row as the ledger implies it: the entries up to its close
 * replayed into a scratch database (repairs a damaged row; see `MeetingRecords.verified`).
 */
export function rebuildRecordRow(
  store: LedgerStore,
  meetingId: string,
  closeSeq: number
): MeetingRecordRow | undefined {
  const scratch = openServiceDatabase(':memory:');
  try {
    const records = new MeetingRecords(scratch);
    const ledger = new LedgerState(initialState(), new Projections(records));
    for (const { entry } of store.iterateEntries(0, closeSeq + 1)) ledger.replay(entry);
    ledger.projections.flushThrough(closeSeq);
    return records.get(meetingId);
  } finally {
    scratch.close();
  }
}

/** The records table of the service, checked against `store` and repaired from it. */
const checkedRecords = (store: LedgerStore, db: ServiceDatabase, log?: LoadLogger) =>
  new MeetingRecords(db, {
    ledger: store,
    rebuildRow: (id, seq) => rebuildRecordRow(store, id, seq),
    ...(log ? { log } : {}),
  });

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
  const records = checkedRecords(store, db, log);
  let from = 0;
  let ledger: LedgerState | undefined;
  let rejected: SnapshotRejection | undefined;
  if (opts.fullReplay) {
    log?.info({}, 'full replay requested: the state snapshot is not used');
  } else {
    const r = restoreSnapshot(db, store, records, opts.snapshotKey);
    if (r.ok) {
      from = r.size;
      ledger = r.ledger;
    } else {
      rejected = r.reason;
      if (r.reason === 'NO_SNAPSHOT' && store.size <= 1) {
        // A new ledger has no snapshot to use and nothing to replay: nothing is wrong.
        log?.info({ entries: store.size }, 'a new ledger: the state starts from its genesis');
      } else {
        const warn = r.reason === 'NO_SNAPSHOT' ? log?.info : (log?.warn ?? log?.info);
        warn?.call(
          log,
          { reason: r.reason, ...r.detail },
          'no usable state snapshot; replaying the whole ledger'
        );
      }
      // It will never match: drop it, so the next snapshot (at close at the latest) replaces it.
      if (r.reason !== 'NO_SNAPSHOT') dropSnapshot(db);
    }
  }
  if (!ledger) {
    records.clear();
    ledger = new LedgerState(initialState(), new Projections(records));
  }
  replayTail(store, from, ledger);
  const replayed = store.size - from;
  log?.info(
    { fromSnapshot: from, replayed, ms: Math.round(performance.now() - t0) },
    'state loaded'
  );
  if (opts.snapshotKey && replayed >= (opts.snapshotAfter ?? 10_000) && store.size > 0) {
    try {
      const saved = saveSnapshot(db, store, ledger, opts.snapshotKey);
      log?.info(
        { size: saved.size, bytes: saved.bytes, ms: Math.round(saved.ms) },
        'state snapshot written'
      );
    } catch (err) {
      // The state is good; only the next start will be slower.
      (log?.warn ?? log?.info)?.call(log, { err }, 'the state snapshot could not be written');
    }
  }
  return { ledger, fromSnapshot: from, replayed, ...(rejected ? { rejected } : {}) };
}

/**
 * The state after every entry of `store`, by a full replay (the reference the snapshots are
 * checked against). Closed meetings' records go to `db`, an in-memory database by default.
 * @throws ReplayError at the first entry that does not replay.
 */
export function rebuildState(store: LedgerStore, db?: ServiceDatabase): LedgerState {
  const records = checkedRecords(store, db ?? openServiceDatabase(':memory:'));
  const ledger = new LedgerState(initialState(), new Projections(records));
  replayTail(store, 0, ledger);
  return ledger;
}

/** The state at start, and how to build it again. */
export interface StartState {
  /** The state as of the last entry; undefined if the ledger does not replay (logged). */
  ledger: LedgerState | undefined;
  /** Loads the state again, with the same options. @throws ReplayError */
  rebuild: () => LedgerState;
}

/**
 * Loads the state at start (see {@link loadLedgerState}); a ledger that does not replay is logged
 * and gives no state, so the service accepts no command (fail closed).
 */
export function startState(store: LedgerStore, db: ServiceDatabase, opts: LoadOptions): StartState {
  const rebuild = (): LedgerState => loadLedgerState(store, db, opts).ledger;
  try {
    return { ledger: rebuild(), rebuild };
  } catch (err) {
    opts.log?.error?.(
      { err },
      'the ledger does not replay under the rules; no command is accepted'
    );
    return { ledger: undefined, rebuild };
  }
}
