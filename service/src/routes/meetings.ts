import { ItemDetailSchema, MeetingSummarySchema, RefIdSchema } from '@yishi/schema';
import { Type } from 'typebox';
import { allow, canReadBody, canReadMeetings } from '../auth/access.js';
import { ApiError } from '../http/errors.js';
import { bodyById, liveItem, meetingsOfBody } from '../state/queries.js';
import { READ_ERRORS, SIGNED_READ } from './common.js';
import { BodyParams, MeetingParams, readers, type ReadRoutes } from './read-common.js';

/** Meetings, their agendas and the live items on them. */
export const meetingRoutes: ReadRoutes = async (app, { pipeline, limiter }) => {
  const { who, readableMeeting } = readers(pipeline, limiter);

  app.get(
    '/bodies/:bodyId/meetings',
    {
      schema: {
        tags: ['meetings'],
        summary: "A body's meetings: live, archived and cancelled",
        security: SIGNED_READ,
        params: BodyParams,
        response: { 200: Type.Array(MeetingSummarySchema), ...READ_ERRORS },
      },
    },
    async (req) => {
      const p = who(req);
      const { state, projections } = pipeline.ledger;
      const bodyId = req.params.bodyId;
      // No existence oracle: a body the reader may not see answers as a missing one (404).
      if (!bodyById(state, bodyId) || !canReadBody(p, bodyId)) throw ApiError.of('BODY_NOT_FOUND');
      allow(canReadMeetings(p, bodyId));
      return meetingsOfBody(state, projections, bodyId);
    }
  );

  app.get(
    '/meetings/:meetingId',
    {
      schema: {
        tags: ['meetings'],
        summary: 'A meeting and its agenda',
        security: SIGNED_READ,
        params: MeetingParams,
        response: { 200: MeetingSummarySchema, ...READ_ERRORS },
      },
    },
    async (req) => readableMeeting(req, req.params.meetingId).m
  );

  app.get(
    '/items/:itemId',
    {
      schema: {
        tags: ['meetings'],
        summary:
          'A live item in detail (statements, recusals, vote); archived items are in the record',
        security: SIGNED_READ,
        params: Type.Object({ itemId: RefIdSchema }, { additionalProperties: false }),
        response: { 200: ItemDetailSchema, ...READ_ERRORS },
      },
    },
    async (req) => {
      const p = who(req);
      const item = liveItem(pipeline.state, req.params.itemId);
      // No existence oracle: a body the reader may not see answers as a missing one (404).
      if (!item || !canReadBody(p, item.bodyId)) throw ApiError.of('ITEM_NOT_FOUND');
      allow(canReadMeetings(p, item.bodyId));
      return {
        itemId: item.id,
        meetingId: item.meetingId,
        bodyId: item.bodyId,
        item: structuredClone(item),
      };
    }
  );
};
