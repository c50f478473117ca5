import { openNote, parseCheckpoint } from '@yishi/crypto';
import {
  formatAddCheckpoint,
  quorumSatisfied,
  verifyCheckpointPolicy,
  type Policy,
  type PolicyWitness,
} from '@yishi/verify';

/**
 * What the collector reads of the log: its latest signed checkpoint and consistency proofs; and,
 * when the log keeps them (the ledger store does), where cosigned checkpoints are kept durably.
 */
export interface CheckpointSource {
  latestCheckpoint(): { size: number; note: string } | undefined;
  consistencyProof(m: number, n: number): Uint8Array[];
  /** Keeps a published cosigned note; must be durable when it returns. */
  saveCosignedCheckpoint?(size: number, note: string, cosignedAt: number): unknown;
  /** The largest cosigned note kept, read once when the collector starts. */
  latestCosignedCheckpoint?(): { size: number; note: string } | undefined;
}

/** One witness's health, as `/log/witnesses` shows it. */
export type WitnessHealth = {
  name: string;
  url: string | undefined;
  /** The size the witness last cosigned for us (or told us in a 409). */
  lastSize: number | undefined;
  /** When it last cosigned (ms since the epoch). */
  lastCosignedAt: number | undefined;
  lastError: string | undefined;
};

export type CollectorOptions = {
  /** Per-request timeout (ms). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  clock?: () => number;
  onError?: (err: unknown) => void;
};

type State = WitnessHealth & { witness: PolicyWitness };

/**
 * Gathers C2SP tlog-witness v1.0.0 cosignatures for the log's checkpoints and publishes only
 * those whose cosignatures satisfy the policy's quorum. Witnesses are asked in parallel, each
 * from the last size it cosigned (a 409 tells us its size: we retry once from it), with a
 * timeout; a witness's answer is kept only if its cosignature verifies under its policy vkey.
 * Until a checkpoint reaches quorum, the previous one that did stays published. A published
 * note is kept by the source (when it can keep one) before it is served, and the latest kept
 * note that still meets the policy is published again after a restart.
 */
export class WitnessCollector {
  readonly policy: Policy;
  readonly #source: CheckpointSource;
  readonly #states: State[];
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #clock: () => number;
  readonly #onError: ((err: unknown) => void) | undefined;
  #published: { size: number; note: string } | undefined;
  #running: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(source: CheckpointSource, policy: Policy, opts: CollectorOptions = {}) {
    this.#source = source;
    this.policy = policy;
    this.#timeoutMs = opts.timeoutMs ?? 5000;
    this.#fetch = opts.fetch ?? fetch;
    this.#clock = opts.clock ?? Date.now;
    this.#onError = opts.onError;
    this.#states = policy.witnesses.map((witness) => ({
      witness,
      name: witness.name,
      url: witness.url,
      lastSize: undefined,
      lastCosignedAt: undefined,
      lastError: undefined,
    }));
    this.#published = this.#restore();
  }

  /** The latest kept cosigned note, if it still meets this policy (the policy may have changed). */
  #restore(): { size: number; note: string } | undefined {
    const kept = this.#source.latestCosignedCheckpoint?.();
    if (kept === undefined) return undefined;
    try {
      return verifyCheckpointPolicy(kept.note, this.policy).quorum ? kept : undefined;
    } catch (err) {
      this.#onError?.(err);
      return undefined;
    }
  }

  /** The latest checkpoint with quorum, cosignatures appended; undefined until one has it. */
  published(): { size: number; note: string } | undefined {
    return this.#published;
  }

  /** Per-witness health and whether a checkpoint is published. */
  health() {
    return {
      quorum: this.policy.quorum,
      publishedSize: this.#published?.size ?? null,
      witnesses: this.#states.map(({ name, url, lastSize, lastCosignedAt, lastError }) => ({
        name,
        url: url ?? null,
        lastSize: lastSize ?? null,
        lastCosignedAt: lastCosignedAt ?? null,
        lastError: lastError ?? null,
      })),
    };
  }

  /** Asks every witness to cosign the log's latest checkpoint if it is not published yet. */
  collectNow(): Promise<void> {
    this.#running ??= this.#collect().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #collect(): Promise<void> {
    const latest = this.#source.latestCheckpoint();
    if (latest === undefined) return;
    if (this.#published !== undefined && this.#published.size >= latest.size) return;
    const text = parseCheckpointText(latest.note);
    const lines = await Promise.all(this.#states.map((s) => this.#ask(s, latest, text)));
    const cosigned = new Set<string>();
    let note = latest.note;
    this.#states.forEach((s, i) => {
      const line = lines[i];
      if (line !== undefined) {
        cosigned.add(s.name);
        note += line;
      }
    });
    if (!quorumSatisfied(this.policy, cosigned)) return;
    // Kept durably before it is served: an export after a restart still carries it.
    this.#source.saveCosignedCheckpoint?.(latest.size, note, this.#clock());
    this.#published = { size: latest.size, note };
  }

  /** One witness's cosignature line for `latest`, or undefined (recorded in its state). */
  async #ask(
    state: State,
    latest: { size: number; note: string },
    text: string
  ): Promise<string | undefined> {
    if (state.url === undefined) {
      state.lastError = 'no URL in the policy';
      return undefined;
    }
    const endpoint = `${state.url.replace(/\/+$/, '')}/add-checkpoint`;
    let old = state.lastSize ?? 0;
    for (let attempt = 0; attempt < 2; attempt++) {
      if (old > latest.size) {
        state.lastError = `witness is at size ${old}, beyond our ${latest.size}`;
        return undefined;
      }
      let response: Response;
      let body: string;
      try {
        const proof =
          old === 0 || old === latest.size ? [] : this.#source.consistencyProof(old, latest.size);
        response = await this.#fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'text/plain; charset=utf-8' },
          body: formatAddCheckpoint(old, proof, latest.note),
          signal: AbortSignal.timeout(this.#timeoutMs),
        });
        body = await response.text();
      } catch (err) {
        state.lastError = `request failed: ${(err as Error).message}`;
        this.#onError?.(err);
        return undefined;
      }
      if (response.status === 409) {
        // The witness's size, in a text/x.tlog.size body: untrusted, parsed strictly.
        const m = /^(0|[1-9][0-9]{0,15})\n$/.exec(body);
        if (m === null) {
          state.lastError = '409 without a size';
          return undefined;
        }
        old = Number(m[1]);
        state.lastSize = old;
        continue;
      }
      if (response.status !== 200) {
        state.lastError = `HTTP ${response.status}: ${body.slice(0, 200).trim()}`;
        return undefined;
      }
      try {
        const opened = openNote(`${text}\n${body}`, [state.witness.verifier]);
        const line = opened.signatures.find((s) => s.name === state.witness.verifier.name);
        if (opened.verified.length !== 1 || line === undefined) throw new Error('no cosignature');
        const mine = body
          .split('\n')
          .find((l) => l.startsWith(`\u2014 ${state.witness.verifier.name} `));
        state.lastSize = latest.size;
        state.lastCosignedAt = this.#clock();
        state.lastError = undefined;
        return `${mine}\n`;
      } catch (err) {
        state.lastError = `cosignature does not verify: ${(err as Error).message}`;
        return undefined;
      }
    }
    state.lastError = 'repeated 409';
    return undefined;
  }

  /** Collects every `intervalMs` (unref'd timer). */
  start(intervalMs: number): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      void this.collectNow().catch((err: unknown) => this.#onError?.(err));
    }, intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}

/** The note text of a signed checkpoint (up to the last blank line), checked to parse. */
function parseCheckpointText(note: string): string {
  const text = note.slice(0, note.lastIndexOf('\n\n') + 1);
  parseCheckpoint(text);
  return text;
}
