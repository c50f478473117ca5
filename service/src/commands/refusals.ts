import type { Refusal } from '@yishi/procedure';
import { ApiError, refusalStatus } from '../http/errors.js';

/**
 * An error that is the answer to the request itself (a rule's refusal, an unacceptable key): the
 * same request would get it again, so it is remembered under an Idempotency-Key. Any other error
 * (a busy or unavailable ledger, an internal fault) is not.
 */
export class RefusedError extends ApiError {
  /** `e` as the answer to its request. */
  static from(e: ApiError): RefusedError {
    return new RefusedError(e.code, e.statusCode, e.bilingual, {
      ...(e.rule !== undefined ? { rule: e.rule } : {}),
      ...(e.details !== undefined ? { details: e.details } : {}),
      ...(e.headers !== undefined ? { headers: e.headers } : {}),
    });
  }
}

/** An engine refusal as a coded API error (code, rule, bilingual message, details). */
export function refusalError(r: Refusal): RefusedError {
  return new RefusedError(r.code, refusalStatus(r.code), r.message, {
    ...(r.rule !== undefined ? { rule: r.rule } : {}),
    ...(r.details !== undefined ? { details: r.details } : {}),
  });
}
