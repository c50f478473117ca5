import t from 'tap';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  base64Decode,
  canonicalJson,
  parseNoteVerifier,
  signingMessage,
  verify,
} from '@yishi/crypto';
import { HOUR, ServiceWorld } from './helpers/service-world.js';

/** The operator's allowance these tests run under: receivers on 127.0.0.1 only. */
const LOOPBACK = '127.0.0.1/32';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A receiver on 127.0.0.1 that fails the first `failures` deliveries with 500. */
async function receiver(t: { teardown(fn: () => unknown): void }, failures: number) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = received.length <= failures ? 500 : 200;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

/** A timer that records each delay and fires at once. */
function fastTimer() {
  const delays: number[] = [];
  return {
    delays,
    timer: {
      set: (fn: () => void, ms: number) => {
        delays.push(ms);
        return setImmediate(fn);
      },
      clear: (h: unknown) => clearImmediate(h as NodeJS.Immediate),
    },
  };
}

async function until(cond: () => boolean, what: string) {
  const end = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const registerHook = (w: ServiceWorld, url: string, by = 'admin') =>
  w.app.inject({
    method: 'POST',
    url: '/webhooks',
    payload: w.sign(by, { type: 'webhook.register', url }),
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

t.test(
  'reports are delivered signed by the log key, retried with exponential backoff',
  async (t) => {
    const { delays, timer } = fastTimer();
    const w = await ServiceWorld.create(t, {
      webhooks: { timer, baseDelayMs: 1000, allow: LOOPBACK },
    });
    await w.populate();
    const hook = await receiver(t, 2);
    const reg = await registerHook(w, hook.url);
    t.equal(reg.statusCode, 201);
    t.match(reg.json(), { webhookId: 'wh-1', url: hook.url, registeredBy: 'admin', active: true });

    const d = await interfere(w);
    const reportId = d.reports[0].reportId as string;
    await until(() => hook.received.length === 3, 'three attempts');
    await w.app.webhooks.idle();
    t.same(delays, [0, 1000, 2000], 'first at once, then 1 s, 2 s');

    const last = hook.received[2] as Received;
    const payload = JSON.parse(last.body);
    t.equal(last.body, canonicalJson(payload), 'the body is canonical JSON');
    t.equal(last.headers['content-type'], 'application/json');
    t.match(payload, { webhookId: 'wh-1', attempt: 3, report: { reportId, kind: 'interference' } });
    const logKey = parseNoteVerifier(w.init.vkey).publicKey;
    const sig = base64Decode(String(last.headers['yishi-signature']));
    t.ok(verify(sig, signingMessage('yishi/webhook/v2', payload), logKey), 'signed by the log key');
    t.notOk(verify(sig, signingMessage('yishi/command/v2', payload), logKey), 'domain-separated');
    // Protocol v2: the signed body names its target URL, its delivery id and its time.
    t.equal(payload.url, hook.url, 'the signature covers the target URL');
    t.equal(payload.deliveryId, `wh-1/${reportId}`);
    t.type(payload.sentAt, 'number');

    const deliveries = await w.get('/webhooks/wh-1/deliveries', 'admin');
    t.equal(deliveries.statusCode, 200);
    t.match(deliveries.json(), [
      { reportId, attempt: 1, ok: false, httpStatus: 500 },
      { reportId, attempt: 2, ok: false, httpStatus: 500 },
      { reportId, attempt: 3, ok: true, httpStatus: 200, error: null },
    ]);
  }
);

t.test('a webhook receives the reports pending when it registers; removal stops it', async (t) => {
  const { timer } = fastTimer();
  const w = await ServiceWorld.create(t, { webhooks: { timer, allow: LOOPBACK } });
  await w.populate();
  await interfere(w);
  const hook = await receiver(t, 0);
  t.equal((await registerHook(w, hook.url)).statusCode, 201);
  await until(() => hook.received.length === 1, 'the pending report');
  const removal = await w.app.inject({
    method: 'POST',
    url: '/webhooks/wh-1/removal',
    payload: w.sign('admin', { type: 'webhook.remove', webhookId: 'wh-1' }),
  });
  t.equal(removal.statusCode, 200);
  t.equal(removal.json().active, false);
  await interfere(w);
  await new Promise((r) => setTimeout(r, 50));
  await w.app.webhooks.idle();
  t.equal(hook.received.length, 1, 'nothing after removal');
  t.same(
    (await w.get('/webhooks', 'admin')).json().map((h: { active: boolean }) => h.active),
    [false]
  );
});

t.test('registering is an admin service command: signed, never replayed', async (t) => {
  const w = await ServiceWorld.create(t, { webhooks: { allow: LOOPBACK } });
  await w.populate();
  const chair = await registerHook(w, 'http://127.0.0.1:9/x', 'chair');
  t.equal(chair.statusCode, 403);
  t.equal(chair.json().code, 'FORBIDDEN');
  const command = w.sign('admin', { type: 'webhook.register', url: 'http://127.0.0.1:9/y' });
  const first = await w.app.inject({ method: 'POST', url: '/webhooks', payload: command });
  const again = await w.app.inject({ method: 'POST', url: '/webhooks', payload: command });
  t.equal(again.statusCode, 201);
  t.equal(again.headers['idempotent-replayed'], 'true');
  t.same(again.json(), first.json());
  const reuse = w.sign('admin', {
    type: 'webhook.register',
    url: 'http://127.0.0.1:9/z',
    nonce: command.payload.nonce,
  });
  const conflict = await w.app.inject({ method: 'POST', url: '/webhooks', payload: reuse });
  t.equal(conflict.statusCode, 409);
  t.equal(conflict.json().code, 'NONCE_REPLAYED');
  t.equal((await w.get('/webhooks', 'admin')).json().length, 1);
  const bad = await w.app.inject({
    method: 'POST',
    url: '/webhooks',
    payload: w.sign('admin', { type: 'webhook.register', url: 'ftp://example.org/x' }),
  });
  t.equal(bad.statusCode, 400);
  const missing = await w.app.inject({
    method: 'POST',
    url: '/webhooks/wh-99/removal',
    payload: w.sign('admin', { type: 'webhook.remove', webhookId: 'wh-99' }),
  });
  t.equal(missing.statusCode, 404);
  t.equal(missing.json().code, 'WEBHOOK_NOT_FOUND');
});

t.test('pending deliveries resume after a restart', async (t) => {
  const { buildApp, Checkpointer, LedgerStore } = await import('@yishi/service/internal');
  const parked = { set: () => 0, clear: () => {} }; // the first process never gets to deliver
  const w = await ServiceWorld.create(t, { webhooks: { timer: parked, allow: LOOPBACK } });
  await w.populate();
  const hook = await receiver(t, 0);
  t.equal((await registerHook(w, hook.url)).statusCode, 201);
  const d = await interfere(w);
  await w.app.close();
  t.equal(hook.received.length, 0);

  const { timer } = fastTimer();
  const store = LedgerStore.open(w.init.paths.db);
  const app = await buildApp({
    store,
    checkpointer: new Checkpointer(store, { skey: w.skey }),
    logVkey: w.init.vkey,
    logSkey: w.skey,
    serviceDb: w.init.paths.service,
    clock: w.clock,
    webhooks: { timer, allow: LOOPBACK },
  });
  t.teardown(async () => {
    await app.close();
    store.close();
  });
  await until(() => hook.received.length === 1, 'the resumed delivery');
  t.equal(JSON.parse((hook.received[0] as Received).body).report.reportId, d.reports[0].reportId);
});
