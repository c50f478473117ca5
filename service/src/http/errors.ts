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
  // Authentication of signed commands and signed reads
  AUTH_REQUIRED: {
    status: 401,
    en: 'This endpoint needs a signed request (Authorization: Yishi-Ed25519 key=…, ts=…, sig=…)',
    zh: '此接口须使用签名请求（Authorization: Yishi-Ed25519 key=…, ts=…, sig=…）',
  },
  SIGNATURE_INVALID: {
    status: 401,
    en: 'The signature does not verify under the given public key',
    zh: '签名无法用所给公钥验证',
  },
  CLOCK_SKEW: {
    status: 401,
    en: 'The request timestamp is more than 5 minutes away from the service clock',
    zh: '请求时间戳与服务时钟相差超过 5 分钟',
  },
  UNKNOWN_KEY: { status: 401, en: 'The signing key is not registered', zh: '签名密钥未登记' },
  KEY_REVOKED: { status: 401, en: 'The signing key has been revoked', zh: '签名密钥已被撤销' },
  PRINCIPAL_INACTIVE: {
    status: 403,
    en: 'The principal is no longer a member',
    zh: '该人员已不在任',
  },
  PRINCIPAL_SUSPENDED: { status: 403, en: 'The principal is suspended', zh: '该人员已被暂停职务' },
  FORBIDDEN: {
    status: 403,
    en: 'Your role may not read or act on this resource',
    zh: '您的角色无权读取或操作此资源',
  },
  // Commands
  PATH_MISMATCH: {
    status: 400,
    en: 'The signed command names another resource than the URL',
    zh: '签名指令所指对象与请求地址不一致',
  },
  KEY_NOT_ACCEPTABLE: {
    status: 422,
    en: 'The public key is not acceptable (non-canonical or of small order)',
    zh: '该公钥不可接受（编码不规范或为小阶点）',
  },
  NONCE_REPLAYED: {
    status: 409,
    en: 'This key already signed a different command with this nonce',
    zh: '该密钥已用此随机数签署过另一条指令',
  },
  COMMAND_IN_FLIGHT: {
    status: 409,
    en: 'This command is being written; retry in a moment for its result',
    zh: '该指令正在写入，请稍后重试以获取结果',
  },
  IDEMPOTENCY_KEY_INVALID: {
    status: 400,
    en: 'The Idempotency-Key header must be 1 to 255 visible ASCII characters',
    zh: 'Idempotency-Key 请求头须为 1 至 255 个可见 ASCII 字符',
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    en: 'This Idempotency-Key was used for a different request',
    zh: '该 Idempotency-Key 已用于另一请求',
  },
  IDEMPOTENCY_IN_FLIGHT: {
    status: 409,
    en: 'A request with this Idempotency-Key is still being processed',
    zh: '使用该 Idempotency-Key 的请求仍在处理中',
  },
  LEDGER_UNAVAILABLE: {
    status: 503,
    en: 'The ledger is being re-read after a write failure; no command is accepted meanwhile',
    zh: '账本写入失败后正在重新读取，暂不接受指令',
  },
  BUSY: {
    status: 503,
    en: 'Too many commands are being written; retry shortly',
    zh: '待写入的指令过多，请稍后重试',
  },
  WEBHOOKS_UNAVAILABLE: {
    status: 503,
    en: 'Webhooks need the log key, which this service was not given',
    zh: '回调需要日志密钥，本服务未配置',
  },
  // Reads
  MEETING_NOT_FOUND: { status: 404, en: 'No meeting has that id', zh: '没有该会议' },
  ITEM_NOT_FOUND: { status: 404, en: 'No live item has that id', zh: '没有该议题（或已归档）' },
  BODY_NOT_FOUND: { status: 404, en: 'No body has that id', zh: '没有该领导班子' },
  PRINCIPAL_NOT_FOUND: { status: 404, en: 'No principal has that id', zh: '没有该人员' },
  WEBHOOK_NOT_FOUND: { status: 404, en: 'No webhook has that id', zh: '没有该回调地址' },
  MEETING_NOT_CLOSED: {
    status: 409,
    en: 'The minutes exist once the meeting has closed',
    zh: '会议结束后才有会议纪要',
  },
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
  /** Response headers the reply must carry (e.g. `retry-after`). */
  readonly headers?: Record<string, string>;

  constructor(
    code: string,
    statusCode: number,
    message: Bilingual,
    extra: {
      rule?: string;
      details?: Record<string, unknown>;
      headers?: Record<string, string>;
    } = {}
  ) {
    super(message.en);
    this.name = 'ApiError';
    this.code = code;
    this.statusCode = statusCode;
    this.bilingual = message;
    if (extra.rule !== undefined) this.rule = extra.rule;
    if (extra.details !== undefined) this.details = extra.details;
    if (extra.headers !== undefined) this.headers = extra.headers;
  }

  /** The error of a code in the table. */
  static of(
    code: ErrorCode,
    details?: Record<string, unknown>,
    headers?: Record<string, string>
  ): ApiError {
    const e = ERRORS[code];
    return new ApiError(
      code,
      e.status,
      { en: e.en, zh: e.zh },
      {
        ...(details ? { details } : {}),
        ...(headers ? { headers } : {}),
      }
    );
  }
}
