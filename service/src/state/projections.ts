import {
  buildRecord,
  own,
  recordDigest,
  type Derived,
  type MeetingRecord,
  type Report,
  type State,
} from '@yishi/procedure';
import type { InterferenceView, MeetingSummary, ObjectionView, SignedCommand } from '@yishi/schema';
import type { MeetingRecordRow, MeetingRecords } from './meeting-records.js';
import { meetingSummary, objectionView, summaryFromRecord } from './views.js';

/**
 * What memory keeps of a closed meeting. Its record (the one whose digest is signed, fixed at
 * close) is in service.db (`meeting_records`), read with {@link Projections.closedRecord}.
 */
export interface ClosedMeeting {
  meetingId: string;
  bodyId: string;
  /** Seq of the `meeting.close` entry. */
  closeSeq: number;
  recordDigest: string;
  signatures: { recorder: number | null; chair: number | null };
  archived: boolean;
}

/** A closed meeting's record, as served: parsed from the stored JSON text. */
export interface ClosedRecord {
  meeting: ClosedMeeting;
  record: MeetingRecord;
}

/** A report addressed upward (P13) and whether an admin acknowledged it. */
export interface ReportRow {
  report: Report;
  seq: number;
  time: number;
  acknowledgedSeq: number | null;
}

/** One accepted entry, as the projections see it. */
export interface AppliedEntry {
  seq: number;
  time: number;
  command: SignedCommand;
  derived: Derived;
}

/** What {@link Projections.before} kept of the state a command is about to drop. */
export type Captured = { cancelled: MeetingSummary } | undefined;

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** What one entry changes in the read models ({@link Projections.prepare}). */
export interface ProjectionChange {
  seq: number;
  reports?: ReportRow[];
  closed?: MeetingRecordRow;
  signed?: { meetingId: string; role: 'recorder' | 'chair'; archived: boolean };
  cancelled?: MeetingSummary;
  acknowledged?: string;
  interference?: InterferenceView;
  objections?: ObjectionView[];
  rulings?: { objectionId: string; decision: unknown }[];
}

/** The read models' in-memory part, as a snapshot stores it. */
export interface ProjectionMaps {
  closed: Map<string, ClosedMeeting>;
  cancelled: Map<string, MeetingSummary>;
  reports: Map<string, ReportRow>;
  interference: Map<string, InterferenceView>;
  objections: Map<string, ObjectionView>;
}

/**
 * Read models the engine's state does not keep: the engine drops archived meetings, acknowledged
 * reports and settled objections, and keeps interference records only as reports. Each is a pure
 * function of the ledger's durable entries: what an entry changes is computed when the engine
 * accepts it ({@link prepare}) and applied once the entry is durable ({@link apply}). Closed meetings' records go to service.db through {@link MeetingRecords}: a record is
 * held in memory (pending) from its close until {@link flushThrough} is called with a seq at or
 * past the close, which the owner does only once that entry is durable on the ledger, so no row
 * ever describes an entry that is not on the ledger. Until then reads see the pending record.
 */
export class Projections implements ProjectionMaps {
  readonly closed: Map<string, ClosedMeeting>;
  readonly cancelled: Map<string, MeetingSummary>;
  readonly reports: Map<string, ReportRow>;
  readonly interference: Map<string, InterferenceView>;
  readonly objections: Map<string, ObjectionView>;
  readonly #records: MeetingRecords;
  /** Records of closes not yet known durable, in seq order. */
  #pending: MeetingRecordRow[] = [];

  constructor(records: MeetingRecords, maps?: ProjectionMaps) {
    this.#records = records;
    this.closed = maps?.closed ?? new Map();
    this.cancelled = maps?.cancelled ?? new Map();
    this.reports = maps?.reports ?? new Map();
    this.interference = maps?.interference ?? new Map();
    this.objections = maps?.objections ?? new Map();
  }

  /** Where closed meetings' records are stored. */
  get records(): MeetingRecords {
    return this.#records;
  }

  /** How many closes' records are not yet written. */
  get pendingRecords(): number {
    return this.#pending.length;
  }

  /**
   * Writes the records of every close at or before `seq` (the caller knows entries up to `seq`
   * are durable on the ledger). Idempotent.
   */
  flushThrough(seq: number): void {
    if (this.#pending.length === 0 || (this.#pending[0] as MeetingRecordRow).closeSeq > seq) return;
    const i = this.#pending.findIndex((r) => r.closeSeq > seq);
    const rows = i < 0 ? this.#pending : this.#pending.slice(0, i);
    this.#records.write(rows);
    this.#pending = i < 0 ? [] : this.#pending.slice(i);
  }

  /**
   * A closed meeting's summary and record, or undefined if it is not closed. A row read from
   * service.db is checked against the ledger first ({@link MeetingRecords.verified}).
   * @throws ApiError CACHE_DAMAGED (500) when the stored row does not match the ledger
   */
  closedRecord(meetingId: string): ClosedRecord | undefined {
    const meeting = this.closed.get(meetingId);
    if (!meeting) return undefined;
    const pending = this.#pending.find((r) => r.meetingId === meetingId);
    if (pending) return { meeting, record: JSON.parse(pending.record) as MeetingRecord };
    const row = this.#records.get(meetingId);
    if (!row) throw new Error(`the record of closed meeting ${meetingId} is missing`);
    return { meeting, record: this.#records.verified(row, meeting) };
  }

  /**
   * A closed meeting's archived summary, or undefined if it is not closed: made from its checked
   * record (the stored summary text is not believed).
   * @throws ApiError CACHE_DAMAGED (500) when the stored row does not match the ledger
   */
  closedSummary(meetingId: string): MeetingSummary | undefined {
    const closed = this.closedRecord(meetingId);
    if (!closed) return undefined;
    return summaryFromRecord(closed.record, closed.meeting.recordDigest);
  }

  /**
   * The archived summaries of `bodyId`'s archived meetings (any order), from checked records.
   * @throws ApiError CACHE_DAMAGED (500) when a stored row does not match the ledger
   */
  archivedSummaries(bodyId: string): MeetingSummary[] {
    // Which meetings are listed is memory's account (the ledger's), never the table's rows.
    const out: MeetingSummary[] = [];
    for (const c of this.closed.values()) {
      if (c.bodyId !== bodyId || !c.archived) continue;
      const s = this.closedSummary(c.meetingId);
      if (s) out.push(s);
    }
    return out;
  }

  /** Call before deciding `command`: keeps what an accepted command would drop. */
  before(state: State, command: SignedCommand): Captured {
    const p = command.payload as Record<string, unknown>;
    if (p['type'] === 'meeting.cancel' && typeof p['meetingId'] === 'string') {
      const m = own(state.meetings, p['meetingId']);
      if (m) return { cancelled: meetingSummary(state, m) };
    }
    return undefined;
  }

  /**
   * What `entry` changes in the read models, computed right after the engine accepted it
   * (`state` is the state after it, `captured` what {@link before} kept). Pure: nothing changes
   * until {@link apply} is called with it, once the entry is durable. Undefined: nothing to do.
   */
  prepare(state: State, entry: AppliedEntry, captured: Captured): ProjectionChange | undefined {
    const { derived, seq } = entry;
    const type = (entry.command.payload as { type: string }).type;
    const reports = Array.isArray(derived['reports']) ? (derived['reports'] as Report[]) : [];
    const change: ProjectionChange = { seq };
    if (reports.length > 0) {
      change.reports = reports.map((report) => ({
        report,
        seq,
        time: entry.time,
        acknowledgedSeq: null,
      }));
    }
    switch (type) {
      case 'meeting.close': {
        const meetingId = derived['meetingId'] as string;
        const record = buildRecord(state, meetingId);
        const digest = recordDigest(record);
        if (digest !== derived['recordDigest']) {
          throw new Error(`the record of ${meetingId} rebuilt at close does not match its digest`);
        }
        change.closed = {
          meetingId,
          bodyId: record.body.id,
          closeSeq: seq,
          recordDigest: digest,
          record: JSON.stringify(record),
          summary: JSON.stringify(summaryFromRecord(record, digest)),
        };
        break;
      }
      case 'record.sign':
        change.signed = {
          meetingId: derived['meetingId'] as string,
          role: derived['role'] as 'recorder' | 'chair',
          archived: derived['archived'] === true,
        };
        break;
      case 'meeting.cancel':
        if (captured) {
          change.cancelled = {
            ...captured.cancelled,
            state: 'cancelled',
            items: captured.cancelled.items.map((i) =>
              i.state === 'submitted'
                ? {
                    ...i,
                    state: 'withdrawn',
                    outcome: { result: 'withdrawn', rule: 'P3', basis: 'meeting_cancelled' },
                  }
                : i
            ),
          };
        }
        break;
      case 'report.acknowledge':
        change.acknowledged = derived['reportId'] as string;
        break;
      case 'interference.record': {
        const report = reports[0];
        const id = derived['interferenceId'] as string;
        if (report) {
          change.interference = {
            interferenceId: id,
            bodyId: report.bodyId,
            seq,
            time: entry.time,
            recordedBy: String(report.subject['recordedBy']),
            reportId: report.reportId,
            deliverTo: strings(derived['deliverTo']),
            subject: report.subject as InterferenceView['subject'],
          };
        }
        break;
      }
    }
    const touched = [
      ...(typeof derived['objectionId'] === 'string' ? [derived['objectionId']] : []),
      ...strings(derived['objectionsEscalated']),
    ];
    for (const id of touched) {
      const o = own(state.objections, id);
      if (o) (change.objections ??= []).push(objectionView(o));
      else if (type === 'ruling.register') {
        (change.rulings ??= []).push({ objectionId: id, decision: derived['decision'] });
      }
    }
    for (const k in change) if (k !== 'seq') return change;
    return undefined;
  }

  /**
   * Advances the read models by a change from {@link prepare}: called once its entry is durable
   * (or read from the ledger), in seq order. A close's record is held pending until
   * {@link flushThrough} writes it.
   */
  apply(change: ProjectionChange): void {
    const { seq } = change;
    for (const row of change.reports ?? []) this.reports.set(row.report.reportId, row);
    if (change.closed) {
      const c = change.closed;
      this.closed.set(c.meetingId, {
        meetingId: c.meetingId,
        bodyId: c.bodyId,
        closeSeq: seq,
        recordDigest: c.recordDigest,
        signatures: { recorder: null, chair: null },
        archived: false,
      });
      this.#pending.push(c);
    }
    if (change.signed) {
      const c = this.closed.get(change.signed.meetingId);
      if (c) {
        c.signatures[change.signed.role] = seq;
        c.archived = change.signed.archived;
      }
    }
    if (change.cancelled) this.cancelled.set(change.cancelled.meetingId, change.cancelled);
    if (change.acknowledged !== undefined) {
      const row = this.reports.get(change.acknowledged);
      if (row) row.acknowledgedSeq = seq;
    }
    if (change.interference) {
      this.interference.set(change.interference.interferenceId, change.interference);
    }
    for (const view of change.objections ?? []) this.objections.set(view.objectionId, view);
    for (const r of change.rulings ?? []) {
      const row = this.objections.get(r.objectionId);
      if (row) row.ruling = { seq, decision: String(r.decision) };
    }
  }
}
