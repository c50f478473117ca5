import { parseCorsOrigins } from './http/cors.js';
import { METRICS_ACCESS, type MetricsAccess } from './http/metrics.js';

/** How the service writes its log. */
export type LogFormat = 'pretty' | 'json';
import { limitsFromEnv, type ServerLimits } from './http/server-limits.js';

/** The service's settings. */
export interface ServerConfig {
  /** Timeouts and caps (YISHI_REQUEST_TIMEOUT_MS ...: see http/server-limits.ts). */
  serverLimits?: Partial<ServerLimits>;
  /** Requests a minute per address, every request counted (YISHI_RATE_LIMIT_ADDRESS). */
  rateLimitPerAddress?: number;
  /** Webhook targets allowed although private or plain http (YISHI_WEBHOOK_ALLOW). */
  webhookAllow?: string;
  dataDir: string;
  /**
   * A PostgreSQL URL (`postgres://…`, YISHI_DATABASE_URL): the ledger lives there, shared with
   * other instances; keys stay in `dataDir`. Unset: the SQLite ledger in `dataDir`.
   */
  database?: string;
  host: string;
  port: number;
  logLevel: string;
  /** `pretty` lines for a person at a terminal, or one JSON record a line (`json`). */
  logFormat?: LogFormat;
  checkpointIntervalMs: number;
  rateLimitPerMinute: number;
  bodyLimit: number;
  /** Ignore the state snapshot in service.db and replay the whole ledger at start (false). */
  fullReplay?: boolean;
  /** Entries between state snapshots while running (50,000). */
  snapshotEvery?: number;
  /** Origins browsers may call every route from; `/log/*` allows any origin ([]). */
  corsOrigins?: string[];
  /** Who may read GET /metrics: off, local (loopback clients) or public ('local'). */
  metrics?: MetricsAccess;
  /** The log's signing key file (C2SP skey), kept apart from the ledger in production (DATA/log.key). */
  logKeyFile?: string;
  /** A C2SP tlog-policy file: gather witness cosignatures, publish only quorum checkpoints. */
  witnessPolicy?: string;
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

const metricsAccess = (text: string | undefined): MetricsAccess => {
  if (text === undefined || text === '') return 'local';
  if ((METRICS_ACCESS as readonly string[]).includes(text)) return text as MetricsAccess;
  throw new Error(`YISHI_METRICS must be one of ${METRICS_ACCESS.join(', ')}, got '${text}'`);
};

function logFormat(text: string | undefined, tty: boolean): LogFormat {
  if (text === undefined || text === '') return tty ? 'pretty' : 'json';
  if (text === 'pretty' || text === 'json') return text;
  throw new Error(`the log format must be pretty or json, got '${text}'`);
}

/**
 * Reads the configuration: flags first, then the environment (YISHI_DATA, YISHI_HOST,
 * YISHI_PORT, YISHI_LOG_LEVEL, YISHI_LOG_FORMAT, YISHI_CHECKPOINT_INTERVAL_MS, YISHI_RATE_LIMIT,
 * YISHI_BODY_LIMIT, YISHI_FULL_REPLAY, YISHI_SNAPSHOT_EVERY, YISHI_CORS_ORIGINS, YISHI_METRICS,
 * YISHI_LOG_KEY_FILE, YISHI_DATABASE_URL), then defaults. The log format
 * defaults to `pretty` when `tty` (standard output is a terminal), else `json`.
 */
export function loadConfig(
  flags: {
    data?: string;
    database?: string;
    host?: string;
    port?: string;
    'full-replay'?: boolean;
    'log-format'?: string;
    'witness-policy'?: string;
  },
  env: NodeJS.ProcessEnv = process.env,
  tty = false
): ServerConfig {
  const snapshotEvery = int('YISHI_SNAPSHOT_EVERY', env['YISHI_SNAPSHOT_EVERY'], 50_000);
  if (snapshotEvery < 1) throw new Error('YISHI_SNAPSHOT_EVERY must be at least 1');
  const witnessPolicy = flags['witness-policy'] ?? env['YISHI_WITNESS_POLICY'];
  const database = flags.database ?? (env['YISHI_DATABASE_URL'] || undefined);
  if (database !== undefined && !/^postgres(ql)?:\/\//.test(database)) {
    throw new Error(
      '--database must be a postgres:// or postgresql:// URL (the value is not repeated: it may hold a password)'
    );
  }
  if (database !== undefined && witnessPolicy !== undefined) {
    // Refused rather than ignored: an operator who asked for witnesses must not get a log
    // whose checkpoints nobody cosigns (decision 0026).
    throw new Error(
      '--witness-policy is not supported with --database yet: checkpoints of a shared ledger are not sent to witnesses'
    );
  }
  return {
    dataDir: flags.data ?? env['YISHI_DATA'] ?? 'data',
    ...(database !== undefined ? { database } : {}),
    host: flags.host ?? env['YISHI_HOST'] ?? '127.0.0.1',
    port: int('port', flags.port ?? env['YISHI_PORT'], 8080),
    logLevel: env['YISHI_LOG_LEVEL'] ?? 'info',
    logFormat: logFormat(flags['log-format'] ?? env['YISHI_LOG_FORMAT'], tty),
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
    corsOrigins: parseCorsOrigins(env['YISHI_CORS_ORIGINS']),
    metrics: metricsAccess(env['YISHI_METRICS']),
    ...(env['YISHI_LOG_KEY_FILE'] ? { logKeyFile: env['YISHI_LOG_KEY_FILE'] } : {}),
    ...(witnessPolicy ? { witnessPolicy } : {}),
    serverLimits: limitsFromEnv(env),
    ...(env['YISHI_RATE_LIMIT_ADDRESS']
      ? { rateLimitPerAddress: int('YISHI_RATE_LIMIT_ADDRESS', env['YISHI_RATE_LIMIT_ADDRESS'], 0) }
      : {}),
    ...(env['YISHI_WEBHOOK_ALLOW'] ? { webhookAllow: env['YISHI_WEBHOOK_ALLOW'] } : {}),
  };
}
