import type { Bilingual } from './i18n.js';

/**
 * The service's table of errors: each has a stable code, an HTTP status and a message in English
 * and Simplified Chinese. Replies keep fastify's `{ statusCode, code, error, message }` shape plus
 * `rule` when a rule of procedure refused the request.
 */
export const ERRORS = {
  VALIDATION_FAILED: {
    status: 400,
    en: 'The request does not match its schema',
    zh: '请求格式不符合接口定义',
  },
  BODY_TOO_LARGE: { status: 413, en: 'The request body is too large', zh: '请求体过大' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    en: 'The request body must be application/json',
    zh: '请求体必须是 application/json',
  },
  NOT_FOUND: { status: 404, en: 'Not found', zh: '未找到' },
  METHOD_NOT_ALLOWED: { status: 405, en: 'Method not allowed', zh: '不允许的请求方法' },
  ENTRY_NOT_FOUND: {
    status: 404,
    en: 'No ledger entry has that index',
    zh: '账本中没有该序号的条目',
  },
  SIZE_NOT_CHECKPOINTED: {
    status: 404,
    en: 'No checkpoint was signed at that tree size',
    zh: '该树大小没有已签名的检查点',
  },
  INDEX_NOT_COVERED: {
    status: 404,
    en: 'The entry is not yet covered by a signed checkpoint of that size',
    zh: '该条目尚未被该大小的已签名检查点覆盖',
  },
  RANGE_INVALID: {
    status: 400,
    en: 'The sizes must satisfy 0 < from <= to <= the latest checkpointed size',
    zh: '树大小须满足 0 < from <= to <= 最新检查点大小',
  },
  NO_CHECKPOINT: {
    status: 503,
    en: 'The log has not signed a checkpoint yet',
    zh: '日志尚未签署检查点',
  },
  RATE_LIMITED: {
    status: 429,
    en: 'Too many requests; retry later',
    zh: '请求过于频繁，请稍后再试',
  },
  NOT_READY: { status: 503, en: 'The service is not ready', zh: '服务尚未就绪' },
  INTERNAL: {
    status: 500,
    en: 'Internal error; it has been logged',
    zh: '内部错误，已记录日志',
  },
} as const satisfies Record<string, Bilingual & { status: number }>;

/** A stable code from {@link ERRORS}. */
export type ErrorCode = keyof typeof ERRORS;

/** An error a route throws to answer with a coded 4xx/5xx reply. */
export class ApiError extends Error {
  readonly code: string;
  readonly statusCode: number;
  readonly rule?: string;
  readonly bilingual: Bilingual;
  readonly details?: Record<string, unknown>;

  constructor(
    code: string,
    statusCode: number,
    message: Bilingual,
    extra: { rule?: string; details?: Record<string, unknown> } = {}
  ) {
    super(message.en);
    this.name = 'ApiError';
    this.code = code;
    this.statusCode = statusCode;
    this.bilingual = message;
    if (extra.rule !== undefined) this.rule = extra.rule;
    if (extra.details !== undefined) this.details = extra.details;
  }

  /** The error of a code in the table. */
  static of(code: ErrorCode, details?: Record<string, unknown>): ApiError {
    const e = ERRORS[code];
    return new ApiError(code, e.status, { en: e.en, zh: e.zh }, details ? { details } : {});
  }
}
