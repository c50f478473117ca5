// A PostgreSQL ledger copied into a SQLite ledger file, every row checked on the way (see
// entry-import.ts): what `yishi export|verify|audit|backup --database` work on.
import { LedgerStore } from '../../ledger/index.js';
import { importRows } from '../entry-import.js';
import { PostgresLedger } from './pg-ledger.js';

const PAGE = 1000;

/** Copies the ledger at `url` into a new SQLite ledger at `path`; returns its size. */
export async function copyDatabaseToFile(url: string, path: string): Promise<number> {
  const backend = await PostgresLedger.open(url);
  const store = LedgerStore.open(path);
  try {
    const ledgerId = await backend.getMeta('ledger_id');
    const origin = await backend.getMeta('origin');
    if (ledgerId === undefined || origin === undefined)
      throw new Error('the database holds no ledger');
    store.setMeta('ledger_id', ledgerId);
    store.setMeta('origin', origin);
    const { size } = await backend.head();
    while (store.size < size) {
      const rows = await backend.entries(store.size, Math.min(size, store.size + PAGE));
      if (rows.length === 0) throw new Error(`entry ${store.size} is missing`);
      importRows(store, rows);
    }
    let after = 0;
    for (;;) {
      const cps = await backend.checkpointsAfter(after, PAGE);
      for (const cp of cps) {
        if (cp.size > store.size) return store.size;
        if (!store.saveCheckpoint(cp, after)) throw new Error(`checkpoint ${cp.size} out of order`);
        after = cp.size;
      }
      if (cps.length < PAGE) return store.size;
    }
  } finally {
    store.close();
    await backend.close();
  }
}
