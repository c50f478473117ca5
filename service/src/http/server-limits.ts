// Timeouts and caps of the HTTP server (issue 14.5): a client that sends its headers or its body
// slowly, keeps idle sockets open or opens many of them cannot hold the service's sockets. Each
// has a documented default and a YISHI_* setting (README, `yishi serve --help`).

/** The server's timeouts and caps. */
export interface ServerLimits {
  /** Whole request (headers and body) must arrive within this (YISHI_REQUEST_TIMEOUT_MS). */
  requestTimeoutMs: number;
  /** Headers must arrive within this (YISHI_HEADERS_TIMEOUT_MS; at most requestTimeoutMs). */
  headersTimeoutMs: number;
  /** An idle kept-alive socket is closed after this (YISHI_KEEP_ALIVE_TIMEOUT_MS). */
  keepAliveTimeoutMs: number;
  /** A socket with no traffic at all is closed after this (YISHI_IDLE_TIMEOUT_MS). */
  idleTimeoutMs: number;
  /** Most open sockets; more are refused at accept (YISHI_MAX_CONNECTIONS). */
  maxConnections: number;
  /** Most requests served on one socket before it is closed (YISHI_MAX_REQUESTS_PER_SOCKET). */
  maxRequestsPerSocket: number;
}

/**
 * The defaults: a body trickling in is cut off within 26 s (25 s and one check interval). The
 * keep-alive timeout is fastify's 72 s: above the 60 s a proxy in front usually keeps an idle
 * upstream socket, so the service never closes a socket the proxy (or a client) is about to reuse.
 */
export const DEFAULT_SERVER_LIMITS: Readonly<ServerLimits> = Object.freeze({
  requestTimeoutMs: 25_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 72_000,
  idleTimeoutMs: 120_000,
  maxConnections: 1024,
  maxRequestsPerSocket: 1000,
});

const ENV: Record<keyof ServerLimits, string> = {
  requestTimeoutMs: 'YISHI_REQUEST_TIMEOUT_MS',
  headersTimeoutMs: 'YISHI_HEADERS_TIMEOUT_MS',
  keepAliveTimeoutMs: 'YISHI_KEEP_ALIVE_TIMEOUT_MS',
  idleTimeoutMs: 'YISHI_IDLE_TIMEOUT_MS',
  maxConnections: 'YISHI_MAX_CONNECTIONS',
  maxRequestsPerSocket: 'YISHI_MAX_REQUESTS_PER_SOCKET',
};

/**
 * The limits set in the environment, each a whole number of at least 1.
 * @throws Error naming the variable on a malformed value
 */
export function limitsFromEnv(env: NodeJS.ProcessEnv): Partial<ServerLimits> {
  const out: Partial<ServerLimits> = {};
  for (const [key, name] of Object.entries(ENV) as Array<[keyof ServerLimits, string]>) {
    const text = env[name];
    if (text === undefined || text === '') continue;
    if (!/^[0-9]+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
      throw new Error(`${name} must be a whole number of at least 1, got '${text}'`);
    }
    out[key] = Number(text);
  }
  return out;
}

/** The fastify options that apply `limits` to the node HTTP server it creates. */
export function fastifyServerOptions(given: Partial<ServerLimits> = {}) {
  const l = { ...DEFAULT_SERVER_LIMITS, ...given };
  const headersTimeout = Math.min(l.headersTimeoutMs, l.requestTimeoutMs);
  return {
    requestTimeout: l.requestTimeoutMs,
    keepAliveTimeout: l.keepAliveTimeoutMs,
    connectionTimeout: l.idleTimeoutMs,
    maxRequestsPerSocket: l.maxRequestsPerSocket,
    http: {
      requestTimeout: l.requestTimeoutMs,
      headersTimeout,
      // node checks the request and header timeouts on this interval (30 s by default, which
      // would let a trickling body live up to twice the timeout).
      connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(headersTimeout / 4))),
    },
    maxConnections: l.maxConnections,
  };
}
