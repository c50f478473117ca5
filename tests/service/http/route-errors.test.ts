import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMAND_ROUTES, generateOpenApi } from '@yishi/service/internal';
import { repoRoot } from '../../helpers/paths.js';
import { ServiceWorld } from '../helpers/service-world.js';

const doc = JSON.parse(await generateOpenApi());
type Reply = { statusCode: number; json: () => { code: string } };
const openApiPath = (url: string) => url.replace(/:([A-Za-z]+)/g, '{$1}');

/** The codes route `method url` documents for HTTP status `status`. */
function documented(method: string, url: string, status: number): string[] {
  const r = doc.paths[openApiPath(url)]?.[method]?.responses?.[String(status)];
  return r?.content?.['application/json']?.schema?.allOf?.[1]?.properties?.code?.enum ?? [];
}

t.test('no documented response is a "Default Response"', async (t) => {
  for (const [path, ops] of Object.entries<
    Record<string, { responses: Record<string, { description: string }> }>
  >(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      for (const [status, r] of Object.entries(op.responses)) {
        t.not(r.description, 'Default Response', `${method} ${path} ${status}`);
      }
    }
  }
});

t.test('each route lists the codes it can answer with, by status', async (t) => {
  t.same(documented('get', '/meetings/:meetingId', 404), ['MEETING_NOT_FOUND']);
  const st = (s: number) => documented('post', '/items/:itemId/statements', s);
  for (const c of [
    'STATEMENTS_INCOMPLETE',
    'CHAIR_MUST_STATE_LAST',
    'NOT_PRESENT',
    'NONCE_REPLAYED',
  ])
    t.ok(st(409).includes(c), `statement.record 409 lists ${c}`);
  t.ok(st(403).includes('ROLE_NOT_ALLOWED'));
  t.ok(st(404).includes('UNKNOWN_ITEM'));
  t.ok(st(400).includes('VALIDATION_FAILED'));
  t.ok(st(401).includes('UNKNOWN_KEY'));
  t.notOk(st(409).includes('TALLY_MISMATCH'), 'no code of a rule that does not decide it');
  t.same(documented('get', '/log/checkpoint', 503), ['NO_CHECKPOINT']);
  const reg = (s: number) => documented('post', '/principals', s);
  t.ok(reg(409).includes('KEY_IN_USE'));
  t.ok(reg(422).includes('KEY_NOT_ACCEPTABLE'));
  const op = doc.paths['/items/{itemId}/statements'].post;
  t.match(op.responses['409'].description, /`STATEMENTS_INCOMPLETE` \(P7\)/);
});

t.test('every code a command handler refuses with is on its route', async (t) => {
  // HANDLERS in decide.ts maps each command to its handler; each handler's own `refuse('CODE'`.
  const dir = join(repoRoot, 'procedure/src');
  const decide = readFileSync(join(dir, 'decide.ts'), 'utf8');
  const handlers = new Map<string, string>();
  for (const m of decide.matchAll(/^\s+'([a-z_.]+)': \w+\.(\w+),$/gm))
    handlers.set(m[2] as string, m[1] as string);
  const codesOf = new Map<string, Set<string>>();
  for (const f of readdirSync(join(dir, 'commands'))) {
    const src = readFileSync(join(dir, 'commands', f), 'utf8');
    // Each top-level declaration on its own: a handler's text ends where the next one begins.
    for (const part of src.split(/^(?=export const |export function |function |const )/m)) {
      const name = /^(?:export )?(?:const|function) (\w+)/.exec(part)?.[1] ?? '';
      const type = handlers.get(name);
      if (type === undefined) continue;
      const codes = new Set<string>();
      for (const m of part.matchAll(/refuse\(\s*'([A-Z_]+)'/g)) codes.add(m[1] as string);
      codesOf.set(type, codes);
    }
  }
  t.ok(codesOf.size > 30, `read the handlers (${codesOf.size})`);
  for (const route of COMMAND_ROUTES) {
    const all = new Set<string>();
    for (const s of [400, 401, 403, 404, 409, 413, 415, 422, 429, 503])
      for (const c of documented('post', route.url, s)) all.add(c);
    for (const c of codesOf.get(route.type) ?? []) t.ok(all.has(c), `${route.type} documents ${c}`);
  }
});

t.test('what a route answers is among the codes it documents', async (t) => {
  const w = await ServiceWorld.create(t, { rateLimitPerMinute: 10_000 });
  await w.populate();
  const m = await w.schedule();
  const { itemId, digest } = await w.submit(m);
  const cases: [string, string, () => Promise<Reply>][] = [
    ['get', '/meetings/:meetingId', () => w.get('/meetings/mtg-999999', 'chair')],
    ['get', '/meetings/:meetingId', () => w.get(`/meetings/${m}`, null)],
    ['get', '/meetings/:meetingId/record', () => w.get('/meetings/mtg-999999/record', 'chair')],
    [
      'post',
      '/items/:itemId/statements',
      () =>
        w.send('m1', {
          type: 'statement.record',
          itemId,
          materialsDigest: digest,
          position: 'agree',
        }),
    ],
    [
      'post',
      '/items/:itemId/deliberation',
      () => w.send('m2', { type: 'item.deliberate', itemId }),
    ],
  ];
  for (const [method, url, call] of cases) {
    const res = await call();
    const code = res.json().code as string;
    t.ok(
      documented(method, url, res.statusCode).includes(code),
      `${method} ${url}: ${res.statusCode} ${code} is documented`
    );
  }
});
