/**
 * Bounded signed load over loopback: workers post real signed commands to a running service and
 * record every answer. A 201 is an acknowledgement (seq + leaf hash); a request that got no answer
 * (the server died under it) has an unknown outcome and may be retried.
 */
import { base64Encode, generateSecretKey, getPublicKey } from '@yishi/crypto';
import type { SignedCommand } from '@yishi/schema';
import { commandPath, signCommand } from '@yishi/sdk';
import type { Acknowledged } from './ledger-invariants.js';

/** A deterministic PRNG (mulberry32): the same seed, the same run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

/** The answer to one posted command. */
export type PostOutcome =
  | { kind: 'answered'; status: number; body: Record<string, unknown>; replayed: boolean }
  | { kind: 'no-answer'; error: string };

/** Posts a signed command to the route that takes it. Never throws. */
export async function postCommand(
  url: string,
  command: SignedCommand,
  timeoutMs = 30_000
): Promise<PostOutcome> {
  try {
    const res = await fetch(`${url}${commandPath(command.payload)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(command),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await res.json()) as Record<string, unknown>;
    return {
      kind: 'answered',
      status: res.status,
      body,
      replayed: res.headers.get('idempotent-replayed') === 'true',
    };
  } catch (err) {
    return { kind: 'no-answer', error: (err as Error).message };
  }
}

/** The signers and the resources the load acts on. */
export class LoadModel {
  readonly admins: Uint8Array[];
  readonly bodies: string[] = [];
  #counter = 0;
  readonly #rng: () => number;

  /** The ledger every command names (protocol v2). */
  readonly ledger: string;

  constructor(admins: Uint8Array[], rng: () => number, ledger: string) {
    this.admins = admins;
    this.ledger = ledger;
    this.#rng = rng;
  }

  /** The next command: a new body, or a new member of an existing body, by a random admin. */
  next(): SignedCommand {
    const n = this.#counter++;
    const key = this.admins[Math.floor(this.#rng() * this.admins.length)] as Uint8Array;
    const body = this.bodies[Math.floor(this.#rng() * this.bodies.length)];
    if (body === undefined || this.#rng() < 0.5) {
      return signCommand({ type: 'body.create', name: `负载班子 ${n}`, ledger: this.ledger }, key);
    }
    return signCommand(
      {
        type: 'principal.register',
        ledger: this.ledger,
        principalId: `load-${n}`,
        name: `成员 ${n}`,
        publicKey: base64Encode(getPublicKey(generateSecretKey())),
        role: 'member',
        bodyId: body,
      },
      key
    );
  }

  /** Learns from an acknowledged command (a new body can take members). */
  learn(command: SignedCommand, derived: unknown): void {
    const bodyId = (derived as { bodyId?: unknown } | null)?.bodyId;
    if (command.payload.type === 'body.create' && typeof bodyId === 'string') {
      this.bodies.push(bodyId);
    }
  }
}

/** What one load run saw. */
export interface LoadResult {
  acknowledged: Acknowledged[];
  /** Commands sent that got no answer: on the ledger or not, nobody was told. */
  unanswered: SignedCommand[];
  /** Answers other than 201 (status and code), which a plain load should not get. */
  refused: { status: number; code: unknown }[];
}

/** Records one outcome into a result. */
export function record(
  result: LoadResult,
  model: LoadModel,
  command: SignedCommand,
  outcome: PostOutcome
): void {
  if (outcome.kind === 'no-answer') {
    result.unanswered.push(command);
  } else if (outcome.status === 201) {
    const { seq, leafHash, derived } = outcome.body;
    result.acknowledged.push({ seq: seq as number, leafHash: leafHash as string, command });
    model.learn(command, derived);
  } else {
    result.refused.push({ status: outcome.status, code: outcome.body['code'] });
  }
}

/**
 * Runs `workers` concurrent loops posting commands until `stop()` returns true or a request
 * gets no answer (the server is gone).
 */
export async function runLoad(
  url: string,
  model: LoadModel,
  workers: number,
  stop: () => boolean
): Promise<LoadResult> {
  const result: LoadResult = { acknowledged: [], unanswered: [], refused: [] };
  const loop = async () => {
    while (!stop()) {
      const command = model.next();
      const outcome = await postCommand(url, command);
      record(result, model, command, outcome);
      if (outcome.kind === 'no-answer') return;
    }
  };
  await Promise.all(Array.from({ length: workers }, loop));
  return result;
}

/** Polls `/log/checkpoint` and keeps every distinct note served, until `stop()`. */
export async function watchCheckpoints(
  url: string,
  notes: Set<string>,
  stop: () => boolean,
  everyMs = 25
): Promise<void> {
  while (!stop()) {
    try {
      const res = await fetch(`${url}/log/checkpoint`, { signal: AbortSignal.timeout(5000) });
      if (res.status === 200) notes.add(await res.text());
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
