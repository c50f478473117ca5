/**
 * P16 the record (会议记录) as a pure function of the state: attendance, each item with its
 * materials' digests, every statement in order with reasons, absent members' written opinions,
 * every vote per member (or the scrutineers' tally), recusals, objections, the outcome and the
 * rule that decided it, dissent verbatim. Its digest (SHA-256 of its RFC 8785 canonical JSON) is
 * fixed when the meeting closes and signed by the recorder and the chair.
 */
import type {
  Candidate,
  Category,
  Material,
  MeetingKind,
  Position,
  VoteChoice,
  VoteMethod,
} from '@yishi/schema';
import { own } from './context.js';
import { jsonDigest } from './digest.js';
import { isDissent } from './dissent.js';
import type { RuleId } from './error.js';
import type { Rulebook } from './rulebook.js';
import type {
  BodyRole,
  Counts,
  Item,
  Meeting,
  Motion,
  Objection,
  Outcome,
  State,
} from './state.js';

/** A person as the record names them. */
export interface PersonRef {
  principalId: string;
  name: string;
  role: BodyRole | null;
}

/** One dissenting statement, vote or opinion, verbatim. */
export interface Dissent {
  principalId: string;
  name: string;
  kind: 'statement' | 'vote' | 'opinion';
  stance: Position | VoteChoice;
  text: string | null;
  seq: number;
}

/** An item as the record shows it. */
export interface ItemRecord {
  itemId: string;
  seq: number;
  category: Category;
  title: string;
  submitter: PersonRef;
  adhoc: boolean;
  previousItemId: string | null;
  materials: Material[];
  materialsDigest: string;
  amount: number | null;
  candidate: Candidate | null;
  post: string | null;
  recusals: Array<PersonRef & { reason: string; recordedBy: string; seq: number }>;
  opinions: Array<PersonRef & { position: Position | null; text: string; seq: number }>;
  statements: Array<
    PersonRef & {
      order: number;
      position: Position | null;
      reasons: string | null;
      voting: boolean;
      seq: number;
    }
  >;
  urgent: { justification: string; seq: number } | null;
  deferAccepted: { statementBy: string; reason: string; seq: number } | null;
  vote: {
    method: VoteMethod;
    denominator: number;
    eligibleAtOpen: number;
    ballots: Array<PersonRef & { choice: VoteChoice; reason: string | null; seq: number }> | null;
    receipts: Array<PersonRef & { seq: number }> | null;
    scrutineers: PersonRef[];
    tally: { for: number; against: number; abstain: number; signedBy: string[] } | null;
  } | null;
  outcome: {
    result: Outcome['result'];
    rule: RuleId;
    basis: string;
    counts: Counts | null;
    urgentOverride: boolean;
    overrodeDeferral: boolean;
    seq: number;
  } | null;
  withdrawal: { by: string; reason: string; seq: number } | null;
  dissent: Dissent[];
}

/** A reconsideration motion as the record shows it. */
export interface MotionRecord {
  motionId: string;
  itemId: string;
  itemTitle: string;
  proposer: PersonRef;
  reason: string;
  ballots: Array<PersonRef & { choice: VoteChoice; reason: string | null; seq: number }>;
  outcome: {
    result: NonNullable<Motion['outcome']>['result'];
    rule: RuleId;
    basis: string;
    counts: Counts;
  } | null;
}

/** An objection as the record shows it. */
export interface ObjectionRecord {
  objectionId: string;
  itemId: string | null;
  raisedBy: PersonRef;
  rule: RuleId;
  text: string;
  seq: number;
  state: Objection['state'];
  answer: { answer: 'corrected' | 'rejected'; reasons: string; seq: number } | null;
  escalation: {
    why: NonNullable<Objection['escalation']>['why'];
    reportId: string;
    seq: number;
  } | null;
}

/** The record of one meeting (会议记录). */
export interface MeetingRecord {
  v: 1;
  ledgerId: string | null;
  body: { id: string; name: string };
  meeting: {
    id: string;
    title: string;
    kind: MeetingKind;
    state: Meeting['state'];
    scheduledStart: number;
    openedAt: number | null;
    closedAt: number | null;
    openedSeq: number | null;
    closedSeq: number | null;
    rulebookVersion: number;
  };
  minutes: { year: number; number: number } | null;
  rulebook: Rulebook;
  attendance: {
    denominator: number;
    present: PersonRef[];
    absent: Array<PersonRef & { reason: string }>;
    attendees: PersonRef[];
    changes: Array<
      PersonRef & { event: 'arrive' | 'depart'; time: number; seq: number; reason: string | null }
    >;
  };
  items: ItemRecord[];
  motions: MotionRecord[];
  /** Present only when a signature in it was made with a key an admin set (issue 13). */
  keySetByAdmin?: KeyResetMark[];
  objections: ObjectionRecord[];
}

function person(state: State, m: Meeting, id: string): PersonRef {
  const r = own(m.roster, id);
  const p = own(state.principals, id);
  const role =
    r?.role ?? (p && p.role !== 'admin' && p.role !== 'auditor' ? (p.role as BodyRole) : null);
  return { principalId: id, name: r?.name ?? p?.name ?? id, role };
}

function itemRecord(state: State, m: Meeting, item: Item): ItemRecord {
  const who = (id: string) => person(state, m, id);
  const dissent: Dissent[] = [];
  for (const s of item.statements) {
    if (s.voting && s.position !== null && isDissent(s.position)) {
      dissent.push({
        ...pick(who(s.principalId)),
        kind: 'statement',
        stance: s.position,
        text: s.reasons,
        seq: s.seq,
      });
    }
  }
  const v = item.vote;
  const secret = v?.method === 'secret';
  if (v && !secret) {
    for (const b of v.ballots) {
      if (b.choice !== 'for') {
        dissent.push({
          ...pick(who(b.principalId)),
          kind: 'vote',
          stance: b.choice,
          text: b.reason,
          seq: b.seq,
        });
      }
    }
  }
  for (const o of item.opinions) {
    if (o.position !== null && isDissent(o.position)) {
      dissent.push({
        ...pick(who(o.principalId)),
        kind: 'opinion',
        stance: o.position,
        text: o.text,
        seq: o.seq,
      });
    }
  }
  const t = v?.tallies[0];
  return {
    itemId: item.id,
    seq: item.submittedSeq,
    category: item.category,
    title: item.title,
    submitter: who(item.submitterId),
    adhoc: item.adhoc,
    previousItemId: item.previousItemId,
    materials: item.materials.map((x) => ({ title: x.title, sha256: x.sha256 })),
    materialsDigest: item.materialsDigest,
    amount: item.amount,
    candidate: item.candidate ? { ...item.candidate } : null,
    post: item.post,
    recusals: item.recusals.map((r) => ({
      ...who(r.principalId),
      reason: r.reason,
      recordedBy: r.recordedBy,
      seq: r.seq,
    })),
    opinions: item.opinions.map((o) => ({
      ...who(o.principalId),
      position: o.position,
      text: o.text,
      seq: o.seq,
    })),
    statements: item.statements.map((s, i) => ({
      ...who(s.principalId),
      order: i + 1,
      position: s.position,
      reasons: s.reasons,
      voting: s.voting,
      seq: s.seq,
    })),
    urgent: item.urgent ? { ...item.urgent } : null,
    deferAccepted: item.deferAccepted ? { ...item.deferAccepted } : null,
    vote: v
      ? {
          method: v.method,
          denominator: v.denominator,
          eligibleAtOpen: v.eligibleAtOpen,
          ballots: secret
            ? null
            : v.ballots.map((b) => ({
                ...who(b.principalId),
                choice: b.choice,
                reason: b.reason,
                seq: b.seq,
              })),
          receipts: secret ? v.receipts.map((r) => ({ ...who(r.principalId), seq: r.seq })) : null,
          scrutineers: v.scrutineers.map(who),
          tally: t
            ? {
                for: t.for,
                against: t.against,
                abstain: t.abstain,
                signedBy: v.tallies.map((x) => x.principalId),
              }
            : null,
        }
      : null,
    outcome: item.outcome
      ? {
          result: item.outcome.result,
          rule: item.outcome.rule,
          basis: item.outcome.basis,
          counts: item.outcome.counts ? { ...item.outcome.counts } : null,
          urgentOverride: item.outcome.urgentOverride,
          overrodeDeferral: item.outcome.overrodeDeferral,
          seq: item.outcome.seq,
        }
      : null,
    withdrawal: item.withdrawal ? { ...item.withdrawal } : null,
    dissent,
  };
}

function pick(p: PersonRef): { principalId: string; name: string } {
  return { principalId: p.principalId, name: p.name };
}

function motionRecord(state: State, m: Meeting, x: Motion): MotionRecord {
  return {
    motionId: x.id,
    itemId: x.itemId,
    itemTitle: x.itemTitle,
    proposer: person(state, m, x.proposerId),
    reason: x.reason,
    ballots: x.ballots.map((b) => ({
      ...person(state, m, b.principalId),
      choice: b.choice,
      reason: b.reason,
      seq: b.seq,
    })),
    outcome: x.outcome
      ? {
          result: x.outcome.result,
          rule: x.outcome.rule,
          basis: x.outcome.basis,
          counts: { ...x.outcome.counts },
        }
      : null,
  };
}

/**
 * The record of live meeting `meetingId` (scheduled, open or closed; a meeting whose record both
 * signed is archived and no longer in the state — keep the record the service built at close).
 * @throws RangeError if the meeting is not in the state.
 */
export function buildRecord(state: State, meetingId: string): MeetingRecord {
  const m = own(state.meetings, meetingId);
  if (!m)
    throw new RangeError(`"meetingId" expected a live meeting, got ${JSON.stringify(meetingId)}`);
  const body = own(state.bodies, m.bodyId);
  const who = (id: string) => person(state, m, id);
  const present: PersonRef[] = [];
  const absent: Array<PersonRef & { reason: string }> = [];
  const attendees: PersonRef[] = [];
  const changes: MeetingRecord['attendance']['changes'] = [];
  for (const e of m.attendance) {
    if (e.event === 'present') present.push(who(e.principalId));
    else if (e.event === 'absent') absent.push({ ...who(e.principalId), reason: e.reason ?? '' });
    else if (e.event === 'attendee') attendees.push(who(e.principalId));
    else
      changes.push({
        ...who(e.principalId),
        event: e.event,
        time: e.time,
        seq: e.seq,
        reason: e.reason,
      });
  }
  const items: ItemRecord[] = [];
  for (const id of m.items) {
    const item = own(state.items, id);
    if (item) items.push(itemRecord(state, m, item));
  }
  const motions: MotionRecord[] = [];
  for (const id of m.motions) {
    const x = own(state.motions, id);
    if (x) motions.push(motionRecord(state, m, x));
  }
  const objections: ObjectionRecord[] = [];
  for (const id of m.objections) {
    const o = own(state.objections, id);
    if (!o) continue;
    objections.push({
      objectionId: o.id,
      itemId: o.itemId,
      raisedBy: who(o.raisedBy),
      rule: o.rule,
      text: o.text,
      seq: o.seq,
      state: o.state,
      answer: o.answer
        ? { answer: o.answer.answer, reasons: o.answer.reasons, seq: o.answer.seq }
        : null,
      escalation: o.escalation
        ? { why: o.escalation.why, reportId: o.escalation.reportId, seq: o.escalation.seq }
        : null,
    });
  }
  const record: MeetingRecord = {
    v: 1,
    ledgerId: state.ledger?.ledgerId ?? null,
    body: { id: m.bodyId, name: body?.name ?? m.bodyId },
    meeting: {
      id: m.id,
      title: m.title,
      kind: m.kind,
      state: m.state,
      scheduledStart: m.scheduledStart,
      openedAt: m.openedAt,
      closedAt: m.closedAt,
      openedSeq: m.openedSeq,
      closedSeq: m.closedSeq,
      rulebookVersion: m.rulebookVersion,
    },
    minutes: m.minutes ? { ...m.minutes } : null,
    rulebook: {
      ...m.rulebook,
      quorumFraction: { ...m.rulebook.quorumFraction },
      cadreQuorumFraction: { ...m.rulebook.cadreQuorumFraction },
      deferralFraction: { ...m.rulebook.deferralFraction },
      adoptionFraction: { ...m.rulebook.adoptionFraction },
      reconsiderationFraction: { ...m.rulebook.reconsiderationFraction },
    },
    attendance: { denominator: m.denominator, present, absent, attendees, changes },
    items,
    motions,
    objections,
  };
  const marks = markKeyResets(state, record);
  if (marks.length > 0) record.keySetByAdmin = marks;
  return record;
}

/** The admin's key reset in force for `principalId` at entry `seq`, if any (issue 13). */
function resetAt(state: State, principalId: string, seq: number) {
  const p = own(state.principals, principalId);
  return p?.keyResets?.find((r) => r.fromSeq < seq && (r.untilSeq === null || seq < r.untilSeq));
}

/**
 * Marks every statement, opinion, ballot and receipt signed with a key an admin set (and not yet
 * confirmed by the member when it was signed), and lists them. Records without any are unchanged.
 */
function markKeyResets(state: State, record: MeetingRecord): KeyResetMark[] {
  const marks: KeyResetMark[] = [];
  const mark = (kind: KeyResetMark['kind'], x: PersonRef & { seq: number }) => {
    const r = resetAt(state, x.principalId, x.seq);
    if (r === undefined) return;
    (x as { keySetByAdmin?: unknown }).keySetByAdmin = { by: r.by, resetSeq: r.fromSeq };
    marks.push({ principalId: x.principalId, name: x.name, kind, seq: x.seq, by: r.by });
  };
  for (const item of record.items) {
    for (const x of item.statements) mark('statement', x);
    for (const x of item.opinions) mark('opinion', x);
    for (const x of item.vote?.ballots ?? []) mark('vote', x);
    for (const x of item.vote?.receipts ?? []) mark('receipt', x);
  }
  for (const motion of record.motions) for (const x of motion.ballots) mark('vote', x);
  return marks.sort((a, b) => a.seq - b.seq);
}

/** A signature in the record made with a key an admin set (该签名使用的密钥由管理员重置). */
export interface KeyResetMark {
  principalId: string;
  name: string;
  kind: 'statement' | 'opinion' | 'vote' | 'receipt';
  seq: number;
  /** The admin who set the key. */
  by: string;
}

/** SHA-256 (hex) of the record's RFC 8785 canonical JSON: what the recorder and chair sign. */
export function recordDigest(record: MeetingRecord): string {
  return jsonDigest(record);
}
