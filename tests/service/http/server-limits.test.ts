// Timeouts and caps (issue 14.5): a body trickling in is cut off, a header trickling in too, and
// sockets beyond the cap are refused. Raw sockets on 127.0.0.1 with shortened timeouts.
import { connect, type Socket } from 'node:net';
import t from 'tap';
import {
  DEFAULT_SERVER_LIMITS,
  fastifyServerOptions,
  limitsFromEnv,
} from '@yishi/service/internal';
import { ServiceWorld } from '../helpers/service-world.js';

/** Resolves when `socket` closes, with what it received and after how many ms. */
const closed = (socket: Socket) =>
  new Promise<{ ms: number; text: string }>((resolve) => {
    const t0 = Date.now();
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ ms: Date.now() - t0, text }));
  });

const open = (port: number) =>
  new Promise<Socket>((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
  });

async function listening(t: { teardown(fn: () => unknown): void }, limits = {}) {
  const w = await ServiceWorld.create(t, {
    serverLimits: { requestTimeoutMs: 1000, headersTimeoutMs: 600, ...limits },
  });
  await w.app.listen({ host: '127.0.0.1', port: 0 });
  const address = w.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

t.test('the defaults cut a trickling body off within 30 s', async (t) => {
  const o = fastifyServerOptions();
  t.ok(o.requestTimeout + o.http.connectionsCheckingInterval <= 30_000);
  t.ok(o.http.headersTimeout <= o.requestTimeout);
  t.ok(o.keepAliveTimeout > 0 && o.maxConnections > 0 && o.maxRequestsPerSocket > 0);
  t.equal(DEFAULT_SERVER_LIMITS.maxConnections, 1024);
  t.same(limitsFromEnv({ YISHI_REQUEST_TIMEOUT_MS: '5000', YISHI_MAX_CONNECTIONS: '10' }), {
    requestTimeoutMs: 5000,
    maxConnections: 10,
  });
  t.throws(() => limitsFromEnv({ YISHI_HEADERS_TIMEOUT_MS: '0' }), /YISHI_HEADERS_TIMEOUT_MS/);
  t.throws(() => limitsFromEnv({ YISHI_IDLE_TIMEOUT_MS: 'soon' }), /YISHI_IDLE_TIMEOUT_MS/);
});

t.test('a body trickling in is cut off at the request timeout', async (t) => {
  const port = await listening(t);
  const s = await open(port);
  const done = closed(s);
  s.write(
    'POST /commands HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
      'Content-Length: 1000\r\n\r\n{'
  );
  const drip = setInterval(() => s.writable && s.write(' '), 150);
  const r = await done;
  clearInterval(drip);
  t.ok(r.ms < 3000, `closed after ${r.ms} ms`);
  t.match(r.text, /^(HTTP\/1\.1 408|)/, 'a 408 or a plain close');
});

t.test('headers trickling in are cut off at the headers timeout', async (t) => {
  const port = await listening(t);
  const s = await open(port);
  const done = closed(s);
  s.write('GET /health HTTP/1.1\r\n');
  const drip = setInterval(() => s.writable && s.write('X-A: b\r\n'), 100);
  const r = await done;
  clearInterval(drip);
  t.ok(r.ms < 2500, `closed after ${r.ms} ms`);
});

t.test('sockets beyond the connection cap are refused', async (t) => {
  const port = await listening(t, { maxConnections: 2 });
  const a = await open(port);
  const b = await open(port);
  const c = await open(port);
  const r = await closed(c);
  t.ok(r.ms < 2000, 'the third socket is closed at once');
  t.equal(r.text, '');
  a.destroy();
  b.destroy();
});
