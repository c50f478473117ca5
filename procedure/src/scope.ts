/**
 * Which body each ledger entry belongs to (issue 17: scoped exports). An auditor appointed to
 * some bodies receives their entries in full and every other entry redacted; the ledger-wide
 * entries (no body: the genesis, admins' and auditors' registrations and keys, appointments that
 * name only visible bodies) are always in full, because every body's replay needs them.
 *
 * The mapping follows what each command's handler looks up: a body command names its body, a
 * meeting, an item, a motion, an objection or a report, each created by an earlier entry of one
 * body (ids derived from the creating entry's seq); a principal's administration and keys belong
 * to the principal's body. It reads only the commands and their recorded `derived`, so a service
 * can classify a whole ledger without replaying it. Entries must be fed in ledger order, and are
 * the service's own (accepted) entries: a reference to something the index has not seen is
 * classified as {@link UNKNOWN_SCOPE}, which no scope shows (fail closed).
 */
import type { LedgerEntry } from '@yishi/schema';
import { derivedId } from './context.js';

/** The scope of an entry nothing on the ledger before it explains: never shown in a scope. */
export const UNKNOWN_SCOPE = '?';

type Json = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const obj = (v: unknown): Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};

/**
 * Classifies entries by body, in ledger order: `bodiesOf(entry)` returns the bodies the entry
 * belongs to: none for a ledger-wide entry, one for nearly every entry, several only for an
 * auditor's appointment (the bodies it names).
 */
export class EntryBodies {
  /** principalId → body (null: admin or auditor). */
  private readonly principals = new Map<string, string | null>();
  /** public key → principalId. */
  private readonly keys = new Map<string, string>();
  /** meeting, item, motion, objection and report ids → body. */
  private readonly owned = new Map<string, string>();
  /** Bodies created so far, in order. */
  readonly bodies: string[] = [];

  /** The bodies entry `entry` belongs to (empty: ledger-wide); then records what it created. */
  bodiesOf(entry: Pick<LedgerEntry, 'seq' | 'command' | 'derived'>): string[] {
    const payload = obj(obj(entry.command).payload);
    const derived = obj(entry.derived);
    const seq = entry.seq;
    const type = str(payload.type) ?? '';
    const ownerOf = (id: unknown): string => this.owned.get(str(id) ?? '') ?? UNKNOWN_SCOPE;
    const principalBody = (id: unknown): string[] => {
      const p = str(id);
      if (p === undefined || !this.principals.has(p)) return [UNKNOWN_SCOPE];
      const b = this.principals.get(p) ?? null;
      return b === null ? [] : [b];
    };
    let bodies: string[];
    switch (type) {
      case 'ledger.genesis': {
        const admin = obj(payload.admin);
        const id = str(admin.principalId);
        if (id !== undefined) this.principals.set(id, null);
        const key = str(admin.publicKey);
        if (id !== undefined && key !== undefined) this.keys.set(key, id);
        bodies = [];
        break;
      }
      case 'body.create': {
        const id = derivedId('body', seq);
        this.bodies.push(id);
        this.owned.set(id, id);
        bodies = [id];
        break;
      }
      case 'principal.register': {
        const id = str(payload.principalId) ?? '';
        const body = payload.bodyId === undefined ? null : ownerOf(payload.bodyId);
        this.principals.set(id, body);
        const key = str(payload.publicKey);
        if (key !== undefined) this.keys.set(key, id);
        bodies = body === null ? [] : [body];
        break;
      }
      case 'key.rotate': {
        bodies = principalBody(payload.principalId);
        const key = str(payload.newPublicKey);
        const id = str(payload.principalId);
        if (key !== undefined && id !== undefined) this.keys.set(key, id);
        break;
      }
      case 'principal.update_role':
      case 'membership.end':
      case 'member.suspend':
      case 'member.reinstate':
      case 'key.confirm':
        bodies = principalBody(payload.principalId);
        break;
      case 'key.revoke':
        bodies = principalBody(this.keys.get(str(payload.publicKey) ?? ''));
        break;
      case 'auditor.appoint': {
        const ids = Array.isArray(payload.bodyIds) ? payload.bodyIds : [];
        bodies = [...new Set(ids.map((b) => ownerOf(b)))];
        break;
      }
      case 'rulebook.set':
      case 'interference.record':
        bodies = [ownerOf(payload.bodyId)];
        break;
      case 'meeting.schedule': {
        const body = ownerOf(payload.bodyId);
        this.owned.set(derivedId('mtg', seq), body);
        bodies = [body];
        break;
      }
      case 'item.submit':
      case 'item.resubmit': {
        const body = ownerOf(payload.meetingId);
        this.owned.set(str(derived.itemId) ?? derivedId('item', seq), body);
        bodies = [body];
        break;
      }
      case 'reconsideration.open': {
        const body = ownerOf(payload.meetingId);
        this.owned.set(str(derived.motionId) ?? derivedId('rcn', seq), body);
        bodies = [body];
        break;
      }
      case 'objection.raise': {
        const target = obj(payload.target);
        const body = ownerOf(target.kind === 'item' ? target.itemId : target.meetingId);
        this.owned.set(str(derived.objectionId) ?? derivedId('obj', seq), body);
        bodies = [body];
        break;
      }
      case 'ruling.register': {
        const target = obj(payload.target);
        bodies = [ownerOf(target.kind === 'item' ? target.itemId : target.objectionId)];
        break;
      }
      case 'report.acknowledge':
        bodies = [ownerOf(payload.reportId)];
        break;
      case 'reconsideration.vote':
      case 'reconsideration.close':
        bodies = [ownerOf(payload.motionId)];
        break;
      case 'objection.answer':
        bodies = [ownerOf(payload.objectionId)];
        break;
      default:
        // Meeting commands name their meeting; item, vote and statement commands their item.
        bodies = [ownerOf(payload.meetingId ?? payload.itemId)];
    }
    // Reports addressed upward (P13) are acknowledged later by id: each names its body.
    if (Array.isArray(derived.reports)) {
      for (const r of derived.reports) {
        const id = str(obj(r).reportId);
        const body = str(obj(r).bodyId);
        if (id !== undefined && body !== undefined) this.owned.set(id, body);
      }
    }
    return bodies;
  }
}

/** Whether an entry of `bodies` is shown in full to a scope of `visible` bodies. */
export const inScope = (bodies: readonly string[], visible: ReadonlySet<string>): boolean =>
  bodies.every((b) => visible.has(b));
