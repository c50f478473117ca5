import type { Refusal, RefusalCode } from '@yishi/procedure';
import { ApiError } from '../http/errors.js';

/**
 * HTTP status of each engine refusal. The engine's refusal codes, with their bilingual messages
 * and rule ids (`REFUSAL_MESSAGES` in @yishi/procedure), are part of the service's error table:
 * who you are (401), what your role may do (403), what does not exist (404), and every rule of
 * procedure that refuses the command in the present state of the meeting (409 Conflict).
 */
const STATUS: Partial<Record<RefusalCode, number>> = {
  MALFORMED_COMMAND: 400,
  UNKNOWN_COMMAND: 400,
  UNKNOWN_KEY: 401,
  KEY_REVOKED: 401,
  ROLE_NOT_ALLOWED: 403,
  NOT_A_MEMBER_OF_BODY: 403,
  NOT_VOTING_MEMBER: 403,
  PRINCIPAL_INACTIVE: 403,
  PRINCIPAL_SUSPENDED: 403,
  NOT_A_SCRUTINEER: 403,
  ROLE_MAY_NOT_STATE_POSITION: 403,
  UNKNOWN_MEETING: 404,
  UNKNOWN_ITEM: 404,
  UNKNOWN_BODY: 404,
  UNKNOWN_PRINCIPAL: 404,
  UNKNOWN_MOTION: 404,
  UNKNOWN_OBJECTION: 404,
  UNKNOWN_REPORT: 404,
};

/** The status the service answers an engine refusal with. */
export function refusalStatus(code: RefusalCode): number {
  return STATUS[code] ?? 409;
}

/** An engine refusal as a coded API error (code, rule, bilingual message, details). */
export function refusalError(r: Refusal): ApiError {
  return new ApiError(r.code, refusalStatus(r.code), r.message, {
    ...(r.rule !== undefined ? { rule: r.rule } : {}),
    ...(r.details !== undefined ? { details: r.details } : {}),
  });
}
