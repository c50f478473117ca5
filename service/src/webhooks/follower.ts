import type { EntryFollower } from '../state/followers.js';
import type { ReportRow } from '../state/projections.js';
import type { Webhooks } from './webhooks.js';

/**
 * Deliveries of the reports (P13, P15) a durable entry made: registered after the read-model
 * followers, so the report rows it reads are the entry's.
 */
export function webhookFollower(webhooks: Webhooks): EntryFollower {
  return {
    onDurable(entry, ledger) {
      const reports = entry.derived['reports'];
      if (!Array.isArray(reports) || reports.length === 0) return;
      const rows: ReportRow[] = [];
      for (const r of reports) {
        const row = ledger.projections.reports.get((r as { reportId: string }).reportId);
        if (row) rows.push(row);
      }
      webhooks.enqueue(rows);
    },
  };
}
