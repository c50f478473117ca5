/**
 * What the page and its worker say to each other, and the result of one audit run. Everything
 * here is structured-cloneable (plain data): it crosses `postMessage`.
 */
import type { LedgerReport, ReadableReport } from '@yishi/verify';

/** Page → worker: audit this export. */
export interface AuditRequest {
  file: Blob;
  /** The log's verifier key (C2SP vkey text) the auditor trusts. */
  vkey?: string;
  /** A witness policy (C2SP tlog-policy text). */
  policy?: string;
  /** A checkpoint note saved on an earlier visit: the export must be consistent with it. */
  savedCheckpoint?: string;
}

/** Worker → page. */
export type WorkerMessage =
  | { kind: 'progress'; bytes: number; total: number; entries: number }
  | { kind: 'done'; result: AuditResult }
  | { kind: 'error'; message: string };

/** One position taken against an item, or a vote against it (P8 dissent). */
export interface Dissent {
  name: string;
  /** `disagree`, `defer` (statements) or `against`, `abstain` (votes). */
  position: string;
  reason: string | null;
}

/** An item as the replayed rules left it. */
export interface ItemView {
  id: string;
  title: string;
  category: string;
  state: string;
  outcome: {
    result: string;
    rule: string;
    basis: string;
    counts: { for: number; against: number; abstain: number; denominator: number } | null;
  } | null;
  statements: { agree: number; disagree: number; defer: number };
  dissent: Dissent[];
}

/** A meeting and its items. */
export interface MeetingView {
  id: string;
  title: string;
  kind: string;
  start: number;
  state: string;
  items: ItemView[];
}

/** A body's meetings in the order they were scheduled. */
export interface BodyView {
  id: string;
  name: string;
  meetings: MeetingView[];
}

/** The checks the page shows, in the order the verifier runs them. */
export const CHECK_IDS = [
  'format',
  'chain',
  'signatures',
  'genesis',
  'checkpoints',
  'quorum',
  'saved',
  'rules',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

/** One check's verdict; `skip` when it did not run (or could not be completed). */
export interface CheckResult {
  id: CheckId;
  status: 'pass' | 'fail' | 'skip';
  /** The entry a per-entry check stopped at, when another check failed first. */
  stoppedAt?: number;
}

/** The outcome of one audit run. */
export interface AuditResult {
  ok: boolean;
  verification: LedgerReport;
  /** Checkpoints in the export (the verification also counts a saved one given). */
  exportCheckpoints: number;
  replayed: number;
  /**
   * The findings worded by @yishi/verify's report builder, as `yishi audit` prints them, in both
   * languages (the page switches language without running the audit again).
   */
  readable: { en: ReadableReport; zh: ReadableReport };
  /** Entries present only as their position and leaf hash (scoped exports), when reported. */
  redactedEntries: number | null;
  checks: CheckResult[];
  timeline: BodyView[];
  /** The signed note of the latest checkpoint that verified: what "save" downloads. */
  latestCheckpointNote: string | null;
  /** The saved checkpoint the auditor gave, by size, when one was given and parsed. */
  savedCheckpointSize: number | null;
  /** Bodies the export's header says it covers (scoped exports; informative only). */
  scopeBodies: string[] | null;
  elapsedMs: number;
}
