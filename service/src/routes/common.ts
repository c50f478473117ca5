import { bytesToHex, canonicalJson, sha256, utf8Encode } from '@yishi/crypto';
import { ErrorReplySchema } from '@yishi/schema';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { splitTarget } from '../auth/read-auth.js';
import { parseIdempotencyKey } from '../commands/idempotency.js';
import type { SubmitContext } from '../commands/pipeline.js';
import { ApiError } from '../http/errors.js';

/** The 4xx/5xx answers of a signed read. */
export const READ_ERRORS = {
  400: ErrorReplySchema,
  401: ErrorReplySchema,
  403: ErrorReplySchema,
  404: ErrorReplySchema,
  429: ErrorReplySchema,
  503: ErrorReplySchema,
} as const;

/** The 4xx/5xx answers of a command. */
export const COMMAND_ERRORS = {
  400: ErrorReplySchema,
  401: ErrorReplySchema,
  403: ErrorReplySchema,
  404: ErrorReplySchema,
  409: ErrorReplySchema,
  413: ErrorReplySchema,
  415: ErrorReplySchema,
  422: ErrorReplySchema,
  429: ErrorReplySchema,
  503: ErrorReplySchema,
} as const;

/** OpenAPI security requirement of signed reads. */
export const SIGNED_READ = [{ YishiEd25519: [] as string[] }];

/** The optional Idempotency-Key header, documented on every command. */
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 257,
      description: 'draft-ietf-httpapi-idempotency-key-header: repeats get the first answer',
    })
  ),
});

/**
 * Idempotency-Key and the request digest of a command request. Without the header nothing is
 * digested (the body's canonical form is checked where the signature is).
 */
export function submitContext(req: FastifyRequest): SubmitContext {
  const idempotencyKey = parseIdempotencyKey(req.headers['idempotency-key']);
  if (idempotencyKey === undefined) return {};
  const { path } = splitTarget(req.url);
  let body: string;
  try {
    body = canonicalJson(req.body ?? null);
  } catch {
    throw ApiError.of('VALIDATION_FAILED', { why: 'not_canonical_json' });
  }
  const digest = bytesToHex(sha256(utf8Encode(`${req.method} ${path}\n${body}`)));
  return { idempotencyKey, requestDigest: digest };
}
