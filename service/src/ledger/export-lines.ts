// The ledger export an auditor receives (JSON Lines, @yishi/verify's export format), whole or
// scoped to some bodies (decision 0023). `GET /ledger/export` and `yishi export` both write it.
//
// A scoped export needs two passes over the entries: the header says how many entries are
// redacted, so the first pass classifies every entry by body (EntryBodies, from the commands and
// their derived outputs, no replay) into one bit per entry; the second writes the lines.
import { bytesToHex } from '@yishi/crypto';
import { EntryBodies, inScope } from '@yishi/procedure';
import {
  formatExportCheckpoint,
  formatExportEntry,
  formatExportHeader,
  formatExportRedacted,
} from '@yishi/verify';
import type { LedgerStore } from './ledger-store.js';

/** Hears entries done and the total. */
export type ExportProgress = (done: number, total: number) => void;

/** Which entries a scoped export shows in full. */
export interface ExportScope {
  /** The bodies shown, as asked. */
  bodies: string[];
  /** One byte per entry: 1 shown in full, 0 redacted. */
  shown: Uint8Array;
  redacted: number;
  /** Every body the exported entries create, in ledger order. */
  known: string[];
}

/** Entries between two calls of `pause` in a classifying pass. */
const PAUSE_EVERY = 4096;

/**
 * Classifies the first `size` entries for a scope of `bodies`. `pause`, if given, is awaited now
 * and then (a server lets other requests run).
 */
export async function scopeEntries(
  store: LedgerStore,
  size: number,
  bodies: readonly string[],
  options: { pause?: () => Promise<void>; onProgress?: ExportProgress } = {}
): Promise<ExportScope> {
  const visible = new Set(bodies);
  const index = new EntryBodies();
  const shown = new Uint8Array(size);
  let redacted = 0;
  let n = 0;
  for (const stored of store.iterateEntries(0, size)) {
    if (inScope(index.bodiesOf(stored.entry), visible)) shown[n] = 1;
    else redacted++;
    n++;
    if (n % PAUSE_EVERY === 0) {
      options.onProgress?.(n, size);
      if (options.pause) await options.pause();
    }
  }
  options.onProgress?.(size, size);
  return { bodies: [...bodies], shown, redacted, known: [...index.bodies] };
}

/**
 * Every line (with its newline) of the export of the first `size` entries: the header, the
 * entries (or, outside `scope`, redacted lines), then every checkpoint up to `size` (in the
 * cosigned form where the witnesses' quorum was gathered).
 */
export function* exportLines(
  store: LedgerStore,
  size: number,
  options: { scope?: ExportScope; onProgress?: ExportProgress } = {}
): Generator<string> {
  const scope = options.scope;
  const checkpoints = [...store.iterateCheckpoints()].filter((c) => c.size <= size);
  yield `${formatExportHeader({
    ledgerId: store.getMeta('ledger_id') ?? '',
    origin: store.getMeta('origin') ?? '',
    entries: size,
    checkpoints: checkpoints.length,
    ...(scope ? { scope: { bodies: scope.bodies, redacted: scope.redacted } } : {}),
  })}\n`;
  let n = 0;
  for (const stored of store.iterateEntries(0, size)) {
    if (scope === undefined || scope.shown[n] === 1) {
      yield `${formatExportEntry(stored.body)}\n`;
    } else {
      const { seq, prev } = stored.entry;
      yield `${formatExportRedacted({ seq, prev, leafHash: bytesToHex(stored.leafHash) })}\n`;
    }
    n++;
    if (n % PAUSE_EVERY === 0) options.onProgress?.(n, size);
  }
  options.onProgress?.(size, size);
  for (const cp of checkpoints) {
    for (const note of store.exportNotes(cp)) yield `${formatExportCheckpoint(note)}\n`;
  }
}
