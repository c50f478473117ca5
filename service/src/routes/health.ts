import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ApiError } from '../errors.js';
import type { LedgerStore } from '../ledger/index.js';

/** Liveness (`/health`: the process answers) and readiness (`/ready`: the ledger is readable). */
export const healthRoutes: FastifyPluginAsyncTypebox<{ store: LedgerStore }> = async (
  app,
  opts
) => {
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
        summary: 'Readiness: the ledger is open and has its genesis',
        response: { 200: Type.Object({ status: Type.Literal('ready'), size: Type.Integer() }) },
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
      return { status: 'ready' as const, size };
    }
  );
};
