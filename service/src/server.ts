import { readFileSync } from 'node:fs';
import { pino, type Logger } from 'pino';
import { parsePolicy } from '@yishi/verify';
import { buildApp } from './app.js';
import { dataPaths, initDataDir, isInitialised, readKeyFile } from './storage/data-dir.js';
import type { ServerConfig } from './config.js';
import { Checkpointer, LedgerStore } from './ledger/index.js';
import { WitnessCollector } from './witness/collector.js';

/** Paths pino must never print: keys, signatures and authorization headers. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-yishi-signature"]',
  'req.headers["x-yishi-key"]',
  '*.secretKey',
  '*.skey',
  '*.signature',
  '*.privateKey',
  '*.publicKey',
  '*.logSkey',
  'req.headers["yishi-signature"]',
];

/** Creates the service's pino logger. */
export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
}

/** A running service. */
export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** What tests may inject into {@link startServer}. */
export interface ServerDeps {
  /** The service clock (entry times, skew checks). */
  clock?: () => number;
}

/** Opens (creating on first start) the ledger in the data directory and listens. */
export async function startServer(
  config: ServerConfig,
  logger = createLogger(config.logLevel),
  deps: ServerDeps = {}
) {
  const paths = dataPaths(config.dataDir);
  if (!isInitialised(paths)) {
    const created = await initDataDir(config.dataDir, deps.clock ? { clock: deps.clock } : {});
    logger.info(
      {
        ledgerId: created.ledgerId,
        origin: created.origin,
        logKeyFile: paths.logKey,
        adminKeyFile: paths.adminKey,
        vkey: created.vkey,
      },
      'created a new ledger; the log key and the first admin key are in these files (mode 0600)'
    );
  }
  const store = LedgerStore.open(paths.db);
  const skey = readKeyFile(paths.logKey);
  const logVkey = readKeyFile(paths.logVkey);
  const origin = store.getMeta('origin') ?? '';
  const checkpointer = new Checkpointer(store, {
    skey,
    origin,
    checkpointIntervalMs: config.checkpointIntervalMs,
    onError: (e) => logger.error({ err: e }, 'checkpointing stopped'),
  });
  const witnesses = config.witnessPolicy
    ? new WitnessCollector(store, parsePolicy(readFileSync(config.witnessPolicy, 'utf8')), {
        onError: (e) => logger.warn({ err: e }, 'a witness did not answer'),
      })
    : undefined;
  const app = await buildApp({
    store,
    checkpointer,
    ...(witnesses ? { witnesses } : {}),
    logVkey,
    logSkey: skey,
    serviceDb: paths.service,
    logger,
    rateLimitPerMinute: config.rateLimitPerMinute,
    bodyLimit: config.bodyLimit,
    fullReplay: config.fullReplay === true,
    ...(config.snapshotEvery !== undefined ? { snapshotEvery: config.snapshotEvery } : {}),
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  checkpointer.start();
  witnesses?.start(Math.max(100, Math.ceil(config.checkpointIntervalMs / 2)));
  const url = await app.listen({ host: config.host, port: config.port });
  logger.info({ url, dataDir: paths.dir, size: store.size }, 'yishi is listening');
  let closed = false;
  return {
    url,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await witnesses?.stop();
      checkpointer.stop();
      store.close();
    },
  } satisfies RunningServer;
}
