/**
 * `yishi serve` as a child process, as an operator runs it: port 0 on 127.0.0.1, the URL read
 * from its JSON log line, killed with a real SIGKILL (no shutdown hook runs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from '../../helpers/paths.js';

/** The `yishi` CLI script. */
export const YISHI_BIN = join(repoRoot, 'service/bin/yishi.js');

/** A running child server. */
export interface ChildServer {
  url: string;
  pid: number;
  /** Resolves with the exit code or signal once the process has gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends SIGKILL and waits until the process has gone. */
  kill(): Promise<void>;
  /** The log lines printed so far (for failure messages). */
  log(): string[];
}

/** Starts `yishi serve --port 0 --data DIR`; resolves once it listens. */
export async function spawnServer(
  dataDir: string,
  env: Record<string, string> = {},
  timeoutMs = 120_000
): Promise<ChildServer> {
  const child: ChildProcess = spawn(
    process.execPath,
    [YISHI_BIN, 'serve', '--port', '0', '--host', '127.0.0.1', '--data', dataDir],
    {
      env: { ...process.env, YISHI_LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }
  );
  const lines: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal }))
  );
  child.stderr?.on('data', (chunk: Buffer) => lines.push(chunk.toString('utf8')));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not listen within ${timeoutMs} ms:\n${lines.join('\n')}`));
    }, timeoutMs);
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      lines.push(line);
      const m = /"url":"(http:\/\/127\.0\.0\.1:[0-9]+)"/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(
        new Error(`the server exited (${code ?? signal}) before listening:\n${lines.join('\n')}`)
      );
    });
  });
  return {
    url,
    pid: child.pid as number,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    log: () => lines,
  };
}
