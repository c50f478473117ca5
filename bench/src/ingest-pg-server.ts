// Child process of the PostgreSQL ingest bench: `yishi serve --database URL` (startServer) on a
// data directory holding the keys, its clock starting at a given time so that votes signed for
// that time pass the skew check. Sends `{ url }` when listening; on 'stop' closes and exits.
import { createLogger, startServer } from '@yishi/service';
import { answerMeter } from './cpu-meter.js';

const [dataDir, database, clockBase] = process.argv.slice(2);
if (dataDir === undefined || database === undefined || clockBase === undefined) {
  throw new Error('usage: ingest-pg-server DATA_DIR DATABASE_URL CLOCK_BASE_MS');
}
const started = Date.now();
const base = Number(clockBase);
const server = await startServer(
  {
    dataDir,
    database,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'warn',
    checkpointIntervalMs: 1000,
    rateLimitPerMinute: 1_000_000_000,
    bodyLimit: 128 * 1024,
  },
  createLogger('warn'),
  { clock: () => base + (Date.now() - started) }
);
process.on('message', (m) => {
  if (m !== 'stop') return;
  void server.close().then(() => process.exit(0));
});
answerMeter();
process.send?.({ url: server.url });
