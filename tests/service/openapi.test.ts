import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES, rulesOfCommand } from '@yishi/procedure';
import { COMMAND_ROUTES, generateOpenApi } from '@yishi/service/internal';
import { repoRoot } from '../helpers/paths.js';
import { ServiceWorld } from './helpers/service-world.js';

const generated = await generateOpenApi();

t.test('schema/openapi.json is what the routes generate (run `npm run openapi`)', async (t) => {
  const committed = readFileSync(join(repoRoot, 'schema/openapi.json'), 'utf8');
  t.equal(committed, generated, 'schema/openapi.json has drifted from the route schemas');
});

t.test('the document is OpenAPI 3.1 with named models and every route', async (t) => {
  const doc = JSON.parse(generated);
  t.equal(doc.openapi, '3.1.0');
  for (const name of [
    'ErrorReply',
    'CommandResult',
    'MeetingOpenCommand',
    'MeetingOpen',
    'RefId',
  ]) {
    t.ok(doc.components.schemas[name], name);
  }
  t.same(
    Object.keys(doc.components.schemas).filter((n: string) => n.startsWith('def-')),
    [],
    'every model has a name'
  );
  for (const r of COMMAND_ROUTES) {
    const path = r.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const op = doc.paths[path]?.post;
    t.ok(op, `${r.type} at ${path}`);
    for (const code of ['201', '400', '401', '403', '404', '409', '422', '429']) {
      t.ok(op?.responses?.[code], `${r.type} declares ${code}`);
    }
    t.match(op?.requestBody?.content?.['application/json']?.schema?.$ref ?? '', /Command$/);
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const reads = Object.entries(doc.paths as Record<string, Record<string, any>>).filter(
    ([p, ops]) =>
      ops['get'] &&
      !p.startsWith('/log/') &&
      p !== '/health' &&
      p !== '/ready' &&
      p !== '/ledger/info'
  );
  t.ok(reads.length > 10);
  for (const [p, ops] of reads) {
    t.same(ops['get'].security, [{ YishiEd25519: [] }], `${p} is a signed read`);
    t.ok(ops['get'].responses['401'] && ops['get'].responses['403'], `${p} declares 401 and 403`);
  }
});

t.test('each command route says the rules that decide it, from the rule index', async (t) => {
  const doc = JSON.parse(generated);
  for (const r of COMMAND_ROUTES) {
    const op = doc.paths[r.url.replace(/:([A-Za-z]+)/g, '{$1}')]?.post;
    const text: string = op?.description ?? '';
    const named = [...text.matchAll(/\*\*(P\d+)\*\*/g)].map((m) => m[1]);
    t.same(
      named,
      rulesOfCommand(r.type).map((x) => x.id),
      `${r.type} lists its rules`
    );
    for (const rule of rulesOfCommand(r.type)) {
      t.ok(text.includes(RULES[rule.id].title.zh), `${r.type}: ${rule.id} by its title`);
    }
  }
});

t.test('the interactive reference is served at /docs', async (t) => {
  const w = await ServiceWorld.create(t);
  const page = await w.app.inject('/docs/');
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], /text\/html/);
  const json = await w.app.inject('/docs/json');
  t.equal(json.statusCode, 200);
  t.equal(json.json().openapi, '3.1.0');
});
