import t from 'tap';
import { Value } from 'typebox/value';
import {
  COMMAND_SCHEMAS,
  CommandResultSchema,
  signedCommandOf,
  WebhookRegisterSchema,
  WebhookRemoveSchema,
  WebhookViewSchema,
} from '@yishi/schema';
import { COMMAND_ROUTES, generateOpenApi } from '@yishi/service/internal';
import { chromiumMissing, chromiumSkip, CHROMIUM, launchChromium } from '../../helpers/chromium.js';
import { ServiceWorld } from '../helpers/service-world.js';

const doc = JSON.parse(await generateOpenApi());
const openApiPath = (url: string) => url.replace(/:([A-Za-z]+)/g, '{$1}');

t.test(
  'every command route has a request and a reply example that fit their schemas',
  async (t) => {
    for (const route of COMMAND_ROUTES) {
      const op = doc.paths[openApiPath(route.url)].post;
      const req = op.requestBody.content['application/json'].examples?.example;
      const res = op.responses['201'].content['application/json'].examples?.example;
      t.ok(req?.summary, `${route.type} has a request example`);
      t.ok(res, `${route.type} has a reply example`);
      const body = signedCommandOf(COMMAND_SCHEMAS[route.type]);
      t.ok(Value.Check(body, req?.value), `${route.type}: the request example is a valid command`);
      t.ok(Value.Check(CommandResultSchema, res?.value), `${route.type}: the reply example fits`);
    }
  }
);

t.test('the webhook commands have examples that fit their schemas', async (t) => {
  const cases = [
    ['/webhooks', '201', WebhookRegisterSchema],
    ['/webhooks/{webhookId}/removal', '200', WebhookRemoveSchema],
  ] as const;
  for (const [path, status, payload] of cases) {
    const op = doc.paths[path].post;
    const req = op.requestBody.content['application/json'].examples?.example?.value;
    const res = op.responses[status].content['application/json'].examples?.example?.value;
    t.ok(Value.Check(signedCommandOf(payload), req), `${path}: the request example is valid`);
    t.ok(Value.Check(WebhookViewSchema, res), `${path}: the reply example fits`);
  }
});

t.test('the auth scheme text keeps its placeholders in code spans', async (t) => {
  const text: string = doc.components.securitySchemes.YishiEd25519.description;
  t.match(
    text,
    /`Authorization: Yishi-Ed25519 key=<base64 public key>, ts=<ms>, sig=<base64 signature>`/
  );
  t.match(doc.info.description, /## How signing works/);
  t.match(doc.info.description, /yishi\/command\/v2/);
});

t.test('every model of @yishi/schema is a component, under its name', async (t) => {
  const schemas: Record<string, unknown> = await import('@yishi/schema');
  const names = new Set(Object.keys(doc.components.schemas));
  for (const key of Object.keys(schemas).filter((k) => k.endsWith('Schema'))) {
    const s = schemas[key];
    if (typeof s !== 'object' || s === null || !('type' in s || 'anyOf' in s)) continue;
    t.ok(names.has(key.slice(0, -'Schema'.length)), key);
  }
});

t.test('GET / redirects to the reference, titled for yishi', async (t) => {
  const w = await ServiceWorld.create(t);
  const root = await w.app.inject({ method: 'GET', url: '/' });
  t.equal(root.statusCode, 302);
  t.equal(root.headers['location'], '/docs');
  const page = await w.app.inject({ method: 'GET', url: '/docs/' });
  t.equal(page.statusCode, 200);
  t.match(page.body, /<title>yishi API reference/);
  t.notMatch(page.body, /Swagger UI<\/title>/);
});

t.test(
  'the reference reads in Chromium: title, guide, an example',
  { skip: chromiumSkip },
  async (t) => {
    if (chromiumMissing) {
      t.fail(`Chromium is missing at ${CHROMIUM}: .ci/run must install it`);
      return;
    }
    const w = await ServiceWorld.create(t);
    const url = await w.app.listen({ host: '127.0.0.1', port: 0 });
    const browser = await launchChromium(t);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}/`);
    t.match(page.url(), /\/docs/, 'GET / lands on the reference');
    await page.waitForSelector('.information-container .info', { timeout: 30_000 });
    t.equal(await page.title(), 'yishi API reference · 议事');
    const info = await page.innerText('.information-container');
    t.match(info, /How signing works/);
    t.match(info, /yishi\/command\/v2/);
    t.match(info, /yishi submit --key admin\.key/);
    t.match(
      info,
      /Authorization: Yishi-Ed25519 key=<base64 public key>, ts=<ms>/,
      'placeholders render'
    );
    const logo = await page.getAttribute('.topbar-wrapper img', 'src');
    t.match(logo ?? '', /^data:image\/svg\+xml;base64,/, 'the logo is yishi’s');
    // One command, expanded: its request example is on the page.
    await page.click('#operations-meetings-meetingSchedule .opblock-summary');
    const op = page.locator('#operations-meetings-meetingSchedule');
    await op
      .locator('.body-param__example, .opblock-body pre')
      .first()
      .waitFor({ timeout: 30_000 });
    t.match(await op.innerText(), /2025年第12次党委会/, 'the hand-written example is shown');
    t.notMatch(await op.innerText(), /8640000000000000/, 'no invented example');
    t.same(errors, [], 'no page errors');
  }
);
