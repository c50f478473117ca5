// A pool of verify worker threads (worker.ts), answering batches in the order they were sent.
import { Worker } from 'node:worker_threads';
import type { BatchReply, BatchRequest, WorkerConfig } from './messages.js';

const PRELOAD_FLAGS = new Set([
  '--import',
  '--require',
  '-r',
  '--loader',
  '--experimental-loader',
  // The parent's own script (`node --input-type=module -e …`): a worker runs a file, and Node
  // refuses to start one that inherits these.
  '--input-type',
  '-e',
  '--eval',
  '-p',
  '--print',
]);

/**
 * The parent's Node options without module preloads, loader hooks and an inline script (a CLI
 * run by `main` from `node -e`, as the tamper tests do): this module is compiled
 * JavaScript and needs none, and a test runner's TypeScript hooks cost each worker seconds.
 */
function workerExecArgv(): string[] {
  const kept: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const flag = arg.split('=', 1)[0] as string;
    if (!PRELOAD_FLAGS.has(flag)) kept.push(arg);
    else if (!arg.includes('=')) i++;
  }
  return kept;
}

/** A pool of workers answering batches; results are awaited in the order they were sent. */
export class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<
    number,
    { resolve: (r: BatchReply) => void; worker: Worker }
  >();
  private next = 0;
  private failure: Error | undefined;

  constructor(size: number, config: WorkerConfig) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(new URL('./worker.js', import.meta.url), {
        workerData: config,
        execArgv: workerExecArgv(),
      });
      worker.on('message', (reply: BatchReply) => {
        const pending = this.waiting.get(reply.id);
        this.waiting.delete(reply.id);
        pending?.resolve(reply);
      });
      const down = (err: Error) => this.down(worker, err);
      worker.on('error', down);
      worker.on('exit', (code) => down(new Error(`a verify worker exited with code ${code}`)));
      this.workers.push(worker);
    }
  }

  /** A worker that dies fails every batch it held (the pass then hands over). */
  private down(worker: Worker, err: Error): void {
    this.failure ??= err;
    for (const [id, pending] of this.waiting) {
      if (pending.worker !== worker) continue;
      this.waiting.delete(id);
      pending.resolve({ id, ok: false, problem: `worker failed: ${err.message}` });
    }
  }

  send(req: BatchRequest): Promise<BatchReply> {
    const worker = this.workers[this.next++ % this.workers.length] as Worker;
    if (this.failure) {
      return Promise.resolve({ id: req.id, ok: false, problem: this.failure.message });
    }
    return new Promise((resolve) => {
      this.waiting.set(req.id, { resolve, worker });
      worker.postMessage(req);
    });
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map((w) => {
        w.removeAllListeners('exit');
        w.removeAllListeners('error');
        return w.terminate();
      })
    );
  }
}
