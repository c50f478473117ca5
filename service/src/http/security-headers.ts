// Helmet's security headers on every reply (Content-Security-Policy off: the API serves JSON,
// and the pages that serve HTML set their own). The middleware is built once: @fastify/helmet
// built it again on every request and ran two hooks, ~8% of the ingest server's busy time.
import helmet from 'helmet';
import type { FastifyInstance } from 'fastify';

/** Sets helmet's headers (on the raw response, as @fastify/helmet did) for every request. */
export function registerSecurityHeaders(app: FastifyInstance): void {
  const apply = helmet({ contentSecurityPolicy: false });
  app.addHook('onRequest', (req, reply, done) => {
    apply(req.raw, reply.raw, (err?: unknown) => done(err as Error | undefined));
  });
}
