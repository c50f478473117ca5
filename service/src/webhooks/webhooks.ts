import { base64Encode, canonicalJson, signingMessage } from '@yishi/crypto';
import {
  SIGNING_CONTEXTS,
  type ReportView,
  type WebhookReport,
  type WebhookDelivery,
  type WebhookPayload,
  type WebhookView,
} from '@yishi/schema';
import type { Statement } from 'better-sqlite3';
import { ApiError } from '../http/errors.js';
import { fastSign } from '../crypto-fast/fast-ed25519.js';
import type { ServiceDatabase } from '../storage/service-db.js';
import type { ReportRow } from '../state/projections.js';
import {
  checkTarget,
  systemResolver,
  TargetAllowList,
  type Resolver,
  type TargetCheck,
} from './target-policy.js';
import { pinnedTransport, type Transport } from './transport.js';
import type { LedgerBackend } from '../storage/ledger-backend.js';

/** Timers, injectable so tests control the backoff. */
export interface Timer {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimer: Timer = {
  set: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** A webhook registration as the shared (PostgreSQL) table holds it. */
export interface SharedWebhookRow {
  id: number;
  url: string;
  registered_by: string;
  created_at: number;
  after_seq: number;
  active: boolean;
  command: string;
}

/**
 * Where several instances on one database share their webhooks (PostgreSQL): registrations in one
 * table, and one leased claim per (webhook, report) so that exactly one instance delivers it.
 */
export interface SharedWebhookStore extends Pick<
  LedgerBackend,
  'leaseDelivery' | 'holdDelivery' | 'finishDelivery'
> {
  webhookRegister(w: {
    url: string;
    registeredBy: string;
    createdAt: number;
    afterSeq: number;
    command: string;
  }): Promise<number>;
  webhookDeactivate(id: number): Promise<void>;
  webhooksAll(): Promise<SharedWebhookRow[]>;
}

export interface WebhookOptions {
  db: ServiceDatabase;
  /** The log's 32-byte secret key: deliveries are signed with it (`yishi/webhook/v1`). */
  logSecretKey: Uint8Array | null;
  /** The report with this id, from the read models. */
  report: (reportId: string) => ReportRow | undefined;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  clock?: () => number;
  /**
   * Targets allowed although not public https: host names and CIDR ranges (YISHI_WEBHOOK_ALLOW),
   * as text or parsed. Default: none.
   */
  allow?: string | TargetAllowList;
  /** Resolves target host names (default: the system resolver). */
  resolve?: Resolver;
  /** Sends one POST to a checked, pinned address (default: node http/https). */
  transport?: Transport;
  timer?: Timer;
  /** First retry delay (default 1 s); each retry doubles it, up to `maxDelayMs` (1 h). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Attempts before a delivery is given up (default 10). */
  maxAttempts?: number;
  /** Per-attempt timeout (default 10 s). */
  timeoutMs?: number;
  /** Registrations and delivery claims shared with the other instances on one database. */
  shared?: {
    store: SharedWebhookStore;
    /** This instance's name in the claims (unique among the instances). */
    claimant: string;
    /**
     * A claim not finished or renewed for this long is taken over by another instance (its holder
     * died mid-delivery); longer than an attempt's timeout. Default 60 s.
     */
    claimTimeoutMs?: number;
  };
}

interface WebhookRow {
  id: number;
  url: string;
  registered_by: string;
  created_at: number;
  after_seq: number;
  active: number;
  command: string;
}

interface JobRow {
  webhook_id: number;
  report_id: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_at: number;
}

const webhookId = (id: number): string => `wh-${id}`;

/** The id number of `wh-<n>`, or undefined. */
export function parseWebhookId(id: string): number | undefined {
  const m = /^wh-([0-9]{1,15})$/.exec(id);
  return m ? Number(m[1]) : undefined;
}

function view(row: WebhookRow): WebhookView {
  return {
    webhookId: webhookId(row.id),
    url: row.url,
    registeredBy: row.registered_by,
    createdAt: row.created_at,
    active: row.active === 1,
  };
}

/** A report as the outbox and webhooks show it. */
export function reportView(row: ReportRow): ReportView {
  return {
    reportId: row.report.reportId,
    kind: row.report.kind,
    addressee: row.report.addressee,
    bodyId: row.report.bodyId,
    seq: row.seq,
    time: row.time,
    acknowledgedSeq: row.acknowledgedSeq,
    subject: row.report.subject as ReportView['subject'],
  };
}

/**
 * A report as a webhook carries it: the report's ids and kind, and of its subject only the ids
 * (keys ending in `Id`): an interference record's content (P15) and every other subject stay
 * behind the signed reads, where the receiver fetches them.
 */
export function webhookReportView(row: ReportRow): WebhookReport {
  const v = reportView(row);
  const subject: Record<string, string> = {};
  if (typeof v.subject === 'object' && v.subject !== null) {
    for (const [k, x] of Object.entries(v.subject as Record<string, unknown>)) {
      if (/Id$/.test(k) && typeof x === 'string') subject[k] = x;
    }
  }
  return { ...v, subject };
}

/** The status class recorded for an attempt (404 → 400): the exact code is not kept. */
const statusClass = (status: number): number => Math.floor(status / 100) * 100;

/**
 * Webhooks for the reports outbox (P13). An admin registers a URL; every report addressed upward
 * (those pending when it registers, and every later one) is POSTed to it as JSON, signed with the
 * log key: `Yishi-Signature: base64(Ed25519(yishi/webhook/v1\n || body))`, the body being the
 * canonical JSON of a {@link WebhookPayload}. A delivery succeeds on any 2xx; otherwise it is
 * retried with exponential backoff (1 s, 2 s, 4 s, … up to 1 h) up to `maxAttempts`. Jobs and
 * every attempt are kept in service.db; pending jobs resume after a restart.
 *
 * Targets (see `target-policy.ts`): checked when registered and again, resolved afresh, before
 * every attempt, which connects to the address checked. Redirects are not followed. An attempt
 * records the status class and a fixed reason (`http_4xx`, `timeout`, `connection_failed`,
 * `target_refused`, ...), never the peer's or the socket's text.
 */
export class Webhooks {
  readonly #db: ServiceDatabase;
  readonly #key: Uint8Array | null;
  readonly #report: WebhookOptions['report'];
  readonly #log: WebhookOptions['log'];
  readonly #clock: () => number;
  readonly #allow: TargetAllowList;
  readonly #resolve: Resolver;
  readonly #transport: Transport;
  readonly #timer: Timer;
  readonly #base: number;
  readonly #max: number;
  readonly #maxAttempts: number;
  readonly #timeoutMs: number;
  readonly #timers = new Map<string, unknown>();
  readonly #running = new Set<Promise<void>>();
  #closed = false;
  readonly #shared: WebhookOptions['shared'];
  readonly #leaseMs: number;
  readonly #s: {
    insertHook: Statement<[string, string, number, number, string]>;
    upsertHook: Statement<[number, string, string, number, number, number, string]>;
    hook: Statement<[number], WebhookRow>;
    hookByCommand: Statement<[string], WebhookRow>;
    hooks: Statement<[], WebhookRow>;
    deactivate: Statement<[number]>;
    insertJob: Statement<[number, string, number]>;
    job: Statement<[number, string], JobRow>;
    pendingJobs: Statement<[], JobRow>;
    updateJob: Statement<[string, number, number, number, string]>;
    insertAttempt: Statement<
      [number, string, number, number, number, number | null, string | null]
    >;
    attempts: Statement<
      [number],
      {
        webhook_id: number;
        report_id: string;
        attempt: number;
        at: number;
        ok: number;
        http_status: number | null;
        error: string | null;
      }
    >;
  };

  constructor(opts: WebhookOptions) {
    this.#db = opts.db;
    this.#key = opts.logSecretKey;
    this.#report = opts.report;
    this.#log = opts.log;
    this.#clock = opts.clock ?? Date.now;
    this.#allow =
      opts.allow instanceof TargetAllowList ? opts.allow : new TargetAllowList(opts.allow ?? '');
    this.#resolve = opts.resolve ?? systemResolver;
    this.#transport = opts.transport ?? pinnedTransport;
    this.#timer = opts.timer ?? realTimer;
    this.#base = opts.baseDelayMs ?? 1000;
    this.#max = opts.maxDelayMs ?? 3_600_000;
    this.#maxAttempts = opts.maxAttempts ?? 10;
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
    this.#shared = opts.shared;
    this.#leaseMs = Math.max(opts.shared?.claimTimeoutMs ?? 60_000, 1);
    const db = opts.db;
    this.#s = {
      insertHook: db.prepare(
        `INSERT INTO webhooks (url, registered_by, created_at, after_seq, active, command)
         VALUES (?, ?, ?, ?, 1, ?)`
      ),
      upsertHook: db.prepare(
        `INSERT INTO webhooks (id, url, registered_by, created_at, after_seq, active, command)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET active = excluded.active`
      ),
      hook: db.prepare('SELECT * FROM webhooks WHERE id = ?'),
      hookByCommand: db.prepare('SELECT * FROM webhooks WHERE command = ?'),
      hooks: db.prepare('SELECT * FROM webhooks ORDER BY id'),
      deactivate: db.prepare('UPDATE webhooks SET active = 0 WHERE id = ?'),
      insertJob: db.prepare(
        `INSERT OR IGNORE INTO webhook_jobs (webhook_id, report_id, state, attempts, next_at)
         VALUES (?, ?, 'pending', 0, ?)`
      ),
      job: db.prepare('SELECT * FROM webhook_jobs WHERE webhook_id = ? AND report_id = ?'),
      pendingJobs: db.prepare(
        `SELECT j.* FROM webhook_jobs j JOIN webhooks w ON w.id = j.webhook_id
         WHERE j.state = 'pending' AND w.active = 1 ORDER BY j.next_at`
      ),
      updateJob: db.prepare(
        `UPDATE webhook_jobs SET state = ?, attempts = ?, next_at = ?
         WHERE webhook_id = ? AND report_id = ?`
      ),
      insertAttempt: db.prepare(
        `INSERT INTO webhook_attempts (webhook_id, report_id, attempt, at, ok, http_status, error)
         VALUES (?, ?, ?, ?, ?, ?, ?)`
      ),
      attempts: db.prepare(
        `SELECT webhook_id, report_id, attempt, at, ok, http_status, error
         FROM webhook_attempts WHERE webhook_id = ? ORDER BY id`
      ),
    };
  }

  /** Whether `url` may receive deliveries, and the address to connect to (never throws). */
  checkTarget(url: string): Promise<TargetCheck> {
    return checkTarget(url, this.#allow, this.#resolve);
  }

  /** The webhook registered by this exact signed command (canonical JSON), if any. */
  byCommand(commandJson: string): WebhookView | undefined {
    const row = this.#s.hookByCommand.get(commandJson);
    return row ? view(row) : undefined;
  }

  /** Registers `url`; the reports in `pending` (unacknowledged now) are delivered to it too. */
  register(
    url: string,
    registeredBy: string,
    afterSeq: number,
    commandJson: string,
    pending: ReportRow[]
  ): WebhookView {
    if (this.#key === null) throw ApiError.of('WEBHOOKS_UNAVAILABLE');
    const now = this.#clock();
    const id = this.#db.transaction(() => {
      const r = this.#s.insertHook.run(url, registeredBy, now, afterSeq, commandJson);
      const hookId = Number(r.lastInsertRowid);
      for (const p of pending) this.#s.insertJob.run(hookId, p.report.reportId, now);
      return hookId;
    })();
    for (const p of pending) this.#schedule(id, p.report.reportId, 0);
    return view(this.#s.hook.get(id) as WebhookRow);
  }

  /** Whether registrations and deliveries are shared with other instances. */
  get shared(): boolean {
    return this.#shared !== undefined;
  }

  /**
   * {@link register} on a shared database: the registration goes to the shared table first (its
   * id is the database's; the same signed command gets the same webhook through any instance),
   * then into this instance's service.db.
   */
  async registerShared(
    url: string,
    registeredBy: string,
    afterSeq: number,
    commandJson: string,
    pending: ReportRow[]
  ): Promise<WebhookView> {
    if (this.#key === null || !this.#shared) throw ApiError.of('WEBHOOKS_UNAVAILABLE');
    const now = this.#clock();
    const id = await this.#shared.store.webhookRegister({
      url,
      registeredBy,
      createdAt: now,
      afterSeq,
      command: commandJson,
    });
    this.#db.transaction(() => {
      this.#s.upsertHook.run(id, url, registeredBy, now, afterSeq, 1, commandJson);
      for (const p of pending) this.#s.insertJob.run(id, p.report.reportId, now);
    })();
    for (const p of pending) this.#schedule(id, p.report.reportId, 0);
    return view(this.#s.hook.get(id) as WebhookRow);
  }

  /** {@link remove} on a shared database: deactivated in the shared table, then here. */
  async removeShared(id: number): Promise<WebhookView | undefined> {
    if (!this.#shared) return this.remove(id);
    const known = (await this.#shared.store.webhooksAll()).find((h) => h.id === id);
    if (!known) return undefined;
    await this.#shared.store.webhookDeactivate(id);
    this.#s.upsertHook.run(
      id,
      known.url,
      known.registered_by,
      known.created_at,
      known.after_seq,
      0,
      known.command
    );
    return this.remove(id);
  }

  /**
   * Copies the shared registrations into service.db: a webhook registered through another
   * instance gets jobs here for its reports (as {@link resume} does), one removed there stops.
   * Which instance delivers a job is decided by its claim.
   */
  async sync(reports: () => Iterable<ReportRow>): Promise<void> {
    if (!this.#shared || this.#closed) return;
    const rows = await this.#shared.store.webhooksAll();
    const now = this.#clock();
    const fresh: SharedWebhookRow[] = [];
    this.#db.transaction(() => {
      for (const h of rows) {
        const local = this.#s.hook.get(h.id);
        if (local && (local.active === 1) === h.active) continue;
        this.#s.upsertHook.run(
          h.id,
          h.url,
          h.registered_by,
          h.created_at,
          h.after_seq,
          h.active ? 1 : 0,
          h.command
        );
        if (!local && h.active) fresh.push(h);
      }
    })();
    for (const h of rows) if (!h.active) this.remove(h.id);
    if (fresh.length === 0) return;
    const all = [...reports()];
    const jobs: Array<[number, string]> = [];
    this.#db.transaction(() => {
      for (const h of fresh) {
        for (const r of all) {
          if (r.seq > h.after_seq || r.acknowledgedSeq === null) {
            this.#s.insertJob.run(h.id, r.report.reportId, now);
            jobs.push([h.id, r.report.reportId]);
          }
        }
      }
    })();
    for (const [id, reportId] of jobs) this.#schedule(id, reportId, 0);
  }

  /** Stops deliveries to a webhook. */
  remove(id: number): WebhookView | undefined {
    const row = this.#s.hook.get(id);
    if (!row) return undefined;
    this.#s.deactivate.run(id);
    for (const [key, handle] of this.#timers) {
      if (key.startsWith(`${id}\n`)) {
        this.#timer.clear(handle);
        this.#timers.delete(key);
      }
    }
    return view({ ...row, active: 0 });
  }

  get(id: number): WebhookView | undefined {
    const row = this.#s.hook.get(id);
    return row ? view(row) : undefined;
  }

  list(): WebhookView[] {
    return this.#s.hooks.all().map(view);
  }

  /** Every delivery attempt to a webhook, oldest first. */
  attempts(id: number): WebhookDelivery[] {
    return this.#s.attempts.all(id).map((a) => ({
      webhookId: webhookId(a.webhook_id),
      reportId: a.report_id,
      attempt: a.attempt,
      at: a.at,
      ok: a.ok === 1,
      httpStatus: a.http_status,
      error: a.error,
    }));
  }

  /** Queues `reports` (just made durable) for every active webhook. */
  enqueue(reports: ReportRow[]): void {
    if (reports.length === 0 || this.#closed) return;
    const now = this.#clock();
    const hooks = this.#s.hooks.all().filter((h) => h.active === 1);
    if (hooks.length === 0) return;
    this.#db.transaction(() => {
      for (const h of hooks)
        for (const r of reports) this.#s.insertJob.run(h.id, r.report.reportId, now);
    })();
    for (const h of hooks) for (const r of reports) this.#schedule(h.id, r.report.reportId, 0);
  }

  /**
   * After a start: queues the reports a crash may have kept from being queued (every report after
   * a webhook's registration, and every unacknowledged one), then resumes pending jobs.
   */
  resume(reports: Iterable<ReportRow>): void {
    const now = this.#clock();
    const hooks = this.#s.hooks.all().filter((h) => h.active === 1);
    const all = [...reports];
    this.#db.transaction(() => {
      for (const h of hooks) {
        for (const r of all) {
          if (r.seq > h.after_seq || r.acknowledgedSeq === null) {
            this.#s.insertJob.run(h.id, r.report.reportId, now);
          }
        }
      }
    })();
    for (const j of this.#s.pendingJobs.all()) {
      this.#schedule(j.webhook_id, j.report_id, Math.max(0, j.next_at - now));
    }
  }

  #schedule(hookId: number, reportId: string, delay: number): void {
    if (this.#closed) return;
    const key = `${hookId}\n${reportId}`;
    if (this.#timers.has(key)) return;
    const handle = this.#timer.set(() => {
      this.#timers.delete(key);
      const run = this.#claimAndDeliver(hookId, reportId).finally(() => this.#running.delete(run));
      this.#running.add(run);
    }, delay);
    this.#timers.set(key, handle);
  }

  /**
   * On a shared database, an attempt is made only under this instance's claim of the delivery:
   * another instance's live claim defers it (looked at again once that claim could have expired),
   * a finished one ends it here. Alone, every attempt is made.
   */
  async #claimAndDeliver(hookId: number, reportId: string): Promise<void> {
    const shared = this.#shared;
    if (!shared) {
      await this.#deliver(hookId, reportId);
      return;
    }
    const job = this.#s.job.get(hookId, reportId);
    if (!job || job.state !== 'pending' || this.#closed) return;
    const target = webhookId(hookId);
    let lease: 'ours' | 'taken' | 'done';
    try {
      lease = await shared.store.leaseDelivery(
        target,
        reportId,
        shared.claimant,
        this.#clock(),
        this.#leaseMs
      );
    } catch (err) {
      this.#log.warn({ err, webhookId: target, reportId }, 'webhook claim failed');
      this.#schedule(hookId, reportId, this.#base);
      return;
    }
    if (lease === 'taken') return this.#schedule(hookId, reportId, this.#leaseMs);
    if (lease === 'done') {
      // Delivered (or given up) by another instance: its attempts are in its service.db.
      this.#s.updateJob.run('delivered', job.attempts, this.#clock(), hookId, reportId);
      return;
    }
    const state = await this.#deliver(hookId, reportId);
    try {
      if (state === 'pending') {
        const job = this.#s.job.get(hookId, reportId);
        await shared.store.holdDelivery(
          target,
          reportId,
          shared.claimant,
          (job?.next_at ?? this.#clock()) + this.#leaseMs
        );
      } else if (state !== undefined) {
        await shared.store.finishDelivery(target, reportId, shared.claimant);
      }
    } catch (err) {
      // The claim then expires and another instance may attempt again: at least once, not lost.
      this.#log.warn({ err, webhookId: target, reportId }, 'webhook claim not recorded');
    }
  }

  async #deliver(hookId: number, reportId: string): Promise<JobRow['state'] | undefined> {
    const hook = this.#s.hook.get(hookId);
    const job = this.#s.job.get(hookId, reportId);
    const row = this.#report(reportId);
    if (!hook || hook.active !== 1 || !job || job.state !== 'pending' || this.#closed) return;
    const attempt = job.attempts + 1;
    let ok = false;
    let httpStatus: number | null = null;
    let error: string | null = null;
    if (!row || this.#key === null) {
      error = row ? 'no_log_key' : 'report_not_found';
    } else {
      // Protocol v2: the signature covers the target URL, the delivery id and the time, so a
      // captured delivery is good for no other receiver and (WEBHOOK_MAX_AGE_MS) not for long.
      const payload: WebhookPayload = {
        url: hook.url,
        webhookId: webhookId(hookId),
        deliveryId: `${webhookId(hookId)}/${reportId}`,
        attempt,
        sentAt: this.#clock(),
        report: webhookReportView(row),
      };
      const body = canonicalJson(payload);
      const signature = fastSign(signingMessage(SIGNING_CONTEXTS.webhook, payload), this.#key);
      // Resolved and checked again now: the name may point elsewhere than at registration.
      const target = await this.checkTarget(hook.url);
      if (!target.ok) {
        error = 'target_refused';
      } else {
        const r = await this.#transport(
          target.url,
          target.address,
          {
            'content-type': 'application/json',
            'yishi-signature': base64Encode(signature),
            'yishi-delivery': payload.deliveryId,
          },
          body,
          this.#timeoutMs
        );
        if ('status' in r) {
          httpStatus = statusClass(r.status);
          ok = r.status >= 200 && r.status < 300;
          if (!ok) {
            error =
              r.status >= 300 && r.status < 400
                ? 'redirect_not_followed'
                : `http_${httpStatus / 100}xx`;
          }
        } else {
          error = r.failure;
        }
      }
    }
    const now = this.#clock();
    const giveUp = !ok && (attempt >= this.#maxAttempts || !row || this.#key === null);
    const delay = Math.min(this.#base * 2 ** (attempt - 1), this.#max);
    const state = ok ? 'delivered' : giveUp ? 'failed' : 'pending';
    this.#db.transaction(() => {
      this.#s.insertAttempt.run(hookId, reportId, attempt, now, ok ? 1 : 0, httpStatus, error);
      this.#s.updateJob.run(state, attempt, ok || giveUp ? now : now + delay, hookId, reportId);
    })();
    if (state === 'pending') {
      this.#log.info({ webhookId: webhookId(hookId), reportId, attempt, error }, 'webhook retry');
      this.#schedule(hookId, reportId, delay);
    } else if (state === 'failed') {
      this.#log.warn({ webhookId: webhookId(hookId), reportId, attempt }, 'webhook gave up');
    }
    return state;
  }

  /** Deliveries running now (tests wait on them). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running]);
  }

  /** Stops scheduling; running deliveries finish. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const h of this.#timers.values()) this.#timer.clear(h);
    this.#timers.clear();
    await this.idle();
  }
}
