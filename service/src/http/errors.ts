import { REFUSAL_CODES, REFUSAL_MESSAGES, type RefusalCode } from '@yishi/procedure';
import type { LedgerErrorCode } from '../ledger/error.js';
import type { Bilingual } from './i18n.js';

/**
 * The service's one table of errors. Each code is stable, has an HTTP status and a message in
 * English and Simplified Chinese. Replies keep fastify's `{ statusCode, code, error, message }`
 * shape plus `rule` when a rule of procedure refused the request.
 *
 * Three parts, no code in two of them:
 * - the codes only the service answers with (below);
 * - the engine's refusal codes (`REFUSAL_MESSAGES` in @yishi/procedure): their words and rule ids
 *   are the engine's, only their HTTP status is the service's ({@link refusalStatus});
 * - the ledger store's failure codes (`LEDGER_ERROR_CODES` in ledger/error.ts, kept beside the
 *   store so that loading the ledger never loads the engine), thrown as `LedgerError` and never a
 *   reply of their own (a LedgerError that reaches a route is answered 500 INTERNAL); the check at
 *   the end of this file keeps them apart from the reply codes.
 */
const SERVICE_ERRORS = {
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
  WEBHOOK_TARGET_REFUSED: {
    status: 422,
    en: 'Webhooks go to public https addresses only, unless the operator allows the target',
    zh: '回调地址须为公网 https 地址，除非运维方已允许该目标',
  },
  WEBHOOK_NOT_FOUND: { status: 404, en: 'No webhook has that id', zh: '没有该回调地址' },
  CACHE_DAMAGED: {
    status: 500,
    en: 'A stored copy does not match the ledger; it has been logged and is being rebuilt',
    zh: '缓存的副本与账本不符，已记录日志并正在重建',
  },
  INTERNAL: {
    status: 500,
    en: 'Internal error; it has been logged',
    zh: '内部错误，已记录日志',
  },
} as const satisfies Record<string, Bilingual & { status: number }> &
  // A code the engine defines is the engine's: it may not be written here again.
  Partial<Record<RefusalCode, never>>;

/**
 * HTTP status of each engine refusal: who you are (401), what your role may do (403), what does
 * not exist (404), a key that is not acceptable (422), and every rule of procedure that refuses
 * the command in the present state of the meeting (409 Conflict).
 */
const REFUSAL_STATUS: Partial<Record<RefusalCode, number>> = {
  MALFORMED_COMMAND: 400,
  UNKNOWN_COMMAND: 400,
  UNKNOWN_KEY: 401,
  KEY_REVOKED: 401,
  WRONG_LEDGER: 401,
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
  KEY_NOT_ACCEPTABLE: 422,
};

/** The status the service answers an engine refusal with. */
export function refusalStatus(code: RefusalCode): number {
  return REFUSAL_STATUS[code] ?? 409;
}

/** A code only the service answers with. */
export type ServiceErrorCode = keyof typeof SERVICE_ERRORS;

/** Every code a reply of the service may carry: a closed union. */
export type ErrorCode = ServiceErrorCode | RefusalCode;

/** Every reply code with its status and bilingual message. */
export const ERRORS: { readonly [C in ErrorCode]: Bilingual & { readonly status: number } } =
  Object.freeze({
    ...SERVICE_ERRORS,
    ...(Object.fromEntries(
      REFUSAL_CODES.map((c) => [
        c,
        { status: refusalStatus(c), en: REFUSAL_MESSAGES[c].en, zh: REFUSAL_MESSAGES[c].zh },
      ])
    ) as Record<RefusalCode, Bilingual & { status: number }>),
  });

// Only NONCE_REPLAYED is shared between the ledger's codes and the reply codes.
const ledgerOnly: [Exclude<Extract<LedgerErrorCode, ErrorCode>, 'NONCE_REPLAYED'>] extends [never]
  ? true
  : never = true;
void ledgerOnly;

/** An error a route throws to answer with a coded 4xx/5xx reply. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly rule?: string;
  readonly bilingual: Bilingual;
  readonly details?: Record<string, unknown>;
  /** Response headers the reply must carry (e.g. `retry-after`). */
  readonly headers?: Record<string, string>;

  constructor(
    code: ErrorCode,
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
