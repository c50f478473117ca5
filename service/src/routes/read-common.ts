import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Principal } from '@yishi/procedure';
import { RefIdSchema } from '@yishi/schema';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { allow, canReadBody, canReadMeetings } from '../auth/access.js';
import { authenticateRead } from '../auth/read-auth.js';
import type { CommandPipeline } from '../commands/pipeline.js';
import { ApiError } from '../http/errors.js';
import type { RateLimiter } from '../http/rate-limit.js';
import { findMeeting } from '../state/queries.js';

/**
 * A plugin of signed reads: every route authenticates the `Authorization: Yishi-Ed25519` header
 * and answers only what the principal's role may read (see `auth/access.ts`).
 */
export type ReadRoutes = FastifyPluginAsyncTypebox<{
  pipeline: CommandPipeline;
  limiter: RateLimiter;
}>;

export const Markdown = Type.String({ description: 'text/markdown; charset=utf-8' });
export const MeetingParams = Type.Object(
  { meetingId: RefIdSchema },
  { additionalProperties: false }
);
export const BodyParams = Type.Object({ bodyId: RefIdSchema }, { additionalProperties: false });

/** The signed-in reader, and a meeting the reader may read. */
export function readers(pipeline: CommandPipeline, limiter: RateLimiter) {
  const who = (req: FastifyRequest): Principal => authenticateRead(req, pipeline, limiter);

  /** The meeting's summary after checking the reader may read its body's meetings. */
  const readableMeeting = (req: FastifyRequest, meetingId: string) => {
    const p = who(req);
    const { state, projections } = pipeline.ledger;
    const m = findMeeting(state, projections, meetingId);
    // No existence oracle: a meeting of a body the reader may not see answers as a missing one.
    if (!m || !canReadBody(p, m.bodyId)) throw ApiError.of('MEETING_NOT_FOUND');
    allow(canReadMeetings(p, m.bodyId));
    return { state, projections, m };
  };

  return { who, readableMeeting };
}
