import t from 'tap';
import { buildApp, Checkpointer, LedgerStore } from '@yishi/service/internal';
import { loadConfig } from '@yishi/service';
import { makeLedger } from '../helpers/ledger-fixture.js';

const fixture = await makeLedger(t, 2, 1);
const ALLOWED = 'https://app.example.org';
const OTHER = 'https://evil.example.net';

async function appWith(corsOrigins?: string[]) {
  const store = LedgerStore.open(fixture.paths.db);
  const checkpointer = new Checkpointer(store, { skey: fixture.skey });
  const app = await buildApp({
    store,
    checkpointer,
    logVkey: fixture.vkey,
    ...(corsOrigins ? { corsOrigins } : {}),
  });
  t.teardown(async () => {
    await app.close();
    store.close();
  });
  return app;
}

const preflight = (url: string, origin: string) => ({
  method: 'OPTIONS' as const,
  url,
  headers: {
    origin,
    'access-control-request-method': 'POST',
    'access-control-request-headers': 'content-type',
  },
});

t.test('no origin is allowed by default, except on the public log routes', async (t) => {
  const app = await appWith();
  const simple = await app.inject({ url: '/principals', headers: { origin: ALLOWED } });
  t.equal(simple.headers['access-control-allow-origin'], undefined);
  const pre = await app.inject(preflight('/bodies', ALLOWED));
  t.equal(pre.headers['access-control-allow-origin'], undefined);
  const log = await app.inject({ url: '/log/checkpoint', headers: { origin: OTHER } });
  t.equal(log.statusCode, 200);
  t.equal(log.headers['access-control-allow-origin'], '*');
  const logPre = await app.inject({
    method: 'OPTIONS',
    url: '/log/checkpoint',
    headers: { origin: OTHER, 'access-control-request-method': 'GET' },
  });
  t.equal(logPre.statusCode, 204);
  t.equal(logPre.headers['access-control-allow-origin'], '*');
});

t.test('listed origins may call every route; others get no CORS headers', async (t) => {
  const app = await appWith([ALLOWED]);
  const pre = await app.inject(preflight('/bodies', ALLOWED));
  t.equal(pre.statusCode, 204);
  t.equal(pre.headers['access-control-allow-origin'], ALLOWED);
  t.match(String(pre.headers['access-control-allow-methods']), /POST/);
  t.match(String(pre.headers['access-control-allow-headers']), /content-type/);
  const simple = await app.inject({ url: '/health', headers: { origin: ALLOWED } });
  t.equal(simple.headers['access-control-allow-origin'], ALLOWED);
  t.match(String(simple.headers['vary']), /Origin/i);
  const other = await app.inject(preflight('/bodies', OTHER));
  t.equal(other.headers['access-control-allow-origin'], undefined);
  const otherSimple = await app.inject({ url: '/health', headers: { origin: OTHER } });
  t.equal(otherSimple.headers['access-control-allow-origin'], undefined);
});

t.test('an OPTIONS request that is not a preflight gets the 404 of the error table', async (t) => {
  const app = await appWith([ALLOWED]);
  for (const url of ['/log/checkpoint', '/bodies', '/nope']) {
    const res = await app.inject({ method: 'OPTIONS', url });
    t.equal(res.statusCode, 404, url);
    t.equal((res.json() as { code: string }).code, 'NOT_FOUND', url);
  }
  const noMethod = await app.inject({
    method: 'OPTIONS',
    url: '/log/key',
    headers: { origin: OTHER },
  });
  t.equal(noMethod.statusCode, 404);
});

t.test('YISHI_CORS_ORIGINS is a comma-separated list of origins', async (t) => {
  t.same(loadConfig({}, {}).corsOrigins, []);
  t.same(loadConfig({}, { YISHI_CORS_ORIGINS: `${ALLOWED}, http://localhost:5173` }).corsOrigins, [
    ALLOWED,
    'http://localhost:5173',
  ]);
  t.throws(() => loadConfig({}, { YISHI_CORS_ORIGINS: 'app.example.org' }), /not an origin/);
  t.throws(() => loadConfig({}, { YISHI_CORS_ORIGINS: `${ALLOWED}/path` }), /did you mean/);
  t.equal(loadConfig({}, {}).metrics, 'local');
  t.throws(() => loadConfig({}, { YISHI_METRICS: 'yes' }), /YISHI_METRICS/);
});

/** The CORS headers of a reply (and Vary), nothing else. */
function corsHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(headers).filter(([k]) => k.startsWith('access-control-') || k === 'vary')
  );
}

t.test('the exact headers: the ones @fastify/cors gave this policy', async (t) => {
  const app = await appWith([ALLOWED]);
  const exposed = 'content-language, retry-after, location';
  const log = await app.inject({ url: '/log/checkpoint' });
  t.same(corsHeaders(log.headers), {
    vary: 'Origin',
    'access-control-allow-origin': '*',
    'access-control-expose-headers': exposed,
  });
  const plain = await app.inject({ url: '/principals' });
  t.same(corsHeaders(plain.headers), { vary: 'Origin' }, 'no Origin, not the log: Vary only');
  const listed = await app.inject({ url: '/principals', headers: { origin: ALLOWED } });
  t.same(corsHeaders(listed.headers), {
    vary: 'Origin',
    'access-control-allow-origin': ALLOWED,
    'access-control-expose-headers': exposed,
  });
  const pre = await app.inject(preflight('/bodies', ALLOWED));
  t.equal(pre.statusCode, 204);
  t.equal(pre.headers['content-length'], '0');
  t.equal(pre.body, '');
  t.same(corsHeaders(pre.headers), {
    vary: 'Origin, Access-Control-Request-Headers',
    'access-control-allow-origin': ALLOWED,
    'access-control-expose-headers': exposed,
    'access-control-allow-methods': 'GET,HEAD,POST',
    'access-control-allow-headers': 'content-type',
    'access-control-max-age': '600',
  });
  const refused = await app.inject(preflight('/bodies', OTHER));
  t.equal(refused.statusCode, 404);
  t.same(corsHeaders(refused.headers), { vary: 'Origin' });
  const empty = await app.inject({
    method: 'OPTIONS',
    url: '/bodies',
    headers: { origin: ALLOWED, 'access-control-request-method': '' },
  });
  t.equal(empty.statusCode, 404, 'an empty requested method is no preflight');
  t.equal((empty.json() as { code: string }).code, 'NOT_FOUND');
});
