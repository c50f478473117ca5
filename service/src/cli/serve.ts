import { loadConfig } from '../config.js';
import { createLogger, startServer, type RunningServer } from '../server.js';
import { out, parseCommandLine, type Command } from './io.js';

const HELP = `Usage: yishi serve [--port N] [--host HOST] [--data DIR] [--database URL]
                   [--full-replay] [--log-format pretty|json]

Runs the HTTP service on the ledger in DIR, creating it on first start (see 'yishi init').

Options (environment variable in brackets):
  --port N      port to listen on, 0 for any free port [YISHI_PORT] (default 8080)
  --host HOST   address to bind [YISHI_HOST] (default 127.0.0.1)
  --data DIR    data directory [YISHI_DATA] (default ./data)
  --database URL  keep the ledger in PostgreSQL (postgres://user@host:port/db) instead of
                DIR/ledger.db, shared with every instance on that database; the keys stay in
                DIR (see 'yishi init --database') [YISHI_DATABASE_URL]
  --full-replay ignore the state snapshot in DIR/service.db and replay the whole ledger
                [YISHI_FULL_REPLAY=1]
  --log-format pretty|json
                human log lines, or one JSON record a line [YISHI_LOG_FORMAT] (default pretty
                with a start-up banner on a terminal, json otherwise)
  --witness-policy FILE  C2SP tlog-policy: ask its witnesses to cosign each checkpoint and
                publish at /log/checkpoint only those that meet its quorum
                [YISHI_WITNESS_POLICY]
  -h, --help    show this help
Also: YISHI_LOG_LEVEL (info), YISHI_CHECKPOINT_INTERVAL_MS (1000), YISHI_RATE_LIMIT (600 requests
a minute per signing key, or per address for unsigned requests), YISHI_BODY_LIMIT (131072 bytes),
YISHI_SNAPSHOT_EVERY (50000 entries between state snapshots), YISHI_CORS_ORIGINS (origins browsers
may call from, comma-separated; none, /log/* any), YISHI_METRICS (who reads /metrics: off, local
or public; local), YISHI_LOG_KEY_FILE (the log's signing key kept apart; DIR/log.key).
Hardening: YISHI_RATE_LIMIT_ADDRESS (10 x YISHI_RATE_LIMIT, every request per address),
YISHI_REQUEST_TIMEOUT_MS (25000), YISHI_HEADERS_TIMEOUT_MS (10000), YISHI_KEEP_ALIVE_TIMEOUT_MS
(72000), YISHI_IDLE_TIMEOUT_MS (120000), YISHI_MAX_CONNECTIONS (1024),
YISHI_MAX_REQUESTS_PER_SOCKET (1000), YISHI_WEBHOOK_ALLOW (hosts or CIDR ranges webhooks may
reach although private or plain http; default none). Put a TLS-terminating proxy in front.
The API reference is served at /docs; the service's own tables are in DIR/service.db, with a
snapshot of the state so a start replays only the entries after it. One server at a time uses a
data directory (DIR/serve.lock); a second start on it exits naming the first one's pid.
`;

/** What a person at a terminal needs once the service listens: where it is and what to do next. */
export function banner(server: Pick<RunningServer, 'url' | 'paths' | 'created'>): string {
  const p = server.paths;
  return [
    '',
    `yishi is running at ${server.url}${server.created ? ' (a new ledger)' : ''}`,
    `  API reference  ${server.url}/docs`,
    `  data folder    ${p.dir}`,
    `  admin.key      ${p.adminKey}`,
    "                 the first admin's secret key: hand it to the higher-level organisation,",
    '                 then remove it from this folder',
    `  log.vkey       ${p.logVkey}`,
    "                 the log's public key: give it to auditors (yishi verify --vkey log.vkey)",
    `  log.key        ${p.logKey}`,
    "                 the log's signing key: keep it secret, back it up apart from the ledger",
    '  try it         npm run demo (in the repository: a story on its own temporary server),',
    `                 or YISHI_URL=${server.url} YISHI_DATA=${p.dir} node demo/dist/examples/developer.js`,
    'Stop with Ctrl-C.',
    '',
    '',
  ].join('\n');
}

export const serveCommand: Command = async (argv) => {
  const parsed = parseCommandLine(
    {
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        data: { type: 'string' },
        database: { type: 'string' },
        'full-replay': { type: 'boolean' },
        'log-format': { type: 'string' },
        'witness-policy': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    HELP
  );
  if (parsed === null) return 0;
  const { values } = parsed;
  const tty = process.stdout.isTTY === true;
  const config = loadConfig(values, process.env, tty);
  const logger = createLogger(config.logLevel, config.logFormat);
  const server = await startServer(config, logger);
  if (tty) out(banner(server));
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      logger.info({ signal }, 'stopping: finishing the requests in flight');
      void server.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
};
