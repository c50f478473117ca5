import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  COMMAND_RESULT_SCHEMAS,
  COMMAND_SCHEMAS,
  commandOutcome,
  PrincipalIdSchema,
  RefIdSchema,
  ReportIdSchema,
  signedCommandOf,
  type SignedCommand,
} from '@yishi/schema';
import { Type, type TSchema } from 'typebox';
import type { FastifyRequest } from 'fastify';
import type { CommandPipeline } from '../commands/pipeline.js';
import { RefusedError } from '../commands/refusals.js';
import { notePrincipal } from '../http/access-log.js';
import { ApiError } from '../http/errors.js';
import { COMMAND_ROUTES, routeDescription } from './command-table.js';
import { COMMAND_ERRORS, IdempotencyHeaders, submitContext } from './common.js';

const PARAM_SCHEMAS: Record<string, TSchema> = {
  bodyId: RefIdSchema,
  meetingId: RefIdSchema,
  itemId: RefIdSchema,
  motionId: RefIdSchema,
  objectionId: RefIdSchema,
  principalId: PrincipalIdSchema,
  reportId: ReportIdSchema,
};

/** The request body schema of each command type: one object per type, named in OpenAPI. */
export const COMMAND_BODIES = Object.fromEntries(
  Object.entries(COMMAND_SCHEMAS).map(([type, schema]) => [type, signedCommandOf(schema)])
) as unknown as Record<keyof typeof COMMAND_SCHEMAS, TSchema>;

function paramsSchema(url: string) {
  const names = [...url.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1] as string);
  if (names.length === 0) return undefined;
  const props: Record<string, TSchema> = {};
  for (const n of names) {
    const s = PARAM_SCHEMAS[n];
    if (!s) throw new Error(`no schema for path parameter ${n}`);
    props[n] = s;
  }
  return Type.Object(props, { additionalProperties: false });
}

/** Names the signer of a command whose signature verified in its request's log line. */
function notePrincipalOfKey(req: FastifyRequest, pipeline: CommandPipeline, publicKey: string) {
  try {
    const keys = pipeline.state.keys;
    const key = Object.hasOwn(keys, publicKey) ? keys[publicKey] : undefined;
    if (key !== undefined) notePrincipal(req, key.principalId);
  } catch {
    // The ledger is unavailable: the line goes without the principal.
  }
}

/** The state-changing routes: one per command of the procedure engine, all through the pipeline. */
export const commandRoutes: FastifyPluginAsyncTypebox<{ pipeline: CommandPipeline }> = async (
  app,
  opts
) => {
  const { pipeline } = opts;
  for (const route of COMMAND_ROUTES) {
    const params = paramsSchema(route.url);
    app.post(
      route.url,
      {
        schema: {
          tags: [route.tag],
          summary: route.summary,
          description: routeDescription(route),
          operationId: route.type.replace(/[._]([a-z])/g, (_m, c: string) => c.toUpperCase()),
          ...(params ? { params } : {}),
          headers: IdempotencyHeaders,
          body: COMMAND_BODIES[route.type],
          response: { 201: COMMAND_RESULT_SCHEMAS[route.type], ...COMMAND_ERRORS },
        },
      },
      async (req, reply) => {
        const command = req.body as SignedCommand;
        const payload = command.payload as Record<string, unknown>;
        for (const [name, value] of Object.entries((req.params ?? {}) as Record<string, string>)) {
          if (payload[name] !== value) throw ApiError.of('PATH_MISMATCH', { parameter: name });
        }
        let answer: Awaited<ReturnType<CommandPipeline['submit']>>;
        try {
          answer = await pipeline.submit(command, submitContext(req));
        } catch (e) {
          // A refusal by the rules or the key checks comes after the signature verified.
          if (e instanceof RefusedError) notePrincipalOfKey(req, pipeline, command.publicKey);
          throw e;
        }
        notePrincipalOfKey(req, pipeline, command.publicKey);
        if (answer.replayed) void reply.header('idempotent-replayed', 'true');
        // The explicit outcome is a view of `derived`, never on the ledger: computed on every
        // answer, retries included, so a P8 deferral never reads as a plain success.
        const outcome = commandOutcome(route.type, answer.body.derived);
        return reply.code(201).send({ ...answer.body, outcome } as never);
      }
    );
  }
};
