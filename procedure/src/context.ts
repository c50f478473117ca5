/**
 * What every command handler shares: the decision context, the split between validation and
 * effect (a handler returns a refusal, or an effect that mutates the state and returns the
 * derived JSON — nothing touches the state before every check passed), and the lookups that
 * resolve the signing key to a principal and check its role and body.
 *
 * Trust boundary: ids in payloads are attacker-controlled strings. Every lookup by such an id
 * goes through {@link own}, so `constructor` or `toString` never resolve to Object.prototype.
 */
import type { CommandType, CommandOf } from '@yishi/schema';
import { refuse, isRefusal, type Refusal, type RuleOf } from './error.js';
import type { BodyRole, Item, Meeting, Principal, RosterEntry, State } from './state.js';

/** JSON written to the entry beside the command: what the engine derived. */
export type Derived = Record<string, unknown>;

/** The context of one decision. */
export interface Ctx {
  state: State;
  seq: number;
  time: number;
  publicKey: string;
}

/** Applies a validated command: mutates the state and returns the derived JSON. */
export type Effect = () => Derived;

/** A command handler: validate fully, then return the effect (or a refusal). */
export type Handler<K extends CommandType> = (ctx: Ctx, p: CommandOf<K>) => Refusal | Effect;

/** Own property `key` of `rec`, never an inherited one. */
export function own<T>(rec: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(rec, key) ? rec[key] : undefined;
}

/** Re-export for handlers. */
export { refuse, isRefusal };

/** The principal who signed, if its key is valid now and the principal may act. */
export function actor(ctx: Ctx): Principal | Refusal {
  const key = own(ctx.state.keys, ctx.publicKey);
  if (!key) return refuse('UNKNOWN_KEY');
  if (key.revokedSeq !== null)
    return refuse('KEY_REVOKED', undefined, { revokedSeq: key.revokedSeq });
  const p = own(ctx.state.principals, key.principalId);
  if (!p) return refuse('UNKNOWN_KEY');
  if (!p.active) return refuse('PRINCIPAL_INACTIVE');
  if (p.suspended) return refuse('PRINCIPAL_SUSPENDED');
  return p;
}

/** The signer, who must be an admin (the higher-level organisation). */
export function adminActor(ctx: Ctx): Principal | Refusal {
  const p = actor(ctx);
  if (isRefusal(p)) return p;
  if (p.role !== 'admin') return refuse('ROLE_NOT_ALLOWED', undefined, { role: p.role });
  return p;
}

/** The signer, who must belong to `bodyId`. */
export function bodyActor(ctx: Ctx, bodyId: string): Principal | Refusal {
  const p = actor(ctx);
  if (isRefusal(p)) return p;
  if (p.bodyId !== bodyId) return refuse('NOT_A_MEMBER_OF_BODY', undefined, { bodyId });
  return p;
}

/**
 * A principal's role and voting status for a meeting: the roster taken at opening while the
 * meeting is open or closed (membership changes apply from the next meeting), the current role
 * before it opens.
 */
export function standing(m: Meeting, p: Principal): RosterEntry | null {
  if (m.state === 'scheduled') {
    if (p.bodyId !== m.bodyId || p.role === 'admin' || p.role === 'auditor') return null;
    return {
      name: p.name,
      role: p.role as BodyRole,
      voting: p.votes && !p.suspended,
      counted: p.votes,
      suspended: p.suspended,
    };
  }
  return own(m.roster, p.id) ?? null;
}

/** Every role of a body's principals: for commands any of them may send (the handler checks more). */
export const ANY_BODY_ROLE: readonly BodyRole[] = [
  'chair',
  'member',
  'discipline',
  'recorder',
  'attendee',
];

/** A rule {@link meetingActor} may refuse under: one both of its refusals list. */
export type ActorRule = RuleOf<'NOT_A_MEMBER_OF_BODY'> & RuleOf<'ROLE_NOT_ALLOWED'>;

/** The signer, a principal of the meeting's body holding one of `roles` for that meeting. */
export function meetingActor(
  ctx: Ctx,
  m: Meeting,
  roles: readonly BodyRole[],
  rule?: ActorRule
): { p: Principal; s: RosterEntry } | Refusal {
  const p = bodyActor(ctx, m.bodyId);
  if (isRefusal(p)) return p;
  const s = standing(m, p);
  if (!s) return refuse('NOT_A_MEMBER_OF_BODY', rule, { meetingId: m.id });
  if (!roles.includes(s.role)) return refuse('ROLE_NOT_ALLOWED', rule, { role: s.role });
  return { p, s };
}

/** The live meeting `id`. */
export function getMeeting(ctx: Ctx, id: string): Meeting | Refusal {
  return own(ctx.state.meetings, id) ?? refuse('UNKNOWN_MEETING', undefined, { meetingId: id });
}

/** The live item `id` and its meeting. */
export function getItem(ctx: Ctx, id: string): { item: Item; m: Meeting } | Refusal {
  const item = own(ctx.state.items, id);
  if (!item) return refuse('UNKNOWN_ITEM', undefined, { itemId: id });
  const m = own(ctx.state.meetings, item.meetingId);
  if (!m) return refuse('UNKNOWN_ITEM', undefined, { itemId: id });
  return { item, m };
}

/** True for the four "三重一大" categories (P1). */
export function isMajor(category: string): boolean {
  return category !== 'routine';
}

/** Milliseconds in an hour. */
export const HOUR = 3_600_000;
/** Milliseconds in a day. */
export const DAY = 86_400_000;

/** Ids the engine derives from the entry's seq. */
export function derivedId(prefix: string, seq: number): string {
  return `${prefix}-${seq}`;
}
