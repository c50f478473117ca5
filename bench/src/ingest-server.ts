// Child process of the ingest benchmark: the yishi service (startServer, as `yishi serve` runs
// it) on a data directory, its clock starting at a given time so that votes signed for that
// time pass the skew check. Sends `{ url }` to the parent when listening; on 'profile' starts
// the CPU profiler (written to PROFILE_OUT at stop), on 'stop' closes and exits.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createLogger, startServer } from '@yishi/service';
import { answerMeter } from './cpu-meter.js';

const [dataDir, clockBase, profileOut] = process.argv.slice(2);
if (dataDir === undefined || clockBase === undefined) {
  throw new Error('usage: ingest-server DATA_DIR CLOCK_BASE_MS [PROFILE_OUT]');
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
let session: Session | undefined;
process.on('message', (m) => {
  if (m === 'profile' && profileOut !== undefined) {
    session = new Session();
    session.connect();
    void session
      .post('Profiler.enable')
      .then(() => session?.post('Profiler.start'))
      .then(() => process.send?.('profiling'));
  }
  if (m !== 'stop') return;
  void (async () => {
    if (session && profileOut !== undefined) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(profileOut, JSON.stringify(profile));
    }
    await server.close();
    process.exit(0);
  })();
});
answerMeter();
// Route validators compile in the background after listen: one-time start-up work, not a vote's.
await server.warm();
process.send?.({ url: server.url });
