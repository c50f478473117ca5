import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorReplySchema, LedgerInfoSchema } from '@yishi/schema';
import type { CommandPipeline } from '../commands/pipeline.js';
import { ApiError } from '../http/errors.js';

/**
 * `GET /ledger/info`, public: the ledger id every v2 signature names, the checkpoint origin, the
 * log's verifier key and the protocol version, so a client learns (and pins) the ledger it signs
 * for. Nothing here is secret: the same values are in every checkpoint and in the export header.
 */
export const ledgerInfoRoutes: FastifyPluginAsyncTypebox<{
  pipeline: CommandPipeline;
  logVkey: string;
}> = async (app, opts) => {
  app.get(
    '/ledger/info',
    {
      schema: {
        tags: ['log'],
        summary: 'Which ledger this service keeps: id, origin, log key and protocol version',
        response: { 200: LedgerInfoSchema, 429: ErrorReplySchema, 503: ErrorReplySchema },
      },
    },
    async () => {
      const ledger = opts.pipeline.state.ledger;
      if (ledger === null) throw ApiError.of('NOT_READY');
      return {
        ledgerId: ledger.ledgerId,
        origin: ledger.origin,
        logVkey: opts.logVkey,
        protocol: ledger.protocol ?? 1,
      };
    }
  );
};
