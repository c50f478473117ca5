import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { startServer } from '../server.js';
import { out, usage, type Command } from './io.js';

const HELP = `Usage: yishi serve [--port N] [--host HOST] [--data DIR] [--full-replay]

Runs the HTTP service on the ledger in DIR, creating it on first start (see 'yishi init').

Options (environment variable in brackets):
  --port N      port to listen on, 0 for any free port [YISHI_PORT] (default 8080)
  --host HOST   address to bind [YISHI_HOST] (default 127.0.0.1)
  --data DIR    data directory [YISHI_DATA] (default ./data)
  --full-replay ignore the state snapshot in DIR/service.db and replay the whole ledger
                [YISHI_FULL_REPLAY=1]
  -h, --help    show this help
Also: YISHI_LOG_LEVEL (info), YISHI_CHECKPOINT_INTERVAL_MS (1000), YISHI_RATE_LIMIT (600 requests
a minute per signing key, or per address for unsigned requests), YISHI_BODY_LIMIT (131072 bytes),
YISHI_SNAPSHOT_EVERY (50000 entries between state snapshots).
Hardening: YISHI_RATE_LIMIT_ADDRESS (10 x YISHI_RATE_LIMIT, every request per address),
YISHI_REQUEST_TIMEOUT_MS (25000), YISHI_HEADERS_TIMEOUT_MS (10000), YISHI_KEEP_ALIVE_TIMEOUT_MS
(72000), YISHI_IDLE_TIMEOUT_MS (120000), YISHI_MAX_CONNECTIONS (1024),
YISHI_MAX_REQUESTS_PER_SOCKET (1000), YISHI_WEBHOOK_ALLOW (hosts or CIDR ranges webhooks may
reach although private or plain http; default none). Put a TLS-terminating proxy in front.
The API reference is served at /docs; the service's own tables are in DIR/service.db, with a
snapshot of the state so a start replays only the entries after it.
`;

export const serveCommand: Command = async (argv) => {
  const { values } = usage(() =>
    parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        data: { type: 'string' },
        'full-replay': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  );
  if (values.help) {
    out(HELP);
    return 0;
  }
  const server = await startServer(loadConfig(values));
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void server.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
};
