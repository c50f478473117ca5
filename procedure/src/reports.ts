/**
 * P13 reporting upward. Every adopted major matter, every urgent override, every escalation and
 * every unresolved objection (P14), and every interference record (P15) produces a report
 * addressed to the higher level. Reports are written to the entry's `derived` (the service's
 * outbox reads them from there) and stay in the state until an admin acknowledges them.
 */
import type { Ctx } from './context.js';
import type { Addressee, ReportKind } from './state.js';

/** A report as written to `derived.reports`. */
export interface Report {
  reportId: string;
  kind: ReportKind;
  addressee: Addressee;
  bodyId: string;
  subject: Record<string, unknown>;
  /** Who may read the report's subject besides the addressee's admins and auditors. */
  readableBy: string[];
}

/** Collects the reports one entry produces; ids are `rpt-<seq>-<index>`. */
export class ReportBatch {
  readonly list: Report[] = [];
  constructor(private readonly ctx: Ctx) {}

  /** Add a report and register it as pending in the state (call from an effect only). */
  add(
    kind: ReportKind,
    bodyId: string,
    subject: Record<string, unknown>,
    addressee: Addressee = 'higher_level_organisation',
    readableBy: string[] = ['admin', 'auditor']
  ): string {
    const reportId = `rpt-${this.ctx.seq}-${this.list.length}`;
    this.list.push({ reportId, kind, addressee, bodyId, subject, readableBy });
    this.ctx.state.reports[reportId] = { kind, addressee, bodyId, seq: this.ctx.seq };
    return reportId;
  }
}
