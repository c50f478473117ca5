import t from 'tap';
import { RateLimiter } from '@yishi/service/internal';
import { ServiceWorld } from './helpers/service-world.js';

t.test(
  'signed requests are limited per key: 429 with Retry-After, others unaffected',
  async (t) => {
    const w = await ServiceWorld.create(t, { rateLimitPerMinute: 1000 });
    await w.populate();
    const limited = await ServiceWorld.create(t, { rateLimitPerMinute: 5 });
    // Same keys as a fresh world would give: register two principals through the admin.
    limited.keys['admin'] = limited.keys['admin'] as Uint8Array;
    const answers = [];
    for (let i = 0; i < 6; i++)
      answers.push((await limited.get('/principals/me', 'admin')).statusCode);
    t.same(answers, [200, 200, 200, 200, 200, 429]);
    const res = await limited.get('/principals/me', 'admin');
    t.equal(res.json().code, 'RATE_LIMITED');
    t.match(res.headers['retry-after'], /^[1-9][0-9]*$/);
    t.ok(Number(res.headers['retry-after']) <= 60);
    const command = await limited.send('admin', { type: 'body.create', name: '限流' });
    t.equal(command.statusCode, 429, 'commands count against the same key');
    limited.now += 60_000;
    t.equal((await limited.get('/principals/me', 'admin')).statusCode, 200, 'a new window');
    t.equal((await w.get('/principals/me', 'm1')).statusCode, 200);
  }
);

t.test('unsigned requests, and failed signatures, are limited per address', async (t) => {
  const w = await ServiceWorld.create(t, { rateLimitPerMinute: 3 });
  const codes = [];
  for (let i = 0; i < 4; i++) codes.push((await w.app.inject('/log/key')).statusCode);
  t.same(codes, [200, 200, 200, 429]);
  t.equal((await w.app.inject('/health')).statusCode, 200, 'health is never limited');
  const other = await ServiceWorld.create(t, { rateLimitPerMinute: 3 });
  const good = other.sign('admin', { type: 'body.create', name: '地址' });
  for (let i = 0; i < 4; i++) {
    await other.send({ ...good, signature: `${'A'.repeat(86)}==` });
  }
  const after = await other.send(good);
  t.equal(after.statusCode, 429, 'an address that sent bad signatures is refused before any work');
});

t.test('the limiter counts fixed windows per key', async (t) => {
  let now = 0;
  const l = new RateLimiter({ max: 2, windowMs: 1000, clock: () => now });
  l.take('a');
  l.take('a');
  t.throws(() => l.take('a'), { code: 'RATE_LIMITED' });
  l.take('b');
  now = 999;
  t.throws(() => l.take('a'), { code: 'RATE_LIMITED' });
  now = 1000;
  l.take('a');
  t.throws(() => new RateLimiter({ max: 0 }), RangeError);
});

t.test('a bogus signature header does not escape the per-address limit', async (t) => {
  const w = await ServiceWorld.create(t, { rateLimitPerMinute: 40 });
  const bogus = `Yishi-Ed25519 key=${'A'.repeat(43)}=, ts=1, sig=${'A'.repeat(86)}==`;
  const codes: number[] = [];
  for (let i = 0; i < 300; i++) {
    const url = i % 2 === 0 ? '/log/key' : '/principals/me';
    codes.push((await w.app.inject({ url, headers: { authorization: bogus } })).statusCode);
  }
  const served = codes.filter((c) => c !== 429).length;
  t.ok(served <= 41, `at most the allowance is served (${served})`);
  t.ok(
    codes.slice(-200).every((c) => c === 429),
    'the rest is refused'
  );
  const last = await w.app.inject({ url: '/log/key', headers: { authorization: bogus } });
  t.equal(last.json().code, 'RATE_LIMITED');
});

t.test('every request counts against its address on arrival', async (t) => {
  const w = await ServiceWorld.create(t, { rateLimitPerMinute: 1000, rateLimitPerAddress: 10 });
  await w.populate().catch(() => undefined);
  w.now += 60_000;
  const codes = [];
  for (let i = 0; i < 12; i++) codes.push((await w.get('/principals/me', 'admin')).statusCode);
  t.same(codes.slice(10), [429, 429], 'signed requests count too');
});

t.test('the limiter keeps at most maxKeys keys, least recently counted first out', async (t) => {
  const l = new RateLimiter({ max: 2, clock: () => 0 });
  t.equal(l.maxKeys, 50_000);
  for (let i = 0; i < 100_000; i++) l.count(`key:${i}`);
  t.ok(l.size <= l.maxKeys, `${l.size} entries after 100k distinct keys`);
  const small = new RateLimiter({ max: 1, maxKeys: 2, clock: () => 0 });
  small.take('a');
  small.take('b');
  small.count('a');
  small.count('c');
  t.equal(small.size, 2);
  t.throws(() => small.check('a'), { code: 'RATE_LIMITED' }, 'a was used recently: kept');
  small.take('b');
  t.throws(() => new RateLimiter({ max: 1, maxKeys: 0 }), RangeError);
});

t.test('a key counted again at once keeps its window and its place', async (t) => {
  let now = 0;
  const l = new RateLimiter({ max: 2, maxKeys: 2, windowMs: 1000, clock: () => now });
  l.take('a');
  l.take('a');
  t.throws(() => l.take('a'), { code: 'RATE_LIMITED' }, 'the third in the window is refused');
  now = 1000;
  l.take('a');
  l.take('a');
  t.throws(() => l.take('a'), { code: 'RATE_LIMITED' }, 'a new window counts from one');
  l.count('b');
  l.count('b');
  l.count('b');
  l.count('c');
  t.equal(l.size, 2);
  t.doesNotThrow(() => l.check('a'), 'a was the least recently counted: forgotten');
  t.throws(
    () => l.check('b'),
    { code: 'RATE_LIMITED' },
    'b was counted three times in a row: kept, over its allowance'
  );
});
