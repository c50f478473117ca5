import {
  buildRecord,
  recordDigest,
  type Derived,
  type MeetingRecord,
  type Report,
  type State,
} from '@yishi/procedure';
import type { InterferenceView, MeetingSummary, ObjectionView, SignedCommand } from '@yishi/schema';
import { meetingSummary, objectionView } from './views.js';

const own = <T>(rec: Record<string, T>, key: string): T | undefined =>
  Object.hasOwn(rec, key) ? rec[key] : undefined;

/** A closed meeting's record as it was when the meeting closed: the one whose digest is signed. */
export interface ClosedMeeting {
  meetingId: string;
  bodyId: string;
  record: MeetingRecord;
  recordDigest: string;
  signatures: { recorder: number | null; chair: number | null };
  archived: boolean;
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

/**
 * Read models the engine's state does not keep: the engine drops archived meetings, acknowledged
 * reports and settled objections, and keeps interference records only as reports. Each is a pure
 * function of the ledger, rebuilt by the same replay as the state and advanced with it, entry by
 * entry; nothing here is written anywhere.
 */
export class Projections {
  readonly closed = new Map<string, ClosedMeeting>();
  readonly cancelled = new Map<string, MeetingSummary>();
  readonly reports = new Map<string, ReportRow>();
  readonly interference = new Map<string, InterferenceView>();
  readonly objections = new Map<string, ObjectionView>();

  /** Call before deciding `command`: keeps what an accepted command would drop. */
  before(state: State, command: SignedCommand): Captured {
    const p = command.payload as Record<string, unknown>;
    if (p['type'] === 'meeting.cancel' && typeof p['meetingId'] === 'string') {
      const m = own(state.meetings, p['meetingId']);
      if (m) return { cancelled: meetingSummary(state, m) };
    }
    return undefined;
  }

  /** Call after the engine accepted `entry` (`state` is the state after it). */
  after(state: State, entry: AppliedEntry, captured: Captured): void {
    const { derived, seq } = entry;
    const type = (entry.command.payload as { type: string }).type;
    const reports = Array.isArray(derived['reports']) ? (derived['reports'] as Report[]) : [];
    for (const report of reports) {
      this.reports.set(report.reportId, { report, seq, time: entry.time, acknowledgedSeq: null });
    }
    switch (type) {
      case 'meeting.close': {
        const meetingId = derived['meetingId'] as string;
        const record = buildRecord(state, meetingId);
        const digest = recordDigest(record);
        if (digest !== derived['recordDigest']) {
          throw new Error(`the record of ${meetingId} rebuilt at close does not match its digest`);
        }
        this.closed.set(meetingId, {
          meetingId,
          bodyId: record.body.id,
          record,
          recordDigest: digest,
          signatures: { recorder: null, chair: null },
          archived: false,
        });
        break;
      }
      case 'record.sign': {
        const c = this.closed.get(derived['meetingId'] as string);
        if (c) {
          c.signatures[derived['role'] as 'recorder' | 'chair'] = seq;
          c.archived = derived['archived'] === true;
        }
        break;
      }
      case 'meeting.cancel':
        if (captured) {
          this.cancelled.set(captured.cancelled.meetingId, {
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
          });
        }
        break;
      case 'report.acknowledge': {
        const row = this.reports.get(derived['reportId'] as string);
        if (row) row.acknowledgedSeq = seq;
        break;
      }
      case 'interference.record': {
        const report = reports[0];
        const id = derived['interferenceId'] as string;
        if (report) {
          this.interference.set(id, {
            interferenceId: id,
            bodyId: report.bodyId,
            seq,
            time: entry.time,
            recordedBy: String(report.subject['recordedBy']),
            reportId: report.reportId,
            deliverTo: strings(derived['deliverTo']),
            subject: report.subject,
          });
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
      if (o) this.objections.set(id, objectionView(o));
      else if (type === 'ruling.register') {
        const row = this.objections.get(id);
        if (row) row.ruling = { seq, decision: derived['decision'] };
      }
    }
  }
}
