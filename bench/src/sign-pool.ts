// Signs many commands on worker threads (ledger generation signs a million of them).
import { sign as nodeSign, type KeyObject } from 'node:crypto';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { signingMessage } from '@yishi/crypto';
import { privateKeyOf } from './keys.js';

const ROLE = 'yishi-bench-signer';

/** One signature to make: the signer's 32-byte seed (hex) and the payload. */
export interface SignJob {
  seed: string;
  payload: Record<string, unknown>;
}

interface Request {
  id: number;
  jobs: SignJob[];
}

function runWorker(context: string): void {
  const keys = new Map<string, KeyObject>();
  parentPort?.on('message', (req: Request) => {
    const out = req.jobs.map(({ seed, payload }) => {
      let key = keys.get(seed);
      if (!key) {
        key = privateKeyOf(Buffer.from(seed, 'hex'));
        keys.set(seed, key);
      }
      return nodeSign(null, signingMessage(context, payload), key).toString('base64');
    });
    parentPort?.postMessage({ id: req.id, signatures: out });
  });
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === ROLE) {
  runWorker((workerData as { context: string }).context);
}

/** A pool of signing threads; batches are answered in any order, matched by id. */
export class SignPool {
  private readonly workers: Worker[];
  private readonly waiting = new Map<number, (signatures: string[]) => void>();
  private next = 0;

  constructor(size: number, context: string) {
    this.workers = Array.from({ length: size }, () => {
      const w = new Worker(new URL(import.meta.url), {
        workerData: { role: ROLE, context },
        execArgv: [],
      });
      w.on('message', (m: { id: number; signatures: string[] }) => {
        this.waiting.get(m.id)?.(m.signatures);
        this.waiting.delete(m.id);
      });
      w.on('error', (err) => {
        throw err;
      });
      return w;
    });
  }

  /** The base64 signatures of `jobs`, in order (split over the threads). */
  async sign(jobs: SignJob[]): Promise<string[]> {
    const per = Math.ceil(jobs.length / this.workers.length);
    const parts = await Promise.all(
      this.workers.map((w, i) => {
        const slice = jobs.slice(i * per, (i + 1) * per);
        if (slice.length === 0) return Promise.resolve([] as string[]);
        const id = this.next++;
        return new Promise<string[]>((resolve) => {
          this.waiting.set(id, resolve);
          w.postMessage({ id, jobs: slice } satisfies Request);
        });
      })
    );
    return parts.flat();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
