/**
 * Consistency monitoring: a watcher keeps the last checkpoint it trusted and accepts a new one
 * only when it is signed by the log key and provably consistent with it (RFC 9162 §2.1.4). A log
 * that forks (same size, other root), rolls back (smaller size) or rewrites history (no valid
 * consistency proof) is caught.
 */
import {
  base64Decode,
  bytesToHex,
  equalBytes,
  hexToBytes,
  openCheckpoint,
  parseNoteVerifier,
  verifyConsistency,
  type Checkpoint,
  type NoteVerifier,
} from '@yishi/crypto';
import type { KeyEvent } from '@yishi/schema';
import { WatchError } from './error.js';
import { parsePolicy, PolicyError, verifyCheckpointPolicy, type Policy } from './policy.js';

/** A checkpoint the watcher trusts. */
export interface TrustedCheckpoint {
  size: number;
  rootHash: string;
  note: string;
}

type Fetch = (url: string) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;

/** Options of {@link LogWatcher}. */
export interface LogWatcherOptions {
  /** The last checkpoint trusted before (persist it between runs to catch a rollback). */
  trusted?: TrustedCheckpoint;
  fetch?: Fetch;
  /** The origin pinned with the ledger (`GET /ledger/info`): a key for another is refused. */
  origin?: string;
  /**
   * A principal to watch the key events of (issue 13: a key set by someone else is visible):
   * after each accepted checkpoint the watcher reads them with `readKeyEvents` and reports those
   * it has not reported before that the checkpoint covers.
   */
  principal?: string;
  /**
   * Reads the principal's key events, signed as the principal or an admin: with the SDK,
   * `(id) => client.keyEvents(id)`. An array, or an openapi-fetch result (`{ data, error }`).
   */
  readKeyEvents?: (principalId: string) => Promise<KeyEventsAnswer>;
  /** The last key event's seq reported before (persist it between runs); none by default. */
  lastKeyEventSeq?: number;
}

/** What {@link LogWatcherOptions.readKeyEvents} may answer. */
export type KeyEventsAnswer =
  | readonly KeyEvent[]
  | {
      data?: { events: readonly KeyEvent[] } | undefined;
      error?: unknown;
      response?: { status: number };
    };

/** Checks a log's checkpoints one after another, each against the last trusted. */
export class LogWatcher {
  private readonly base: string;
  private readonly verifier: NoteVerifier;
  private readonly policy: Policy | undefined;
  private readonly fetch: Fetch;
  private last: (TrustedCheckpoint & { root: Uint8Array }) | undefined;
  private readonly principal: string | undefined;
  private readonly readKeyEvents: LogWatcherOptions['readKeyEvents'];
  private lastKeySeq: number;

  /**
   * `trust` is the log's vkey, or `{ policy }` (C2SP tlog-policy, parsed or text): then each
   * checkpoint must also carry a quorum of valid witness cosignatures.
   * @throws KeyFormatError / PolicyError on a bad vkey or policy.
   */
  constructor(
    url: string,
    trust: string | { policy: Policy | string },
    options: LogWatcherOptions = {}
  ) {
    this.base = url.replace(/\/+$/, '');
    if (typeof trust === 'string') {
      this.verifier = parseNoteVerifier(trust.trim());
    } else {
      this.policy = typeof trust.policy === 'string' ? parsePolicy(trust.policy) : trust.policy;
      const log = this.policy.logs[0];
      if (log === undefined || this.policy.logs.length !== 1) {
        throw new PolicyError('POLICY_MALFORMED', 'a watched policy names exactly one log');
      }
      this.verifier = log.verifier;
    }
    if (options.origin !== undefined && options.origin !== this.verifier.name) {
      throw new WatchError(
        'ORIGIN_MISMATCH',
        `the log key is for origin ${this.verifier.name}, not ${options.origin}`
      );
    }
    this.fetch = options.fetch ?? ((u) => globalThis.fetch(u));
    this.principal = options.principal;
    this.readKeyEvents = options.readKeyEvents;
    this.lastKeySeq = options.lastKeyEventSeq ?? -1;
    if (this.principal !== undefined && this.readKeyEvents === undefined) {
      throw new TypeError('watching a principal needs readKeyEvents (a signed read)');
    }
    if (options.trusted) {
      this.last = { ...options.trusted, root: hexToBytes(options.trusted.rootHash) };
    }
  }

  /** The checkpoint trusted now. */
  get trusted(): TrustedCheckpoint | undefined {
    return (
      this.last && { size: this.last.size, rootHash: this.last.rootHash, note: this.last.note }
    );
  }

  /** The seq of the last key event reported (-1 before the first). */
  get lastKeyEventSeq(): number {
    return this.lastKeySeq;
  }

  /**
   * The watched principal's key events not reported before that the trusted checkpoint covers
   * (seq below its size), oldest first; none without a principal or a trusted checkpoint. Each
   * is returned once: the watcher remembers the last seq.
   * @throws WatchError KEY_EVENTS_UNREADABLE when the read fails.
   */
  async newKeyEvents(): Promise<KeyEvent[]> {
    const size = this.last?.size ?? 0;
    if (this.principal === undefined || this.readKeyEvents === undefined || size === 0) return [];
    let events: readonly KeyEvent[];
    try {
      const answer = await this.readKeyEvents(this.principal);
      if (Array.isArray(answer)) events = answer as readonly KeyEvent[];
      else {
        const a = answer as Exclude<KeyEventsAnswer, readonly KeyEvent[]>;
        if (a.data === undefined) {
          throw new Error(`the key events read answered ${a.response?.status ?? 'an error'}`);
        }
        events = a.data.events;
      }
    } catch (err) {
      throw new WatchError('KEY_EVENTS_UNREADABLE', (err as Error).message);
    }
    const fresh = events
      .filter((e) => e.seq > this.lastKeySeq && e.seq < size)
      .sort((a, b) => a.seq - b.seq);
    const newest = fresh[fresh.length - 1];
    if (newest !== undefined) this.lastKeySeq = newest.seq;
    return fresh;
  }

  /**
   * Fetches the latest checkpoint and accepts it if consistent with the last trusted one.
   * @throws WatchError when the log cannot be reached or misbehaves.
   */
  async check(): Promise<TrustedCheckpoint> {
    const note = await this.get('/log/checkpoint');
    let checkpoint: Checkpoint;
    try {
      checkpoint = openCheckpoint(note, [this.verifier], this.verifier.name).checkpoint;
      if (this.policy !== undefined && !verifyCheckpointPolicy(note, this.policy).quorum) {
        throw new WatchError(
          'CHECKPOINT_QUORUM_UNMET',
          "the checkpoint lacks its witnesses' quorum"
        );
      }
    } catch (err) {
      if (err instanceof WatchError) throw err;
      throw new WatchError('CHECKPOINT_UNVERIFIED', (err as Error).message);
    }
    const last = this.last;
    if (last) {
      if (checkpoint.size < last.size) {
        throw new WatchError(
          'LOG_ROLLED_BACK',
          `the log shows size ${checkpoint.size} after it had signed size ${last.size}`
        );
      }
      if (checkpoint.size === last.size && !equalBytes(checkpoint.rootHash, last.root)) {
        throw new WatchError('LOG_FORKED', `two different roots signed at size ${last.size}`);
      }
      if (checkpoint.size > last.size && last.size > 0) {
        const text = await this.get(`/log/consistency?from=${last.size}&to=${checkpoint.size}`);
        try {
          const proof = text
            .split('\n')
            .filter((l) => l !== '')
            .map(base64Decode);
          verifyConsistency(last.size, checkpoint.size, proof, last.root, checkpoint.rootHash);
        } catch (err) {
          throw new WatchError('LOG_INCONSISTENT', (err as Error).message);
        }
      }
    }
    this.last = {
      size: checkpoint.size,
      rootHash: bytesToHex(checkpoint.rootHash),
      root: checkpoint.rootHash,
      note,
    };
    return this.trusted as TrustedCheckpoint;
  }

  private async get(path: string): Promise<string> {
    let res;
    try {
      res = await this.fetch(`${this.base}${path}`);
    } catch (err) {
      throw new WatchError('LOG_UNREACHABLE', (err as Error).message);
    }
    if (!res.ok) throw new WatchError('LOG_UNREACHABLE', `${path} answered ${res.status}`);
    return res.text();
  }
}

/** A running watch: stop it to end polling. */
export interface LogWatch {
  stop(): void;
  readonly watcher: LogWatcher;
}

/**
 * Polls a log every `intervalMs` (default 10 s), calling `onCheckpoint` for each newly trusted
 * checkpoint and `onError` (then stopping) when the log misbehaves. With `principal` (and
 * `readKeyEvents`), `onKeyEvent` is called once per key event concerning that principal, after
 * the checkpoint that covers it: a reset of its key by an admin comes with `setByAdmin: true`.
 */
export function watchLog(
  url: string,
  vkey: string | { policy: Policy | string },
  handlers: {
    onCheckpoint?: (c: TrustedCheckpoint) => void;
    onError?: (e: WatchError) => void;
    onKeyEvent?: (e: KeyEvent) => void;
    intervalMs?: number;
  } & LogWatcherOptions = {}
): LogWatch {
  const watcher = new LogWatcher(url, vkey, handlers);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const tick = async () => {
    try {
      const before = watcher.trusted?.size;
      const c = await watcher.check();
      if (c.size !== before) {
        handlers.onCheckpoint?.(c);
        for (const e of await watcher.newKeyEvents()) handlers.onKeyEvent?.(e);
      }
    } catch (err) {
      stopped = true;
      handlers.onError?.(
        err instanceof WatchError ? err : new WatchError('LOG_UNREACHABLE', String(err))
      );
      return;
    }
    if (!stopped) timer = setTimeout(() => void tick(), handlers.intervalMs ?? 10_000);
  };
  void tick();
  return {
    watcher,
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
