// Closed meetings' records (P16) kept in service.db rather than in memory: the record whose
// digest the recorder and the chair sign is fixed when the meeting closes, so it is written once
// and read on demand. Rows are a cache of what the ledger implies and are only ever written for
// entries already durable on the ledger; a replay writes the same rows again (upsert).
//
// Trust boundary: service.db can be edited by anyone who can write the data folder. A row is
// never served on its word: `verified` checks it against the record digest the ledger's
// `meeting.close` entry carries (derived.recordDigest) and fails closed with CACHE_DAMAGED (500),
// logging it and rebuilding the row from the ledger, when they differ.
import { recordDigest, type MeetingRecord } from '@yishi/procedure';
import type { Statement } from 'better-sqlite3';
import { ApiError } from '../http/errors.js';
import type { LedgerStore } from '../ledger/index.js';
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

/** What a row must agree with: memory's account of the close (replayed or authenticated). */
export interface ExpectedRecord {
  meetingId: string;
  closeSeq: number;
  recordDigest: string;
}

/** Options of {@link MeetingRecords}. */
export interface MeetingRecordsOptions {
  /** The ledger rows are checked against (without it, only against `expected`). */
  ledger?: LedgerStore;
  /** Rebuilds one close's row from the ledger (replay up to `closeSeq`). */
  rebuildRow?: (meetingId: string, closeSeq: number) => MeetingRecordRow | undefined;
  log?: { error?(obj: object, msg: string): void; info?(obj: object, msg: string): void };
}

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
  readonly #opts: MeetingRecordsOptions;
  readonly #repairing = new Set<string>();

  constructor(db: ServiceDatabase, opts: MeetingRecordsOptions = {}) {
    this.#db = db;
    this.#opts = opts;
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

  /**
   * The record of `row`, once checked: the row is the close at `expected.closeSeq`, the ledger's
   * entry there is that meeting's close with `expected.recordDigest`, and the record's digest is
   * that one. A mismatch is logged, the row is rebuilt from the ledger (off this call), and the
   * caller gets CACHE_DAMAGED.
   * @throws ApiError CACHE_DAMAGED (500)
   */
  verified(row: MeetingRecordRow, expected: ExpectedRecord): MeetingRecord {
    let why: string | undefined;
    let record: MeetingRecord | undefined;
    const onLedger = this.#ledgerDigest(expected);
    if (onLedger !== expected.recordDigest) why = 'memory_differs_from_ledger';
    else if (row.meetingId !== expected.meetingId || row.closeSeq !== expected.closeSeq) {
      why = 'row_names_another_close';
    } else {
      try {
        record = JSON.parse(row.record) as MeetingRecord;
        if (recordDigest(record) !== expected.recordDigest) why = 'record_digest_mismatch';
      } catch {
        why = 'record_unreadable';
      }
    }
    if (why === undefined && record !== undefined) return record;
    this.#damaged(expected, why ?? 'record_unreadable');
    throw ApiError.of('CACHE_DAMAGED', { meetingId: expected.meetingId });
  }

  /** The digest the ledger's close entry carries, or undefined if it is not that close. */
  #ledgerDigest(expected: ExpectedRecord): string | undefined {
    const ledger = this.#opts.ledger;
    if (!ledger) return expected.recordDigest;
    if (expected.closeSeq < 0 || expected.closeSeq >= ledger.size) return undefined;
    const entry = ledger.entry(expected.closeSeq);
    const payload = entry.command.payload as { type?: unknown };
    const derived = (entry.derived ?? {}) as Record<string, unknown>;
    if (payload.type !== 'meeting.close' || derived['meetingId'] !== expected.meetingId) {
      return undefined;
    }
    const d = derived['recordDigest'];
    return typeof d === 'string' ? d : undefined;
  }

  #damaged(expected: ExpectedRecord, why: string): void {
    const { log, rebuildRow } = this.#opts;
    log?.error?.(
      { meetingId: expected.meetingId, closeSeq: expected.closeSeq, why },
      'service.db: a closed meeting record does not match the ledger; refused, rebuilding it'
    );
    if (!rebuildRow || this.#repairing.has(expected.meetingId)) return;
    this.#repairing.add(expected.meetingId);
    setImmediate(() => {
      try {
        const row = rebuildRow(expected.meetingId, expected.closeSeq);
        if (row && this.#db.open) {
          this.write([row]);
          log?.info?.(
            { meetingId: expected.meetingId },
            'closed meeting record rebuilt from the ledger'
          );
        }
      } catch (err) {
        log?.error?.({ err, meetingId: expected.meetingId }, 'the record could not be rebuilt');
      } finally {
        this.#repairing.delete(expected.meetingId);
      }
    });
  }

  /** Drops every row (before a full replay writes them again). */
  clear(): void {
    this.#db.prepare('DELETE FROM meeting_records').run();
  }
}
