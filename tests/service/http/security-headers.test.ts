// The security headers are helmet's, computed once: every reply carries exactly the headers
// helmet itself sets on a real response, error replies too, and a route may still override one.
import t from 'tap';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import helmet from 'helmet';
import Fastify from 'fastify';
import {
  registerSecurityHeaders,
  securityHeaders,
} from '../../../service/src/http/security-headers.js';

/** The headers helmet (CSP off) sets on a real node:http response. */
async function helmetOnNode(): Promise<IncomingHttpHeaders> {
  const apply = helmet({ contentSecurityPolicy: false });
  const server = createServer((req, res) => apply(req, res, () => res.end('ok')));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}/`);
    const headers: IncomingHttpHeaders = {};
    res.headers.forEach((value, name) => (headers[name] = value));
    return headers;
  } finally {
    server.close();
  }
}

t.test('the computed set is what helmet sets on a response', async (t) => {
  const real = await helmetOnNode();
  const computed = securityHeaders();
  t.ok(Object.keys(computed).length >= 10, `${Object.keys(computed).length} headers`);
  for (const [name, value] of Object.entries(computed)) t.equal(real[name], value, name);
  for (const name of Object.keys(real)) {
    if (!['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(name))
      t.ok(name in computed, `${name} is in the computed set`);
  }
  t.notOk('x-powered-by' in computed);
  t.ok(Object.isFrozen(computed));
});

t.test('every reply carries them, errors too; a route may set its own', async (t) => {
  const app = Fastify();
  registerSecurityHeaders(app);
  app.get('/ok', async () => ({ ok: true }));
  app.get('/boom', async () => {
    throw Object.assign(new Error('no'), { statusCode: 400 });
  });
  app.get('/framed', async (_req, reply) => reply.header('x-frame-options', 'DENY').send('x'));
  t.teardown(() => app.close());
  const expected = securityHeaders();
  for (const url of ['/ok', '/boom', '/missing']) {
    const res = await app.inject({ url });
    for (const [name, value] of Object.entries(expected))
      t.equal(res.headers[name], value, `${url} ${name}`);
  }
  const framed = await app.inject({ url: '/framed' });
  t.equal(framed.headers['x-frame-options'], 'DENY');
  t.equal(framed.headers['strict-transport-security'], expected['strict-transport-security']);
});
