// canonicalJsonFast: the same text as canonicalJson (or the same TypeError) for parsed JSON,
// without the reference's separate validation walk.
import { bytesToHex, canonicalJsonFast as canonicalJson } from '@yishi/crypto';
import type { State } from '@yishi/procedure';
import type { CommandResult as ReplyResult, LedgerEntry, SignedCommand } from '@yishi/schema';

/** What the pipeline answers; the route adds the explicit `outcome` (issue 15). */
/** A command's result as the pipeline answers it; the route adds the outcome and types `derived`. */
export type CommandResult = Omit<ReplyResult, 'derived' | 'outcome'> & { derived: unknown };
import { acceptableKey, checkSkew, verifyCommandSignature } from '../auth/principal.js';
import { canonicalSignedCommandJson as canonicalSignedCommand } from '@yishi/crypto';
import { ApiError } from '../http/errors.js';
import { LedgerWriter, type LedgerStore } from '../ledger/index.js';
import type { RateLimiter } from '../http/rate-limit.js';
import type { ServiceDatabase } from '../storage/service-db.js';
import { READ_MODEL_FOLLOWERS, type EntryFollower } from '../state/followers.js';
import type { LedgerState } from '../state/ledger-state.js';
import type { AppliedEntry, Projections } from '../state/projections.js';
import { startState, type LoadOptions } from '../state/rebuild.js';
import { fromStored, IdempotencyStore, toStored } from './idempotency.js';
import { RefusedError, refusalError } from './refusals.js';

/** The little of a logger the pipeline needs (pino and fastify's logger fit). */
export interface PipelineLogger {
  info(obj: object, msg: string): void;
  warn?(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface CommandPipelineOptions {
  store: LedgerStore;
  serviceDb: ServiceDatabase;
  limiter: RateLimiter;
  log: PipelineLogger;
  /** The state as of the ledger's last entry, built before; undefined if it could not be. */
  ledger: LedgerState | undefined;
  /** Builds the state again from the ledger (after a failed append). @throws if it does not replay */
  rebuild: () => LedgerState;
  /** The service clock, ms since the epoch: entry times and the skew check. */
  clock?: () => number;
  /**
   * Most commands decided and not yet durable; more are answered 503 BUSY. Kept below the
   * writer's batch size so every append decided before a commit is in that one transaction.
   */
  maxInFlight?: number;
  /**
   * Called in order once an accepted entry is durable. Default: the read models and their
   * records ({@link READ_MODEL_FOLLOWERS}); a list given here should start with those.
   */
  followers?: readonly EntryFollower[];
}

/** Options of {@link openCommandPipeline}: the pipeline's, with how to load its state. */
export type OpenPipelineOptions = Omit<CommandPipelineOptions, 'ledger' | 'rebuild'> &
  Pick<LoadOptions, 'fullReplay' | 'snapshotAfter' | 'snapshotKey'>;

/**
 * Builds the state (the snapshot in service.db plus the entries after it, or a full replay),
 * then the pipeline on it. A ledger that does not replay gives a pipeline that accepts nothing.
 */
export function openCommandPipeline(opts: OpenPipelineOptions): CommandPipeline {
  const { fullReplay, snapshotAfter, snapshotKey, ...rest } = opts;
  const start = startState(opts.store, opts.serviceDb, {
    log: opts.log,
    ...(snapshotKey ? { snapshotKey } : {}),
    ...(fullReplay ? { fullReplay: true } : {}),
    ...(snapshotAfter !== undefined ? { snapshotAfter } : {}),
  });
  return new CommandPipeline({ ...rest, ...start });
}

/** Where a request came from, for Idempotency-Key: the digest is only computed with a key. */
export type SubmitContext =
  | { idempotencyKey?: undefined }
  | {
      idempotencyKey: string;
      /** SHA-256 (hex) over the method, the path and the canonical JSON of the body. */
      requestDigest: string;
    };

/** A 2xx answer; `replayed` when it repeats an earlier answer. */
export interface Answer<T> {
  statusCode: number;
  body: T;
  replayed: boolean;
}

/** Pipeline health: accepting, re-reading the ledger after a failed append, or stopped for good. */
export type PipelineStatus = 'ok' | 'recovering' | 'failed' | 'closed';

const WRITER_BATCH = 4096;

/** The answer for an entry on the ledger. */
export function resultOf(entry: LedgerEntry, leafHash: Uint8Array): CommandResult {
  return {
    seq: entry.seq,
    leafHash: bytesToHex(leafHash),
    time: entry.time,
    derived: entry.derived,
  };
}

/** Payload fields that register a public key: refused unless canonical and not of small order. */
const KEY_FIELDS = ['publicKey', 'newPublicKey'] as const;

/**
 * The checks every pipeline makes before `decide`, in this order: the clock skew, the keys the
 * payload registers, a ledger to decide on (`undefined` while it is unavailable) and, under
 * protocol v2, the ledger the payload names (a new command names it, on ledgers begun under v1
 * too; the engine refuses one naming another ledger, and only v1 history may name none).
 */
export function checkBeforeDecide(
  command: SignedCommand,
  ts: number,
  now: number,
  ledger: LedgerState | undefined
): asserts ledger is LedgerState {
  checkSkew(ts, now);
  const payload = command.payload as Record<string, unknown>;
  for (const field of KEY_FIELDS) {
    const k = payload[field];
    if (typeof k === 'string' && acceptableKey(k) === null) {
      throw RefusedError.from(ApiError.of('KEY_NOT_ACCEPTABLE', { field }));
    }
  }
  if (ledger === undefined) throw ApiError.of('LEDGER_UNAVAILABLE');
  if (payload['ledger'] === undefined) {
    throw RefusedError.from(
      ApiError.of('WRONG_LEDGER', { expected: ledger.state.ledger?.ledgerId ?? null, got: null })
    );
  }
}

/**
 * The one way a command reaches the ledger. In order: the route validated the body against the
 * command's schema (no coercion, no removal, no defaults) → the signature over the canonical
 * payload → the signer's rate limit → Idempotency-Key → a retry of a command already on the
 * ledger gets the original answer (its nonce identifies it) → the nonce is not in flight → the
 * clock skew → registered keys are acceptable → `decide` on the state, synchronously → the writer
 * appends the command with what the rules derived, at the time it was decided → once durable, the
 * followers (read models, records, snapshots, webhooks) take the entry → 201.
 *
 * Seq prediction: the engine decides entry `state.seq + 1` and the writer must assign that seq.
 * Everything that could make the store refuse an item (a nonce seen before, JSON that is not
 * canonical) is checked before `decide`, and decide → append runs without yielding, so the
 * writer's queue is in decision order. If an append fails after the rules accepted it, the
 * in-memory state is ahead of the disk: the pipeline stops accepting commands, waits for every
 * append in flight, and rebuilds the state from the ledger by replay. If that replay fails, it
 * stays stopped (fail closed).
 *
 * One vote per member per item, and every other uniqueness the rules impose, is decided on the
 * engine's state, which already holds every accepted command, durable or in flight, in ledger
 * order. The read models hold only durable entries: if an append fails, they never saw it.
 */
export class CommandPipeline {
  readonly #store: LedgerStore;
  readonly #writer: LedgerWriter;
  readonly #limiter: RateLimiter;
  readonly #log: PipelineLogger;
  readonly #clock: () => number;
  readonly #maxInFlight: number;
  readonly #followers: readonly EntryFollower[];
  readonly #idempotency: IdempotencyStore;
  readonly #inFlight = new Map<string, { canonical: string; settled: Promise<void> }>();
  readonly #rebuild: () => LedgerState;
  #ledger: LedgerState | undefined;
  #status: PipelineStatus = 'ok';
  #recovery: Promise<void> | undefined;

  /** A pipeline on `opts.ledger`; see {@link openCommandPipeline} to build that state first. */
  constructor(opts: CommandPipelineOptions) {
    this.#store = opts.store;
    this.#limiter = opts.limiter;
    this.#log = opts.log;
    this.#clock = opts.clock ?? Date.now;
    this.#maxInFlight = Math.min(opts.maxInFlight ?? 1024, WRITER_BATCH);
    this.#followers = opts.followers ?? READ_MODEL_FOLLOWERS;
    this.#writer = new LedgerWriter(opts.store, { maxBatchSize: WRITER_BATCH });
    this.#idempotency = new IdempotencyStore(opts.serviceDb, { clock: this.#clock });
    this.#rebuild = opts.rebuild;
    this.#ledger = opts.ledger;
    if (this.#ledger === undefined) this.#status = 'failed';
  }

  /** Whether commands are accepted. */
  get status(): PipelineStatus {
    return this.#status;
  }

  /** The state and read models as of the last accepted command. @throws LEDGER_UNAVAILABLE */
  get ledger(): LedgerState {
    if (this.#status !== 'ok' || this.#ledger === undefined)
      throw ApiError.of('LEDGER_UNAVAILABLE');
    return this.#ledger;
  }

  /** The engine's state. @throws LEDGER_UNAVAILABLE */
  get state(): State {
    return this.ledger.state;
  }

  /** The read models. @throws LEDGER_UNAVAILABLE */
  get projections(): Projections {
    return this.ledger.projections;
  }

  /** The clock the pipeline decides with. */
  now(): number {
    return this.#clock();
  }

  /**
   * Verifies a signed command and counts it against its signer's allowance.
   * @returns the payload's RFC 8785 form, the bytes that were signed
   * @throws ApiError SIGNATURE_INVALID, VALIDATION_FAILED, RATE_LIMITED
   */
  authenticate(command: SignedCommand): string {
    const payloadJson = verifyCommandSignature(command);
    this.#limiter.take(`key:${command.publicKey}`);
    return payloadJson;
  }

  /**
   * Runs `fn` under the request's Idempotency-Key, if it has one: a repeat gets the remembered
   * answer; the answer of `fn` (a success or a decided refusal) is remembered.
   */
  async idempotent<T>(
    publicKey: string,
    ctx: SubmitContext,
    fn: () => Promise<Answer<T>>
  ): Promise<Answer<T>> {
    if (ctx.idempotencyKey === undefined) return fn();
    const { idempotencyKey: key, requestDigest } = ctx;
    const prior = this.#idempotency.begin(publicKey, key, requestDigest);
    if (prior) {
      if (prior.kind === 'error') throw fromStored(prior);
      return { statusCode: prior.statusCode, body: prior.body as T, replayed: true };
    }
    try {
      const answer = await fn();
      this.#idempotency.finish(publicKey, key, requestDigest, {
        kind: 'result',
        statusCode: answer.statusCode,
        body: answer.body,
      });
      return answer;
    } catch (err) {
      if (err instanceof RefusedError) {
        this.#idempotency.finish(publicKey, key, requestDigest, toStored(err));
      } else {
        this.#idempotency.abandon(publicKey, key);
      }
      throw err;
    }
  }

  /** Submits a ledger command (the route has validated its shape and type). */
  async submit(command: SignedCommand, ctx: SubmitContext): Promise<Answer<CommandResult>> {
    const payloadJson = this.authenticate(command);
    return this.idempotent(command.publicKey, ctx, () => this.#submit(command, payloadJson));
  }

  async #submit(command: SignedCommand, payloadJson: string): Promise<Answer<CommandResult>> {
    const { publicKey } = command;
    const { nonce, ts } = command.payload;
    const canonical = canonicalSignedCommand(payloadJson, publicKey, command.signature);

    // In flight until durable and followed: its entry may be committed and not yet synced, so
    // this comes before the ledger lookup, which would answer for an entry not yet durable.
    const id = `${publicKey}\n${nonce}`;
    const flying = this.#inFlight.get(id);
    if (flying) {
      throw ApiError.of(flying.canonical === canonical ? 'COMMAND_IN_FLIGHT' : 'NONCE_REPLAYED');
    }
    // A retry of a command already on the ledger: the original answer, never a second entry.
    const onLedger = this.#store.nonceSeq(publicKey, nonce, ts);
    if (onLedger !== undefined) {
      // Committed and not yet durable, though no longer in flight (a recovery under way).
      if (onLedger >= this.#store.size) throw ApiError.of('COMMAND_IN_FLIGHT');
      const entry = this.#store.entry(onLedger);
      if (canonicalJson(entry.command) !== canonical) throw ApiError.of('NONCE_REPLAYED');
      return {
        statusCode: 201,
        body: resultOf(entry, this.#store.leafHash(onLedger)),
        replayed: true,
      };
    }
    const ledger = this.#status === 'ok' ? this.#ledger : undefined;
    checkBeforeDecide(command, ts, this.#clock(), ledger);
    if (this.#inFlight.size >= this.#maxInFlight) throw ApiError.of('BUSY');

    // Decided on the engine's state, which now holds the entry (ahead of the disk until the
    // append is durable); the read models wait for the followers.
    const time = Math.max(this.#clock(), ledger.state.time);
    let done: Promise<{ entry: LedgerEntry; leafHash: Uint8Array }>;
    let applied: AppliedEntry;
    try {
      const d = ledger.decide(command, time);
      if (!d.ok) throw refusalError(d.refusal);
      applied = d.entry;
      const derivedJson = canonicalJson(applied.derived);
      done = this.#writer.append(command, applied.derived, {
        commandJson: canonical,
        derivedJson,
        time,
      });
    } catch (err) {
      if (err instanceof RefusedError) throw err;
      this.#fail(err);
      throw ApiError.of('LEDGER_UNAVAILABLE');
    }
    const finished = this.#durable(id, ledger, applied, done);
    this.#inFlight.set(id, { canonical, settled: finished.then(noop, noop) });
    return finished;
  }

  /** Waits for the append, then hands the entry to the followers. */
  async #durable(
    id: string,
    ledger: LedgerState,
    applied: AppliedEntry,
    done: Promise<{ entry: LedgerEntry; leafHash: Uint8Array }>
  ): Promise<Answer<CommandResult>> {
    const { seq } = applied;
    let appended: { entry: LedgerEntry; leafHash: Uint8Array };
    try {
      appended = await done;
    } catch (err) {
      this.#inFlight.delete(id);
      this.#fail(err);
      throw ApiError.of('LEDGER_UNAVAILABLE');
    }
    try {
      if (appended.entry.seq !== seq) {
        this.#fail(
          new Error(`the writer assigned seq ${appended.entry.seq}, the rules decided ${seq}`)
        );
        throw ApiError.of('LEDGER_UNAVAILABLE');
      }
      // A recovery under way rebuilds the state from the ledger, this entry included. Entries
      // committed by close() are followed, so the snapshot at close covers them.
      const following = this.#status === 'ok' || this.#status === 'closed';
      if (following && this.#ledger === ledger) {
        for (const f of this.#followers) {
          try {
            f.onDurable(applied, ledger);
          } catch (err) {
            this.#log.error({ err, seq }, 'a post-commit hook failed');
          }
        }
      }
    } finally {
      this.#inFlight.delete(id);
    }
    return { statusCode: 201, body: resultOf(appended.entry, appended.leafHash), replayed: false };
  }

  #fail(err: unknown): void {
    this.#log.error({ err }, 'an accepted command did not become durable; re-reading the ledger');
    if (this.#status === 'failed' || this.#status === 'closed' || this.#recovery) return;
    this.#status = 'recovering';
    this.#recovery = this.#recover().finally(() => {
      this.#recovery = undefined;
    });
  }

  async #recover(): Promise<void> {
    // Every append still queued was decided on the state that is now suspect: let them settle.
    while (this.#inFlight.size > 0) {
      await Promise.all([...this.#inFlight.values()].map((f) => f.settled));
    }
    try {
      this.#ledger = this.#rebuild();
      if (this.#status === 'recovering') this.#status = 'ok';
      this.#log.info(
        { size: this.#store.size },
        'state rebuilt from the ledger; accepting commands'
      );
    } catch (err) {
      this.#ledger = undefined;
      this.#status = 'failed';
      this.#log.error({ err }, 'the ledger does not replay; no command is accepted');
    }
  }

  /**
   * Resolves once every entry decided before this call is durable and followed (or failed and
   * the state rebuilt): reads that wait for it never see an entry the ledger may still lose.
   * At once when nothing is in flight.
   */
  async caughtUp(): Promise<void> {
    if (this.#inFlight.size > 0) {
      await Promise.all([...this.#inFlight.values()].map((f) => f.settled));
    }
    await this.settled();
  }

  /** Resolves once a recovery under way has finished. */
  async settled(): Promise<void> {
    while (this.#recovery) await this.#recovery;
  }

  /** Commits what is queued and stops accepting commands. */
  async close(): Promise<void> {
    this.#status = 'closed';
    this.#writer.close();
    await Promise.all([...this.#inFlight.values()].map((f) => f.settled));
  }
}

function noop(): void {}
