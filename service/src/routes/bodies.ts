import { BodyViewSchema } from '@yishi/schema';
import { Type } from 'typebox';
import { canReadBody } from '../auth/access.js';
import { ApiError } from '../http/errors.js';
import { bodyById } from '../state/queries.js';
import { bodyView } from '../state/views.js';
import { READ_ERRORS, SIGNED_READ } from './common.js';
import { BodyParams, readers, type ReadRoutes } from './read-common.js';

/** The directory's bodies: members, roles and the rulebook in force. */
export const bodyRoutes: ReadRoutes = async (app, { pipeline, limiter }) => {
  const { who } = readers(pipeline, limiter);

  app.get(
    '/bodies',
    {
      schema: {
        tags: ['directory'],
        summary: 'The bodies the principal may read (admins: all)',
        security: SIGNED_READ,
        response: { 200: Type.Array(BodyViewSchema), ...READ_ERRORS },
      },
    },
    async (req) => {
      const p = who(req);
      const state = pipeline.state;
      return Object.values(state.bodies)
        .filter((b) => canReadBody(p, b.id))
        .map((b) => bodyView(state, b));
    }
  );

  app.get(
    '/bodies/:bodyId',
    {
      schema: {
        tags: ['directory'],
        summary: 'A body: members, roles and the rulebook in force',
        security: SIGNED_READ,
        params: BodyParams,
        response: { 200: BodyViewSchema, ...READ_ERRORS },
      },
    },
    async (req) => {
      const p = who(req);
      const state = pipeline.state;
      const body = bodyById(state, req.params.bodyId);
      // No existence oracle: a body the reader may not see answers as a missing one (404).
      if (!body || !canReadBody(p, body.id)) throw ApiError.of('BODY_NOT_FOUND');
      return bodyView(state, body);
    }
  );
};
