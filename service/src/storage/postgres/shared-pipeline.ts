// The command pipeline of an instance that shares its ledger with others through PostgreSQL
// (issue 18 §3). The same checks as CommandPipeline up to the decision; then, instead of the
// local group-commit writer, one transaction at a time under the database's head lock: copy in
// what other instances appended (their entries replayed into this state), decide each queued
// command on that state, insert the entries at the next dense seqs, commit, and only then answer.
// A transaction that fails leaves the state rebuilt from the mirror (which holds only committed
// entries); a retry of a command whose commit answer was lost finds it at the next catch-up and
// gets its original answer, never a second entry.
import { randomBytes } from 'node:crypto';
import {
  bytesToHex,
  canonicalEntryJson,
  canonicalJson,
  canonicalSignedCommandJson,
  createTreeHasher,
} from '@yishi/crypto';
import { nodeHashBackend } from '@yishi/crypto/node';
import type { LedgerEntry, SignedCommand } from '@yishi/schema';
import { fromStored, toStored } from '../../commands/idempotency.js';
import {
  CommandPipeline,
  checkBeforeDecide,
  resultOf,
  type Answer,
  type CommandResult,
  type CommandPipelineOptions,
  type PipelineStatus,
  type SubmitContext,
} from '../../commands/pipeline.js';
import { RefusedError, refusalError } from '../../commands/refusals.js';
import { ApiError } from '../../http/errors.js';
import { READ_MODEL_FOLLOWERS, type EntryFollower } from '../../state/followers.js';
import type { LedgerState } from '../../state/ledger-state.js';
import type { AppliedEntry } from '../../state/projections.js';
import type { ImportedEntry } from '../entry-import.js';
import type { NewEntry } from '../ledger-backend.js';
import type { SharedLedger } from './shared-ledger.js';

const hasher = createTreeHasher(nodeHashBackend);
/** Commands decided in one transaction at most. */
const MAX_BATCH = 256;
const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

export interface SharedPipelineOptions extends CommandPipelineOptions {
  shared: SharedLedger;
}

interface Queued {
  command: SignedCommand;
  canonical: string;
  resolve: (a: Answer<CommandResult>) => void;
  reject: (err: unknown) => void;
}

/** The time a nonce is filed under: the command's ts, as the SQLite ledger files it. */
function nonceTime(command: SignedCommand, time: number): number {
  const ts = (command.payload as { ts?: unknown }).ts;
  return typeof ts === 'number' && Number.isSafeInteger(ts) && ts >= 0 ? ts : time;
}

export class SharedCommandPipeline extends CommandPipeline {
  readonly #shared: SharedLedger;
  readonly #log: CommandPipelineOptions['log'];
  readonly #clock: () => number;
  readonly #followers: readonly EntryFollower[];
  readonly #rebuildState: () => LedgerState;
  readonly #maxInFlight: number;
  #ledger: LedgerState | undefined;
  #status: PipelineStatus = 'ok';
  #queue: Queued[] = [];
  readonly #inFlight = new Map<string, string>();
  #draining: Promise<void> | undefined;

  constructor(opts: SharedPipelineOptions) {
    super(opts);
    this.#shared = opts.shared;
    this.#log = opts.log;
    this.#clock = opts.clock ?? Date.now;
    this.#followers = opts.followers ?? READ_MODEL_FOLLOWERS;
    this.#rebuildState = opts.rebuild;
    this.#maxInFlight = opts.maxInFlight ?? 1024;
    this.#ledger = opts.ledger;
    if (this.#ledger === undefined) this.#status = 'failed';
    opts.shared.onImport = (entries) => this.#onImport(entries);
  }

  override get status(): PipelineStatus {
    return this.#status;
  }

  override get ledger(): LedgerState {
    if (this.#status !== 'ok' || this.#ledger === undefined)
      throw ApiError.of('LEDGER_UNAVAILABLE');
    return this.#ledger;
  }

  /** Entries other instances appended: replayed into the state, then followed. */
  #onImport(entries: readonly ImportedEntry[]): void {
    const ledger = this.#ledger;
    if (ledger === undefined || this.#status === 'failed') return;
    for (const { entry } of entries) {
      try {
        ledger.replay(entry);
      } catch (err) {
        this.#ledger = undefined;
        this.#status = 'failed';
        this.#log.error({ err, seq: entry.seq }, 'an entry from the database does not replay');
        return;
      }
      const applied: AppliedEntry = {
        seq: entry.seq,
        time: entry.time,
        command: entry.command,
        derived: entry.derived,
      } as AppliedEntry;
      for (const f of this.#followers) {
        try {
          f.onDurable(applied, ledger);
        } catch (err) {
          this.#log.error({ err, seq: entry.seq }, 'a post-commit hook failed');
        }
      }
    }
  }

  /** Idempotency-Key answers shared by every instance (the database's table). */
  override async idempotent<T>(
    publicKey: string,
    ctx: SubmitContext,
    fn: () => Promise<Answer<T>>
  ): Promise<Answer<T>> {
    if (ctx.idempotencyKey === undefined) return fn();
    const { idempotencyKey: key, requestDigest } = ctx;
    const backend = this.#shared.backend;
    let prior;
    try {
      prior = await backend.idempotencyBegin(
        publicKey,
        key,
        requestDigest,
        this.#clock(),
        IDEMPOTENCY_TTL_MS
      );
    } catch (err) {
      this.#log.error({ err }, 'the database did not answer an Idempotency-Key lookup');
      throw ApiError.of('LEDGER_UNAVAILABLE');
    }
    if (prior.kind === 'reused') throw ApiError.of('IDEMPOTENCY_KEY_REUSED');
    if (prior.kind === 'in-flight') throw ApiError.of('IDEMPOTENCY_IN_FLIGHT');
    if (prior.kind === 'answer') {
      const r = prior.response;
      if (r.kind === 'error') throw fromStored(r);
      return { statusCode: r.statusCode, body: r.body as T, replayed: true };
    }
    try {
      const answer = await fn();
      await backend
        .idempotencyFinish(
          publicKey,
          key,
          requestDigest,
          { kind: 'result', statusCode: answer.statusCode, body: answer.body },
          this.#clock()
        )
        .catch((err) => this.#log.error({ err }, 'an Idempotency-Key answer was not kept'));
      return answer;
    } catch (err) {
      const done =
        err instanceof RefusedError
          ? backend.idempotencyFinish(publicKey, key, requestDigest, toStored(err), this.#clock())
          : backend.idempotencyAbandon(publicKey, key);
      await done.catch((e) => this.#log.error({ err: e }, 'an Idempotency-Key was not updated'));
      throw err;
    }
  }

  override async submit(
    command: SignedCommand,
    ctx: SubmitContext
  ): Promise<Answer<CommandResult>> {
    const payloadJson = this.authenticate(command);
    return this.idempotent(command.publicKey, ctx, () => this.#submit(command, payloadJson));
  }

  async #submit(command: SignedCommand, payloadJson: string): Promise<Answer<CommandResult>> {
    const { publicKey } = command;
    const { nonce, ts } = command.payload;
    const canonical = canonicalSignedCommandJson(payloadJson, publicKey, command.signature);
    const id = `${publicKey}\n${nonce}`;
    const flying = this.#inFlight.get(id);
    if (flying !== undefined) {
      throw ApiError.of(flying === canonical ? 'COMMAND_IN_FLIGHT' : 'NONCE_REPLAYED');
    }
    // A retry of a command already in the mirror; one on the database only is found under the lock.
    const mirror = this.#shared.mirror;
    const onLedger = mirror.nonceSeq(publicKey, nonce, ts);
    if (onLedger !== undefined) return this.#replayed(onLedger, canonical);
    checkBeforeDecide(command, ts, this.#clock(), this.#status === 'ok' ? this.#ledger : undefined);
    if (this.#inFlight.size >= this.#maxInFlight) throw ApiError.of('BUSY');
    this.#inFlight.set(id, canonical);
    try {
      return await new Promise<Answer<CommandResult>>((resolve, reject) => {
        this.#queue.push({ command, canonical, resolve, reject });
        this.#draining ??= this.#drain().finally(() => {
          this.#draining = undefined;
        });
      });
    } finally {
      this.#inFlight.delete(id);
    }
  }

  #replayed(seq: number, canonical: string): Answer<CommandResult> {
    const mirror = this.#shared.mirror;
    const entry = mirror.entry(seq);
    if (canonicalJson(entry.command) !== canonical) throw ApiError.of('NONCE_REPLAYED');
    return { statusCode: 201, body: resultOf(entry, mirror.leafHash(seq)), replayed: true };
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, MAX_BATCH);
      await this.#transaction(batch);
    }
  }

  /** One append transaction for `batch`; every item is answered once it ends. */
  async #transaction(batch: Queued[]): Promise<void> {
    type Outcome =
      | { kind: 'answer'; answer: Answer<CommandResult> }
      | { kind: 'error'; err: unknown }
      | { kind: 'accepted'; applied: AppliedEntry; body: string; leafHash: Uint8Array };
    let outcomes: Outcome[] = [];
    let ledger: LedgerState | undefined;
    try {
      outcomes = await this.#shared.transact(
        async (lock) => {
          ledger = this.#ledger;
          if (this.#status !== 'ok' || ledger === undefined)
            throw ApiError.of('LEDGER_UNAVAILABLE');
          const mirror = this.#shared.mirror;
          const entries: NewEntry[] = [];
          const out: Outcome[] = [];
          let seq = lock.head.size;
          let prev = lock.head.prev;
          for (const q of batch) {
            const { publicKey } = q.command;
            const { nonce, ts } = q.command.payload;
            const onLedger = mirror.nonceSeq(publicKey, nonce, ts);
            if (onLedger !== undefined) {
              try {
                out.push({ kind: 'answer', answer: this.#replayed(onLedger, q.canonical) });
              } catch (err) {
                out.push({ kind: 'error', err });
              }
              continue;
            }
            const time = Math.max(this.#clock(), ledger.state.time);
            const d = ledger.decide(q.command, time);
            if (!d.ok) {
              out.push({ kind: 'error', err: refusalError(d.refusal) });
              continue;
            }
            if (d.entry.seq !== seq) {
              throw new Error(`the rules decided seq ${d.entry.seq}, the head is at ${seq}`);
            }
            const body = canonicalEntryJson({
              seq,
              prev,
              time,
              salt: randomBytes(16).toString('hex'),
              commandJson: q.canonical,
              derivedJson: canonicalJson(d.entry.derived),
            });
            const leafHash = hasher.hashLeafText(body);
            entries.push({
              seq,
              leafHash,
              body,
              nonce: { publicKey, nonce, ts: nonceTime(q.command, time) },
            });
            out.push({ kind: 'accepted', applied: d.entry, body, leafHash });
            prev = bytesToHex(leafHash);
            seq++;
          }
          return { value: out, entries };
        },
        () => this.#recover()
      );
    } catch (err) {
      if (!(err instanceof ApiError)) {
        this.#log.error(
          { err },
          'an append transaction failed; the state is rebuilt from the mirror'
        );
      }
      for (const q of batch) q.reject(ApiError.of('LEDGER_UNAVAILABLE'));
      return;
    }
    batch.forEach((q, i) => {
      const o = outcomes[i] as Outcome;
      if (o.kind === 'answer') q.resolve(o.answer);
      else if (o.kind === 'error') q.reject(o.err);
      else {
        if (ledger && this.#ledger === ledger) {
          for (const f of this.#followers) {
            try {
              f.onDurable(o.applied, ledger);
            } catch (err) {
              this.#log.error({ err, seq: o.applied.seq }, 'a post-commit hook failed');
            }
          }
        }
        const entry = JSON.parse(o.body) as LedgerEntry;
        q.resolve({ statusCode: 201, body: resultOf(entry, o.leafHash), replayed: false });
      }
    });
  }

  /** After a failed transaction: the state again from the mirror (committed entries only). */
  #recover(): void {
    if (this.#status === 'failed' || this.#status === 'closed') return;
    try {
      this.#ledger = this.#rebuildState();
      this.#status = 'ok';
    } catch (err) {
      this.#ledger = undefined;
      this.#status = 'failed';
      this.#log.error({ err }, 'the ledger does not replay; no command is accepted');
    }
  }

  /**
   * Reads wait for a catch-up started after they arrived: an answer reflects every entry any
   * instance committed before the read (a client that wrote reads its own write anywhere).
   */
  override async caughtUp(): Promise<void> {
    if (this.#status === 'closed') return;
    try {
      await this.#shared.catchUp();
    } catch (err) {
      this.#log.error({ err }, 'could not catch up with the database');
      throw ApiError.of('LEDGER_UNAVAILABLE');
    }
  }

  override async settled(): Promise<void> {
    await this.#draining;
  }

  override async close(): Promise<void> {
    await this.#draining;
    this.#status = 'closed';
    await super.close();
  }
}
