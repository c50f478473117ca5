// What passes between the main thread and a verify worker, and the hand-over: the parallel pass
// stops at the first thing it cannot vouch for and hands the file to the reference verifier.

export const WORKER_ROLE = 'yishi-verify-worker/v1';
/** The size of a leaf hash (SHA-256). */
export const HASH = 32;

export type BatchRequest =
  /** Export lines read by the main thread; firstLine is the 1-based line number of texts[0]. */
  | { id: number; kind: 'export'; texts: string[]; firstLine: number }
  /**
   * Database rows with from <= seq < to, which the worker reads from the file itself: every seq
   * in the range must be there (the main thread ends the last range at the largest seq).
   */
  | { id: number; kind: 'database'; from: number; to: number };

export type BatchReply =
  | {
      id: number;
      ok: true;
      /** Entries in the batch (export: lines that were entries or redacted entries). */
      count: number;
      /** Of those, redacted lines of a scoped export (their leaf hashes as the lines claim). */
      redacted: number;
      /** Database: rows read (every one an entry, else the batch fails). */
      rows: number;
      /** Their leaf hashes, 32 bytes each, in order. */
      leaves: Uint8Array;
      /** The seq of the first entry and its prev (32 bytes); the rest chain inside the batch. */
      firstSeq: number;
      firstPrev: Uint8Array;
      /** Export: checkpoint notes met in the batch. */
      notes: string[];
      /** The entry with seq 0, if the batch holds it: what the genesis check needs. */
      genesis?: { payload: Record<string, unknown>; publicKey: string };
    }
  | { id: number; ok: false; problem: string };

/** A request without its id. */
export type Work = BatchRequest extends infer R
  ? R extends BatchRequest
    ? Omit<R, 'id'>
    : never
  : never;

/** What a worker is told at start (the constants it must not load @yishi/schema or @yishi/verify for). */
export interface WorkerConfig {
  role: typeof WORKER_ROLE;
  /** SIGNING_CONTEXTS.command */
  commandContext: string;
  /** V1_SIGNING_CONTEXTS.command */
  v1CommandContext: string;
  /** EXPORT_FORMAT */
  exportFormat: string;
  /** The database file the worker reads ranges of rows from (database only). */
  database?: string;
}

/** Thrown on the main thread to end the parallel pass; the message says why. */
export class Handover extends Error {}

export const handover = (why: string): never => {
  throw new Handover(why);
};
