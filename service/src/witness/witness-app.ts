import Fastify, { type FastifyInstance } from 'fastify';
import type { Witness } from '@yishi/verify';

/** Largest add-checkpoint body: 63 proof lines, a checkpoint and its signatures fit easily. */
export const WITNESS_BODY_LIMIT = 64 * 1024;

/**
 * The C2SP tlog-witness v1.0.0 HTTP interface over a {@link Witness}: `POST /add-checkpoint`
 * and the monitoring `GET /<hex SHA-256 of origin>/checkpoint`. Builds, never listens.
 */
export async function buildWitnessApp(
  witness: Witness,
  opts: { logger?: boolean; bodyLimit?: number } = {}
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: opts.bodyLimit ?? WITNESS_BODY_LIMIT,
  });
  // Bodies are text whatever the client labels them; the witness parses them itself.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.post('/add-checkpoint', async (req, reply) => {
    const body = typeof req.body === 'string' ? req.body : '';
    const answer = await witness.addCheckpoint(body);
    return reply.code(answer.status).type(answer.contentType).send(answer.body);
  });
  app.get<{ Params: { hash: string } }>('/:hash/checkpoint', async (req, reply) => {
    const note = /^[0-9a-f]{64}$/.test(req.params.hash)
      ? await witness.checkpoint(req.params.hash)
      : undefined;
    if (note === undefined) return reply.code(404).type('text/plain').send('not found\n');
    return reply.type('text/plain; charset=utf-8').send(note);
  });
  app.get('/health', async () => ({ status: 'ok', name: witness.name }));
  return app;
}
