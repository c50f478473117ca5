import { existsSync, readFileSync } from 'node:fs';
import { pino, type Logger } from 'pino';
import { parsePolicy } from '@yishi/verify';
import {
  dataPaths,
  initDataDir,
  isInitialised,
  readKeyFile,
  type DataPaths,
} from './storage/data-dir.js';
import { ensureDataDir } from './storage/ensure-dir.js';
import { lockDataDir, type DataDirLock } from './storage/serve-lock.js';
import { checkPortFree, portError } from './http/port-check.js';
import type { AppOptions } from './app.js';
import type { LogFormat, ServerConfig } from './config.js';
import { prettyStream } from './http/pretty-log.js';
import { restrictUmask, secureDataDir } from './storage/file-modes.js';
import { Checkpointer, LedgerStore } from './ledger/index.js';
import { WitnessCollector } from './witness/collector.js';
import { internStateStrings } from './state/intern-strings.js';
import type { LedgerState } from './state/ledger-state.js';

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

/**
 * Creates the service's pino logger: JSON lines on standard output, or `pretty` lines for a
 * terminal (coloured when standard output is one). JSON lines are written asynchronously, lines
 * logged during one write going out in the next (one write(2) per request on the event loop was
 * ~4% of the ingest server's time); pino flushes them synchronously when the process exits.
 */
export function createLogger(level: string, format: LogFormat = 'json'): Logger {
  const options = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  if (format === 'json') return pino(options, pino.destination({ dest: 1, sync: false }));
  return pino(options, prettyStream(process.stdout, process.stdout.isTTY === true));
}

/** A running service. */
export interface RunningServer {
  url: string;
  /** The data directory's files. */
  paths: DataPaths;
  /** Whether this start created the ledger. */
  created: boolean;
  /** Resolves once the start-up work left for after listen (validator compiles) is done. */
  warm(): Promise<void>;
  close(): Promise<void>;
}

/** What tests may inject into {@link startServer}. */
export interface ServerDeps {
  /** The service clock (entry times, skew checks). */
  clock?: () => number;
}

/**
 * Opens (creating on first start) the ledger in the data directory and listens. In this order,
 * so that a start that fails leaves nothing behind it did not need: the port is tried, the
 * directory made, the directory's lock taken (one server per directory), the ledger created.
 * @throws PortUnavailableError, DataDirError, DataDirLockedError
 */
export async function startServer(
  config: ServerConfig,
  logger = createLogger(config.logLevel, config.logFormat),
  deps: ServerDeps = {}
): Promise<RunningServer> {
  const paths = dataPaths(config.dataDir);
  await checkPortFree(config.host, config.port);
  // Nothing the service creates (databases, their -wal/-shm files, keys) is readable by others.
  restrictUmask();
  ensureDataDir(paths.dir);
  const lock = lockDataDir(paths.dir);
  const opened: { close(): void }[] = [];
  try {
    return await open(config, logger, deps, paths, lock, opened);
  } catch (e) {
    for (const o of opened.reverse()) o.close();
    lock.release();
    throw e;
  }
}

/** What the app is built with on either storage, from the configuration. */
function appOptions(config: ServerConfig, logger: Logger, deps: ServerDeps) {
  return {
    logger,
    rateLimitPerMinute: config.rateLimitPerMinute,
    bodyLimit: config.bodyLimit,
    corsOrigins: config.corsOrigins ?? [],
    metrics: config.metrics ?? 'local',
    processMetrics: true,
    ...(config.serverLimits ? { serverLimits: config.serverLimits } : {}),
    ...(config.webhookAllow ? { webhooks: { allow: config.webhookAllow } } : {}),
    ...(config.rateLimitPerAddress ? { rateLimitPerAddress: config.rateLimitPerAddress } : {}),
    fullReplay: config.fullReplay === true,
    ...(config.snapshotEvery !== undefined ? { snapshotEvery: config.snapshotEvery } : {}),
    ...(deps.clock ? { clock: deps.clock } : {}),
  } satisfies Partial<AppOptions>;
}

/**
 * Once the server listens, off the start-up path: the state's repeated strings are made to share
 * one copy (state/intern-strings.ts), in one turn of the event loop.
 */
function compactStateSoon(app: { pipeline: { status: string; ledger: LedgerState } }): void {
  setImmediate(() => {
    if (app.pipeline.status === 'ok') internStateStrings(app.pipeline.ledger);
  }).unref();
}

/** Listens on the configured address; a port that cannot be had closes the app first. */
async function listen(
  app: { listen(o: { host: string; port: number }): Promise<string>; close(): Promise<unknown> },
  config: ServerConfig
): Promise<string> {
  try {
    return await app.listen({ host: config.host, port: config.port });
  } catch (e) {
    await app.close();
    throw portError(e, config.host, config.port);
  }
}

async function open(
  config: ServerConfig,
  logger: Logger,
  deps: ServerDeps,
  paths: DataPaths,
  lock: DataDirLock,
  opened: { close(): void }[]
): Promise<RunningServer> {
  if (config.database !== undefined) {
    return openOnDatabase(
      { ...config, database: config.database },
      logger,
      deps,
      paths,
      lock,
      opened
    );
  }
  let created = false;
  if (config.logKeyFile !== undefined) {
    // The log key lives apart from the ledger (a secret mount): the ledger must exist already.
    if (!existsSync(paths.db)) {
      throw new Error(
        `${paths.db}: no ledger; create it first (yishi init), then move log.key to YISHI_LOG_KEY_FILE`
      );
    }
    if (!existsSync(config.logKeyFile)) {
      throw new Error(`YISHI_LOG_KEY_FILE: ${config.logKeyFile}: no such file`);
    }
  } else if (!isInitialised(paths)) {
    const made = await initDataDir(config.dataDir, deps.clock ? { clock: deps.clock } : {});
    created = true;
    logger.info(
      {
        ledgerId: made.ledgerId,
        origin: made.origin,
        logKeyFile: paths.logKey,
        adminKeyFile: paths.adminKey,
        vkey: made.vkey,
      },
      'created a new ledger; the log key and the first admin key are in these files (mode 0600)'
    );
  }
  const tightened = secureDataDir(paths);
  if (tightened.length > 0) {
    logger.warn({ tightened }, 'the data folder was readable by others: modes tightened');
  }
  // The writer commits and lets libuv's threads fsync (decision 0030): the event loop never
  // waits for the disk, and an answer still waits for its entry's fsync.
  const store = LedgerStore.open(paths.db, { durability: 'deferred' });
  opened.push(store);
  const skey = readKeyFile(config.logKeyFile ?? paths.logKey);
  const logVkey = readKeyFile(paths.logVkey);
  const origin = store.getMeta('origin') ?? '';
  const checkpointer = new Checkpointer(store, {
    skey,
    origin,
    checkpointIntervalMs: config.checkpointIntervalMs,
    onError: (e) => logger.error({ err: e }, 'checkpointing stopped'),
  });
  // Loaded only now, so that a start refused above (port, directory, lock) answers at once.
  const { buildApp } = await import('./app.js');
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
    ...appOptions(config, logger, deps),
  });
  const url = await listen(app, config);
  checkpointer.start();
  witnesses?.start(Math.max(100, Math.ceil(config.checkpointIntervalMs / 2)));
  logger.info({ url, dataDir: paths.dir, size: store.size }, 'yishi is listening');
  compactStateSoon(app);
  let closed = false;
  return {
    url,
    paths,
    created,
    warm: () => app.validatorsCompiled(),
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await witnesses?.stop();
      checkpointer.stop();
      const size = store.size;
      store.close();
      lock.release();
      logger.info({ dataDir: paths.dir, size }, 'yishi stopped');
    },
  };
}

/**
 * `--database postgres://…`: the ledger lives in PostgreSQL, shared with any other instance on
 * it; the keys stay in the data directory (see storage/postgres/open-shared.ts).
 */
async function openOnDatabase(
  config: ServerConfig & { database: string },
  logger: Logger,
  deps: ServerDeps,
  paths: DataPaths,
  lock: DataDirLock,
  opened: { close(): void }[]
): Promise<RunningServer> {
  const { openSharedLedger } = await import('./storage/postgres/open-shared.js');
  const ledger = await openSharedLedger({
    database: config.database,
    paths,
    logKeyFile: config.logKeyFile,
    checkpointIntervalMs: config.checkpointIntervalMs,
    log: logger,
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  opened.push({ close: () => void ledger.close() });
  const { buildApp } = await import('./app.js');
  const app = await buildApp({
    store: ledger.mirror,
    shared: ledger.shared,
    checkpointer: ledger.checkpointer,
    logVkey: ledger.logVkey,
    logSkey: ledger.skey,
    serviceDb: paths.service,
    ...appOptions(config, logger, deps),
  });
  const url = await listen(app, config);
  ledger.start();
  logger.info(
    { url, dataDir: paths.dir, size: ledger.mirror.size, database: 'postgresql' },
    'yishi is listening'
  );
  compactStateSoon(app);
  let closed = false;
  return {
    url,
    paths,
    created: false,
    warm: () => app.validatorsCompiled(),
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      const size = ledger.mirror.size;
      await ledger.close();
      lock.release();
      logger.info({ dataDir: paths.dir, size }, 'yishi stopped');
    },
  };
}
