import t from 'tap';
import { ServiceWorld } from './helpers/service-world.js';

const w = await ServiceWorld.create(t, { bodyLimit: 16 * 1024, rateLimitPerMinute: 10_000 });
await w.populate();

const raw = (payload: string, headers: Record<string, string> = {}) =>
  w.app.inject({
    method: 'POST',
    url: '/bodies',
    payload,
    headers: { 'content-type': 'application/json', ...headers },
  });

t.test(
  'what a member signed is what is validated: nothing coerced, added or dropped',
  async (t) => {
    const size = w.size;
    const good = w.sign('admin', { type: 'body.create', name: '校验' });
    const cases: [string, unknown][] = [
      ['an unknown payload property', { ...good, payload: { ...good.payload, extra: 1 } }],
      ['an unknown envelope property', { ...good, extra: 1 }],
      [
        'a string where an integer is',
        { ...good, payload: { ...good.payload, ts: String(good.payload.ts) } },
      ],
      ['a number where a string is', { ...good, payload: { ...good.payload, name: 42 } }],
      [
        'a missing property',
        {
          ...good,
          payload: { type: 'body.create', ts: good.payload.ts, nonce: good.payload.nonce },
        },
      ],
      ['null for an object', { ...good, payload: null }],
      ['an array body', [good]],
      ['a fractional ts', { ...good, payload: { ...good.payload, ts: good.payload.ts + 0.5 } }],
      [
        'an upper-case nonce',
        { ...good, payload: { ...good.payload, nonce: good.payload.nonce.toUpperCase() } },
      ],
      [
        'another command type on this route',
        { ...good, payload: { ...good.payload, type: 'meeting.close' } },
      ],
      ['an empty name', { ...good, payload: { ...good.payload, name: '' } }],
    ];
    for (const [name, body] of cases) {
      const res = await raw(JSON.stringify(body));
      t.equal(res.statusCode, 400, name);
      t.equal(res.json().code, 'VALIDATION_FAILED', name);
    }
    t.equal(w.size, size, 'none reached the ledger');
  }
);

t.test('prototype-poisoning keys are refused', async (t) => {
  const size = w.size;
  const good = w.sign('admin', { type: 'body.create', name: '原型' });
  const text = JSON.stringify(good);
  for (const poison of ['"__proto__":{"x":1},', '"constructor":{"prototype":{"x":1}},']) {
    const res = await raw(text.replace('{"payload":', `{${poison}"payload":`));
    t.equal(res.statusCode, 400, poison);
    t.equal(res.json().code, 'VALIDATION_FAILED');
  }
  const inner = text.replace(
    '"type":"body.create"',
    '"__proto__":{"admin":true},"type":"body.create"'
  );
  t.equal((await raw(inner)).statusCode, 400);
  t.equal(w.size, size);
  t.equal(({} as Record<string, unknown>)['x'], undefined);
});

t.test('malformed JSON, empty bodies and wrong content types', async (t) => {
  const size = w.size;
  const good = JSON.stringify(w.sign('admin', { type: 'body.create', name: '格式' }));
  const bad = await raw(good.slice(0, -3));
  t.equal(bad.statusCode, 400);
  t.equal(bad.json().code, 'VALIDATION_FAILED');
  const empty = await raw('');
  t.equal(empty.statusCode, 400);
  const text = await raw(good, { 'content-type': 'text/plain' });
  t.equal(text.statusCode, 415);
  t.equal(text.json().code, 'UNSUPPORTED_MEDIA_TYPE');
  const form = await raw('a=b', { 'content-type': 'application/x-www-form-urlencoded' });
  t.equal(form.statusCode, 415);
  t.equal(w.size, size);
});

t.test('a lone surrogate cannot be canonical JSON and is refused', async (t) => {
  const size = w.size;
  const good = w.sign('admin', { type: 'body.create', name: 'X' });
  const res = await raw(JSON.stringify(good).replace('"name":"X"', '"name":"\\ud800"'));
  t.equal(res.statusCode, 400);
  t.equal(w.size, size);
});

t.test('an oversized body is refused with 413 before any work', async (t) => {
  const size = w.size;
  const good = w.sign('admin', { type: 'body.create', name: '大' });
  const res = await raw(JSON.stringify({ ...good, pad: 'x'.repeat(20 * 1024) }));
  t.equal(res.statusCode, 413);
  t.equal(res.json().code, 'BODY_TOO_LARGE');
  t.equal(w.size, size);
});

t.test('path parameters and query strings are validated too', async (t) => {
  const r1 = await w.get('/meetings/not-an-id!', 'chair');
  t.equal(r1.statusCode, 400);
  const r2 = await w.get('/reports?status=everything', 'admin');
  t.equal(r2.statusCode, 400);
  const r3 = await w.get('/reports?extra=1', 'admin');
  t.equal(r3.statusCode, 400);
  t.equal((await w.get('/reports?status=all', 'admin')).statusCode, 200);
});

t.test('security headers and request ids', async (t) => {
  const res = await w.get('/principals/me', 'm1');
  t.equal(res.statusCode, 200);
  t.equal(res.headers['x-content-type-options'], 'nosniff');
  t.equal(res.headers['x-frame-options'], 'SAMEORIGIN');
  t.ok(res.headers['strict-transport-security']);
});
