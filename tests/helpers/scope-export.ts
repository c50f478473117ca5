import { entryLeafHashHex } from '@yishi/crypto';
import { EntryBodies, inScope } from '@yishi/procedure';
import type { LedgerEntry } from '@yishi/schema';
import { formatExportRedacted } from '@yishi/verify';

/**
 * A full export's text scoped to `bodies` as the service scopes it (decision 0023): the entries of
 * those bodies and the ledger-wide ones kept, every other entry a redacted line, the header's
 * `scope` set. For tests on ledgers that exist only as an export (the demo's).
 */
export function scopeExportText(text: string, bodies: readonly string[]): string {
  const visible = new Set(bodies);
  const index = new EntryBodies();
  const lines = text.trimEnd().split('\n');
  const out: string[] = [];
  let redacted = 0;
  for (const line of lines.slice(1)) {
    const o = JSON.parse(line) as { entry?: LedgerEntry };
    if (o.entry === undefined || inScope(index.bodiesOf(o.entry), visible)) {
      out.push(line);
      continue;
    }
    const e = o.entry;
    out.push(formatExportRedacted({ seq: e.seq, prev: e.prev, leafHash: entryLeafHashHex(e) }));
    redacted++;
  }
  const header = JSON.parse(lines[0] as string) as Record<string, unknown>;
  header['scope'] = { bodies: [...bodies], redacted };
  return `${[JSON.stringify(header), ...out].join('\n')}\n`;
}
