import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ApiError } from '../http/errors.js';

/** The auditor's page as built (@yishi/audit-page), with what serving it needs. */
export interface AuditPage {
  html: string;
  /** The page's own Content-Security-Policy (its <meta>), plus `frame-ancestors 'none'`. */
  csp: string;
  etag: string;
}

let cached: AuditPage | undefined;

/**
 * Reads the built page (`npm run build` makes it); undefined when it is not built. The page is
 * one self-contained file: its policy allows only its own inline script and style (by hash) and
 * a blob: worker, so the header can be as strict as the <meta> it carries.
 */
export function readAuditPage(): AuditPage | undefined {
  if (cached) return cached;
  let html: string;
  try {
    const path = createRequire(import.meta.url).resolve('@yishi/audit-page/audit.html');
    html = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
  if (meta === undefined) return undefined;
  const hash = createHash('sha256').update(html).digest('base64url').slice(0, 27);
  cached = { html, csp: `${meta}; frame-ancestors 'none'`, etag: `"${hash}"` };
  return cached;
}

/** `GET /audit`: the auditor's page, public (it reads nothing from this service). */
export const auditPageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/audit', { schema: { hide: true } }, async (req, reply) => {
    const page = readAuditPage();
    if (!page) throw ApiError.of('NOT_FOUND');
    reply
      .header('content-security-policy', page.csp)
      .header('cache-control', 'public, max-age=300, must-revalidate')
      .header('etag', page.etag)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer');
    if (req.headers['if-none-match'] === page.etag) return reply.code(304).send();
    return reply.type('text/html; charset=utf-8').send(page.html);
  });
};
