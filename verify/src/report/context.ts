/**
 * What a person needs to place a ledger entry: its command type, who signed it (name and role, as
 * the replayed state knows them when the entry is applied), its body, meeting and item (titles).
 *
 * Trust boundary: entries are attacker-controlled. Every field read here is checked for its type;
 * a malformed entry yields a context with only its position. The names come from the ledger's own
 * registrations, so they say who the ledger claims signed, which is what an auditor must name.
 */
import type { State } from '@yishi/procedure';

/** A principal as a report names it. */
export interface PersonContext {
  id: string;
  name: string;
  /** `admin`, `auditor`, `chair`, `member`, `recorder`, `discipline` or `attendee`. */
  role: string;
}

/** An entry placed for a reader. */
export interface EntryContext {
  seq: number;
  /** The command type (`vote.cast`, …), when the entry has one. */
  type?: string;
  /** The principal whose key signed the command (its signature may still fail to verify). */
  signer?: PersonContext;
  body?: { id: string; name: string };
  meeting?: { id: string; title: string };
  item?: { id: string; title: string };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** `table[id]` only for an own, string key (entries may name `__proto__`). */
function own<T>(table: Record<string, T>, id: unknown): T | undefined {
  return typeof id === 'string' && Object.hasOwn(table, id) ? table[id] : undefined;
}

/**
 * The context of `entry` read from `state` as it stood just before the entry was applied, with
 * titles the entry itself introduces (a scheduled meeting's, a submitted item's) taken from its
 * payload. Cheap: a handful of look-ups, nothing kept.
 */
export function entryContext(state: State, entry: unknown, position: number): EntryContext {
  const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
  const seq = Number.isSafeInteger(e['seq']) ? (e['seq'] as number) : position;
  const context: EntryContext = { seq };
  const command = e['command'];
  if (typeof command !== 'object' || command === null) return context;
  const c = command as Record<string, unknown>;
  const payload = (
    typeof c['payload'] === 'object' && c['payload'] !== null ? c['payload'] : {}
  ) as Record<string, unknown>;
  const type = str(payload['type']);
  if (type !== undefined) context.type = type;
  const key = own(state.keys, c['publicKey']);
  const signer = key ? own(state.principals, key.principalId) : undefined;
  if (signer) context.signer = { id: signer.id, name: signer.name, role: signer.role };

  const item = own(state.items, payload['itemId']);
  const motion = own(state.motions, payload['motionId']);
  const objection = own(state.objections, payload['objectionId']);
  const meetingId =
    str(payload['meetingId']) ?? item?.meetingId ?? motion?.meetingId ?? objection?.meetingId;
  const meeting = own(state.meetings, meetingId);
  if (meeting) context.meeting = { id: meeting.id, title: meeting.title };
  else if (type === 'meeting.schedule' && str(payload['title']) !== undefined) {
    context.meeting = { id: '', title: str(payload['title']) as string };
  }
  if (item) context.item = { id: item.id, title: item.title };
  else if (motion) context.item = { id: motion.itemId, title: motion.itemTitle };
  else if ((type === 'item.submit' || type === 'item.resubmit') && str(payload['title'])) {
    context.item = { id: '', title: str(payload['title']) as string };
  }
  const bodyId =
    str(payload['bodyId']) ?? meeting?.bodyId ?? item?.bodyId ?? signer?.bodyId ?? undefined;
  const body = own(state.bodies, bodyId);
  if (body) context.body = { id: body.id, name: body.name };
  return context;
}

/** Keeps the contexts of the last few entries, to name the one a verifier blames late. */
export class RecentContexts {
  private readonly ring: (EntryContext | undefined)[];
  private next = 0;

  constructor(size = 4) {
    this.ring = new Array<EntryContext | undefined>(size);
  }

  push(context: EntryContext): void {
    this.ring[this.next++ % this.ring.length] = context;
  }

  find(seq: number): EntryContext | undefined {
    return this.ring.find((c) => c?.seq === seq);
  }
}
