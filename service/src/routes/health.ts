import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorReplySchema } from '@yishi/schema';
import { Type } from 'typebox';
import { ApiError } from '../http/errors.js';
import type { LedgerStore } from '../ledger/index.js';

/**
 * Liveness (`/health`: the process answers) and readiness (`/ready`: the ledger is readable, has
 * its genesis, and commands are accepted: the ledger replayed under the rules).
 */
export const healthRoutes: FastifyPluginAsyncTypebox<{
  store: LedgerStore;
  accepting: () => boolean;
}> = async (app, opts) => {
  app.get(
    '/health',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['health'],
        summary: 'Liveness',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const })
  );

  app.get(
    '/ready',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['health'],
        summary: 'Readiness: the ledger is open, has its genesis, and commands are accepted',
        response: {
          200: Type.Object({ status: Type.Literal('ready'), size: Type.Integer() }),
          503: ErrorReplySchema,
        },
      },
    },
    async () => {
      let size: number;
      try {
        size = opts.store.size;
      } catch {
        throw ApiError.of('NOT_READY');
      }
      if (size === 0) throw ApiError.of('NOT_READY');
      if (!opts.accepting()) throw ApiError.of('LEDGER_UNAVAILABLE');
      return { status: 'ready' as const, size };
    }
  );
};
