// Servers under test run in their own process (the load generator must not share their event
// loop): start them, learn their URL, read their memory, stop them.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { repoRoot, since } from './util.js';

/** A server process and its address. */
export interface Served {
  child: ChildProcess;
  url: string;
  /** Seconds from spawn to listening. */
  startSeconds: number;
  stop(): Promise<void>;
}

/** Resident set size of a process, in MB (Linux /proc). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const hard = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.once('exit', () => {
        clearTimeout(hard);
        resolve();
      });
      child.kill('SIGTERM');
    });
}

/**
 * `yishi serve --data DIR --port 0` as shipped; resolves once it logs that it listens. Killed if
 * it is not listening within `limitMs`.
 */
export function serve(dataDir: string, limitMs: number): Promise<Served> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(
      process.execPath,
      [join(repoRoot, 'service/bin/yishi.js'), 'serve', '--data', dataDir, '--port', '0'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        // autocannon keeps its connections: past the server's requests-per-socket cap (1000 by
        // default) node answers 503 without routing, and those cheap replies counted as throughput.
        env: {
          ...process.env,
          YISHI_RATE_LIMIT: '1000000000',
          YISHI_MAX_REQUESTS_PER_SOCKET: '1000000000',
          YISHI_LOG_LEVEL: 'info',
        },
      }
    );
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    const timer = setTimeout(() => {
      let rss = Number.NaN;
      try {
        rss = rssMb(child.pid as number);
      } catch {
        // already gone
      }
      child.kill('SIGKILL');
      reject(
        new Error(
          `not listening after ${Math.round(limitMs / 1000)} s (RSS then ${Math.round(rss)} MB)`
        )
      );
    }, limitMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`yishi serve exited with ${code}: ${err}`));
    });
    // Every log line is read (and dropped) so the pipe never fills and blocks the server.
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.includes('yishi is listening')) return;
      clearTimeout(timer);
      const url = (JSON.parse(line) as { url: string }).url;
      child.removeAllListeners('exit');
      resolve({ child, url, startSeconds: since(start), stop: stopper(child) });
    });
  });
}

/** A bench server script (bench/dist/NAME.js) forked with `args`; it sends `{ url }` when ready. */
export function forkServer(name: string, args: string[], execArgv: string[] = []): Promise<Served> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = fork(join(repoRoot, 'bench', 'dist', `${name}.js`), args, {
      execArgv,
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
    child.once('message', (m: { url: string }) => {
      child.removeAllListeners('exit');
      resolve({
        child,
        url: m.url,
        startSeconds: since(start),
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.send('stop');
          }),
      });
    });
  });
}

/** What one load run measured. */
export interface Load {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  failed: number;
}

/**
 * autocannon against `url`: `connections` connections, each request from `next()` (path and
 * body), at most `amount` requests or `seconds` seconds.
 */
export async function load(opts: {
  url: string;
  connections: number;
  amount?: number;
  seconds?: number;
  method: 'GET' | 'POST';
  next: () => { path: string; body?: string };
}): Promise<Load> {
  const start = performance.now();
  const result = await autocannon({
    url: opts.url,
    connections: opts.connections,
    ...(opts.amount !== undefined ? { amount: opts.amount } : { duration: opts.seconds ?? 5 }),
    timeout: 20,
    requests: [
      {
        method: opts.method,
        setupRequest: (req) => {
          const r = opts.next();
          return {
            ...req,
            path: r.path,
            ...(r.body !== undefined
              ? { body: r.body, headers: { 'content-type': 'application/json' } }
              : {}),
          };
        },
      },
    ],
  });
  const seconds = since(start);
  const ok = result['2xx'];
  const failed = result.non2xx + result.errors + result.timeouts;
  return {
    rps: (ok + result.non2xx) / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok,
    failed,
  };
}
