// The service as the suites start it: on a free loopback port, checkpoints every 20 ms, a rate
// limit no suite reaches, the default body limit.
import { startServer, type RunningServer, type ServerConfig } from '@yishi/service';
import { pino } from 'pino';

/** The configuration the suites start the service with, on `dataDir`. */
export function testServerConfig(dataDir: string, logLevel = 'silent'): ServerConfig {
  return {
    dataDir,
    host: '127.0.0.1',
    port: 0,
    logLevel,
    checkpointIntervalMs: 20,
    rateLimitPerMinute: 10_000,
    bodyLimit: 128 * 1024,
  };
}

/** Starts a silent service on `dataDir` (created with its ledger on first start). */
export function startTestServer(dataDir: string): Promise<RunningServer> {
  return startServer(testServerConfig(dataDir), pino({ level: 'silent' }));
}
