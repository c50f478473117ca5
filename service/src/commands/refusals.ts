import type { Refusal } from '@yishi/procedure';
import { ApiError, refusalStatus } from '../http/errors.js';

/** An engine refusal as a coded API error (code, rule, bilingual message, details). */
export function refusalError(r: Refusal): ApiError {
  return new ApiError(r.code, refusalStatus(r.code), r.message, {
    ...(r.rule !== undefined ? { rule: r.rule } : {}),
    ...(r.details !== undefined ? { details: r.details } : {}),
  });
}
