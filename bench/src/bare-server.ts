// Child process of the ingest benchmark's baseline: a bare fastify POST route on the same path,
// parsing the same JSON bodies and answering 201 with a small JSON result, nothing else.
import Fastify from 'fastify';
import { answerMeter } from './cpu-meter.js';

const app = Fastify({ logger: false });
let seq = 0;
app.post('/items/:itemId/votes', async (_req, reply) => {
  seq += 1;
  return reply.code(201).send({ seq, time: Date.now() });
});
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.on('message', (m) => {
  if (m !== 'stop') return;
  void app.close().then(() => process.exit(0));
});
answerMeter();
process.send?.({ url });
