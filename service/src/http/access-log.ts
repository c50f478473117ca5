// One access-log line per request, written when it completes (method, URL, status, time), where
// fastify writes two (`incoming request` and `request completed`): the pair was ~5% of the
// ingest server's time. Errors are logged as fastify logs them.
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

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
        { req: request, res: reply, err: error, responseTime: reply.elapsedTime },
        'request errored'
      );
    } else {
      reply.log.info(
        { req: request, res: reply, responseTime: reply.elapsedTime },
        'request completed'
      );
    }
  }
}
