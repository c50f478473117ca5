// Cross-origin access for browser clients (@fastify/cors). Nothing is allowed by default; the
// public transparency-log routes (/log/*: checkpoint, proofs, key, entries) are readable from any
// origin, as a log's monitors and witnesses expect; every other route only from the origins the
// operator lists (YISHI_CORS_ORIGINS).
import cors, { type FastifyCorsOptions } from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Headers a browser client may read from a reply besides the CORS-safelisted ones. */
const EXPOSED = ['content-language', 'retry-after', 'location'];

const isPublicLog = (req: FastifyRequest): boolean => req.url.startsWith('/log/');

/**
 * Registers CORS: any origin on `/log/*`, the listed `origins` (exact `scheme://host[:port]`)
 * elsewhere, and no CORS headers at all for any other origin (the browser then refuses).
 */
export async function registerCors(
  app: FastifyInstance,
  origins: readonly string[]
): Promise<void> {
  const allowed = new Set(origins);
  const listed: FastifyCorsOptions = {
    origin:
      allowed.size > 0
        ? (origin, cb) => cb(null, origin !== undefined && allowed.has(origin))
        : false,
    exposedHeaders: EXPOSED,
    maxAge: 600,
  };
  const open: FastifyCorsOptions = { origin: '*', exposedHeaders: EXPOSED, maxAge: 600 };
  await app.register(cors, {
    // An OPTIONS request that is not a preflight (no Origin or no requested method) is no CORS
    // matter: it gets the 404 NOT_FOUND of the error table, not the plugin's own 400 text.
    delegator: (req, cb) => {
      const preflight =
        req.headers.origin !== undefined &&
        req.headers['access-control-request-method'] !== undefined;
      if (req.method === 'OPTIONS' && !preflight) cb(null, { origin: false });
      else cb(null, isPublicLog(req) ? open : listed);
    },
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
