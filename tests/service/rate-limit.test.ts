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
