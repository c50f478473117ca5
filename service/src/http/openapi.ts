import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import * as schema from '@yishi/schema';
import type { FastifyInstance } from 'fastify';
import { tagRules } from '../routes/command-table.js';
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
  return names;
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
        description:
          'Tamper-evident record of a leadership team’s major decisions. Every state change is a ' +
          'command signed by the acting principal (Ed25519 over `yishi/command/v1\\n` + RFC 8785 ' +
          'canonical JSON), decided by the rules of procedure P1–P16 and appended to the ledger. ' +
          'Reads are signed too (`Authorization: Yishi-Ed25519 key=…, ts=…, sig=…`, see ' +
          '`readRequestMessage` in @yishi/crypto). Errors: `{ statusCode, code, error, message, ' +
          'rule? }`, message in English or Simplified Chinese by `Accept-Language`.',
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
            description:
              'Yishi-Ed25519 key=<base64 public key>, ts=<ms>, sig=<base64 Ed25519 signature over ' +
              'yishi/read/v1\\n + JCS({method, path, query, bodyDigest, ts})>',
          },
        },
      },
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json['$id'] === 'string' ? json['$id'] : `def-${i}`,
    },
    transform: ({ schema: s, url }) => {
      if (!s) return { schema: s, url };
      const out: Record<string, unknown> = { ...s };
      for (const part of ['params', 'querystring', 'headers'] as const) {
        if (s[part] !== undefined) out[part] = refify(s[part], names, true);
      }
      if (s.body !== undefined) out['body'] = refify(s.body, names, false);
      if (s.response !== undefined) {
        const res: Record<string, unknown> = {};
        for (const [code, r] of Object.entries(s.response as Record<string, unknown>)) {
          res[code] = refify(r, names, false);
        }
        out['response'] = res;
      }
      return { schema: out as typeof s, url };
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
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
