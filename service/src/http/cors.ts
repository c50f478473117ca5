// Cross-origin access for browser clients. Nothing is allowed by default; the public
// transparency-log routes (/log/*: checkpoint, proofs, key, entries) are readable from any origin,
// as a log's monitors and witnesses expect; every other route only from the origins the operator
// lists (YISHI_CORS_ORIGINS). The headers are those @fastify/cors gave this policy (its delegator
// form re-normalized the options on every request, ~3% of the ingest server's time); one
// onRequest hook with the header values fixed at start gives them now (decision 0031).
import type { FastifyInstance } from 'fastify';

/** Headers a browser client may read from a reply besides the CORS-safelisted ones. */
const EXPOSED = 'content-language, retry-after, location';
/** What a preflight may ask for: the methods the API has (fetch adds nothing else). */
const METHODS = 'GET,HEAD,POST';
const MAX_AGE = '600';

const isPublicLog = (url: string): boolean => url.startsWith('/log/');

/**
 * Registers CORS: any origin on `/log/*`, the listed `origins` (exact `scheme://host[:port]`)
 * elsewhere, and no CORS headers at all for any other origin (the browser then refuses). Every
 * reply varies by Origin. An allowed preflight is answered 204 here; an OPTIONS request that is no
 * allowed preflight goes on to the 404 NOT_FOUND of the error table.
 */
export async function registerCors(
  app: FastifyInstance,
  origins: readonly string[]
): Promise<void> {
  const allowed = new Set(origins);
  app.addHook('onRequest', (req, reply, done) => {
    void reply.header('vary', 'Origin');
    const { origin } = req.headers;
    const preflight = req.method === 'OPTIONS';
    if (preflight && (origin === undefined || !req.headers['access-control-request-method'])) {
      return done();
    }
    const allow = isPublicLog(req.url)
      ? '*'
      : origin !== undefined && allowed.has(origin)
        ? origin
        : undefined;
    if (allow === undefined) return done();
    void reply.header('access-control-allow-origin', allow);
    void reply.header('access-control-expose-headers', EXPOSED);
    if (!preflight) return done();
    void reply.header('vary', 'Origin, Access-Control-Request-Headers');
    void reply.header('access-control-allow-methods', METHODS);
    const requested = req.headers['access-control-request-headers'];
    if (requested !== undefined) void reply.header('access-control-allow-headers', requested);
    void reply.header('access-control-max-age', MAX_AGE);
    void reply.code(204).header('content-length', '0').send();
  });
}

/** Parses YISHI_CORS_ORIGINS: comma-separated origins such as `https://app.example.org`. */
export function parseCorsOrigins(text: string | undefined): string[] {
  if (text === undefined || text.trim() === '') return [];
  return text.split(',').map((part) => {
    const origin = part.trim();
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      throw new Error(`YISHI_CORS_ORIGINS: '${origin}' is not an origin (https://host[:port])`);
    }
    if (url.origin !== origin) {
      throw new Error(
        `YISHI_CORS_ORIGINS: '${origin}' is not an origin; did you mean '${url.origin}'?`
      );
    }
    return origin;
  });
}
