import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { allow, canReadLedger, ledgerScope } from '../auth/access.js';
import { authenticateRead } from '../auth/read-auth.js';
import type { CommandPipeline } from '../commands/pipeline.js';
import type { LedgerStore } from '../ledger/index.js';
import { exportLines, scopeEntries } from '../ledger/export-lines.js';
import type { RateLimiter } from '../http/rate-limit.js';
import { READ_ERRORS, SIGNED_READ } from './common.js';

/** Lets other requests run between pages of a long classifying pass. */
const breathe = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The ledger export, for auditors (and admins): what `yishi verify` checks. */
export const ledgerRoutes: FastifyPluginAsyncTypebox<{
  store: LedgerStore;
  pipeline: CommandPipeline;
  limiter: RateLimiter;
}> = async (app, opts) => {
  app.get(
    '/ledger/export',
    {
      schema: {
        tags: ['log'],
        summary: 'The ledger as JSON Lines (auditors and admins): verify it with yishi verify',
        description:
          'Admins and auditors appointed to every body receive every entry. An auditor appointed ' +
          'to some bodies receives a scoped export: the entries of those bodies and the ' +
          'ledger-wide ones in full, every other entry as a redacted line ' +
          '`{"redacted":{"seq":N,"prev":"<hex>","leafHash":"<hex>"}}`; the header names the scope.',
        security: SIGNED_READ,
        response: {
          200: Type.String({ description: 'application/jsonl: header, entries, checkpoints' }),
          ...READ_ERRORS,
        },
      },
    },
    async (req, reply) => {
      const principal = authenticateRead(req, opts.pipeline, opts.limiter);
      allow(canReadLedger(principal));
      const size = opts.store.size;
      const bodies = ledgerScope(principal, Object.keys(opts.pipeline.state.bodies));
      const scope =
        bodies === null
          ? undefined
          : await scopeEntries(opts.store, size, bodies, { pause: breathe });
      return reply
        .type('application/jsonl; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(Readable.from(exportLines(opts.store, size, scope ? { scope } : {})) as never);
    }
  );
};
