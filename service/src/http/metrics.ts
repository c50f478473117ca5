// GET /metrics in Prometheus text format (prom-client). Who may read it: docs/decisions/0016.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { LedgerStore } from '../ledger/index.js';
import { COMMAND_ROUTES } from '../routes/command-table.js';
import { ApiError } from './errors.js';
import type { ServiceDatabase } from '../storage/service-db.js';
import type { WitnessCollector } from '../witness/collector.js';
import { registerWitnessMetrics } from '../witness/metrics.js';

/** Who may read `/metrics`: nobody (not served), loopback clients only, or anyone. */
export const METRICS_ACCESS = ['off', 'local', 'public'] as const;
export type MetricsAccess = (typeof METRICS_ACCESS)[number];

/** Options of {@link registerMetrics}. */
export interface MetricsOptions {
  access: MetricsAccess;
  store: LedgerStore;
  serviceDb: ServiceDatabase;
  clock: () => number;
  /** Also export the process's metrics (CPU, memory, event loop): the server does, tests not. */
  processMetrics?: boolean;
  /** With a witness policy: each witness's last cosigned size and time, and whether it answers. */
  witnesses?: WitnessCollector;
}

/** Latency buckets in seconds, from a fast fsync (0.1 ms) to a stalled disk (2.5 s). */
const LATENCY_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
];

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

const COMMAND_URLS: ReadonlySet<string> = new Set(COMMAND_ROUTES.map((r) => r.url));

/** The routes that take signed commands (their refusals are counted by code). */
const isCommand = (req: FastifyRequest): boolean =>
  req.method === 'POST' && COMMAND_URLS.has(req.routeOptions.url ?? '');

/**
 * Counts requests and refusals, times appends, and serves `/metrics` as `opts.access` allows.
 * Every app gets its own registry (tests build many apps in one process).
 */
export function registerMetrics(app: FastifyInstance, opts: MetricsOptions): Registry | undefined {
  if (opts.access === 'off') return undefined;
  const register = new Registry();
  if (opts.processMetrics) collectDefaultMetrics({ register });
  const { store, serviceDb, clock } = opts;
  if (opts.witnesses) registerWitnessMetrics(register, opts.witnesses);

  const requests = new Counter({
    name: 'yishi_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [register],
  });
  const refusals = new Counter({
    name: 'yishi_command_refusals_total',
    help: 'Commands refused, by error code and rule of procedure (empty when no rule refused)',
    labelNames: ['code', 'rule'] as const,
    registers: [register],
  });
  const append = new Histogram({
    name: 'yishi_ledger_append_seconds',
    help: 'Time from an append being queued to its entry being durable',
    buckets: LATENCY_BUCKETS,
    registers: [register],
  });
  const commit = new Histogram({
    name: 'yishi_ledger_commit_seconds',
    help: 'Time of one append transaction, its fsync of the WAL included (synchronous = FULL)',
    buckets: LATENCY_BUCKETS,
    registers: [register],
  });
  new Gauge({
    name: 'yishi_ledger_entries',
    help: 'Entries in the ledger',
    registers: [register],
    collect() {
      this.set(store.size);
    },
  });
  new Gauge({
    name: 'yishi_checkpoint_age_seconds',
    help: 'Seconds since the latest signed checkpoint was signed (NaN before the first)',
    registers: [register],
    collect() {
      const latest = store.latestCheckpoint();
      const signedAt = latest ? store.checkpointAt(latest.size)?.signedAt : undefined;
      this.set(signedAt === undefined ? NaN : Math.max(0, (clock() - signedAt) / 1000));
    },
  });
  new Gauge({
    name: 'yishi_checkpoint_size',
    help: 'Ledger size the latest signed checkpoint covers',
    registers: [register],
    collect() {
      this.set(store.latestCheckpoint()?.size ?? 0);
    },
  });
  const snapshotRow = serviceDb.prepare('SELECT size, created_at FROM state_snapshot WHERE id = 1');
  new Gauge({
    name: 'yishi_snapshot_age_seconds',
    help: 'Seconds since the state snapshot in service.db was written (NaN when there is none)',
    registers: [register],
    collect() {
      const row = snapshotRow.get() as { created_at: number } | undefined;
      this.set(row === undefined ? NaN : Math.max(0, (clock() - row.created_at) / 1000));
    },
  });
  new Gauge({
    name: 'yishi_snapshot_entries',
    help: 'Entries the state snapshot in service.db covers (0 when there is none)',
    registers: [register],
    collect() {
      const row = snapshotRow.get() as { size: number } | undefined;
      this.set(row?.size ?? 0);
    },
  });

  store.observer = {
    commit: (seconds) => commit.observe(seconds),
    append: (seconds) => append.observe(seconds),
  };
  app.addHook('onClose', async () => {
    store.observer = undefined;
  });

  app.addHook('onResponse', async (req, reply) => {
    requests.inc({
      method: req.method,
      route: req.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    });
  });
  // Refusals are read from the error reply the command route sends ({ code, rule? }).
  app.addHook('onSend', async (req, reply, payload) => {
    if (reply.statusCode < 400 || !isCommand(req) || typeof payload !== 'string') return payload;
    try {
      const body = JSON.parse(payload) as { code?: unknown; rule?: unknown };
      if (typeof body.code === 'string') {
        refusals.inc({ code: body.code, rule: typeof body.rule === 'string' ? body.rule : '' });
      }
    } catch {
      // not JSON: not one of ours
    }
    return payload;
  });

  app.get(
    '/metrics',
    {
      config: { rateLimit: false },
      schema: { hide: true },
    },
    async (req, reply) => {
      // Answered as if there were no such route: a remote client learns nothing.
      if (opts.access === 'local' && !LOOPBACK.test(req.ip)) throw ApiError.of('NOT_FOUND');
      const text = await register.metrics();
      return reply.type(register.contentType).send(text);
    }
  );
  return register;
}
