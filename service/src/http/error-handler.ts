import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, ERRORS, type ErrorCode } from './errors.js';
import { noteRefusal } from './access-log.js';
import { pickLanguage } from './i18n.js';
import { describeValidation, type SchemaError } from './validation.js';

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'VALIDATION_FAILED',
  FST_ERR_CTP_INVALID_JSON_BODY: 'VALIDATION_FAILED',
  FST_ERR_VALIDATION: 'VALIDATION_FAILED',
};

function send(request: FastifyRequest, reply: FastifyReply, err: ApiError): FastifyReply {
  noteRefusal(request, err.code, err.rule);
  const lang = pickLanguage(request.headers['accept-language']);
  const body: Record<string, unknown> = {
    statusCode: err.statusCode,
    code: err.code,
    error: httpReason(err.statusCode),
    message: err.bilingual[lang],
  };
  if (err.rule !== undefined) body['rule'] = err.rule;
  if (err.details !== undefined) body['details'] = err.details;
  if (err.headers !== undefined) void reply.headers(err.headers);
  return reply
    .code(err.statusCode)
    .header('content-language', lang === 'zh' ? 'zh-CN' : 'en')
    .send(body);
}

function httpReason(status: number): string {
  const reasons: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    405: 'Method Not Allowed',
    409: 'Conflict',
    413: 'Payload Too Large',
    415: 'Unsupported Media Type',
    422: 'Unprocessable Content',
    429: 'Too Many Requests',
    500: 'Internal Server Error',
    503: 'Service Unavailable',
  };
  return reasons[status] ?? 'Error';
}

/**
 * One error path for the whole app: coded ApiErrors as they are, fastify's own 4xx mapped onto
 * the table, anything else logged and answered with a generic 500 (never the error's text).
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ApiError) return send(request, reply, error);
    const mapped = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (error.validation || mapped) {
      const code = mapped ?? 'VALIDATION_FAILED';
      const e = ApiError.of(code);
      if (!error.validation || error.validation.length === 0) return send(request, reply, e);
      const { details, sentence, rule } = describeValidation(
        error.validation as SchemaError[],
        error.validationContext ?? 'body',
        request
      );
      const message = {
        en: `${e.bilingual.en}: ${sentence.en}`,
        zh: `${e.bilingual.zh}：${sentence.zh}`,
      };
      return send(
        request,
        reply,
        new ApiError(e.code, e.statusCode, message, {
          details: details as unknown as Record<string, unknown>,
          ...(rule !== undefined ? { rule } : {}),
        })
      );
    }
    if (error.statusCode === 429) {
      return send(request, reply, ApiError.of('RATE_LIMITED'));
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      request.log.info({ err: error }, 'client error');
      return send(request, reply, ApiError.of('VALIDATION_FAILED'));
    }
    request.log.error({ err: error }, 'unhandled error');
    return send(request, reply, ApiError.of('INTERNAL'));
  });
  app.setNotFoundHandler((request, reply) => send(request, reply, ApiError.of('NOT_FOUND')));
}

/**
 * Fastify's router answers a URL it cannot decode (FST_ERR_BAD_URL) or a path parameter over its
 * length limit (FST_ERR_MAX_PARAM_LENGTH) before any route or error handler runs: answer them
 * from the table too (`frameworkErrors` option), as the 400 every route documents.
 */
export function onFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply
): FastifyReply {
  request.log.info({ err: error }, 'client error');
  return send(request, reply, ApiError.of('VALIDATION_FAILED', { location: 'url' }));
}

export { ERRORS };
