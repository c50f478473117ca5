// What follows an entry once the writer says it is durable. The command pipeline calls each
// follower in the order they were registered (where the app is built), in seq order, and only
// for entries that are on the ledger: nothing a follower does ever describes an entry that is not.
import type { LedgerState } from './ledger-state.js';
import type { AppliedEntry } from './projections.js';

/** One consumer of durable entries. */
export interface EntryFollower {
  /**
   * Called once `entry` is durable, with the state it was decided on. Synchronous; a throw is
   * logged and does not stop the other followers.
   */
  onDurable(entry: AppliedEntry, ledger: LedgerState): void;
}

/** The read models take the entry's change (prepared when the rules accepted it). */
export const projectionsFollower: EntryFollower = {
  onDurable: (entry, ledger) => ledger.settle(entry.seq),
};

/** Closed meetings' records up to the entry are written to service.db. */
export const recordsFollower: EntryFollower = {
  onDurable: (entry, ledger) => ledger.projections.flushThrough(entry.seq),
};

/** The read models and their records: the followers every pipeline needs first. */
export const READ_MODEL_FOLLOWERS: readonly EntryFollower[] = [
  projectionsFollower,
  recordsFollower,
];
