import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import * as schema from '@yishi/schema';
import type { CommandType } from '@yishi/schema';
import { REFUSALS, rulesOfCode, rulesOfCommand, type RefusalCode } from '@yishi/procedure';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { COMMAND_ROUTES, tagRules } from '../routes/command-table.js';
import { AUTH_SCHEME_TEXT, DOCS_GUIDE, docsUiOptions } from './docs-page.js';
import { ERRORS, type ErrorCode } from './errors.js';
import {
  COMMAND_EXAMPLES,
  exampleReply,
  exampleRequest,
  SERVICE_COMMAND_EXAMPLES,
  serviceExampleRequest,
} from './examples.js';
import { codesOfStatus, routeErrorCodes, statusesOf, type RouteFacts } from './route-errors.js';
import { COMMAND_BODIES } from '../routes/commands.js';
import { WebhookRegisterBody, WebhookRemoveBody } from '../routes/webhooks.js';

/** The API's version in the OpenAPI document. */
export const API_VERSION = '0.1.0';

const pascal = (type: string): string =>
  type.replace(/(^|[._])([a-z])/g, (_m, _s, c: string) => c.toUpperCase());

/**
 * The models `schema/openapi.json` names in `components.schemas`, by schema object: routes take
 * these very objects inline (for type inference), and the document refers to them by name.
 */
function namedModels(): Map<object, string> {
  const names = new Map<object, string>();
  const add = (name: string, s: unknown) => {
    if (typeof s === 'object' && s !== null && !names.has(s)) names.set(s, name);
  };
  for (const [name, s] of Object.entries(schema.NAMED_API_MODELS)) add(name, s);
  for (const [name, s] of Object.entries(schema.NAMED_RESULT_MODELS)) add(name, s);
  for (const [type, s] of Object.entries(schema.COMMAND_SCHEMAS)) {
    add(`${pascal(type)}Command`, COMMAND_BODIES[type as schema.CommandType]);
    add(pascal(type), s);
  }
  add('WebhookRegisterCommand', WebhookRegisterBody);
  add('WebhookRemoveCommand', WebhookRemoveBody);
  add('WebhookRegister', schema.WebhookRegisterSchema);
  add('WebhookRemove', schema.WebhookRemoveSchema);
  const shared: Record<string, unknown> = {
    PrincipalId: schema.PrincipalIdSchema,
    RefId: schema.RefIdSchema,
    ReportId: schema.ReportIdSchema,
    RuleId: schema.RuleIdSchema,
    PublicKey: schema.PublicKeySchema,
    Signature: schema.SignatureSchema,
    Sha256Hex: schema.Sha256HexSchema,
    Role: schema.RoleSchema,
    Category: schema.CategorySchema,
    MeetingKind: schema.MeetingKindSchema,
    VoteMethod: schema.VoteMethodSchema,
    VoteChoice: schema.VoteChoiceSchema,
    Position: schema.PositionSchema,
    Material: schema.MaterialSchema,
    Candidate: schema.CandidateSchema,
    Fraction: schema.FractionSchema,
    RulebookParams: schema.RulebookParamsSchema,
    InterferenceMatter: schema.InterferenceMatterSchema,
  };
  for (const [name, s] of Object.entries(shared)) add(name, s);
  // Every other model @yishi/schema exports (`FooSchema`) is listed too, under its own name.
  const taken = new Set(names.values());
  for (const [key, s] of Object.entries(schema)) {
    const name = key.endsWith('Schema') ? key.slice(0, -'Schema'.length) : undefined;
    if (name === undefined || taken.has(name) || !isSchema(s)) continue;
    add(name, s);
    taken.add(name);
  }
  return names;
}

function isSchema(s: unknown): s is object {
  return typeof s === 'object' && s !== null && ('type' in s || 'anyOf' in s || 'const' in s);
}

/** A copy of `value` where every named model below the root is a `$ref` to it. */
function refify(value: unknown, names: Map<object, string>, root: boolean): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const name = names.get(value);
  if (name !== undefined && !root) return { $ref: `${name}#` };
  if (Array.isArray(value)) return value.map((v) => refify(v, names, false));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = refify(v, names, false);
  return out;
}

const COMMAND_BODY_SET = new Set<unknown>([
  ...Object.values(COMMAND_BODIES),
  WebhookRegisterBody,
  WebhookRemoveBody,
]);

type Media = { examples?: Record<string, unknown> };
type Operation = {
  requestBody?: { content?: Record<string, Media> };
  responses?: Record<string, { content?: Record<string, Media> }>;
};

/**
 * The document with each command route's hand-written example (examples.ts) on its request body
 * and its 201 answer (a `$ref` schema takes no `examples` of its own: they go on the media type).
 */
function withExamples<T extends { paths?: object }>(doc: T): T {
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Operation>>;
  for (const route of COMMAND_ROUTES) {
    const e = COMMAND_EXAMPLES[route.type];
    const op = paths[route.url.replace(/:([A-Za-z]+)/g, '{$1}')]?.['post'];
    if (e === undefined || op === undefined) continue;
    const body = op.requestBody?.content?.['application/json'];
    if (body)
      body.examples = { example: { summary: e.summary, value: exampleRequest(route.type, e) } };
    const ok = op.responses?.['201']?.content?.['application/json'];
    if (ok) ok.examples = { example: { summary: e.summary, value: exampleReply(route.type, e) } };
  }
  for (const [type, e] of Object.entries(SERVICE_COMMAND_EXAMPLES)) {
    const op = paths[e.url.replace(/:([A-Za-z]+)/g, '{$1}')]?.['post'];
    const body = op?.requestBody?.content?.['application/json'];
    const value = serviceExampleRequest(type, e);
    if (body) body.examples = { example: { summary: e.summary, value } };
    const ok = op?.responses?.[e.status]?.content?.['application/json'];
    if (ok) ok.examples = { example: { summary: e.summary, value: e.reply } };
  }
  return doc;
}

/** What the error tables need to know of a route, read from its schema. */
function routeFacts(method: string | string[], url: string, s: FastifySchema): RouteFacts {
  const m = (Array.isArray(method) ? method[0] : method) ?? 'GET';
  const command = COMMAND_ROUTES.find((r) => r.url === url && m === 'POST')?.type;
  return {
    method: m,
    url,
    ...(command !== undefined ? { command } : {}),
    signedCommand: COMMAND_BODY_SET.has(s.body),
    signedRead: s.security !== undefined,
    validates: [s.params, s.querystring, s.headers, s.body].some((x) => x !== undefined),
  };
}

const REASONS: Record<string, string> = {
  '200': 'OK',
  '201': 'Created: the command is on the ledger (the same answer on a retry)',
  '204': 'No Content',
  '400': 'Bad Request',
  '401': 'Unauthorized',
  '403': 'Forbidden',
  '404': 'Not Found',
  '409': 'Conflict: a rule of procedure refuses the command in the present state',
  '413': 'Payload Too Large',
  '415': 'Unsupported Media Type',
  '422': 'Unprocessable Content',
  '429': 'Too Many Requests',
  '500': 'Internal Server Error',
  '503': 'Service Unavailable',
};

function successText(status: string): string {
  return REASONS[status] ?? 'Success';
}

function withDescription(schema: unknown, text: string): unknown {
  if (typeof schema !== 'object' || schema === null) return schema;
  const s = schema as Record<string, unknown>;
  if (s['x-response-description'] !== undefined || typeof s['description'] === 'string') return s;
  // A `$ref` takes no sibling keywords but `description`, which is the response's then.
  if (typeof s['$ref'] === 'string') return { ...s, description: text };
  return { ...s, 'x-response-description': text };
}

/**
 * The documented answer of `status`: an ErrorReply whose `code` is one of `codes`, described by
 * the codes and their messages (and the rules they are given under).
 */
function errorResponse(
  status: number,
  codes: readonly ErrorCode[],
  command: CommandType | undefined
): unknown {
  const decides = new Set(command === undefined ? [] : rulesOfCommand(command).map((r) => r.id));
  const lines = codes.map((c) => {
    const all = Object.hasOwn(REFUSALS, c) ? rulesOfCode(c as RefusalCode) : [];
    const rules = all.filter((r) => decides.has(r));
    const under = rules.length > 0 ? ` (${rules.join(', ')})` : '';
    return `- \`${c}\`${under}: ${ERRORS[c].en}`;
  });
  return {
    'x-response-description': `${REASONS[String(status)] ?? 'Error'}\n\n${lines.join('\n')}`,
    allOf: [
      { $ref: 'ErrorReply#' },
      {
        type: 'object',
        properties: {
          statusCode: { const: status },
          code: { type: 'string', enum: [...codes] },
        },
      },
    ],
  };
}

/** Registers @fastify/swagger (OpenAPI 3.1 from the route schemas) and the reference at /docs. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  const names = namedModels();
  for (const [s, name] of names)
    app.addSchema({ $id: name, ...(refify(s, names, true) as object) });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'yishi',
        version: API_VERSION,
        description: DOCS_GUIDE,
      },
      tags: [
        { name: 'admin', description: 'The higher-level organisation: bodies, principals, keys' },
        {
          name: 'meetings',
          description: `Meetings, attendance and agendas (${tagRules('meetings')})`,
        },
        {
          name: 'items',
          description: `Agenda items, recusals, statements, deferral (${tagRules('items')})`,
        },
        { name: 'votes', description: `Votes and reconsideration (${tagRules('votes')})` },
        {
          name: 'oversight',
          description: `Objections and interference records (${tagRules('oversight')})`,
        },
        { name: 'records', description: `The record and the minutes (${tagRules('records')})` },
        { name: 'reports', description: 'The outbox of reports addressed upward, webhooks (P13)' },
        { name: 'directory', description: 'Principals and bodies' },
        { name: 'log', description: 'The transparency log and the ledger export' },
        { name: 'health', description: 'Liveness and readiness' },
      ],
      components: {
        securitySchemes: {
          YishiEd25519: {
            type: 'apiKey',
            in: 'header',
            name: 'Authorization',
            description: AUTH_SCHEME_TEXT,
          },
        },
      },
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json['$id'] === 'string' ? json['$id'] : `def-${i}`,
    },
    transformObject: (documents) =>
      'openapiObject' in documents
        ? withExamples(documents.openapiObject)
        : documents.swaggerObject,
    transform: ({ schema: s, url, route }) => {
      if (!s) return { schema: s, url };
      const out: Record<string, unknown> = { ...s };
      for (const part of ['params', 'querystring', 'headers'] as const) {
        if (s[part] !== undefined) out[part] = refify(s[part], names, true);
      }
      const facts = routeFacts(route.method, url, s);
      if (s.body !== undefined) {
        const body = refify(s.body, names, false) as Record<string, unknown>;
        out['body'] = body;
      }
      if (facts.signedRead) {
        out['description'] =
          `${s.description ? `${s.description}\n\n` : ''}` +
          'Signed read: **Try it out** answers `401 AUTH_REQUIRED` here; sign it with the SDK ' +
          '(`client.api.GET`) or `yishi get --key FILE --url URL PATH`.';
      }
      if (s.response !== undefined) {
        const res: Record<string, unknown> = {};
        for (const [status, r] of Object.entries(s.response as Record<string, unknown>)) {
          if (Number(status) >= 400) continue;
          res[status] = withDescription(refify(r, names, false), successText(status));
        }
        // The error answers: generated from the error tables, never taken from the route.
        const codes = routeErrorCodes(facts);
        // A status the route declares keeps its place (with the codes any route may get).
        const declared = Object.keys(s.response as object)
          .map(Number)
          .filter((n) => n >= 400);
        for (const status of statusesOf(codes, declared)) {
          res[String(status)] = errorResponse(status, codesOfStatus(codes, status), facts.command);
        }
        out['response'] = res;
      }
      return { schema: out as typeof s, url };
    },
  });
  await app.register(swaggerUi, docsUiOptions());
  // The service's front page is its reference.
  app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/docs', 302));
}

/** A copy of `value` with every object's keys sorted: a stable document to commit. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort())
    out[k] = sortKeys((value as Record<string, unknown>)[k]);
  return out;
}

/** The OpenAPI document of a ready app, with sorted keys, as committed in schema/openapi.json. */
export function openApiDocument(app: FastifyInstance): string {
  return `${JSON.stringify(sortKeys(app.swagger()), null, 2)}\n`;
}
