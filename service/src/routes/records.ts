import { renderMinutesMarkdown, renderRecordMarkdown } from '@yishi/procedure';
import { MinutesReplySchema, RecordReplySchema } from '@yishi/schema';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../http/errors.js';
import { meetingMinutes, meetingRecord } from '../state/queries.js';
import { READ_ERRORS, SIGNED_READ } from './common.js';
import { Markdown, MeetingParams, readers, type ReadRoutes } from './read-common.js';

/** A meeting's record (会议记录) and minutes (会议纪要), as JSON and as Markdown (P16). */
export const recordRoutes: ReadRoutes = async (app, { pipeline, limiter }) => {
  const { readableMeeting } = readers(pipeline, limiter);

  const recordOf = (req: FastifyRequest, meetingId: string) => {
    const { state, projections } = readableMeeting(req, meetingId);
    const r = meetingRecord(state, projections, meetingId);
    if (!r) throw ApiError.of('MEETING_NOT_CLOSED', { meetingId });
    return r;
  };

  const minutesOf = (req: FastifyRequest, meetingId: string) => {
    const { projections } = readableMeeting(req, meetingId);
    const m = meetingMinutes(projections, meetingId);
    if (!m) throw ApiError.of('MEETING_NOT_CLOSED', { meetingId });
    return m;
  };

  app.get(
    '/meetings/:meetingId/record',
    {
      schema: {
        tags: ['records'],
        summary: 'The record (会议记录), JSON: final once the meeting closed (P16)',
        security: SIGNED_READ,
        params: MeetingParams,
        response: { 200: RecordReplySchema, 409: READ_ERRORS[404], ...READ_ERRORS },
      },
    },
    async (req) => recordOf(req, req.params.meetingId)
  );

  app.get(
    '/meetings/:meetingId/record/markdown',
    {
      schema: {
        tags: ['records'],
        summary: 'The record as Markdown (Simplified Chinese)',
        security: SIGNED_READ,
        params: MeetingParams,
        response: { 200: Markdown, 409: READ_ERRORS[404], ...READ_ERRORS },
      },
    },
    async (req, reply) => {
      const r = recordOf(req, req.params.meetingId);
      return reply.type('text/markdown; charset=utf-8').send(renderRecordMarkdown(r.record));
    }
  );

  app.get(
    '/meetings/:meetingId/minutes',
    {
      schema: {
        tags: ['records'],
        summary: 'The minutes (会议纪要), JSON: decisions, committing to the record digest (P16)',
        security: SIGNED_READ,
        params: MeetingParams,
        response: { 200: MinutesReplySchema, 409: READ_ERRORS[404], ...READ_ERRORS },
      },
    },
    async (req) => minutesOf(req, req.params.meetingId)
  );

  app.get(
    '/meetings/:meetingId/minutes/markdown',
    {
      schema: {
        tags: ['records'],
        summary: 'The minutes as Markdown (Simplified Chinese)',
        security: SIGNED_READ,
        params: MeetingParams,
        response: { 200: Markdown, 409: READ_ERRORS[404], ...READ_ERRORS },
      },
    },
    async (req, reply) => {
      const m = minutesOf(req, req.params.meetingId);
      return reply.type('text/markdown; charset=utf-8').send(renderMinutesMarkdown(m.minutes));
    }
  );
};
