import {
  base64Decode,
  EMPTY_BODY_DIGEST,
  parseReadAuthorization,
  readRequestMessage,
} from '@yishi/crypto';
import type { Principal } from '@yishi/procedure';
import type { FastifyRequest } from 'fastify';
import type { CommandPipeline } from '../commands/pipeline.js';
import { notePrincipal } from '../http/access-log.js';
import { ApiError } from '../http/errors.js';
import type { RateLimiter } from '../http/rate-limit.js';
import { principalById } from '../state/queries.js';
import { checkSkew, principalOfKey, verifySignerSignature } from './principal.js';

/** Splits a request target into its path and its query as sent (no decoding). */
export function splitTarget(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  return q < 0 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}

const verified = new WeakSet<FastifyRequest>();

/** Whether `req` carried a signature that verified (its allowance is then its key's). */
export const signatureVerified = (req: FastifyRequest): boolean => verified.has(req);

/** Whether a request claims to be signed (it is then rate-limited per key once verified). */
export function claimsSignature(req: FastifyRequest): boolean {
  const h = req.headers.authorization;
  return req.method === 'POST' || (typeof h === 'string' && h.startsWith('Yishi-Ed25519 '));
}

/**
 * Authenticates a signed read (see `crypto/src/read-request.ts` for the header): the signature
 * over this ledger's id, method, path, query, body digest and ts; ts within 5 minutes; the key registered and not
 * revoked on the ledger now, its principal active. Counted against the key's allowance once the
 * signature verified.
 * With `resetKeyOf`, a key that an admin's reset of that principal's key replaced also reads (as
 * that principal): a member told of the reset holds only that key (issue 13).
 * @throws ApiError AUTH_REQUIRED, SIGNATURE_INVALID, CLOCK_SKEW, UNKNOWN_KEY, KEY_REVOKED (401),
 *   PRINCIPAL_INACTIVE, PRINCIPAL_SUSPENDED (403), RATE_LIMITED (429)
 */
export function authenticateRead(
  req: FastifyRequest,
  pipeline: CommandPipeline,
  limiter: RateLimiter,
  options: { resetKeyOf?: string } = {}
): Principal {
  const header = req.headers.authorization;
  if (header === undefined) throw ApiError.of('AUTH_REQUIRED');
  const auth = parseReadAuthorization(header);
  if (auth === null) throw ApiError.of('AUTH_REQUIRED', { why: 'malformed' });
  const { path, query } = splitTarget(req.url);
  let message: Uint8Array;
  try {
    message = readRequestMessage({
      // Protocol v2: the read names the ledger; one signed for another ledger does not verify.
      ledger: pipeline.state.ledger?.ledgerId ?? '',
      method: req.method,
      path,
      query,
      bodyDigest: EMPTY_BODY_DIGEST,
      ts: auth.ts,
    });
  } catch {
    throw ApiError.of('SIGNATURE_INVALID', { why: 'request_target' });
  }
  verifySignerSignature(auth.publicKey, base64Decode(auth.signature), message);
  verified.add(req);
  limiter.take(`key:${auth.publicKey}`);
  checkSkew(auth.ts, pipeline.now());
  const replaced =
    options.resetKeyOf === undefined
      ? undefined
      : principalById(pipeline.state, options.resetKeyOf);
  if (replaced && replaced.keyResets?.some((r) => r.previousKeys.includes(auth.publicKey))) {
    notePrincipal(req, replaced.id);
    return replaced;
  }
  const principal = principalOfKey(pipeline.state, auth.publicKey);
  notePrincipal(req, principal.id);
  return principal;
}
