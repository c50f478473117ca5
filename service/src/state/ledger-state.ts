import { initialState, replayEntry, ReplayError, type State } from '@yishi/procedure';
import type { LedgerStore } from '../ledger/index.js';
import { Projections } from './projections.js';

/** The engine's state and the read models, both as of the ledger's last entry. */
export interface LedgerState {
  state: State;
  projections: Projections;
}

/**
 * The service's state is always replay(ledger): every entry from 0 is decided again by the
 * rules, and its recorded `derived` must be the one the rules give. This is the only place the
 * state is built from the ledger (snapshots, when they come, go behind this function).
 * @throws ReplayError at the first entry that does not replay.
 */
export function rebuildState(store: LedgerStore): LedgerState {
  let state = initialState();
  const projections = new Projections();
  for (const { entry } of store.iterateEntries(0, store.size)) {
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
  }
  return { state, projections };
}
