import { pino, type Logger } from 'pino';
import { buildApp } from './app.js';
import { dataPaths, initDataDir, isInitialised, readKeyFile } from './storage/data-dir.js';
import { restrictUmask, secureDataDir } from './storage/file-modes.js';
import type { ServerConfig } from './config.js';
import { Checkpointer, LedgerStore } from './ledger/index.js';

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
  // Nothing the service creates (databases, their -wal/-shm files, keys) is readable by others.
  restrictUmask();
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
  const tightened = secureDataDir(paths);
  if (tightened.length > 0) {
    logger.warn({ tightened }, 'the data folder was readable by others: modes tightened');
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
  const app = await buildApp({
    store,
    checkpointer,
    logVkey,
    logSkey: skey,
    serviceDb: paths.service,
    logger,
    rateLimitPerMinute: config.rateLimitPerMinute,
    bodyLimit: config.bodyLimit,
    ...(config.serverLimits ? { serverLimits: config.serverLimits } : {}),
    ...(config.webhookAllow ? { webhooks: { allow: config.webhookAllow } } : {}),
    ...(config.rateLimitPerAddress ? { rateLimitPerAddress: config.rateLimitPerAddress } : {}),
    fullReplay: config.fullReplay === true,
    ...(config.snapshotEvery !== undefined ? { snapshotEvery: config.snapshotEvery } : {}),
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  checkpointer.start();
  const url = await app.listen({ host: config.host, port: config.port });
  logger.info({ url, dataDir: paths.dir, size: store.size }, 'yishi is listening');
  let closed = false;
  return {
    url,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      checkpointer.stop();
      store.close();
    },
  } satisfies RunningServer;
}
