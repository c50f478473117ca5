// One access-log line per request, written when it completes (method, URL, status, time), where
// fastify writes two (`incoming request` and `request completed`): the pair was ~5% of the
// ingest server's time. Errors are logged as fastify logs them. The line names the principal
// whose signature verified (never a key) and, for a refused request, the error code and rule.
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

const principals = new WeakMap<FastifyRequest, string>();
const refusals = new WeakMap<FastifyRequest, { code: string; rule?: string }>();

/** Names the principal a verified signature showed to be making `req`, for its log line. */
export function notePrincipal(req: FastifyRequest, principalId: string): void {
  principals.set(req, principalId);
}

/** Records the error code (and rule) `req` was answered with, for its log line. */
export function noteRefusal(req: FastifyRequest, code: string, rule?: string): void {
  refusals.set(req, rule === undefined ? { code } : { code, rule });
}

function outcome(request: FastifyRequest): Record<string, string> {
  const o: Record<string, string> = {};
  const principal = principals.get(request);
  if (principal !== undefined) o['principal'] = principal;
  const refusal = refusals.get(request);
  if (refusal !== undefined) {
    o['code'] = refusal.code;
    if (refusal.rule !== undefined) o['rule'] = refusal.rule;
  }
  return o;
}

/** fastify's log controller, with the request line folded into the completion line. */
export class AccessLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply
  ): void {
    if (error) {
      reply.log.error(
        {
          req: request,
          res: reply,
          err: error,
          responseTime: reply.elapsedTime,
          ...outcome(request),
        },
        'request errored'
      );
    } else {
      reply.log.info(
        { req: request, res: reply, responseTime: reply.elapsedTime, ...outcome(request) },
        'request completed'
      );
    }
  }
}
