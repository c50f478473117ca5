/**
 * Replay: the state is always `replay(ledger)`. An auditor folds the same `decide` over a ledger
 * and checks each entry's recorded `derived` against the recomputed one (equal as canonical
 * JSON, RFC 8785, compared without serializing: see `json-equal.ts`). `replayEntry` returns findings for a toolkit; `replay` throws at the first finding.
 *
 * Trust boundary: entries come from files handed to an auditor; every field is checked before use.
 */
import type { LedgerEntry } from '@yishi/schema';
import { decide } from './decide.js';
import { ReplayError, type ReplayFinding } from './error.js';
import { jsonEqual } from './json-equal.js';
import { initialState, type State } from './state.js';

/**
 * Apply one entry. Returns the state (the same object, advanced when the entry was accepted) and
 * the findings: `MALFORMED_ENTRY` or `ENTRY_REFUSED` (the rules' state did not change; only the
 * position moves past a refused entry that stood in order), or
 * `DERIVED_MISMATCH` (the command was valid and the state advanced, but the entry recorded a
 * different `derived` than the rules give).
 */
export function replayEntry(
  state: State,
  entry: LedgerEntry,
  options: ReplayOptions = {}
): { state: State; findings: ReplayFinding[] } {
  const e = entry as unknown;
  const position = state.seq + 1;
  if (
    typeof e !== 'object' ||
    e === null ||
    !Number.isSafeInteger((e as LedgerEntry).seq) ||
    !Number.isSafeInteger((e as LedgerEntry).time) ||
    typeof (e as LedgerEntry).command !== 'object' ||
    (e as LedgerEntry).command === null
  ) {
    return { state, findings: [{ seq: position, code: 'MALFORMED_ENTRY', evidence: {} }] };
  }
  const scoped = options.scoped === true;
  // The items awaiting return before this entry (the expiry queue holds exactly them).
  const returnable = scoped ? new Set(state.expiryQueue.map(([, id]) => id)) : undefined;
  const d = decide(state, { seq: entry.seq, time: entry.time, command: entry.command });
  if (!d.ok) {
    const f: ReplayFinding = {
      seq: entry.seq,
      code: 'ENTRY_REFUSED',
      evidence: { refusal: d.refusal },
    };
    if (d.refusal.rule) f.rule = d.refusal.rule;
    // The refused entry still stands at its position: later entries are judged in theirs, so
    // one bad entry yields one finding, not one per entry after it.
    if (entry.seq === state.seq + 1 && d.refusal.code !== 'TIME_REGRESSION') {
      state.seq = entry.seq;
      if (entry.time > state.time) state.time = entry.time;
    }
    return { state, findings: [f] };
  }
  const equal = returnable
    ? scopedDerivedEqual(entry.derived, d.derived, returnable, options.afterGap === true)
    : jsonEqual(entry.derived, d.derived);
  if (!equal) {
    return {
      state: d.state,
      findings: [
        {
          seq: entry.seq,
          code: 'DERIVED_MISMATCH',
          evidence: { recorded: entry.derived, recomputed: d.derived },
        },
      ],
    };
  }
  return { state: d.state, findings: [] };
}

/** Options of {@link replayEntry} for a scoped export (redacted entries replaced by positions). */
export interface ReplayOptions {
  /**
   * The ledger is replayed with gaps ({@link skipEntry}): the state knows only the visible
   * bodies, so `derived.expired` is compared only over the items the state knows (see
   * {@link scopedDerivedEqual}).
   */
  scoped?: boolean;
  /** A redacted entry came since the last replayed one (an expiry may have been swept there). */
  afterGap?: boolean;
}

/**
 * A redacted entry of a scoped export: its position passes, nothing else changes (the entry
 * belongs to a body outside the scope, which no visible body's rules depend on). Ids stay the
 * same because the engine derives them from positions. Returns false (and leaves the state) when
 * `seq` is not the next position.
 */
export function skipEntry(state: State, seq: number): boolean {
  if (!Number.isSafeInteger(seq) || seq !== state.seq + 1) return false;
  state.seq = seq;
  return true;
}

/**
 * Equality of derived outputs in a scoped replay. Everything but \`expired\` must be equal as in a
 * full replay. P10's expiry is swept after every entry, whichever body it belongs to, so:
 * - the recorded list may name items of hidden bodies: those the state did not know before this
 *   entry are left out of the comparison (their bodies are not this auditor's to judge);
 * - an item of a visible body may have expired at a redacted entry since the last visible one
 *   (\`afterGap\`): the replay then sweeps it here, and it may be missing from the recorded list.
 * Every item the recorded list names that the state knows must have expired here, in order.
 */
export function scopedDerivedEqual(
  recorded: unknown,
  recomputed: Record<string, unknown>,
  knownBefore: ReadonlySet<string>,
  afterGap: boolean
): boolean {
  if (typeof recorded !== 'object' || recorded === null || Array.isArray(recorded)) return false;
  const { expired: rec, ...restRecorded } = recorded as Record<string, unknown>;
  const { expired: got, ...restRecomputed } = recomputed;
  if (rec !== undefined && !Array.isArray(rec)) return false;
  const recKnown = (rec ?? []).filter((id) => typeof id !== 'string' || knownBefore.has(id));
  const gotIds = (got ?? []) as string[];
  const gotFiltered = afterGap ? gotIds.filter((id) => recKnown.includes(id)) : gotIds;
  return jsonEqual(recKnown, gotFiltered) && jsonEqual(restRecorded, restRecomputed);
}

/**
 * The state after `entries`, from the initial state. Deterministic.
 * @throws ReplayError at the first entry that is malformed, refused, or whose `derived` differs.
 */
export function replay(entries: Iterable<LedgerEntry>, from: State = initialState()): State {
  let state = from;
  for (const entry of entries) {
    const r = replayEntry(state, entry);
    const first = r.findings[0];
    if (first) throw new ReplayError(first);
    state = r.state;
  }
  return state;
}
