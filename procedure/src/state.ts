/**
 * The engine's state: everything the rules P1–P16 need to decide the next command, and nothing
 * more. Live meetings keep their full detail until the record is signed by the recorder and the
 * chair (P16); then they are archived to one small line. What later rules need from history is
 * kept compactly: the key registry, cadre attempt counts (P11), adopted decisions (P12), deferred
 * items awaiting return (P10), escalations and objections awaiting a ruling, unacknowledged
 * reports (P13), minutes numbering (P16). The state is plain JSON-like data (no class instances,
 * no Maps) so it can be cloned, compared and measured.
 */
import type {
  Candidate,
  Category,
  Material,
  MeetingKind,
  Position,
  Role,
  VoteChoice,
  VoteMethod,
} from '@yishi/schema';
import type { RuleId } from './error.js';
import type { Rulebook } from './rulebook.js';

/** Roles held inside a body. */
export type BodyRole = 'chair' | 'member' | 'recorder' | 'discipline' | 'attendee';

/** A registered principal. */
export interface Principal {
  id: string;
  name: string;
  role: Role;
  /** The body of a body role; null for admin and auditor. */
  bodyId: string | null;
  /** Whether the principal is a voting member (chair, member, voting discipline). */
  votes: boolean;
  suspended: boolean;
  /** False once the membership ended. */
  active: boolean;
  /** Keys valid now (revoked keys stay in the registry only). */
  keys: string[];
  /** Bodies an auditor is appointed to. */
  auditorOf: string[];
  registeredSeq: number;
  /**
   * Periods in which the principal's key was one an admin set (issue 13): from the reset entry
   * until the principal confirmed it with its previous key (`untilSeq`, null while open).
   * Absent until the first reset.
   */
  keyResets?: KeyReset[];
}

/** A key reset by an admin: what the principal signs meanwhile is flagged. */
export interface KeyReset {
  /** The admin who set the key. */
  by: string;
  fromSeq: number;
  untilSeq: number | null;
  /** The principal's own keys the reset replaced: one of them confirms the new key. */
  previousKeys: string[];
}

/** A public key's registration and revocation positions on the ledger. */
export interface KeyRecord {
  principalId: string;
  addedSeq: number;
  revokedSeq: number | null;
}

/** A body (领导班子). */
export interface Body {
  id: string;
  name: string;
  createdSeq: number;
  chairId: string | null;
  /** Active principals of the body, in registration order. */
  members: string[];
  rulebook: Rulebook;
  rulebookVersion: number;
  rulebookSeq: number;
  /** Minutes numbering per year (China Standard Time). */
  minutesCounters: Record<string, number>;
}

/** A body principal as the meeting saw it when it opened. */
export interface RosterEntry {
  name: string;
  role: BodyRole;
  /** A voting member counted in the denominator and free to take part. */
  voting: boolean;
  /** Counted in the denominator (应到会). */
  counted: boolean;
  suspended: boolean;
}

/** One attendance event, in ledger order. */
export interface AttendanceEvent {
  seq: number;
  time: number;
  principalId: string;
  event: 'present' | 'absent' | 'attendee' | 'arrive' | 'depart';
  reason: string | null;
}

/** A signature on the record digest. */
export interface RecordSignature {
  principalId: string;
  seq: number;
}

/** A meeting, live from scheduling until its record is signed. */
export interface Meeting {
  id: string;
  bodyId: string;
  kind: MeetingKind;
  title: string;
  scheduledStart: number;
  scheduledSeq: number;
  scheduledBy: string;
  rulebook: Rulebook;
  rulebookVersion: number;
  state: 'scheduled' | 'open' | 'closed';
  openedSeq: number | null;
  openedAt: number | null;
  closedSeq: number | null;
  closedAt: number | null;
  /** Body principals at opening (empty while scheduled). */
  roster: Record<string, RosterEntry>;
  /** The denominator (应到会) at opening. */
  denominator: number;
  /** Who is in the room now. */
  present: Record<string, true>;
  attendance: AttendanceEvent[];
  /** Items in submission order. */
  items: string[];
  /** Reconsideration motions in order. */
  motions: string[];
  objections: string[];
  /** The item in deliberation or voting, or the motion being voted. */
  current: string | null;
  minutes: { year: number; number: number } | null;
  recordDigest: string | null;
  signatures: { recorder: RecordSignature | null; chair: RecordSignature | null };
}

/** Item states (P3, P7–P10). */
export type ItemState =
  | 'submitted'
  | 'on_agenda'
  | 'deliberation'
  | 'voting'
  | 'adopted'
  | 'rejected'
  | 'deferred'
  | 'withdrawn';

/** A recusal (P6). */
export interface Recusal {
  principalId: string;
  recordedBy: string;
  reason: string;
  seq: number;
}

/** An absent member's written opinion (P5): shown in the record, never counted. */
export interface Opinion {
  principalId: string;
  position: Position | null;
  text: string;
  seq: number;
}

/** A statement (P7). `position` is null for a non-voting attendee's remarks. */
export interface Statement {
  principalId: string;
  position: Position | null;
  reasons: string | null;
  voting: boolean;
  seq: number;
}

/** A signed roll-call or show-of-hands vote. */
export interface Ballot {
  principalId: string;
  choice: VoteChoice;
  reason: string | null;
  seq: number;
}

/** A secret-ballot receipt: who voted, not how. */
export interface Receipt {
  principalId: string;
  receipt: string;
  seq: number;
}

/** A scrutineer's signed counts. */
export interface TallySignature {
  principalId: string;
  for: number;
  against: number;
  abstain: number;
  seq: number;
}

/** The vote on an item (P9). */
export interface Vote {
  method: VoteMethod;
  openedSeq: number;
  /** The item's denominator (P4, P6). */
  denominator: number;
  /** Present non-recused voting members when the vote opened. */
  eligibleAtOpen: number;
  /** P8 on statements would have deferred the item (it went to the vote as urgent). */
  statementsWouldDefer: boolean;
  scrutineers: string[];
  ballots: Ballot[];
  receipts: Receipt[];
  tallies: TallySignature[];
}

/** Vote counts behind an outcome. */
export interface Counts {
  for: number;
  against: number;
  abstain: number;
  cast: number;
  denominator: number;
}

/** How an item ended, and the rule that decided it. */
export interface Outcome {
  result: 'adopted' | 'rejected' | 'deferred' | 'withdrawn';
  rule: RuleId;
  /** Why: `vote`, `close_vote`, `statements`, `defer_accepted`, `quorum_lost`, `not_concluded`, `withdrawn`, `meeting_cancelled`. */
  basis: string;
  seq: number;
  counts: Counts | null;
  /** The item was marked urgent and decided by majority (P8 exception; reported by P13). */
  urgentOverride: boolean;
  /** P8 would have deferred the item had it not been urgent. */
  overrodeDeferral: boolean;
}

/** An agenda item. */
export interface Item {
  id: string;
  meetingId: string;
  bodyId: string;
  submittedSeq: number;
  submittedAt: number;
  submitterId: string;
  category: Category;
  title: string;
  materials: Material[];
  amount: number | null;
  candidate: Candidate | null;
  post: string | null;
  /** SHA-256 over the proposal (category, title, amount, candidate, post, materials). */
  materialsDigest: string;
  previousItemId: string | null;
  adhoc: boolean;
  state: ItemState;
  deliberationSeq: number | null;
  recusals: Recusal[];
  opinions: Opinion[];
  statements: Statement[];
  /** True once the chair stated: no more positions (P7). */
  chairStated: boolean;
  urgent: { justification: string; seq: number } | null;
  deferAccepted: { statementBy: string; reason: string; seq: number } | null;
  vote: Vote | null;
  outcome: Outcome | null;
  withdrawal: { by: string; reason: string; seq: number } | null;
}

/** A reconsideration motion (P12). */
export interface Motion {
  id: string;
  meetingId: string;
  bodyId: string;
  itemId: string;
  itemTitle: string;
  category: Category;
  proposerId: string;
  reason: string;
  openedSeq: number;
  denominator: number;
  ballots: Ballot[];
  outcome: {
    result: 'reopened' | 'not_reopened';
    rule: RuleId;
    basis: string;
    seq: number;
    counts: Counts;
  } | null;
}

/** A deferred (or reopened, or returned) item awaiting return at a later meeting (P10). */
export interface Returnable {
  itemId: string;
  bodyId: string;
  meetingId: string;
  meetingStart: number;
  category: Category;
  title: string;
  candidate: Candidate | null;
  post: string | null;
  reason: 'deferred' | 'reopened' | 'returned';
  sinceSeq: number;
  expiresAt: number;
}

/** A deferred item escalated to the higher level, awaiting a ruling (P10). */
export interface Escalation {
  item: Returnable;
  reason: string;
  seq: number;
  reportId: string;
}

/** An objection (P14). */
export interface Objection {
  id: string;
  bodyId: string;
  meetingId: string;
  itemId: string | null;
  raisedBy: string;
  rule: RuleId;
  text: string;
  seq: number;
  state: 'open' | 'corrected' | 'rejected' | 'escalated';
  answer: { by: string; answer: 'corrected' | 'rejected'; reasons: string; seq: number } | null;
  escalation: {
    seq: number;
    reportId: string;
    why: 'rejected' | 'unanswered_at_close' | 'raised_after_close';
  } | null;
  ruling: { seq: number; decision: string } | null;
}

/** An adopted decision that may still be reconsidered (P12). */
export interface Adopted {
  bodyId: string;
  meetingId: string;
  meetingStart: number;
  category: Category;
  title: string;
  candidate: Candidate | null;
  post: string | null;
  seq: number;
}

/** Cadre attempts for one candidate and post in one body (P11). */
export interface CadreAttempts {
  failures: number;
  lastRejectedMeetingId: string | null;
  pendingItemId: string | null;
  /** The rejected attempts' item ids, oldest first: what `item.resubmit` links a renomination to. */
  rejectedItemIds: string[];
}

/** A report addressed upward, awaiting acknowledgement (P13). */
export interface PendingReport {
  kind: ReportKind;
  addressee: Addressee;
  bodyId: string;
  seq: number;
}

/** P13 report kinds. */
export type ReportKind =
  | 'adopted_major_matter'
  | 'urgent_override'
  | 'escalation'
  | 'objection'
  | 'interference'
  | 'key_reset';

/** Who a report is addressed to. */
export type Addressee = 'higher_level_organisation' | 'higher_level_discipline_commission';

/** A meeting whose record was signed: what errata and numbering still need. */
export interface Archived {
  bodyId: string;
  minutes: string;
  recordDigest: string;
}

/** The whole state. */
export interface State {
  v: 1;
  /** Seq of the last applied entry; -1 before genesis. */
  seq: number;
  /** Time of the last applied entry. */
  time: number;
  /**
   * What the genesis declared; `protocol` is set only for ledgers begun under protocol v2 (absent:
   * v1, whose history holds commands that name no ledger).
   */
  ledger: { ledgerId: string; origin: string; logPublicKey: string; protocol?: 2 } | null;
  keys: Record<string, KeyRecord>;
  principals: Record<string, Principal>;
  bodies: Record<string, Body>;
  meetings: Record<string, Meeting>;
  items: Record<string, Item>;
  motions: Record<string, Motion>;
  objections: Record<string, Objection>;
  returnable: Record<string, Returnable>;
  /** Returnable item ids ordered by expiry: `[expiresAt, itemId]`. */
  expiryQueue: Array<[number, string]>;
  escalated: Record<string, Escalation>;
  adopted: Record<string, Adopted>;
  cadre: Record<string, CadreAttempts>;
  reports: Record<string, PendingReport>;
  archive: Record<string, Archived>;
}

/** The empty state, before entry 0. */
export function initialState(): State {
  return {
    v: 1,
    seq: -1,
    time: 0,
    ledger: null,
    keys: {},
    principals: {},
    bodies: {},
    meetings: {},
    items: {},
    motions: {},
    objections: {},
    returnable: {},
    expiryQueue: [],
    escalated: {},
    adopted: {},
    cadre: {},
    reports: {},
    archive: {},
  };
}
