// The service's state: the engine's state and the read models, and the one way an entry is
// applied to them. The live pipeline and every rebuild (full replay, snapshot + tail, recovery)
// go through the same before → decide → prepare sequence; they differ only in when the read
// models take the change: a rebuild reads entries already on the ledger and applies at once, the
// pipeline applies once the writer says the entry is durable (`settle`).
import {
  decide,
  replayEntry,
  ReplayError,
  type Derived,
  type Refusal,
  type State,
} from '@yishi/procedure';
import type { LedgerEntry, SignedCommand } from '@yishi/schema';
import type { AppliedEntry, ProjectionChange, Projections } from './projections.js';

/** A command decided on the state: the entry it becomes, or the rules' refusal. */
export type Decided = { ok: true; entry: AppliedEntry } | { ok: false; refusal: Refusal };

type Step = { ok: true; state: State; derived: Derived } | { ok: false; refusal: Refusal };
type Advanced =
  | { ok: true; entry: AppliedEntry; change: ProjectionChange | undefined }
  | { ok: false; refusal: Refusal };

/**
 * The engine's state and the read models ({@link Projections}). The engine's state holds every
 * accepted entry, durable or in flight (the rules decide on it); the read models hold only the
 * entries known durable: what an accepted entry changes in them waits until {@link settle}.
 */
export class LedgerState {
  #state: State;
  readonly projections: Projections;
  /** Changes of accepted entries not yet known durable, in seq order. */
  #waiting: ProjectionChange[] = [];
  /** The last seq the read models are at. */
  #settled: number;

  constructor(state: State, projections: Projections) {
    this.#state = state;
    this.projections = projections;
    this.#settled = state.seq;
  }

  /** The engine's state as of the last accepted entry. */
  get state(): State {
    return this.#state;
  }

  /** The seq the read models are at (`state.seq` when nothing accepted is waiting). */
  get settledSeq(): number {
    return this.#settled;
  }

  /**
   * Decides `command` as the next entry at `time`. Accepted: the engine's state holds the entry
   * and its read-model change waits for {@link settle}. Refused: nothing changed.
   * @throws on an internal error only (the state may then be partly advanced: rebuild it).
   */
  decide(command: SignedCommand, time: number): Decided {
    const seq = this.#state.seq + 1;
    const r = this.#advance(seq, time, command, (s) => decide(s, { seq, time, command }));
    if (!r.ok) return r;
    if (r.change) this.#waiting.push(r.change);
    return { ok: true, entry: r.entry };
  }

  /**
   * Applies an entry read from the ledger: the rules must accept it and derive what it recorded;
   * the read models take it at once (it is durable).
   * @throws ReplayError if the entry does not replay.
   */
  replay(entry: LedgerEntry): void {
    const r = this.#advance(entry.seq, entry.time, entry.command, (s) => {
      const replayed = replayEntry(s, entry);
      const first = replayed.findings[0];
      if (first) throw new ReplayError(first);
      return { ok: true, state: replayed.state, derived: entry.derived as Derived };
    });
    if (r.ok && r.change) this.projections.apply(r.change);
    if (r.ok) this.#settled = entry.seq;
  }

  /** The read models follow: applies the changes of every accepted entry up to `seq`. */
  settle(seq: number): void {
    let n = 0;
    while (n < this.#waiting.length && (this.#waiting[n] as ProjectionChange).seq <= seq) {
      this.projections.apply(this.#waiting[n] as ProjectionChange);
      n++;
    }
    if (n > 0) this.#waiting.splice(0, n);
    if (seq > this.#settled) this.#settled = Math.min(seq, this.#state.seq);
  }

  /** The one before → decide → prepare sequence. */
  #advance(
    seq: number,
    time: number,
    command: SignedCommand,
    step: (state: State) => Step
  ): Advanced {
    const captured = this.projections.before(this.#state, command);
    const d = step(this.#state);
    if (!d.ok) return d;
    this.#state = d.state;
    const entry: AppliedEntry = { seq, time, command, derived: d.derived };
    return { ok: true, entry, change: this.projections.prepare(d.state, entry, captured) };
  }
}
