import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { formatExportCheckpoint, formatExportEntry, formatExportHeader } from '@yishi/verify';
import { Type } from 'typebox';
import { allow, canReadLedger } from '../auth/access.js';
import { authenticateRead } from '../auth/read-auth.js';
import type { CommandPipeline } from '../commands/pipeline.js';
import type { LedgerStore } from '../ledger/index.js';
import type { RateLimiter } from '../http/rate-limit.js';
import { READ_ERRORS, SIGNED_READ } from './common.js';

/** Every line of the export of the first `size` entries (the format of `yishi export`). */
function* exportLines(store: LedgerStore, size: number): Generator<string> {
  const checkpoints = [...store.iterateCheckpoints()].filter((c) => c.size <= size);
  yield `${formatExportHeader({
    ledgerId: store.getMeta('ledger_id') ?? '',
    origin: store.getMeta('origin') ?? '',
    entries: size,
    checkpoints: checkpoints.length,
  })}\n`;
  for (const stored of store.iterateEntries(0, size)) yield `${formatExportEntry(stored.body)}\n`;
  // The cosigned form where the witnesses' quorum was gathered (extra signature lines).
  for (const cp of checkpoints) {
    for (const note of store.exportNotes(cp)) yield `${formatExportCheckpoint(note)}\n`;
  }
}

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
        summary:
          'The whole ledger as JSON Lines (auditors and admins): verify it with yishi verify',
        security: SIGNED_READ,
        response: {
          200: Type.String({ description: 'application/jsonl: header, entries, checkpoints' }),
          ...READ_ERRORS,
        },
      },
    },
    async (req, reply) => {
      allow(canReadLedger(authenticateRead(req, opts.pipeline, opts.limiter)));
      const size = opts.store.size;
      return reply
        .type('application/jsonl; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(Readable.from(exportLines(opts.store, size)) as never);
    }
  );
};
