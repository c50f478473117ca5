import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { installErrorHandling } from './error-handler.js';
import type { Checkpointer, LedgerStore } from './ledger/index.js';
import { healthRoutes } from './routes/health.js';
import { logRoutes } from './routes/log.js';

/** What {@link buildApp} needs; it never reads the environment and never listens. */
export interface AppOptions {
  store: LedgerStore;
  checkpointer: Checkpointer;
  /** The log's verifier key line (C2SP vkey), served at `/log/key`. */
  logVkey: string;
  /** The pino logger requests are logged to; none by default (tests). */
  logger?: FastifyBaseLogger;
  /** Requests per minute per client before 429 (default 600). */
  rateLimitPerMinute?: number;
  /** Largest accepted request body in bytes (default 64 KiB). */
  bodyLimit?: number;
}

/** Builds the yishi HTTP app. */
export async function buildApp(opts: AppOptions) {
  const app = Fastify({
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    bodyLimit: opts.bodyLimit ?? 64 * 1024,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: false,
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

  installErrorHandling(app);
  await app.register(helmet, { contentSecurityPolicy: false });
  await app.register(rateLimit, {
    max: opts.rateLimitPerMinute ?? 600,
    timeWindow: 60_000,
  });

  await app.register(healthRoutes, { store: opts.store });
  await app.register(logRoutes, {
    store: opts.store,
    checkpointer: opts.checkpointer,
    logVkey: opts.logVkey,
  });
  return app;
}
