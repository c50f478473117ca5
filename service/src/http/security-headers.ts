// Helmet's security headers on every reply (Content-Security-Policy off: the API serves JSON,
// and the pages that serve HTML set their own). Helmet decides the headers; it runs once, at
// start, against a recording response, and each request then gets that fixed set in one call.
// Running helmet's eleven middlewares per request (each a raw setHeader) was ~7% of the ingest
// server's busy time; @fastify/helmet, before that, built the middleware on every request too.
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import type { FastifyInstance } from 'fastify';

/** The headers helmet sets on a reply, lower-cased, as it would set them on every one. */
export function securityHeaders(): Readonly<Record<string, string>> {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value));
    },
    removeHeader(name: string) {
      headers.delete(name.toLowerCase());
    },
    getHeader(name: string) {
      return headers.get(name.toLowerCase());
    },
  };
  let failure: unknown;
  helmet({ contentSecurityPolicy: false })(
    { headers: {}, method: 'GET', url: '/' } as IncomingMessage,
    recorder as unknown as ServerResponse,
    (err?: unknown) => {
      failure = err;
    }
  );
  if (failure !== undefined) throw failure;
  return Object.freeze(Object.fromEntries(headers));
}

/** Sets helmet's headers on every reply (a route may still set its own over them). */
export function registerSecurityHeaders(app: FastifyInstance): void {
  const headers = securityHeaders();
  app.addHook('onRequest', (_req, reply, done) => {
    void reply.headers(headers);
    done();
  });
}
