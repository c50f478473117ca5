import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { State } from '@yishi/procedure';
import { KeyEventListSchema, PrincipalIdSchema, type KeyEvent } from '@yishi/schema';
import { Type } from 'typebox';
import type { CommandPipeline } from '../commands/pipeline.js';
import { authenticateRead } from '../auth/read-auth.js';
import { ApiError } from '../http/errors.js';
import type { RateLimiter } from '../http/rate-limit.js';
import type { LedgerStore } from '../ledger/ledger-store.js';
import { principalById } from '../state/queries.js';
import { READ_ERRORS, SIGNED_READ } from './common.js';

/**
 * The entries that changed a principal's keys, oldest first: every seq at which one of its keys
 * was added or revoked, and every seq that confirmed a reset key. Read from the state's key
 * records, then the few entries they name: the cost follows the principal's keys, not the ledger.
 */
export function keyEventsOf(state: State, store: LedgerStore, principalId: string): KeyEvent[] {
  const keysAt = new Map<number, string[]>();
  const mark = (seq: number | null, key?: string) => {
    if (seq === null || seq >= store.size) return;
    const list = keysAt.get(seq) ?? [];
    if (key !== undefined && !list.includes(key)) list.push(key);
    keysAt.set(seq, list);
  };
  for (const [key, rec] of Object.entries(state.keys)) {
    if (rec.principalId !== principalId) continue;
    mark(rec.addedSeq, key);
    mark(rec.revokedSeq, key);
  }
  for (const reset of state.principals[principalId]?.keyResets ?? []) mark(reset.untilSeq);
  return [...keysAt.keys()]
    .sort((a, b) => a - b)
    .map((seq) => {
      const entry = store.entry(seq);
      const payload = entry.command.payload as { type?: unknown };
      const type = typeof payload.type === 'string' ? payload.type : 'genesis';
      const by = state.keys[entry.command.publicKey]?.principalId ?? principalId;
      return {
        seq,
        type,
        by,
        setByAdmin: type === 'key.rotate' && by !== principalId,
        time: entry.time,
        publicKeys: keysAt.get(seq) ?? [],
      };
    });
}

/** `GET /principals/{id}/key-events`: for the principal itself and admins only. */
export const keyEventRoutes: FastifyPluginAsyncTypebox<{
  pipeline: CommandPipeline;
  limiter: RateLimiter;
  store: LedgerStore;
}> = async (app, { pipeline, limiter, store }) => {
  app.get(
    '/principals/:principalId/key-events',
    {
      schema: {
        tags: ['directory'],
        summary: "The entries that changed a principal's keys (itself and admins)",
        description:
          'Registrations, rotations, admin resets (setByAdmin), confirmations and revocations of ' +
          "the principal's keys, oldest first. Anyone else gets 404, as for a missing principal. " +
          'A key an admin reset replaced still reads this route for its principal, so a member ' +
          'holding only that key learns of the reset.',
        security: SIGNED_READ,
        params: Type.Object({ principalId: PrincipalIdSchema }, { additionalProperties: false }),
        response: { 200: KeyEventListSchema, ...READ_ERRORS },
      },
    },
    async (req) => {
      const p = authenticateRead(req, pipeline, limiter, { resetKeyOf: req.params.principalId });
      const state = pipeline.state;
      const target = principalById(state, req.params.principalId);
      // No existence oracle: whoever may not read the key events gets the missing principal's 404.
      if (!target || (p.id !== target.id && p.role !== 'admin')) {
        throw ApiError.of('PRINCIPAL_NOT_FOUND');
      }
      return { principalId: target.id, events: keyEventsOf(state, store, target.id) };
    }
  );
};
