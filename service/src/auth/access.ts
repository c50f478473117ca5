import type { Principal, Report } from '@yishi/procedure';
import { ApiError } from '../http/errors.js';

/**
 * Who reads what. Members (every role of a body) read their own body's meetings, records and
 * minutes; the discipline role also reads the body's interference records (P15); auditors read
 * what they are appointed to; admins (the higher-level organisation) read the bodies' structure,
 * the reports addressed upward (P13) and interference records. Nobody reads another body's
 * meetings. Acting is the rules' business (`decide`), reading is decided here.
 */

const memberOf = (p: Principal, bodyId: string): boolean =>
  p.bodyId === bodyId && p.role !== 'admin' && p.role !== 'auditor';

const auditorOf = (p: Principal, bodyId: string): boolean =>
  p.role === 'auditor' && p.auditorOf.includes(bodyId);

/** A body's name, members and rulebook. */
export const canReadBody = (p: Principal, bodyId: string): boolean =>
  p.role === 'admin' || memberOf(p, bodyId) || auditorOf(p, bodyId);

/** A body's meetings, items, records, minutes and objections. */
export const canReadMeetings = (p: Principal, bodyId: string): boolean =>
  memberOf(p, bodyId) || auditorOf(p, bodyId);

/** A body's interference records (P15: the discipline role, admins and auditors only). */
export const canReadInterference = (p: Principal, bodyId: string): boolean =>
  p.role === 'admin' || auditorOf(p, bodyId) || (memberOf(p, bodyId) && p.role === 'discipline');

/** A report addressed upward (P13). */
export const canReadReport = (p: Principal, r: Report): boolean =>
  p.role === 'admin' ||
  auditorOf(p, r.bodyId) ||
  (memberOf(p, r.bodyId) && p.role === 'discipline' && r.readableBy.includes('discipline'));

/** The whole ledger (the export an auditor verifies). */
export const canReadLedger = (p: Principal): boolean => p.role === 'admin' || p.role === 'auditor';

/**
 * The bodies whose entries a principal's ledger export shows in full, or null for the whole
 * ledger: admins and auditors appointed to every body of `bodies` read it all; an auditor
 * appointed to some bodies reads a scoped export (decision 0023).
 */
export function ledgerScope(p: Principal, bodies: readonly string[]): string[] | null {
  if (p.role !== 'auditor' || bodies.every((b) => p.auditorOf.includes(b))) return null;
  return p.auditorOf.filter((b) => bodies.includes(b));
}

/** Another principal's directory entry. */
export const canReadPrincipal = (p: Principal, target: Principal): boolean =>
  p.id === target.id ||
  p.role === 'admin' ||
  (target.bodyId !== null && canReadMeetings(p, target.bodyId));

/** @throws ApiError FORBIDDEN (403) unless `allowed`. */
export function allow(allowed: boolean): void {
  if (!allowed) throw ApiError.of('FORBIDDEN');
}
