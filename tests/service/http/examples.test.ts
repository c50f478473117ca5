/**
 * The hand-written examples of the API reference (service/src/http/examples.ts), as the OpenAPI
 * document carries them, match the schemas the routes enforce: each request body its command's
 * signed envelope, each answer its command's own result (issue 15: `derived` typed per command,
 * not only the generic CommandResult).
 */
import t, { type Test } from 'tap';
import {
  COMMAND_RESULT_SCHEMAS,
  COMMAND_SCHEMAS,
  signedCommandOf,
  WebhookRegisterSchema,
  WebhookRemoveSchema,
  WebhookViewSchema,
  type CommandType,
} from '@yishi/schema';
import { COMMAND_ROUTES, generateOpenApi } from '@yishi/service/internal';
import type { TSchema } from 'typebox';
import { schemaErrors } from '../../helpers/schema-check.js';

interface Media {
  examples?: Record<string, { summary?: string; value?: unknown }>;
}
interface Operation {
  requestBody?: { content?: Record<string, Media> };
  responses?: Record<string, { content?: Record<string, Media> }>;
}

const doc = JSON.parse(await generateOpenApi()) as {
  paths: Record<string, Record<string, Operation>>;
};
const pathOf = (url: string) => url.replace(/:([A-Za-z]+)/g, '{$1}');

/** The one example value of a media type, or undefined. */
function exampleOf(media: Media | undefined): unknown {
  return media?.examples?.['example']?.value;
}

/** Checks one example; the failure names the example, the paths that failed and the value. */
function check(t: Test, schema: TSchema, value: unknown, what: string) {
  const errors = schemaErrors(schema, value);
  t.same(errors, [], `${what}${errors.length ? `: ${JSON.stringify(value)}` : ''}`);
}

t.test('every command example matches its command schema and its per-command result', async (t) => {
  for (const r of COMMAND_ROUTES) {
    const op = doc.paths[pathOf(r.url)]?.['post'];
    const request = exampleOf(op?.requestBody?.content?.['application/json']);
    const reply = exampleOf(op?.responses?.['201']?.content?.['application/json']);
    t.ok(request !== undefined, `${r.type} has a request example`);
    t.ok(reply !== undefined, `${r.type} has a reply example`);
    const type = r.type as CommandType;
    check(t, signedCommandOf(COMMAND_SCHEMAS[type]), request, `the ${type} request example`);
    check(t, COMMAND_RESULT_SCHEMAS[type], reply, `the ${type} reply example`);
    t.equal(
      (request as { payload?: { type?: string } } | undefined)?.payload?.type,
      type,
      `the ${type} example signs its own type`
    );
  }
});

t.test('the webhook examples match their command schemas and WebhookView', async (t) => {
  const cases = [
    { url: '/webhooks', status: '201', schema: WebhookRegisterSchema },
    { url: '/webhooks/{webhookId}/removal', status: '200', schema: WebhookRemoveSchema },
  ];
  for (const c of cases) {
    const op = doc.paths[c.url]?.['post'];
    const request = exampleOf(op?.requestBody?.content?.['application/json']);
    const reply = exampleOf(op?.responses?.[c.status]?.content?.['application/json']);
    t.ok(request !== undefined && reply !== undefined, `${c.url} has both examples`);
    check(t, signedCommandOf(c.schema), request, `the ${c.url} request example`);
    check(t, WebhookViewSchema, reply, `the ${c.url} reply example`);
  }
});
