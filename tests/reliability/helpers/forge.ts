/**
 * What an insider with access to the database (and, in the worst cases, to the log key file) can
 * do to a copy of a ledger: edit rows with the append-only triggers dropped, or write a whole new
 * ledger from altered entries with every hash recomputed and every checkpoint re-signed.
 */
import { copyFileSync, createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import Database from 'better-sqlite3';
import {
  base64Encode,
  formatPublicKey,
  formatSecretKey,
  generateSecretKey,
  getPublicKey,
  hexToBytes,
  sign,
  signingMessage,
} from '@yishi/crypto';
import { SIGNING_CONTEXTS, type LedgerEntry, type SignedCommand } from '@yishi/schema';
import { Checkpointer, LedgerStore, writeExport } from '@yishi/service/internal';

/** A database handle with every trigger dropped: nothing stops an UPDATE or a DELETE now. */
export type Tamperable = Database.Database;

/** Copies `src` to `dst` and edits the copy inside one transaction, triggers dropped. */
export function tamperDb(src: string, dst: string, edit: (db: Tamperable) => void): string {
  copyFileSync(src, dst);
  const db = new Database(dst);
  try {
    // The insider edits freely: no trigger, no foreign key (command_nonces points at entries).
    db.pragma('foreign_keys = OFF');
    const triggers = db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'trigger'`).all() as {
      name: string;
    }[];
    for (const { name } of triggers) db.exec(`DROP TRIGGER "${name}"`);
    db.transaction(() => edit(db))();
  } finally {
    db.close();
  }
  return dst;
}

/** A ledger's rows as stored. */
export interface Row {
  seq: number;
  leaf_hash: Buffer;
  body: string;
}

export const rowAt = (db: Tamperable, seq: number): Row =>
  db.prepare('SELECT seq, leaf_hash, body FROM entries WHERE seq = ?').get(seq) as Row;

/** Every entry of a database, parsed. */
export function readEntries(path: string): LedgerEntry[] {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db.prepare('SELECT body FROM entries ORDER BY seq').all() as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as LedgerEntry);
  } finally {
    db.close();
  }
}

/** Sizes at which the database holds checkpoints. */
export function checkpointSizesOf(path: string): number[] {
  const db = new Database(path, { readonly: true });
  try {
    return (
      db.prepare('SELECT size FROM checkpoints ORDER BY size').all() as { size: number }[]
    ).map((r) => r.size);
  } finally {
    db.close();
  }
}

/** Options of {@link rewriteLedger}. */
export interface RewriteOptions {
  /** The entries to write, in order; seq and prev are recomputed, salts and times kept. */
  entries: readonly Pick<LedgerEntry, 'command' | 'derived' | 'time' | 'salt'>[];
  /** Where the new database goes. */
  dst: string;
  ledgerId: string;
  origin: string;
  /** The log's secret-key text the checkpoints are signed with. */
  skey: string;
  /** Sign a checkpoint once the ledger reaches each of these sizes. */
  checkpointSizes: readonly number[];
}

/**
 * Writes a whole new, internally consistent ledger: every leaf hash, prev link, tree node and
 * nonce row recomputed through the service's own store, every checkpoint signed anew with `skey`.
 */
export function rewriteLedger(opts: RewriteOptions): string {
  const store = LedgerStore.open(opts.dst);
  try {
    store.setMeta('ledger_id', opts.ledgerId);
    store.setMeta('origin', opts.origin);
    const checkpointer = new Checkpointer(store, { skey: opts.skey, origin: opts.origin });
    const sizes = new Set(opts.checkpointSizes);
    for (const entry of opts.entries) {
      const salt = hexToBytes(entry.salt);
      const [result] = store.appendBatch(
        [{ command: entry.command, derived: entry.derived, time: entry.time }],
        () => salt
      );
      if (!result?.ok) throw new Error(`the rewrite refused an entry: ${JSON.stringify(result)}`);
      if (sizes.has(store.size)) checkpointer.checkpointNow();
    }
  } finally {
    store.close();
  }
  return opts.dst;
}

/** A fresh log key for `origin`: its secret-key text, verifier key text and raw secret. */
export function freshLogKey(origin: string): { skey: string; vkey: string; secret: Uint8Array } {
  const secret = generateSecretKey();
  return {
    skey: formatSecretKey(origin, secret),
    vkey: formatPublicKey(origin, getPublicKey(secret)),
    secret,
  };
}

/** Signs `payload` with `secret` as a command (the signature a forger can make: their own). */
export function signAs(payload: SignedCommand['payload'], secret: Uint8Array): SignedCommand {
  return {
    payload,
    publicKey: base64Encode(getPublicKey(secret)),
    signature: base64Encode(sign(signingMessage(SIGNING_CONTEXTS.command, payload), secret)),
  };
}

/** Writes the export of a database (what `yishi export` writes) to `file`. */
export async function exportTo(dbPath: string, file: string): Promise<string> {
  const stream = createWriteStream(file, { flags: 'w' });
  await once(stream, 'open');
  await writeExport(dbPath, stream);
  stream.end();
  await once(stream, 'finish');
  return file;
}

/** Rewrites an export's lines with `edit` into `dst`. */
export function tamperExport(
  src: string,
  dst: string,
  edit: (lines: string[]) => string[]
): string {
  const lines = readFileSync(src, 'utf8').trimEnd().split('\n');
  writeFileSync(dst, `${edit(lines).join('\n')}\n`);
  return dst;
}
