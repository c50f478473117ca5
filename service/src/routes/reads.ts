import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  buildMinutes,
  buildRecord,
  renderMinutesMarkdown,
  renderRecordMarkdown,
  type MeetingRecord,
  type Principal,
  type State,
} from '@yishi/procedure';
import {
  BodyViewSchema,
  InterferenceViewSchema,
  ItemDetailSchema,
  MeetingSummarySchema,
  MinutesReplySchema,
  ObjectionViewSchema,
  PrincipalIdSchema,
  PrincipalViewSchema,
  RecordReplySchema,
  RefIdSchema,
  ReportViewSchema,
  type MeetingSummary,
} from '@yishi/schema';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import {
  allow,
  canReadBody,
  canReadInterference,
  canReadMeetings,
  canReadPrincipal,
  canReadReport,
} from '../auth/access.js';
import { authenticateRead } from '../auth/read-auth.js';
import type { CommandPipeline } from '../commands/pipeline.js';
import { ApiError } from '../http/errors.js';
import type { RateLimiter } from '../http/rate-limit.js';
import type { Projections } from '../state/projections.js';
import { bodyView, meetingSummary, principalView } from '../state/views.js';
import { reportView } from '../webhooks/webhooks.js';
import { READ_ERRORS, SIGNED_READ } from './common.js';

const own = <T>(rec: Record<string, T>, key: string): T | undefined =>
  Object.hasOwn(rec, key) ? rec[key] : undefined;

const Markdown = Type.String({ description: 'text/markdown; charset=utf-8' });
const MeetingParams = Type.Object({ meetingId: RefIdSchema }, { additionalProperties: false });
const BodyParams = Type.Object({ bodyId: RefIdSchema }, { additionalProperties: false });

/** A meeting wherever it is: live in the state, archived with its record, or cancelled. */
function findMeeting(state: State, proj: Projections, id: string): MeetingSummary {
  const live = own(state.meetings, id);
  if (live) return meetingSummary(state, live);
  const closed = proj.closedSummary(id);
  if (closed) return closed;
  const cancelled = proj.cancelled.get(id);
  if (cancelled) return cancelled;
  throw ApiError.of('MEETING_NOT_FOUND', { meetingId: id });
}

/** The record of a meeting: final once closed (read from service.db), provisional before. */
function recordOf(state: State, proj: Projections, id: string) {
  const closed = proj.closedRecord(id);
  if (closed) {
    return {
      meetingId: id,
      final: true,
      recordDigest: closed.meeting.recordDigest,
      signatures: { ...closed.meeting.signatures },
      record: closed.record,
    };
  }
  if (own(state.meetings, id)) {
    return {
      meetingId: id,
      final: false,
      recordDigest: null,
      signatures: { recorder: null, chair: null },
      record: buildRecord(state, id) as MeetingRecord,
    };
  }
  throw ApiError.of('MEETING_NOT_CLOSED', { meetingId: id });
}

function minutesOf(proj: Projections, id: string) {
  const closed = proj.closedRecord(id);
  if (!closed) throw ApiError.of('MEETING_NOT_CLOSED', { meetingId: id });
  return {
    meetingId: id,
    recordDigest: closed.meeting.recordDigest,
    signatures: { ...closed.meeting.signatures },
    minutes: buildMinutes(closed.record),
  };
}

/**
 * The signed reads: every route authenticates the `Authorization: Yishi-Ed25519` header and
 * answers only what the principal's role may read (see `auth/access.ts`).
 */
export const readRoutes: FastifyPluginAsyncTypebox<{
  pipeline: CommandPipeline;
  limiter: RateLimiter;
}> = async (app, opts) => {
  const { pipeline, limiter } = opts;
  const who = (req: FastifyRequest): Principal => authenticateRead(req, pipeline, limiter);

  /** The meeting's summary after checking the reader may read its body's meetings. */
  const readableMeeting = (req: FastifyRequest, meetingId: string) => {
    const p = who(req);
    const { state, projections } = pipeline.ledger;
    const m = findMeeting(state, projections, meetingId);
    allow(canReadMeetings(p, m.bodyId));
    return { state, projections, m };
  };

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
      const target = own(pipeline.state.principals, req.params.principalId);
      if (!target) throw ApiError.of('PRINCIPAL_NOT_FOUND');
      allow(canReadPrincipal(p, target));
      return principalView(target);
    }
  );

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
      const body = own(state.bodies, req.params.bodyId);
      if (!body) throw ApiError.of('BODY_NOT_FOUND');
      allow(canReadBody(p, body.id));
      return bodyView(state, body);
    }
  );

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
      if (!own(state.bodies, bodyId)) throw ApiError.of('BODY_NOT_FOUND');
      allow(canReadMeetings(p, bodyId));
      const out: MeetingSummary[] = [];
      for (const m of Object.values(state.meetings)) {
        if (m.bodyId === bodyId) out.push(meetingSummary(state, m));
      }
      out.push(...projections.archivedSummaries(bodyId));
      for (const c of projections.cancelled.values()) if (c.bodyId === bodyId) out.push(c);
      const n = (id: string) => Number(id.slice(id.indexOf('-') + 1));
      return out.sort((a, b) => n(a.meetingId) - n(b.meetingId));
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
      const state = pipeline.state;
      const item = own(state.items, req.params.itemId);
      if (!item) throw ApiError.of('ITEM_NOT_FOUND');
      allow(canReadMeetings(p, item.bodyId));
      return {
        itemId: item.id,
        meetingId: item.meetingId,
        bodyId: item.bodyId,
        item: structuredClone(item),
      };
    }
  );

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
    async (req) => {
      const { state, projections } = readableMeeting(req, req.params.meetingId);
      return recordOf(state, projections, req.params.meetingId);
    }
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
      const { state, projections } = readableMeeting(req, req.params.meetingId);
      const r = recordOf(state, projections, req.params.meetingId);
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
    async (req) => {
      const { projections } = readableMeeting(req, req.params.meetingId);
      return minutesOf(projections, req.params.meetingId);
    }
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
      const { projections } = readableMeeting(req, req.params.meetingId);
      const m = minutesOf(projections, req.params.meetingId);
      return reply.type('text/markdown; charset=utf-8').send(renderMinutesMarkdown(m.minutes));
    }
  );

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
      if (!own(state.bodies, req.params.bodyId)) throw ApiError.of('BODY_NOT_FOUND');
      allow(canReadMeetings(p, req.params.bodyId));
      return [...projections.objections.values()].filter((o) => o.bodyId === req.params.bodyId);
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
      if (!own(state.bodies, req.params.bodyId)) throw ApiError.of('BODY_NOT_FOUND');
      allow(canReadInterference(p, req.params.bodyId));
      return [...projections.interference.values()].filter((i) => i.bodyId === req.params.bodyId);
    }
  );

  app.get(
    '/reports',
    {
      schema: {
        tags: ['reports'],
        summary: 'The outbox of reports addressed upward (P13) that the principal may read',
        security: SIGNED_READ,
        querystring: Type.Object(
          { status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('all')])) },
          { additionalProperties: false }
        ),
        response: { 200: Type.Array(ReportViewSchema), ...READ_ERRORS },
      },
    },
    async (req) => {
      const p = who(req);
      const all = req.query.status === 'all';
      const out = [];
      for (const row of pipeline.projections.reports.values()) {
        if (!all && row.acknowledgedSeq !== null) continue;
        if (canReadReport(p, row.report)) out.push(reportView(row));
      }
      return out;
    }
  );
};
