// Copies committed entries from a shared ledger (PostgreSQL) into a local LedgerStore, checking
// each: its leaf hash is the hash of its body, its seq and prev continue the store's chain, and the
// store, given the entry's own salt and time, writes exactly the same body. A row that fails any
// check is refused before anything of its batch is written (ENTRY_CORRUPT).
import { canonicalJson, createTreeHasher, equalBytes } from '@yishi/crypto';
import { nodeHashBackend } from '@yishi/crypto/node';
import { GENESIS_PREV, type LedgerEntry } from '@yishi/schema';
import { LedgerError, type AppendItem, type LedgerStore } from '../ledger/index.js';
import type { EntryRow } from './ledger-backend.js';

const hasher = createTreeHasher(nodeHashBackend);
const hex = (b: Uint8Array): string =>
  Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');

/** The hex leaf hash of the store's last entry, or GENESIS_PREV when it has none. */
export function storePrev(store: LedgerStore): string {
  return store.size === 0 ? GENESIS_PREV : hex(store.leafHash(store.size - 1));
}

/** A checked, parsed row ready to be written to a store. */
export interface ImportedEntry {
  row: EntryRow;
  entry: LedgerEntry;
}

/**
 * Checks rows that must continue a chain at (`size`, `prev`): seqs dense, each prev the leaf hash
 * before it, each leaf hash the hash of its body. Row content is the database's: untrusted.
 * @throws LedgerError ENTRY_CORRUPT
 */
export function checkRows(rows: readonly EntryRow[], size: number, prev: string): ImportedEntry[] {
  const out: ImportedEntry[] = [];
  let seq = size;
  for (const row of rows) {
    if (row.seq !== seq)
      throw new LedgerError('ENTRY_CORRUPT', `expected entry ${seq}, got ${row.seq}`);
    if (!equalBytes(hasher.hashLeafText(row.body), row.leafHash)) {
      throw new LedgerError(
        'ENTRY_CORRUPT',
        `entry ${seq}: its body does not hash to its leaf hash`
      );
    }
    let entry: LedgerEntry;
    try {
      entry = JSON.parse(row.body) as LedgerEntry;
    } catch {
      throw new LedgerError('ENTRY_CORRUPT', `entry ${seq}: its body is not JSON`);
    }
    if (entry === null || typeof entry !== 'object' || entry.seq !== seq || entry.prev !== prev) {
      throw new LedgerError('ENTRY_CORRUPT', `entry ${seq} does not continue the chain`);
    }
    if (typeof entry.salt !== 'string' || !/^[0-9a-f]{32}$/.test(entry.salt)) {
      throw new LedgerError('ENTRY_CORRUPT', `entry ${seq}: its salt is not 16 bytes of hex`);
    }
    out.push({ row, entry });
    prev = hex(row.leafHash);
    seq++;
  }
  return out;
}

/**
 * Writes checked rows (see {@link checkRows}) to `store` in one transaction, re-deriving each body
 * from the entry's fields and salt: the store must produce the very same bytes.
 * @throws LedgerError ENTRY_CORRUPT (the store is then ahead of nothing it should not hold only if
 * a body was not canonical JSON; the caller must stop using it)
 */
export function writeImported(store: LedgerStore, imported: readonly ImportedEntry[]): void {
  if (imported.length === 0) return;
  const salts = imported.map((i) => Buffer.from(i.entry.salt, 'hex'));
  let next = 0;
  const random = (n: number): Uint8Array => {
    const s = salts[next++];
    if (s === undefined || s.length !== n) throw new LedgerError('ENTRY_CORRUPT', 'salt mismatch');
    return new Uint8Array(s);
  };
  const items: AppendItem[] = imported.map(({ entry }) => ({
    command: entry.command,
    derived: entry.derived,
    time: entry.time,
    commandJson: canonicalJson(entry.command),
    derivedJson: canonicalJson(entry.derived),
  }));
  const results = store.appendBatch(items, random);
  results.forEach((r, i) => {
    const want = imported[i] as ImportedEntry;
    if (!r.ok) {
      throw new LedgerError('ENTRY_CORRUPT', `entry ${want.row.seq} refused: ${r.code}`);
    }
    if (!equalBytes(r.leafHash, want.row.leafHash)) {
      throw new LedgerError(
        'ENTRY_CORRUPT',
        `entry ${want.row.seq} is not in canonical form: the store wrote other bytes`
      );
    }
  });
}

/** {@link checkRows} then {@link writeImported}: the rows that continue `store`. */
export function importRows(store: LedgerStore, rows: readonly EntryRow[]): ImportedEntry[] {
  const imported = checkRows(rows, store.size, storePrev(store));
  writeImported(store, imported);
  return imported;
}
