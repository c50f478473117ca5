import { InterferenceViewSchema, ObjectionViewSchema } from '@yishi/schema';
import { Type } from 'typebox';
import { allow, canReadBody, canReadInterference, canReadMeetings } from '../auth/access.js';
import { ApiError } from '../http/errors.js';
import { bodyById, interferenceOfBody, objectionsOfBody } from '../state/queries.js';
import { READ_ERRORS, SIGNED_READ } from './common.js';
import { BodyParams, readers, type ReadRoutes } from './read-common.js';

/** A body's procedural objections (P14) and interference records (P15). */
export const oversightRoutes: ReadRoutes = async (app, { pipeline, limiter }) => {
  const { who } = readers(pipeline, limiter);

  app.get(
    '/bodies/:bodyId/objections',
    {
      schema: {
        tags: ['oversight'],
        summary: "A body's procedural objections and their answers, escalations, rulings (P14)",
        security: SIGNED_READ,
        params: BodyParams,
        response: { 200: Type.Array(ObjectionViewSchema), ...READ_ERRORS },
      },
    },
    async (req) => {
      const p = who(req);
      const { state, projections } = pipeline.ledger;
      // No existence oracle: a body the reader may not see answers as a missing one (404).
      if (!bodyById(state, req.params.bodyId) || !canReadBody(p, req.params.bodyId)) {
        throw ApiError.of('BODY_NOT_FOUND');
      }
      allow(canReadMeetings(p, req.params.bodyId));
      return objectionsOfBody(projections, req.params.bodyId);
    }
  );

  app.get(
    '/bodies/:bodyId/interference',
    {
      schema: {
        tags: ['oversight'],
        summary: "A body's interference records (P15: discipline role, admins, auditors only)",
        security: SIGNED_READ,
        params: BodyParams,
        response: { 200: Type.Array(InterferenceViewSchema), ...READ_ERRORS },
      },
    },
    async (req) => {
      const p = who(req);
      const { state, projections } = pipeline.ledger;
      // No existence oracle: a body the reader may not see answers as a missing one (404).
      if (!bodyById(state, req.params.bodyId) || !canReadBody(p, req.params.bodyId)) {
        throw ApiError.of('BODY_NOT_FOUND');
      }
      allow(canReadInterference(p, req.params.bodyId));
      return interferenceOfBody(projections, req.params.bodyId);
    }
  );
};
