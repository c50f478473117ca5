import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { parseSecretKey } from '@yishi/crypto';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { claimsSignature, signatureVerified } from './auth/read-auth.js';
import { CommandPipeline } from './commands/pipeline.js';
import { fastPublicKey } from './crypto-fast/fast-ed25519.js';
import { registerCors } from './http/cors.js';
import { registerSecurityHeaders } from './http/security-headers.js';
import { installErrorHandling, onFrameworkError } from './http/error-handler.js';
import { registerMetrics, type MetricsAccess } from './http/metrics.js';
import type { Checkpointer, LedgerStore } from './ledger/index.js';
import { registerOpenApi } from './http/openapi.js';
import { RateLimiter } from './http/rate-limit.js';
import { commandRoutes } from './routes/commands.js';
import { auditPageRoutes } from './routes/audit-page.js';
import { healthRoutes } from './routes/health.js';
import { ledgerRoutes } from './routes/ledger.js';
import { ledgerInfoRoutes } from './routes/ledger-info.js';
import { logRoutes } from './routes/log.js';
import { bodyRoutes } from './routes/bodies.js';
import { meetingRoutes } from './routes/meetings.js';
import { oversightRoutes } from './routes/oversight.js';
import { keyEventRoutes } from './routes/key-events.js';
import { principalRoutes } from './routes/principals.js';
import { recordRoutes } from './routes/records.js';
import { reportRoutes } from './routes/reports.js';
import { webhookRoutes } from './routes/webhooks.js';
import { AccessLog } from './http/access-log.js';
import { lazyValidators } from './http/lazy-validators.js';
import { fastifyServerOptions, type ServerLimits } from './http/server-limits.js';
import { openServiceDatabase } from './storage/service-db.js';
import { READ_MODEL_FOLLOWERS } from './state/followers.js';
import type { LedgerState } from './state/ledger-state.js';
import { startState } from './state/rebuild.js';
import { SnapshotKeeper } from './state/snapshot-keeper.js';
import { snapshotKey } from './state/snapshot.js';
import { webhookFollower } from './webhooks/follower.js';
import { SharedCommandPipeline } from './storage/postgres/shared-pipeline.js';
import type { SharedLedger } from './storage/postgres/shared-ledger.js';
import type { WitnessCollector } from './witness/collector.js';
import { witnessHealthRoutes } from './witness/health-route.js';
import type { Resolver } from './webhooks/target-policy.js';
import type { Transport } from './webhooks/transport.js';
import { Webhooks, type SharedWebhookStore, type Timer } from './webhooks/webhooks.js';
import type { LedgerBackend } from './storage/ledger-backend.js';

/** What {@link buildApp} needs; it never reads the environment and never listens. */
export interface AppOptions {
  store: LedgerStore;
  checkpointer: Checkpointer;
  /** The log's verifier key line (C2SP vkey), served at `/log/key`. */
  logVkey: string;
  /** The log's secret key text (C2SP skey): signs webhook deliveries. Without it none are sent. */
  logSkey?: string;
  /**
   * A ledger shared with other instances through PostgreSQL: `store` is then its local mirror and
   * commands are appended under the database's head lock (storage/postgres/shared-pipeline.ts).
   */
  shared?: SharedLedger;
  /** The service database (idempotency, webhooks): a file, or `':memory:'` (the default). */
  serviceDb?: string;
  /** The pino logger requests are logged to; none by default (tests). */
  logger?: FastifyBaseLogger;
  /** The service clock, ms since the epoch (entry times, skew checks); Date.now by default. */
  clock?: () => number;
  /** Requests per minute per signing key, and per address for unsigned requests (default 600). */
  rateLimitPerMinute?: number;
  /**
   * Requests per minute per address, every request counted on arrival, signed or not (default
   * 10 × `rateLimitPerMinute`: several principals may share an address behind a proxy).
   */
  rateLimitPerAddress?: number;
  /** Most keys and addresses the rate limiters remember (LRU; default 50,000 each). */
  rateLimitMaxKeys?: number;
  /** Timeouts and caps of the HTTP server (defaults: `DEFAULT_SERVER_LIMITS`). */
  serverLimits?: Partial<ServerLimits>;
  /** Largest accepted request body in bytes (default 128 KiB). */
  bodyLimit?: number;
  /** Most commands in flight before 503 BUSY (default 1024). */
  maxInFlight?: number;
  /** Ignore the state snapshot in service.db and replay the whole ledger (default false). */
  fullReplay?: boolean;
  /** Entries between the running service's state snapshots (default 50,000). */
  snapshotEvery?: number;
  /** Write a snapshot after a start that replayed at least this many entries (10,000). */
  snapshotAfter?: number;
  /** Origins (`https://host[:port]`) browsers may call every route from; `/log/*` allows any. */
  corsOrigins?: readonly string[];
  /** Who may read `/metrics`: `off`, `local` (loopback clients, the default) or `public`. */
  metrics?: MetricsAccess;
  /** Export the process's own metrics (CPU, memory, event loop) too (default false). */
  processMetrics?: boolean;
  /** With a witness policy: gathers cosignatures; `/log/checkpoint` serves only quorum ones. */
  witnesses?: WitnessCollector;
  /** Webhook delivery: fetch, timer and backoff (tests inject them). */
  webhooks?: {
    /** Targets allowed although not public https: hosts and CIDR ranges (YISHI_WEBHOOK_ALLOW). */
    allow?: string;
    resolve?: Resolver;
    transport?: Transport;
    timer?: Timer;
    baseDelayMs?: number;
    maxDelayMs?: number;
    maxAttempts?: number;
    timeoutMs?: number;
    /**
     * On a shared database: a delivery claim not finished or renewed for this long is taken over
     * by another instance (default 60 s); registrations are copied from the database this often
     * (default 1 s).
     */
    claimTimeoutMs?: number;
    syncMs?: number;
  };
}

const quiet = { info() {}, warn() {}, error() {} };
const serialize = (data: unknown): string => JSON.stringify(data);

/**
 * Builds the yishi HTTP app: restores the rules' state from the snapshot in service.db and
 * replays the entries after it (or the whole ledger) first.
 */
export async function buildApp(opts: AppOptions) {
  const validators = lazyValidators();
  const { maxConnections, ...serverOptions } = fastifyServerOptions(opts.serverLimits);
  const app = Fastify({
    ...serverOptions,
    // fastify's own Ajv validators, compiled on first use (types: ours is a narrower signature);
    // replies are JSON.stringify'd (below), so fast-json-stringify is never loaded.
    schemaController: {
      compilersFactory: {
        buildValidator: validators.buildValidator as never,
        buildSerializer: () => () => serialize,
      },
    },
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    bodyLimit: opts.bodyLimit ?? 128 * 1024,
    logController: new AccessLog(),
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: false,
    frameworkErrors: onFrameworkError,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    ajv: {
      // What a member signed must be what is validated and stored: no silent rewriting.
      customOptions: {
        coerceTypes: false,
        removeAdditional: false,
        useDefaults: false,
        allErrors: false,
      },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.server.maxConnections = maxConnections;
  const log = opts.logger ?? quiet;
  const clock = opts.clock ?? Date.now;

  // Replies are built by this code from typed values: JSON.stringify them rather than compile a
  // fast-json-stringify serializer per route and status (which would also silently drop or
  // coerce whatever did not match). Tests check replies against the response schemas.
  app.setSerializerCompiler(() => serialize);
  // Commands are JSON and nothing else: any other body is 415, not a string to validate.
  app.removeContentTypeParser('text/plain');
  installErrorHandling(app);

  registerSecurityHeaders(app);
  await registerCors(app, opts.corsOrigins ?? []);

  // Every request is counted per address as it arrives (`addresses`, a ceiling no header
  // escapes). Unsigned requests also spend the address's allowance in `limiter` on arrival.
  // Signed ones are counted per key once their signature verified; a request that claims a
  // signature which never verified (a bogus header on any route, or a command refused 400, 401,
  // 413, 415) spends its address's allowance, and an address over it is refused before any work.
  const perKey = opts.rateLimitPerMinute ?? 600;
  const maxKeys = opts.rateLimitMaxKeys !== undefined ? { maxKeys: opts.rateLimitMaxKeys } : {};
  const limiter = new RateLimiter({ max: perKey, clock, ...maxKeys });
  const addresses = new RateLimiter({
    max: opts.rateLimitPerAddress ?? 10 * perKey,
    clock,
    ...maxKeys,
  });
  // Callback hooks, not async ones: no promise per request (a throw refuses the request).
  app.addHook('onRequest', (req, _reply, done) => {
    if (req.url !== '/health' && req.url !== '/ready' && req.url !== '/metrics') {
      const ip = `ip:${req.ip}`;
      addresses.take(ip);
      if (claimsSignature(req)) limiter.check(ip);
      else limiter.take(ip);
    }
    done();
  });
  app.addHook('onResponse', (req, reply, done) => {
    if (claimsSignature(req) && !signatureVerified(req)) {
      const isCommand = req.method === 'POST';
      if (!isCommand || [400, 401, 413, 415].includes(reply.statusCode)) {
        limiter.count(`ip:${req.ip}`);
      }
    }
    done();
  });

  const serviceDb = openServiceDatabase(opts.serviceDb ?? ':memory:');
  registerMetrics(app, {
    access: opts.metrics ?? 'local',
    store: opts.store,
    serviceDb,
    clock,
    ...(opts.processMetrics ? { processMetrics: true } : {}),
    ...(opts.witnesses ? { witnesses: opts.witnesses } : {}),
  });
  const logSecretKey = opts.logSkey ? parseSecretKey(opts.logSkey, fastPublicKey).secretKey : null;
  // Snapshots in service.db are authenticated under a key derived from the log key.
  const snapKey = logSecretKey ? snapshotKey(logSecretKey) : undefined;
  const { claimTimeoutMs, syncMs, ...webhookOptions } = opts.webhooks ?? {};
  // On PostgreSQL, registrations and delivery claims are shared by every instance.
  const backend = opts.shared?.backend;
  const sharedStore =
    backend?.kind === 'postgres' && 'webhooksAll' in backend
      ? (backend as LedgerBackend & SharedWebhookStore)
      : undefined;
  const webhooks = new Webhooks({
    db: serviceDb,
    logSecretKey,
    report: (id) => (pipeline.status === 'ok' ? pipeline.projections.reports.get(id) : undefined),
    log,
    clock,
    ...webhookOptions,
    ...(sharedStore
      ? {
          shared: {
            store: sharedStore,
            claimant: `${hostname()} ${process.pid} ${randomBytes(6).toString('hex')}`,
            ...(claimTimeoutMs !== undefined ? { claimTimeoutMs } : {}),
          },
        }
      : {}),
  });
  // The state is built first (snapshot + tail, or a full replay); the pipeline decides on it.
  const start = startState(opts.store, serviceDb, {
    log,
    ...(snapKey ? { snapshotKey: snapKey } : {}),
    ...(opts.fullReplay ? { fullReplay: true } : {}),
    ...(opts.snapshotAfter !== undefined ? { snapshotAfter: opts.snapshotAfter } : {}),
  });
  if (start.ledger) webhooks.resume(start.ledger.projections.reports.values());
  const keeper = new SnapshotKeeper({
    db: serviceDb,
    store: opts.store,
    key: snapKey,
    ledger: (): LedgerState | undefined => (pipeline.status === 'ok' ? pipeline.ledger : undefined),
    ...(opts.snapshotEvery !== undefined ? { every: opts.snapshotEvery } : {}),
    log,
  });
  const pipelineOptions = {
    store: opts.store,
    serviceDb,
    limiter,
    log,
    clock,
    ...(opts.maxInFlight !== undefined ? { maxInFlight: opts.maxInFlight } : {}),
    ...start,
    // Once an entry is durable, in this order: the read models and their records in service.db,
    // the snapshot keeper, then webhook deliveries of the entry's reports.
    followers: [...READ_MODEL_FOLLOWERS, keeper, webhookFollower(webhooks)],
  };
  const pipeline: CommandPipeline = opts.shared
    ? new SharedCommandPipeline({ ...pipelineOptions, shared: opts.shared })
    : new CommandPipeline(pipelineOptions);

  // The engine's state runs ahead of the disk by the commands in flight (a few ms): a read waits
  // until those are durable, so no answer describes an entry the ledger could still lose.
  app.addHook('preHandler', async (req) => {
    if (req.method === 'GET' || req.method === 'HEAD') await pipeline.caughtUp();
  });

  app.addHook('onListen', async () => {
    validators.compileRemaining((err, route) =>
      log.error({ err, method: route.method, url: route.url }, 'a route schema does not compile')
    );
  });
  let webhookSync: NodeJS.Timeout | undefined;
  if (webhooks.shared) {
    const reports = () => (pipeline.status === 'ok' ? pipeline.projections.reports.values() : []);
    const sync = () =>
      webhooks.sync(reports).catch((err) => log.warn({ err }, 'could not copy the webhooks'));
    void sync();
    webhookSync = setInterval(sync, syncMs ?? 1000);
    webhookSync.unref();
  }
  app.addHook('onClose', async () => {
    if (webhookSync) clearInterval(webhookSync);
    const last = pipeline.status === 'ok' ? pipeline.ledger : undefined;
    await pipeline.close();
    keeper.close(last);
    await webhooks.close();
    serviceDb.close();
  });

  await registerOpenApi(app);
  await app.register(healthRoutes, {
    store: opts.store,
    accepting: () => pipeline.status === 'ok',
  });
  await app.register(logRoutes, {
    store: opts.store,
    checkpointer: opts.checkpointer,
    logVkey: opts.logVkey,
    ...(opts.witnesses ? { published: () => opts.witnesses?.published() } : {}),
  });
  if (opts.witnesses) await app.register(witnessHealthRoutes, { collector: opts.witnesses });
  await app.register(ledgerInfoRoutes, { pipeline, logVkey: opts.logVkey });
  await app.register(commandRoutes, { pipeline });
  await app.register(webhookRoutes, { pipeline, limiter, webhooks, db: serviceDb });
  // The signed reads, by resource (registration order is the OpenAPI document's path order).
  for (const reads of [
    principalRoutes,
    bodyRoutes,
    meetingRoutes,
    recordRoutes,
    oversightRoutes,
    reportRoutes,
  ]) {
    await app.register(reads, { pipeline, limiter });
  }
  await app.register(keyEventRoutes, { pipeline, limiter, store: opts.store });
  await app.register(ledgerRoutes, { store: opts.store, pipeline, limiter });
  await app.register(auditPageRoutes);
  return Object.assign(app, {
    pipeline,
    webhooks,
    limiters: { limiter, addresses },
    /** Resolves once every route's validator is compiled (in the background, after listen). */
    validatorsCompiled: () => validators.compiled(),
  });
}
