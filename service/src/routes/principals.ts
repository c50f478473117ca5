import { PrincipalIdSchema, PrincipalViewSchema } from '@yishi/schema';
import { Type } from 'typebox';
import { canReadPrincipal } from '../auth/access.js';
import { ApiError } from '../http/errors.js';
import { principalById } from '../state/queries.js';
import { principalView } from '../state/views.js';
import { READ_ERRORS, SIGNED_READ } from './common.js';
import { readers, type ReadRoutes } from './read-common.js';

/** The directory's principals: oneself, and those one's role may read. */
export const principalRoutes: ReadRoutes = async (app, { pipeline, limiter }) => {
  const { who } = readers(pipeline, limiter);

  app.get(
    '/principals/me',
    {
      schema: {
        tags: ['directory'],
        summary: 'The signed-in principal',
        security: SIGNED_READ,
        response: { 200: PrincipalViewSchema, ...READ_ERRORS },
      },
    },
    async (req) => principalView(who(req))
  );

  app.get(
    '/principals/:principalId',
    {
      schema: {
        tags: ['directory'],
        summary: 'A principal (self, admins, and readers of its body)',
        security: SIGNED_READ,
        params: Type.Object({ principalId: PrincipalIdSchema }, { additionalProperties: false }),
        response: { 200: PrincipalViewSchema, ...READ_ERRORS },
      },
    },
    async (req) => {
      const p = who(req);
      const target = principalById(pipeline.state, req.params.principalId);
      // No existence oracle: a principal the reader may not read answers as a missing one (404).
      if (!target || !canReadPrincipal(p, target)) throw ApiError.of('PRINCIPAL_NOT_FOUND');
      return principalView(target);
    }
  );
};
