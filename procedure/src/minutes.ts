/**
 * P16 the minutes (会议纪要): numbered per body per year, carrying the decisions and committing to
 * the record's digest. A pure function of the record, so minutes can be rebuilt from a record the
 * service kept after the meeting was archived.
 */
import type { Category, MeetingKind } from '@yishi/schema';
import type { RuleId } from './error.js';
import { recordDigest, type KeyResetMark, type MeetingRecord } from './record.js';
import type { Counts, Motion, Outcome } from './state.js';

/** One decision in the minutes. */
export interface MinutesDecision {
  itemId: string;
  title: string;
  category: Category;
  result: Outcome['result'];
  rule: RuleId;
  basis: string;
  counts: Counts | null;
  urgentOverride: boolean;
  previousItemId: string | null;
}

/** The minutes of one meeting (会议纪要). */
export interface Minutes {
  v: 1;
  /** Per body per year; null while the meeting has not closed. */
  number: { year: number; number: number } | null;
  body: { id: string; name: string };
  meeting: {
    id: string;
    title: string;
    kind: MeetingKind;
    openedAt: number | null;
    closedAt: number | null;
  };
  attendance: {
    denominator: number;
    present: number;
    absent: Array<{ name: string; reason: string }>;
    attendees: number;
  };
  decisions: MinutesDecision[];
  reconsiderations: Array<{
    motionId: string;
    itemId: string;
    itemTitle: string;
    result: NonNullable<Motion['outcome']>['result'] | null;
    rule: RuleId | null;
  }>;
  /**
   * Present only when a signature in the record was made with a key an admin set (issue 13):
   * each such statement, opinion, vote or receipt.
   */
  keySetByAdmin?: KeyResetMark[];
  /** SHA-256 of the record's canonical JSON. */
  recordDigest: string;
}

/** The minutes of the meeting whose record is `record`. */
export function buildMinutes(record: MeetingRecord): Minutes {
  return {
    v: 1,
    number: record.minutes ? { ...record.minutes } : null,
    body: { ...record.body },
    meeting: {
      id: record.meeting.id,
      title: record.meeting.title,
      kind: record.meeting.kind,
      openedAt: record.meeting.openedAt,
      closedAt: record.meeting.closedAt,
    },
    attendance: {
      denominator: record.attendance.denominator,
      present: record.attendance.present.length,
      absent: record.attendance.absent.map((a) => ({ name: a.name, reason: a.reason })),
      attendees: record.attendance.attendees.length,
    },
    decisions: record.items
      .filter((i) => i.outcome !== null)
      .map((i) => ({
        itemId: i.itemId,
        title: i.title,
        category: i.category,
        result: i.outcome?.result ?? 'withdrawn',
        rule: i.outcome?.rule ?? 'P9',
        basis: i.outcome?.basis ?? '',
        counts: i.outcome?.counts ? { ...i.outcome.counts } : null,
        urgentOverride: i.outcome?.urgentOverride ?? false,
        previousItemId: i.previousItemId,
      })),
    reconsiderations: record.motions.map((x) => ({
      motionId: x.motionId,
      itemId: x.itemId,
      itemTitle: x.itemTitle,
      result: x.outcome?.result ?? null,
      rule: x.outcome?.rule ?? null,
    })),
    ...(record.keySetByAdmin ? { keySetByAdmin: record.keySetByAdmin.map((x) => ({ ...x })) } : {}),
    recordDigest: recordDigest(record),
  };
}
