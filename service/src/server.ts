import { pino, type Logger } from 'pino';
import { buildApp } from './app.js';
import { dataPaths, initDataDir, isInitialised, readKeyFile } from './data-dir.js';
import { Checkpointer, LedgerStore } from './ledger/index.js';

/** The service's settings. */
export interface ServerConfig {
  dataDir: string;
  host: string;
  port: number;
  logLevel: string;
  checkpointIntervalMs: number;
  rateLimitPerMinute: number;
  bodyLimit: number;
  /** Ignore the state snapshot in service.db and replay the whole ledger at start (false). */
  fullReplay?: boolean;
  /** Entries between state snapshots while running (50,000). */
  snapshotEvery?: number;
}

const int = (name: string, text: string | undefined, fallback: number): number => {
  if (text === undefined || text === '') return fallback;
  if (!/^[0-9]+$/.test(text)) throw new Error(`${name} must be a whole number, got '${text}'`);
  return Number(text);
};

const flag = (name: string, text: string | undefined): boolean => {
  if (text === undefined || text === '' || text === '0') return false;
  if (text === '1') return true;
  throw new Error(`${name} must be 0 or 1, got '${text}'`);
};

/**
 * Reads the configuration: flags first, then the environment (YISHI_DATA, YISHI_HOST,
 * YISHI_PORT, YISHI_LOG_LEVEL, YISHI_CHECKPOINT_INTERVAL_MS, YISHI_RATE_LIMIT,
 * YISHI_BODY_LIMIT, YISHI_FULL_REPLAY, YISHI_SNAPSHOT_EVERY), then defaults.
 */
export function loadConfig(
  flags: { data?: string; host?: string; port?: string; 'full-replay'?: boolean },
  env: NodeJS.ProcessEnv = process.env
): ServerConfig {
  const snapshotEvery = int('YISHI_SNAPSHOT_EVERY', env['YISHI_SNAPSHOT_EVERY'], 50_000);
  if (snapshotEvery < 1) throw new Error('YISHI_SNAPSHOT_EVERY must be at least 1');
  return {
    dataDir: flags.data ?? env['YISHI_DATA'] ?? 'data',
    host: flags.host ?? env['YISHI_HOST'] ?? '127.0.0.1',
    port: int('port', flags.port ?? env['YISHI_PORT'], 8080),
    logLevel: env['YISHI_LOG_LEVEL'] ?? 'info',
    checkpointIntervalMs: int(
      'YISHI_CHECKPOINT_INTERVAL_MS',
      env['YISHI_CHECKPOINT_INTERVAL_MS'],
      1000
    ),
    rateLimitPerMinute: int('YISHI_RATE_LIMIT', env['YISHI_RATE_LIMIT'], 600),
    bodyLimit: int('YISHI_BODY_LIMIT', env['YISHI_BODY_LIMIT'], 128 * 1024),
    fullReplay:
      flags['full-replay'] === true || flag('YISHI_FULL_REPLAY', env['YISHI_FULL_REPLAY']),
    snapshotEvery,
  };
}

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
  const app = await buildApp({
    store,
    checkpointer,
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
