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
    serverLimits: limitsFromEnv(env),
    ...(env['YISHI_RATE_LIMIT_ADDRESS']
      ? { rateLimitPerAddress: int('YISHI_RATE_LIMIT_ADDRESS', env['YISHI_RATE_LIMIT_ADDRESS'], 0) }
      : {}),
    ...(env['YISHI_WEBHOOK_ALLOW'] ? { webhookAllow: env['YISHI_WEBHOOK_ALLOW'] } : {}),
  };
}
