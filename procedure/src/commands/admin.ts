/**
 * Ledger genesis and administration by the higher-level organisation (admin): bodies, principals
 * and their roles, suspension (P4 denominator), keys, rulebooks, auditors, rulings on escalations
 * (P10, P14) and acknowledgement of reports (P13).
 *
 * Keys: whether a key may sign is decided by its registration and revocation positions on the
 * ledger (entry seq), never by the `ts` a command claims. A key is never registered twice, even
 * after revocation.
 */
import { base64Decode, isAcceptablePublicKey, signingMessage, verify } from '@yishi/crypto';
import type { Role } from '@yishi/schema';
import {
  actor,
  adminActor,
  DAY,
  derivedId,
  isRefusal,
  own,
  refuse,
  type Ctx,
  type Handler,
} from '../context.js';
import { addReturnable } from '../expiry.js';
import { mergeRulebook, defaultRulebook, rulebookProblems } from '../rulebook.js';
import { ReportBatch } from '../reports.js';
import type { Body, KeyReset, Principal, State } from '../state.js';
import { CONFIDENTIAL_READERS } from './oversight.js';

const BODY_ROLES: readonly Role[] = ['chair', 'member', 'recorder', 'discipline', 'attendee'];

/** Check the role/body/votes combination; returns the voting flag or a refusal. */
function roleFields(
  ctx: Ctx,
  role: Role,
  bodyId: string | null,
  votes: boolean | undefined,
  principalId: string | null
) {
  if (role === 'admin' || role === 'auditor') {
    if (bodyId !== null || votes !== undefined) return refuse('INVALID_ROLE_FIELDS');
    return { votes: false, body: null as Body | null };
  }
  if (bodyId === null) return refuse('INVALID_ROLE_FIELDS', undefined, { missing: 'bodyId' });
  const body = own(ctx.state.bodies, bodyId);
  if (!body) return refuse('UNKNOWN_BODY', undefined, { bodyId });
  if ((role === 'discipline') !== (votes !== undefined)) {
    return refuse('INVALID_ROLE_FIELDS', undefined, { field: 'votes' });
  }
  if (role === 'chair' && body.chairId !== null && body.chairId !== principalId) {
    return refuse('CHAIR_EXISTS', undefined, { chairId: body.chairId });
  }
  const v = role === 'chair' || role === 'member' || (role === 'discipline' && votes === true);
  return { votes: v, body: body as Body | null };
}

function activeAdminKeys(state: State): string[] {
  const out: string[] = [];
  for (const p of Object.values(state.principals)) {
    if (p.role === 'admin' && p.active && !p.suspended) out.push(...p.keys);
  }
  return out;
}

/** Whether a base64 public key may enter the system: canonical, on the curve, not small order. */
function acceptableKey(publicKey: string): boolean {
  try {
    return isAcceptablePublicKey(base64Decode(publicKey));
  } catch {
    return false;
  }
}

/** Entry 0: name the ledger, register the first admin. Signed by the log key. */
export const genesis: Handler<'ledger.genesis'> = (ctx, p) => {
  if (ctx.seq !== 0 || ctx.state.ledger !== null) return refuse('GENESIS_ONLY_AT_ZERO');
  if (ctx.publicKey !== p.logPublicKey || p.admin.publicKey === p.logPublicKey) {
    return refuse('GENESIS_KEY_MISMATCH');
  }
  if (!acceptableKey(p.admin.publicKey)) return refuse('KEY_NOT_ACCEPTABLE');
  // A v2 genesis names its own ledger; a v1 genesis declares no protocol and names no ledger.
  if (
    p.ledger !== undefined ? p.ledger !== p.ledgerId || p.protocol !== 2 : p.protocol !== undefined
  ) {
    return refuse('WRONG_LEDGER', undefined, { expected: p.ledgerId, got: p.ledger ?? null });
  }
  return () => {
    const s = ctx.state;
    s.ledger = { ledgerId: p.ledgerId, origin: p.origin, logPublicKey: p.logPublicKey };
    if (p.protocol === 2) s.ledger.protocol = 2;
    s.principals[p.admin.principalId] = newPrincipal(
      p.admin.principalId,
      p.admin.name,
      'admin',
      null,
      false,
      p.admin.publicKey,
      ctx.seq
    );
    s.keys[p.admin.publicKey] = {
      principalId: p.admin.principalId,
      addedSeq: ctx.seq,
      revokedSeq: null,
    };
    return { ledgerId: p.ledgerId, adminId: p.admin.principalId };
  };
};

function newPrincipal(
  id: string,
  name: string,
  role: Role,
  bodyId: string | null,
  votes: boolean,
  key: string,
  seq: number
): Principal {
  return {
    id,
    name,
    role,
    bodyId,
    votes,
    suspended: false,
    active: true,
    keys: [key],
    auditorOf: [],
    registeredSeq: seq,
  };
}

/** Admin: create a body with the default rulebook as version 1. */
export const bodyCreate: Handler<'body.create'> = (ctx, p) => {
  const a = adminActor(ctx);
  if (isRefusal(a)) return a;
  return () => {
    const id = derivedId('body', ctx.seq);
    const rulebook = defaultRulebook();
    ctx.state.bodies[id] = {
      id,
      name: p.name,
      createdSeq: ctx.seq,
      chairId: null,
      members: [],
      rulebook,
      rulebookVersion: 1,
      rulebookSeq: ctx.seq,
      minutesCounters: {},
    };
    return { bodyId: id, rulebookVersion: 1, rulebook: { ...rulebook } };
  };
};

/** Admin: register a principal and its first key. */
export const principalRegister: Handler<'principal.register'> = (ctx, p) => {
  const a = adminActor(ctx);
  if (isRefusal(a)) return a;
  if (own(ctx.state.principals, p.principalId)) {
    return refuse('PRINCIPAL_EXISTS', undefined, { principalId: p.principalId });
  }
  if (own(ctx.state.keys, p.publicKey) || p.publicKey === ctx.state.ledger?.logPublicKey) {
    return refuse('KEY_IN_USE');
  }
  if (!acceptableKey(p.publicKey)) return refuse('KEY_NOT_ACCEPTABLE');
  const f = roleFields(ctx, p.role, p.bodyId ?? null, p.votes, null);
  if (isRefusal(f)) return f;
  return () => {
    const s = ctx.state;
    s.principals[p.principalId] = newPrincipal(
      p.principalId,
      p.name,
      p.role,
      p.bodyId ?? null,
      f.votes,
      p.publicKey,
      ctx.seq
    );
    s.keys[p.publicKey] = { principalId: p.principalId, addedSeq: ctx.seq, revokedSeq: null };
    if (f.body) {
      f.body.members.push(p.principalId);
      if (p.role === 'chair') f.body.chairId = p.principalId;
    }
    return { principalId: p.principalId, role: p.role, bodyId: p.bodyId ?? null, votes: f.votes };
  };
};

function bodyPrincipal(ctx: Ctx, id: string): Principal | ReturnType<typeof refuse> {
  const t = own(ctx.state.principals, id);
  if (!t) return refuse('UNKNOWN_PRINCIPAL', undefined, { principalId: id });
  if (!t.active) return refuse('PRINCIPAL_INACTIVE', undefined, { principalId: id });
  if (t.bodyId === null) return refuse('INVALID_ROLE_FIELDS', undefined, { principalId: id });
  return t;
}

/** Admin: change a body principal's role within its body. */
export const principalUpdateRole: Handler<'principal.update_role'> = (ctx, p) => {
  const a = adminActor(ctx);
  if (isRefusal(a)) return a;
  const t = bodyPrincipal(ctx, p.principalId);
  if (isRefusal(t)) return t;
  if (!BODY_ROLES.includes(p.role))
    return refuse('INVALID_ROLE_FIELDS', undefined, { role: p.role });
  const f = roleFields(ctx, p.role, t.bodyId, p.votes, t.id);
  if (isRefusal(f)) return f;
  return () => {
    const body = f.body as Body;
    if (t.role === 'chair' && body.chairId === t.id) body.chairId = null;
    if (p.role === 'chair') body.chairId = t.id;
    t.role = p.role;
    t.votes = f.votes;
    return { principalId: t.id, role: p.role, votes: f.votes };
  };
};

/** Admin: end a membership; the principal can no longer act. */
export const membershipEnd: Handler<'membership.end'> = (ctx, p) => {
  const a = adminActor(ctx);
  if (isRefusal(a)) return a;
  const t = bodyPrincipal(ctx, p.principalId);
  if (isRefusal(t)) return t;
  return () => {
    const body = own(ctx.state.bodies, t.bodyId as string) as Body;
    t.active = false;
    body.members = body.members.filter((id) => id !== t.id);
    if (body.chairId === t.id) body.chairId = null;
    return { principalId: t.id, bodyId: body.id };
  };
};

/** Admin: suspend a member (P4: leaves the denominator of meetings opened after). */
export const memberSuspend: Handler<'member.suspend'> = (ctx, p) => {
  const a = adminActor(ctx);
  if (isRefusal(a)) return a;
  const t = bodyPrincipal(ctx, p.principalId);
  if (isRefusal(t)) return t;
  if (t.suspended) return refuse('ALREADY_SUSPENDED');
  return () => {
    t.suspended = true;
    return { principalId: t.id };
  };
};

/** Admin: reinstate a suspended member. */
export const memberReinstate: Handler<'member.reinstate'> = (ctx, p) => {
  const a = adminActor(ctx);
  if (isRefusal(a)) return a;
  const t = bodyPrincipal(ctx, p.principalId);
  if (isRefusal(t)) return t;
  if (!t.suspended) return refuse('NOT_SUSPENDED');
  return () => {
    t.suspended = false;
    return { principalId: t.id };
  };
};

/** Admin or the principal itself: a new key; every current key is revoked at this seq. */
export const keyRotate: Handler<'key.rotate'> = (ctx, p) => {
  const a = actor(ctx);
  if (isRefusal(a)) return a;
  if (a.role !== 'admin' && a.id !== p.principalId) return refuse('ROLE_NOT_ALLOWED');
  const t = own(ctx.state.principals, p.principalId);
  if (!t) return refuse('UNKNOWN_PRINCIPAL', undefined, { principalId: p.principalId });
  if (!t.active) return refuse('PRINCIPAL_INACTIVE');
  if (own(ctx.state.keys, p.newPublicKey) || p.newPublicKey === ctx.state.ledger?.logPublicKey) {
    return refuse('KEY_IN_USE');
  }
  if (!acceptableKey(p.newPublicKey)) return refuse('KEY_NOT_ACCEPTABLE');
  return () => {
    const revoked = t.keys;
    for (const k of revoked)
      (own(ctx.state.keys, k) as { revokedSeq: number | null }).revokedSeq = ctx.seq;
    t.keys = [p.newPublicKey];
    ctx.state.keys[p.newPublicKey] = { principalId: t.id, addedSeq: ctx.seq, revokedSeq: null };
    if (a.id === t.id) return { principalId: t.id, revoked };
    // A key set by someone else (issue 13): flagged until the principal confirms it with the key
    // it replaced; the body's discipline role and the higher level are told at once (P13, P15).
    const open = openKeyReset(t);
    if (open === undefined) {
      t.keyResets = [
        ...(t.keyResets ?? []),
        { by: a.id, fromSeq: ctx.seq, untilSeq: null, previousKeys: revoked },
      ];
    }
    const out: Record<string, unknown> = { principalId: t.id, revoked, setByAdmin: a.id };
    if (t.bodyId !== null) {
      const body = own(ctx.state.bodies, t.bodyId);
      const reports = new ReportBatch(ctx);
      reports.add(
        'key_reset',
        t.bodyId,
        { principalId: t.id, name: t.name, setBy: a.id, newPublicKey: p.newPublicKey },
        'higher_level_organisation',
        CONFIDENTIAL_READERS
      );
      out.deliverTo = (body?.members ?? []).filter((mid) => {
        const pr = own(ctx.state.principals, mid);
        return pr !== undefined && pr.active && pr.role === 'discipline';
      });
      out.reports = reports.list;
    }
    return out;
  };
};

/** The principal's key reset still awaiting confirmation, if any. */
export function openKeyReset(p: Principal): KeyReset | undefined {
  return p.keyResets?.find((r) => r.untilSeq === null);
}

/** Domain separation of the previous key's signature in `key.confirm`. */
export const KEY_CONFIRM_CONTEXT = 'yishi/key-confirm/v1';

/**
 * The key's principal, signing with the key an admin set, and the key the reset replaced: the
 * new key is confirmed as its own and what it signs is no longer flagged.
 */
export const keyConfirm: Handler<'key.confirm'> = (ctx, p) => {
  const a = actor(ctx);
  if (isRefusal(a)) return a;
  if (a.id !== p.principalId) return refuse('ROLE_NOT_ALLOWED');
  const reset = openKeyReset(a);
  if (reset === undefined) return refuse('KEY_NOT_RESET');
  if (!reset.previousKeys.includes(p.previousPublicKey)) return refuse('KEY_CONFIRMATION_INVALID');
  const message = signingMessage(KEY_CONFIRM_CONTEXT, {
    ledgerId: ctx.state.ledger?.ledgerId ?? '',
    principalId: a.id,
    newPublicKey: ctx.publicKey,
  });
  let valid: boolean;
  try {
    valid = verify(base64Decode(p.previousSignature), message, base64Decode(p.previousPublicKey));
  } catch {
    valid = false;
  }
  if (!valid) return refuse('KEY_CONFIRMATION_INVALID');
  return () => {
    reset.untilSeq = ctx.seq;
    return { principalId: a.id, confirmedKey: ctx.publicKey, resetSeq: reset.fromSeq };
  };
};

/** Admin or the key's principal: revoke a key from this seq on. */
export const keyRevoke: Handler<'key.revoke'> = (ctx, p) => {
  const a = actor(ctx);
  if (isRefusal(a)) return a;
  const k = own(ctx.state.keys, p.publicKey);
  if (!k) return refuse('UNKNOWN_KEY');
  if (a.role !== 'admin' && a.id !== k.principalId) return refuse('ROLE_NOT_ALLOWED');
  if (k.revokedSeq !== null) return refuse('KEY_REVOKED');
  const adminKeys = activeAdminKeys(ctx.state);
  if (adminKeys.length === 1 && adminKeys[0] === p.publicKey) return refuse('LAST_ADMIN_KEY');
  return () => {
    k.revokedSeq = ctx.seq;
    const t = own(ctx.state.principals, k.principalId);
    if (t) t.keys = t.keys.filter((x) => x !== p.publicKey);
    return { principalId: k.principalId };
  };
};

/** Admin: a new rulebook version (applies to meetings scheduled after it). */
export const rulebookSet: Handler<'rulebook.set'> = (ctx, p) => {
  const a = adminActor(ctx);
  if (isRefusal(a)) return a;
  const body = own(ctx.state.bodies, p.bodyId);
  if (!body) return refuse('UNKNOWN_BODY', undefined, { bodyId: p.bodyId });
  const next = mergeRulebook(body.rulebook, p.params);
  const problems = rulebookProblems(next);
  if (problems.length > 0) return refuse('INVALID_RULEBOOK', undefined, { parameters: problems });
  return () => {
    body.rulebook = next;
    body.rulebookVersion += 1;
    body.rulebookSeq = ctx.seq;
    return {
      bodyId: body.id,
      rulebookVersion: body.rulebookVersion,
      rulebook: mergeRulebook(next, {}),
    };
  };
};

/** Admin: the bodies an auditor is appointed to. */
export const auditorAppoint: Handler<'auditor.appoint'> = (ctx, p) => {
  const a = adminActor(ctx);
  if (isRefusal(a)) return a;
  const t = own(ctx.state.principals, p.principalId);
  if (!t) return refuse('UNKNOWN_PRINCIPAL', undefined, { principalId: p.principalId });
  if (t.role !== 'auditor') return refuse('NOT_AN_AUDITOR');
  for (const b of p.bodyIds)
    if (!own(ctx.state.bodies, b)) return refuse('UNKNOWN_BODY', undefined, { bodyId: b });
  const bodyIds = [...new Set(p.bodyIds)];
  return () => {
    t.auditorOf = bodyIds;
    return { principalId: t.id, bodyIds };
  };
};

/** Admin: the higher level's ruling on an escalated item (P10) or objection (P14). */
export const rulingRegister: Handler<'ruling.register'> = (ctx, p) => {
  const a = adminActor(ctx);
  if (isRefusal(a)) return a;
  const rulingId = derivedId('rul', ctx.seq);
  if (p.target.kind === 'item') {
    const itemId = p.target.itemId;
    const e = own(ctx.state.escalated, itemId);
    if (!e) return refuse('RULING_TARGET_INVALID', 'P10', { itemId });
    if (!['approved', 'not_approved', 'returned'].includes(p.decision)) {
      return refuse('RULING_TARGET_INVALID', 'P10', { decision: p.decision });
    }
    return () => {
      delete ctx.state.escalated[itemId];
      const d: Record<string, unknown> = { rulingId, itemId, decision: p.decision };
      if (p.decision === 'returned') {
        const rb = own(ctx.state.bodies, e.item.bodyId)?.rulebook ?? defaultRulebook();
        const expiresAt = ctx.time + rb.deferralExpiryDays * DAY;
        addReturnable(ctx.state, { ...e.item, reason: 'returned', sinceSeq: ctx.seq, expiresAt });
        d.expiresAt = expiresAt;
      }
      return d;
    };
  }
  const objectionId = p.target.objectionId;
  const o = own(ctx.state.objections, objectionId);
  if (!o || o.state !== 'escalated' || o.ruling !== null) {
    return refuse('RULING_TARGET_INVALID', 'P14', { objectionId });
  }
  if (p.decision !== 'upheld' && p.decision !== 'dismissed') {
    return refuse('RULING_TARGET_INVALID', 'P14', { decision: p.decision });
  }
  return () => {
    o.ruling = { seq: ctx.seq, decision: p.decision };
    if (!own(ctx.state.meetings, o.meetingId)) delete ctx.state.objections[o.id];
    return { rulingId, objectionId, decision: p.decision };
  };
};

/** Admin: acknowledge a report (P13); it leaves the pending set. */
export const reportAcknowledge: Handler<'report.acknowledge'> = (ctx, p) => {
  const a = adminActor(ctx);
  if (isRefusal(a)) return a;
  if (!own(ctx.state.reports, p.reportId))
    return refuse('UNKNOWN_REPORT', 'P13', { reportId: p.reportId });
  return () => {
    delete ctx.state.reports[p.reportId];
    return { reportId: p.reportId };
  };
};
