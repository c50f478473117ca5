// The entry of a verify worker thread (started by pool.ts): it answers batches of export lines
// or database ranges with their leaf hashes, or with the first reason it cannot vouch for them.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { BatchBuilder, EntryChecker, exportLine } from './entry-check.js';
import { RangeReader } from './ledger-database.js';
import {
  HASH,
  WORKER_ROLE,
  type BatchReply,
  type BatchRequest,
  type WorkerConfig,
} from './messages.js';

/**
 * A database range: every seq from `from` to `to` - 1 present, in order, each row's body an
 * entry (read as the reference reads it: String(body)) with a 32-byte stored leaf hash.
 */
function checkRange(
  checker: EntryChecker,
  reader: RangeReader,
  req: Extract<BatchRequest, { kind: 'database' }>
): BatchReply {
  const fail = (problem: string): BatchReply => ({ id: req.id, ok: false, problem });
  const rows = reader.read(req.from, req.to);
  if (rows.length !== req.to - req.from) return fail('a seq is missing from the table');
  const batch = new BatchBuilder(checker, rows.length);
  for (let i = 0; i < rows.length; i++) {
    const [seq, body, stored] = rows[i] as [unknown, unknown, unknown];
    if (seq !== req.from + i) return fail("the table's seqs are not contiguous");
    if (!(stored instanceof Uint8Array) || stored.length !== HASH) {
      return fail('a stored leaf hash has the wrong length');
    }
    const text = String(body);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return fail('a row is not JSON');
    }
    const problem = batch.add(value, stored, text);
    if (problem !== null) return fail(problem);
  }
  return batch.reply(req.id, rows.length, []);
}

function checkExportLines(
  checker: EntryChecker,
  config: WorkerConfig,
  req: Extract<BatchRequest, { kind: 'export' }>
): BatchReply {
  const fail = (problem: string): BatchReply => ({ id: req.id, ok: false, problem });
  const batch = new BatchBuilder(checker, req.texts.length);
  const notes: string[] = [];
  let lineNumber = req.firstLine - 1;
  for (const text of req.texts) {
    // As feedExportLines reads them: blank lines skipped, a header only as line 1.
    lineNumber++;
    if (text.trim() === '') continue;
    const line = exportLine(text, lineNumber, config.exportFormat);
    if (typeof line === 'string') return fail(line);
    if (line.kind === 'header') continue;
    if (line.kind === 'checkpoint') {
      notes.push(line.note);
      continue;
    }
    const problem =
      line.kind === 'redacted'
        ? batch.addRedacted(line.seq, line.prev, line.leafHash)
        : batch.add(line.entry, undefined, line.text);
    if (problem !== null) return fail(problem);
  }
  return batch.reply(req.id, 0, notes);
}

function runWorker(config: WorkerConfig): void {
  const port = parentPort;
  if (!port) return;
  const checker = new EntryChecker(config.commandContext, config.v1CommandContext);
  let reader: RangeReader | undefined;
  port.on('message', (req: BatchRequest) => {
    let reply: BatchReply;
    try {
      if (req.kind === 'export') {
        reply = checkExportLines(checker, config, req);
      } else {
        if (config.database === undefined) throw new Error('no database to read');
        reader ??= new RangeReader(config.database);
        reply = checkRange(checker, reader, req);
      }
    } catch (err) {
      reply = { id: req.id, ok: false, problem: `worker error: ${(err as Error).message}` };
    }
    port.postMessage(reply, reply.ok ? [reply.leaves.buffer as ArrayBuffer] : []);
  });
}

if (!isMainThread && (workerData as Partial<WorkerConfig> | null)?.role === WORKER_ROLE) {
  runWorker(workerData as WorkerConfig);
}
