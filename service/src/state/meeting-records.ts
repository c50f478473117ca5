// Closed meetings' records (P16) kept in service.db rather than in memory: the record whose
// digest the recorder and the chair sign is fixed when the meeting closes, so it is written once
// and read on demand. Rows are a cache of what the ledger implies and are only ever written for
// entries already durable on the ledger; a replay writes the same rows again (upsert).
import type { Statement } from 'better-sqlite3';
import type { ServiceDatabase } from '../storage/service-db.js';

/** One closed meeting's row: the record and its archived summary as canonical-enough JSON text. */
export interface MeetingRecordRow {
  meetingId: string;
  bodyId: string;
  closeSeq: number;
  recordDigest: string;
  /** `JSON.stringify` of the record fixed at close. */
  record: string;
  /** `JSON.stringify` of the meeting's summary once archived (`summaryFromRecord`). */
  summary: string;
}

interface RawRow {
  meeting_id: string;
  body_id: string;
  close_seq: number;
  record_digest: string;
  record: string;
  summary: string;
}

const fromRaw = (r: RawRow): MeetingRecordRow => ({
  meetingId: r.meeting_id,
  bodyId: r.body_id,
  closeSeq: r.close_seq,
  recordDigest: r.record_digest,
  record: r.record,
  summary: r.summary,
});

/**
 * The `meeting_records` table. Writes are idempotent (an upsert by meeting id) and grouped in one
 * transaction per call; reads are point or per-body lookups. Synchronous, like better-sqlite3.
 */
export class MeetingRecords {
  readonly #db: ServiceDatabase;
  readonly #upsert: Statement<[string, string, number, string, string, string]>;
  readonly #get: Statement<[string], RawRow>;
  readonly #byBody: Statement<[string], RawRow>;
  readonly #countBefore: Statement<[number], { n: number }>;
  readonly #write: (rows: readonly MeetingRecordRow[]) => void;

  constructor(db: ServiceDatabase) {
    this.#db = db;
    this.#upsert = db.prepare(
      `INSERT INTO meeting_records (meeting_id, body_id, close_seq, record_digest, record, summary)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (meeting_id) DO UPDATE SET body_id = excluded.body_id,
         close_seq = excluded.close_seq, record_digest = excluded.record_digest,
         record = excluded.record, summary = excluded.summary`
    );
    this.#get = db.prepare('SELECT * FROM meeting_records WHERE meeting_id = ?');
    this.#byBody = db.prepare('SELECT * FROM meeting_records WHERE body_id = ?');
    this.#countBefore = db.prepare('SELECT count(*) AS n FROM meeting_records WHERE close_seq < ?');
    this.#write = db.transaction((rows: readonly MeetingRecordRow[]) => {
      for (const r of rows) {
        this.#upsert.run(r.meetingId, r.bodyId, r.closeSeq, r.recordDigest, r.record, r.summary);
      }
    });
  }

  /** The database the rows live in (snapshots are written in the same one). */
  get db(): ServiceDatabase {
    return this.#db;
  }

  /** Writes `rows` (insert or replace by meeting id) in one transaction. */
  write(rows: readonly MeetingRecordRow[]): void {
    if (rows.length === 0) return;
    this.#write(rows);
  }

  /** The row of `meetingId`, if written. */
  get(meetingId: string): MeetingRecordRow | undefined {
    const r = this.#get.get(meetingId);
    return r ? fromRaw(r) : undefined;
  }

  /** Every row of `bodyId`'s meetings. */
  ofBody(bodyId: string): MeetingRecordRow[] {
    return this.#byBody.all(bodyId).map(fromRaw);
  }

  /** How many rows describe meetings closed before entry `seq`. */
  countClosedBefore(seq: number): number {
    return (this.#countBefore.get(seq) as { n: number }).n;
  }

  /** Drops every row (before a full replay writes them again). */
  clear(): void {
    this.#db.prepare('DELETE FROM meeting_records').run();
  }
}
