// Child process of the ingest benchmark: the yishi service (startServer, as `yishi serve` runs
// it) on a data directory, its clock starting at a given time so that votes signed for that
// time pass the skew check. Sends `{ url }` to the parent when listening; stops on 'stop'.
import { createLogger, startServer } from '@yishi/service';

const [dataDir, clockBase] = process.argv.slice(2);
if (dataDir === undefined || clockBase === undefined) {
  throw new Error('usage: ingest-server DATA_DIR CLOCK_BASE_MS');
}
const started = Date.now();
const base = Number(clockBase);
const server = await startServer(
  {
    dataDir,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'info',
    checkpointIntervalMs: 1000,
    rateLimitPerMinute: 1_000_000_000,
    bodyLimit: 128 * 1024,
  },
  createLogger('info'),
  { clock: () => base + (Date.now() - started) }
);
process.on('message', (m) => {
  if (m !== 'stop') return;
  void server.close().then(() => process.exit(0));
});
process.send?.({ url: server.url });
