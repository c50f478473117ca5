/**
 * Generated ledgers for the state-loading tests: the procedure tests' random command sequences
 * (fast-check steps driving meetings forward: closes, record signatures, reports, objections...)
 * followed by whole meetings closed and signed, written into a LedgerStore file.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import type { LedgerEntry } from '@yishi/schema';
import {
  openCommandPipeline,
  LedgerStore,
  openServiceDatabase,
  RateLimiter,
  snapshotKey,
  type CommandPipeline,
} from '@yishi/service/internal';

/** The snapshot key of these tests' service (as if derived from a log key of 32 sevens). */
export const TEST_SNAPSHOT_KEY = snapshotKey(new Uint8Array(32).fill(7));

type ServiceDatabase = ReturnType<typeof openServiceDatabase>;
import { run, stepArb } from '../../../procedure/helpers/random-steps.js';
import { DAY, HOUR, VOTERS, type World } from '../../../procedure/helpers/world.js';

/** One meeting opened, an item adopted, closed and signed by the recorder and the chair. */
function wholeMeeting(w: World): void {
  w.advance(DAY);
  const m = w.schedule('leadership', 48);
  const { itemId: item } = w.submit(m, 'routine', { title: `例行事项 ${m}` });
  w.advance(3 * HOUR);
  w.open(m);
  w.deliberate(item);
  w.stateAll(item, Object.fromEntries(VOTERS.map((v) => [v, 'agree'])));
  w.openVote(item);
  w.castAll(item, Object.fromEntries(VOTERS.map((v) => [v, 'for'])));
  w.closeVote(item);
  const closed = w.close(m, 'rec');
  for (const who of ['rec', 'chair']) {
    w.ok(who, { type: 'record.sign', meetingId: m, recordDigest: closed['recordDigest'] });
  }
}

/** The entries of a generated ledger (seed-determined), genesis first. */
export function generatedEntries(seed: number, steps = 160, meetings = 2): LedgerEntry[] {
  const [sequence] = fc.sample(fc.array(stepArb, { minLength: steps, maxLength: steps }), {
    seed,
    numRuns: 1,
  });
  const { w } = run(sequence as never);
  for (let i = 0; i < meetings; i++) wholeMeeting(w);
  return w.entries;
}

/** Appends `entries` (in order, from the store's size on) to `store`. */
export function appendEntries(store: LedgerStore, entries: readonly LedgerEntry[]): void {
  if (store.size === 0 && entries.length > 0) {
    const g = entries[0]?.command.payload as { ledgerId?: string; origin?: string };
    store.setMeta('ledger_id', String(g.ledgerId));
    store.setMeta('origin', String(g.origin));
  }
  const results = store.appendBatch(
    entries.map((e) => ({ command: e.command, derived: e.derived, time: e.time }))
  );
  const bad = results.find((r) => !r.ok);
  if (bad && !bad.ok) throw new Error(`append refused: ${bad.code} ${bad.message}`);
}

/** What a test logger kept. */
export interface LogLine {
  level: 'info' | 'warn' | 'error';
  msg: string;
  obj: Record<string, unknown>;
}

/** A logger that keeps every line. */
export function captureLog() {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine['level']) =>
    (obj: object, msg: string): void => {
      lines.push({ level, msg, obj: obj as Record<string, unknown> });
    };
  return { lines, log: { info: at('info'), warn: at('warn'), error: at('error') } };
}

/** A store and a service database in `dir`. */
export function openPair(dir: string): { store: LedgerStore; db: ServiceDatabase } {
  return {
    store: LedgerStore.open(join(dir, 'ledger.db')),
    db: openServiceDatabase(join(dir, 'service.db')),
  };
}

/** A command pipeline over `store` and `db` (how the service loads its state). */
export function pipelineOn(
  store: LedgerStore,
  db: ServiceDatabase,
  log: ReturnType<typeof captureLog>['log'],
  extra: { fullReplay?: boolean; snapshotAfter?: number; snapshotKey?: Uint8Array } = {}
): CommandPipeline {
  return openCommandPipeline({
    store,
    serviceDb: db,
    limiter: new RateLimiter({ max: 1_000_000 }),
    log,
    snapshotKey: TEST_SNAPSHOT_KEY,
    ...extra,
  });
}
