/**
 * The page's Web Worker: runs one audit per message, reporting progress, so the page stays
 * responsive on a large export. Bundled on its own and started from a Blob URL (the page is one
 * file and fetches nothing).
 */
import type { AuditRequest, WorkerMessage } from './protocol.js';
import { runAudit } from './run-audit.js';

const post = (m: WorkerMessage) => (self as unknown as Worker).postMessage(m);

self.onmessage = (event: MessageEvent<AuditRequest>) => {
  let last = 0;
  runAudit(event.data, (bytes, total, entries) => {
    const now = Date.now();
    if (now - last < 50 && bytes < total) return;
    last = now;
    post({ kind: 'progress', bytes, total, entries });
  }).then(
    (result) => post({ kind: 'done', result }),
    (err: unknown) => post({ kind: 'error', message: (err as Error).message ?? String(err) })
  );
};
