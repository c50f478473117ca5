import { ReportViewSchema } from '@yishi/schema';
import { Type } from 'typebox';
import { canReadReport } from '../auth/access.js';
import { reportRows } from '../state/queries.js';
import { reportView } from '../webhooks/webhooks.js';
import { READ_ERRORS, SIGNED_READ } from './common.js';
import { readers, type ReadRoutes } from './read-common.js';

/** The outbox of reports addressed upward (P13). */
export const reportRoutes: ReadRoutes = async (app, { pipeline, limiter }) => {
  const { who } = readers(pipeline, limiter);

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
      const rows = reportRows(pipeline.projections, req.query.status === 'all');
      return rows.filter((row) => canReadReport(p, row.report)).map(reportView);
    }
  );
};
