import {
  own,
  type Body,
  type Item,
  type Meeting,
  type MeetingRecord,
  type Objection,
  type Principal,
  type State,
} from '@yishi/procedure';
import type {
  BodyView,
  ItemSummary,
  MeetingSummary,
  ObjectionView,
  PrincipalView,
} from '@yishi/schema';

export function principalView(p: Principal): PrincipalView {
  return {
    principalId: p.id,
    name: p.name,
    role: p.role,
    bodyId: p.bodyId,
    votes: p.votes,
    suspended: p.suspended,
    active: p.active,
    keys: [...p.keys],
    auditorOf: [...p.auditorOf],
    registeredSeq: p.registeredSeq,
  };
}

export function bodyView(state: State, b: Body): BodyView {
  const members: BodyView['members'] = [];
  for (const id of b.members) {
    const p = own(state.principals, id);
    if (!p) continue;
    members.push({
      principalId: p.id,
      name: p.name,
      role: p.role,
      votes: p.votes,
      suspended: p.suspended,
    });
  }
  return {
    bodyId: b.id,
    name: b.name,
    chairId: b.chairId,
    createdSeq: b.createdSeq,
    rulebookVersion: b.rulebookVersion,
    rulebook: structuredClone(b.rulebook),
    members,
  };
}

export function itemSummary(item: Item): ItemSummary {
  return {
    itemId: item.id,
    category: item.category,
    title: item.title,
    state: item.state,
    submitterId: item.submitterId,
    materialsDigest: item.materialsDigest,
    previousItemId: item.previousItemId,
    urgent: item.urgent !== null,
    outcome: item.outcome
      ? { result: item.outcome.result, rule: item.outcome.rule, basis: item.outcome.basis }
      : null,
  };
}

/** The summary of a live meeting (scheduled, open, or closed and not yet signed by both). */
export function meetingSummary(state: State, m: Meeting): MeetingSummary {
  const items: ItemSummary[] = [];
  for (const id of m.items) {
    const item = own(state.items, id);
    if (item) items.push(itemSummary(item));
  }
  return {
    meetingId: m.id,
    bodyId: m.bodyId,
    kind: m.kind,
    title: m.title,
    state: m.state,
    scheduledStart: m.scheduledStart,
    openedAt: m.openedAt,
    closedAt: m.closedAt,
    denominator: m.denominator,
    present: Object.keys(m.present),
    current: m.current,
    minutes: m.minutes ? { ...m.minutes } : null,
    recordDigest: m.recordDigest,
    items,
  };
}

/** The summary of an archived meeting, from the record fixed when it closed. */
export function summaryFromRecord(record: MeetingRecord, recordDigest: string): MeetingSummary {
  return {
    meetingId: record.meeting.id,
    bodyId: record.body.id,
    kind: record.meeting.kind,
    title: record.meeting.title,
    state: 'archived',
    scheduledStart: record.meeting.scheduledStart,
    openedAt: record.meeting.openedAt,
    closedAt: record.meeting.closedAt,
    denominator: record.attendance.denominator,
    present: [],
    current: null,
    minutes: record.minutes ? { ...record.minutes } : null,
    recordDigest,
    items: record.items.map((i) => ({
      itemId: i.itemId,
      category: i.category,
      title: i.title,
      state: i.outcome?.result ?? 'withdrawn',
      submitterId: i.submitter.principalId,
      materialsDigest: i.materialsDigest,
      previousItemId: i.previousItemId,
      urgent: i.urgent !== null,
      outcome: i.outcome
        ? { result: i.outcome.result, rule: i.outcome.rule, basis: i.outcome.basis }
        : null,
    })),
  };
}

export function objectionView(o: Objection): ObjectionView {
  return {
    objectionId: o.id,
    bodyId: o.bodyId,
    meetingId: o.meetingId,
    itemId: o.itemId,
    raisedBy: o.raisedBy,
    rule: o.rule,
    text: o.text,
    seq: o.seq,
    state: o.state,
    answer: o.answer ? { ...o.answer } : null,
    escalation: o.escalation ? { ...o.escalation } : null,
    ruling: o.ruling ? { ...o.ruling } : null,
  };
}
