/**
 * The timeline per body (meetings → items → outcomes, counts and dissent), read from the rules'
 * replayed state as the audit goes. The state prunes a meeting once its record is signed (P16),
 * so each meeting and item is copied into the timeline every time an entry touches it: the last
 * copy before pruning is the final one.
 */
import type { Item, Meeting, State } from '@yishi/procedure';
import type { BodyView, Dissent, ItemView, MeetingView } from './protocol.js';

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The ids an entry touches: from its command and from what the rules derived. */
export function idsOf(entry: {
  command: { payload: Record<string, unknown> };
  derived?: unknown;
}): { itemId: string | null; meetingId: string | null; bodyId: string | null } {
  const p = entry.command.payload;
  const d = (
    typeof entry.derived === 'object' && entry.derived !== null ? entry.derived : {}
  ) as Record<string, unknown>;
  return {
    itemId: str(p['itemId']) ?? str(d['itemId']),
    meetingId: str(p['meetingId']) ?? str(d['meetingId']),
    bodyId: str(p['bodyId']) ?? str(d['bodyId']),
  };
}

/** Collects the timeline from the state after each entry. */
export class TimelineCollector {
  private readonly bodies = new Map<string, { name: string; meetings: string[] }>();
  private readonly meetings = new Map<string, MeetingView & { bodyId: string }>();
  private readonly items = new Map<string, ItemView & { meetingId: string }>();

  /** Called after an entry was replayed, with the ids it touched. */
  observe(
    state: Readonly<State>,
    ids: { itemId: string | null; meetingId: string | null; bodyId: string | null }
  ): void {
    const item = ids.itemId !== null ? own(state.items, ids.itemId) : undefined;
    const meetingId = item?.meetingId ?? ids.meetingId;
    const meeting = meetingId !== null ? own(state.meetings, meetingId) : undefined;
    if (meeting) this.copyMeeting(state, meeting);
    if (item) this.copyItem(state, item);
    if (ids.bodyId !== null) {
      const body = own(state.bodies, ids.bodyId);
      if (body) this.body(body.id, body.name);
    }
  }

  /** The timeline: bodies in the order first seen, meetings by scheduled start. */
  result(): BodyView[] {
    const out: BodyView[] = [];
    for (const [id, body] of this.bodies) {
      const meetings: MeetingView[] = [];
      for (const mid of body.meetings) {
        const m = this.meetings.get(mid);
        if (!m) continue;
        const { bodyId: _b, ...view } = m;
        meetings.push({
          ...view,
          items: view.items.map((i) => {
            const { meetingId: _m, ...iv } = this.items.get(i.id) ?? { ...i, meetingId: '' };
            return iv;
          }),
        });
      }
      meetings.sort((a, b) => a.start - b.start);
      out.push({ id, name: body.name, meetings });
    }
    return out;
  }

  private body(id: string, name: string): { name: string; meetings: string[] } {
    let b = this.bodies.get(id);
    if (!b) {
      b = { name, meetings: [] };
      this.bodies.set(id, b);
    }
    return b;
  }

  private copyMeeting(state: Readonly<State>, m: Meeting): void {
    const known = this.meetings.get(m.id);
    const body = this.body(m.bodyId, own(state.bodies, m.bodyId)?.name ?? m.bodyId);
    if (!known) body.meetings.push(m.id);
    this.meetings.set(m.id, {
      id: m.id,
      bodyId: m.bodyId,
      title: m.title,
      kind: m.kind,
      start: m.scheduledStart,
      state: m.state,
      items: m.items.map((id) => ({
        id,
        title: own(state.items, id)?.title ?? id,
        category: '',
        state: '',
        outcome: null,
        statements: { agree: 0, disagree: 0, defer: 0 },
        dissent: [],
      })),
    });
  }

  private copyItem(state: Readonly<State>, item: Item): void {
    const name = (id: string) => own(state.principals, id)?.name ?? id;
    const statements = { agree: 0, disagree: 0, defer: 0 };
    const dissent: Dissent[] = [];
    for (const s of item.statements) {
      if (!s.voting) continue;
      if (s.position === 'agree') statements.agree++;
      else if (s.position === 'disagree') statements.disagree++;
      else if (s.position === 'defer') statements.defer++;
      if (s.position === 'disagree' || s.position === 'defer') {
        dissent.push({ name: name(s.principalId), position: s.position, reason: s.reasons });
      }
    }
    for (const b of item.vote?.ballots ?? []) {
      if (b.choice === 'against' || b.choice === 'abstain') {
        dissent.push({ name: name(b.principalId), position: b.choice, reason: b.reason });
      }
    }
    const o = item.outcome;
    this.items.set(item.id, {
      id: item.id,
      meetingId: item.meetingId,
      title: item.title,
      category: item.category,
      state: item.state,
      outcome: o && {
        result: o.result,
        rule: o.rule,
        basis: o.basis,
        counts: o.counts && {
          for: o.counts.for,
          against: o.counts.against,
          abstain: o.counts.abstain,
          denominator: o.counts.denominator,
        },
      },
      statements,
      dissent,
    });
  }
}

function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
