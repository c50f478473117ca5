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
  entry: LedgerEntry
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
  if (!jsonEqual(entry.derived, d.derived)) {
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
