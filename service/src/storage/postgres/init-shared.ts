// `yishi init --database postgres://…`: the genesis entry and first checkpoint, made in memory by
// the same code as a SQLite ledger's, are written to an empty PostgreSQL ledger.
import { bytesToHex } from '@yishi/crypto';
import type { LedgerStore } from '../../ledger/index.js';
import type { NewEntry } from '../ledger-backend.js';
import { describeDatabase, PostgresLedger } from './pg-ledger.js';
import { PublishedCheckpointFile } from './published-file.js';

/** Refuses a database that already holds a ledger (before any key is written). */
export async function requireEmptyDatabase(url: string): Promise<void> {
  const backend = await PostgresLedger.open(url);
  try {
    const head = await backend.head();
    if (head.size > 0 || (await backend.getMeta('origin')) !== undefined) {
      throw new Error(`${describeDatabase(url)} already holds a ledger`);
    }
  } finally {
    await backend.close();
  }
}

/**
 * Copies `store` (every entry and checkpoint) into the empty ledger at `url`: the genesis of
 * `yishi init --database`, or a SQLite ledger moved to PostgreSQL (the bench does).
 */
export async function copyStoreToDatabase(url: string, store: LedgerStore): Promise<void> {
  const backend = await PostgresLedger.open(url);
  try {
    const ledgerId = store.getMeta('ledger_id');
    const origin = store.getMeta('origin');
    if (ledgerId === undefined || origin === undefined) throw new Error('no genesis to copy');
    await backend.withHead(async (lock) => {
      if (lock.head.size !== 0) throw new Error(`${describeDatabase(url)} already holds a ledger`);
      let rows: NewEntry[] = [];
      for (const e of store.iterateEntries()) {
        const payload = e.entry.command.payload as { nonce: string; ts?: number };
        rows.push({
          seq: e.entry.seq,
          leafHash: e.leafHash,
          body: e.body,
          nonce: {
            publicKey: e.entry.command.publicKey,
            nonce: payload.nonce,
            ts: typeof payload.ts === 'number' ? payload.ts : e.entry.time,
          },
        });
        if (rows.length === 1000) {
          await lock.append(rows);
          rows = [];
        }
      }
      await lock.append(rows);
      for (const cp of store.iterateCheckpoints()) {
        const previous = (await lock.latestCheckpoint())?.size ?? 0;
        if (!(await lock.publishCheckpoint(cp, previous))) throw new Error('checkpoint refused');
      }
    });
    await backend.setMeta('ledger_id', ledgerId);
    await backend.setMeta('origin', origin);
  } finally {
    await backend.close();
  }
}

/** Copies the genesis in `store` to `url` and keeps its checkpoint beside the keys in `dir`. */
export async function publishGenesis(url: string, store: LedgerStore, dir: string): Promise<void> {
  await copyStoreToDatabase(url, store);
  const latest = store.latestCheckpoint();
  const cp = latest ? store.checkpointAt(latest.size) : undefined;
  if (cp) {
    new PublishedCheckpointFile(dir).record({
      size: cp.size,
      root: bytesToHex(cp.root),
      note: cp.note,
    });
  }
}
