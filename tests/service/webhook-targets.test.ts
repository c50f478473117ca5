// Where webhooks may go (issue 14.3). Receivers are on 127.0.0.1 under an explicit allowance;
// private addresses are tested with a stubbed resolver and a transport that records calls, so no
// test ever sends a packet to an address other than 127.0.0.1.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import {
  checkTarget,
  isNonPublicAddress,
  TargetAllowList,
  type Resolver,
  type Transport,
} from '@yishi/service/internal';
import { HOUR, ServiceWorld } from './helpers/service-world.js';

async function receiver(t: { teardown(fn: () => unknown): void }, status = 200, location = '') {
  const received: Array<{ headers: IncomingMessage['headers']; body: string; url: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body, url: req.url ?? '' });
      res.statusCode = status;
      if (location) res.setHeader('location', location);
      res.end('secret text of the receiver');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as AddressInfo).port, received };
}

const fastTimer = {
  set: (fn: () => void) => setImmediate(fn),
  clear: (h: unknown) => clearImmediate(h as NodeJS.Immediate),
};

/** A transport that only records: no connection is ever made. */
function spyTransport() {
  const calls: Array<{ url: string; address: string }> = [];
  const transport: Transport = async (url, address) => {
    calls.push({ url: url.href, address: address.address });
    return { status: 200 };
  };
  return { calls, transport };
}

const stub =
  (table: Record<string, string[]>): Resolver =>
  async (host) => {
    const a = table[host];
    if (!a) throw new Error(`ENOTFOUND ${host}`);
    return a.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

const register = (w: ServiceWorld, url: string) =>
  w.app.inject({
    method: 'POST',
    url: '/webhooks',
    payload: w.sign('admin', { type: 'webhook.register', url }),
  });

const interfere = (w: ServiceWorld) =>
  w.ok('m3', {
    type: 'interference.record',
    bodyId: w.bodyId,
    who: { name: '某领导', post: '副市长', relation: 'leader' },
    matter: { category: 'procurement', text: '要求指定供应商' },
    form: 'request',
    occurredAt: w.now - HOUR,
  });

async function until(cond: () => boolean, what: string) {
  const end = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

t.test('without an allowance, a loopback webhook is refused and never called', async (t) => {
  const hook = await receiver(t);
  const w = await ServiceWorld.create(t, { webhooks: { timer: fastTimer } });
  await w.populate();
  for (const url of [
    `http://127.0.0.1:${hook.port}/admin/delete-all`,
    `https://127.0.0.1:${hook.port}/admin/delete-all`,
    `http://[::1]:${hook.port}/x`,
    `http://localhost:${hook.port}/x`,
  ]) {
    const res = await register(w, url);
    t.equal(res.statusCode, 422, url);
    t.equal(res.json().code, 'WEBHOOK_TARGET_REFUSED');
  }
  await interfere(w);
  await new Promise((r) => setTimeout(r, 50));
  t.equal(hook.received.length, 0, 'nothing reached the receiver');
  t.same((await w.get('/webhooks', 'admin')).json(), [], 'nothing registered');
});

t.test('private addresses are refused before any connection', async (t) => {
  const { calls, transport } = spyTransport();
  const w = await ServiceWorld.create(t, {
    webhooks: {
      timer: fastTimer,
      transport,
      resolve: stub({
        'intranet.example': ['10.0.0.1'],
        'mixed.example': ['93.184.216.34', '192.168.1.1'],
        'public.example': ['93.184.216.34'],
        'meta.example': ['169.254.169.254'],
        'ula.example': ['fd00::1'],
      }),
    },
  });
  await w.populate();
  const cases: Array<[string, string]> = [
    ['https://intranet.example/x', 'address_not_allowed'],
    ['https://mixed.example/x', 'address_not_allowed'],
    ['https://meta.example/latest', 'address_not_allowed'],
    ['https://ula.example/x', 'address_not_allowed'],
    ['https://10.0.0.1/x', 'address_not_allowed'],
    ['https://nowhere.example/x', 'unresolvable'],
    ['http://public.example/x', 'plain_http_not_allowed'],
  ];
  for (const [url, reason] of cases) {
    const res = await register(w, url);
    t.equal(res.statusCode, 422, url);
    t.match(res.json(), { code: 'WEBHOOK_TARGET_REFUSED', details: { reason } }, url);
  }
  t.same(calls, [], 'no connection was attempted');
  t.equal((await register(w, 'https://public.example/hook')).statusCode, 201, 'public https');
});

t.test('a name that moves to a private address after registering is not called', async (t) => {
  const { calls, transport } = spyTransport();
  const table: Record<string, string[]> = { 'rebind.example': ['93.184.216.34'] };
  const w = await ServiceWorld.create(t, {
    webhooks: { timer: fastTimer, transport, resolve: stub(table), maxAttempts: 2 },
  });
  await w.populate();
  t.equal((await register(w, 'https://rebind.example/hook')).statusCode, 201);
  table['rebind.example'] = ['10.0.0.1'];
  await interfere(w);
  await until(() => w.app.webhooks.attempts(1).length === 2, 'two attempts');
  await w.app.webhooks.idle();
  t.same(calls, [], 'no connection was attempted');
  t.match(w.app.webhooks.attempts(1), [
    { ok: false, httpStatus: null, error: 'target_refused' },
    { ok: false, httpStatus: null, error: 'target_refused' },
  ]);
});

t.test('an allowed name is pinned to the address checked, Host kept', async (t) => {
  const hook = await receiver(t);
  const w = await ServiceWorld.create(t, {
    webhooks: {
      timer: fastTimer,
      allow: 'receiver.test',
      resolve: stub({ 'receiver.test': ['127.0.0.1'] }),
    },
  });
  await w.populate();
  t.equal((await register(w, `http://receiver.test:${hook.port}/hook`)).statusCode, 201);
  const d = await interfere(w);
  await until(() => hook.received.length === 1, 'the delivery');
  const got = hook.received[0];
  t.equal(got?.headers.host, `receiver.test:${hook.port}`, 'the Host header is the name');
  const payload = JSON.parse(got?.body ?? '{}');
  t.equal(payload.report.reportId, d.reports[0].reportId);
  t.same(
    Object.keys(payload.report.subject),
    ['interferenceId'],
    'an interference report carries its id, not its content (P15)'
  );
  t.notMatch(got?.body, /某领导|副市长|供应商/, 'no content in the payload');
});

t.test(
  'redirects are not followed; deliveries keep a status class and a fixed reason',
  async (t) => {
    const target = await receiver(t);
    const redirecting = await receiver(t, 302, `http://127.0.0.1:${target.port}/elsewhere`);
    const missing = await receiver(t, 404);
    const w = await ServiceWorld.create(t, {
      webhooks: { timer: fastTimer, allow: '127.0.0.1/32', maxAttempts: 1 },
    });
    await w.populate();
    for (const port of [redirecting.port, missing.port]) {
      t.equal((await register(w, `http://127.0.0.1:${port}/hook`)).statusCode, 201);
    }
    await interfere(w);
    await until(
      () => w.app.webhooks.attempts(1).length === 1 && w.app.webhooks.attempts(2).length === 1,
      'one attempt each'
    );
    await w.app.webhooks.idle();
    t.equal(redirecting.received.length, 1);
    t.equal(target.received.length, 0, 'the redirect was not followed');
    t.match(w.app.webhooks.attempts(1), [
      { ok: false, httpStatus: 300, error: 'redirect_not_followed' },
    ]);
    t.match(w.app.webhooks.attempts(2), [{ ok: false, httpStatus: 400, error: 'http_4xx' }]);
    const text = JSON.stringify((await w.get('/webhooks/wh-2/deliveries', 'admin')).json());
    t.notMatch(text, /secret text|ECONN|404/, 'no raw text or exact status');
  }
);

t.test('a connection that fails records a fixed reason', async (t) => {
  const hook = await receiver(t);
  const w = await ServiceWorld.create(t, {
    webhooks: { timer: fastTimer, allow: '127.0.0.1', maxAttempts: 1 },
  });
  await w.populate();
  t.equal((await register(w, `http://127.0.0.1:1/hook`)).statusCode, 201);
  await interfere(w);
  await until(() => w.app.webhooks.attempts(1).length === 1, 'one attempt');
  t.match(w.app.webhooks.attempts(1), [
    { ok: false, httpStatus: null, error: 'connection_failed' },
  ]);
  t.equal(hook.received.length, 0);
});

t.test('the address rules and the allowance', async (t) => {
  for (const a of [
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    'fe80::1',
    'fd12:3456::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    'not an address',
  ]) {
    t.equal(isNonPublicAddress(a), true, `${a} is not public`);
  }
  for (const a of ['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111']) {
    t.equal(isNonPublicAddress(a), false, `${a} is public`);
  }
  const allow = new TargetAllowList('hooks.internal, 10.1.0.0/16 ::1');
  t.ok(allow.allowsHost('HOOKS.internal'));
  t.ok(allow.allowsAddress('10.1.200.3'));
  t.notOk(allow.allowsAddress('10.2.0.1'));
  t.ok(allow.allowsAddress('::1'));
  t.throws(() => new TargetAllowList('10.0.0.0/33'), /YISHI_WEBHOOK_ALLOW/);
  t.throws(() => new TargetAllowList('http://x'), /YISHI_WEBHOOK_ALLOW/);
  const none = new TargetAllowList();
  t.match(await checkTarget('https://user:pw@example.org/', none), {
    ok: false,
    reason: 'credentials_in_url',
  });
  t.match(await checkTarget('not a url', none), { ok: false, reason: 'malformed_url' });
});
