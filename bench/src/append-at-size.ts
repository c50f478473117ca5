// 7.2 at size: grouped append on a ledger that already holds N entries (the cost the indexes add
// as the ledger grows), against raw grouped INSERTs into a table that already holds N rows, same
// durability. The ledger is first filled to N entries straight through the store (unsigned
// placeholder commands: the store checks shapes, not signatures), one entry every 2 seconds of
// simulated history ending an hour ago; then `count` signed vote commands are appended through
// the group-commit writer (1000 per call wave) at the present time.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { canonicalJson } from '@yishi/crypto';
import { LedgerStore, LedgerWriter } from '@yishi/service/internal';
import type { SignedCommand } from '@yishi/schema';
import { nonce, Principal } from './keys.js';
import { rawDatabase, rawEntryBody } from './raw-sqlite.js';
import { figure, type Figure } from './report.js';
import { note, since } from './util.js';

const WAVE = 1000;
const FILL_BATCH = 4096;
const STEP_MS = 2000;

function fill(store: LedgerStore, n: number, now: number): void {
  const start = now - 3_600_000 - n * STEP_MS;
  for (let i = 0; i < n; i += FILL_BATCH) {
    const items = [];
    for (let j = i; j < Math.min(n, i + FILL_BATCH); j++) {
      const time = start + j * STEP_MS;
      const command = {
        payload: {
          type: 'vote.cast',
          itemId: `item-${j >> 6}`,
          choice: 'for',
          ts: time,
          nonce: nonce(),
        },
        publicKey: `k${j % 60}`,
        signature: 'AA==',
      } as unknown as SignedCommand;
      items.push({ command, derived: null, time });
    }
    store.appendBatch(items);
  }
}

/** `count` signed votes by 60 members, each with its canonical text, from `now` on. */
function signed(count: number, now: number) {
  const members = Array.from({ length: 60 }, (_, i) =>
    Principal.derive('yishi-bench/size', `m${i}`)
  );
  return Array.from({ length: count }, (_, i) => {
    const command = (members[i % 60] as Principal).command({
      type: 'vote.cast',
      itemId: `item-x${Math.floor(i / 60)}`,
      materialsDigest: 'b4'.repeat(32),
      choice: 'for',
      ts: now + i,
      nonce: nonce(),
    } as SignedCommand['payload']);
    return { command, commandJson: canonicalJson(command), time: now + i };
  });
}

/** Appends `items` through `writer`, {@link WAVE} calls in one turn, each wave awaited. */
export async function appendInWaves(
  writer: LedgerWriter,
  items: readonly {
    command: SignedCommand;
    derived?: unknown;
    commandJson: string;
    time?: number;
  }[]
): Promise<void> {
  for (let i = 0; i < items.length; i += WAVE) {
    await Promise.all(
      items.slice(i, i + WAVE).map((v) =>
        writer.append(v.command, v.derived ?? null, {
          commandJson: v.commandJson,
          ...(v.time !== undefined ? { time: v.time } : {}),
        })
      )
    );
  }
}

async function yishiAtSize(dir: string, n: number, count: number): Promise<number> {
  const store = LedgerStore.open(join(dir, `size-${n}-${randomBytes(4).toString('hex')}.db`));
  try {
    const now = Date.now();
    fill(store, n, now);
    const items = signed(count, now);
    const writer = new LedgerWriter(store);
    const start = performance.now();
    await appendInWaves(writer, items);
    const seconds = since(start);
    writer.close();
    return count / seconds;
  } finally {
    store.close();
  }
}

function rawAtSize(dir: string, n: number, count: number): number {
  const { db, insert } = rawDatabase(dir);
  try {
    const many = db.transaction((rows: { seq: number; hash: Buffer; body: string }[]) => {
      for (const r of rows) insert.run(r.seq, r.hash, r.body);
    });
    const now = Date.now();
    const placeholder = (seq: number) => ({
      seq,
      hash: randomBytes(32),
      body: rawEntryBody(seq, { payload: { nonce: nonce() } }, null),
    });
    for (let i = 0; i < n; i += FILL_BATCH) {
      many(Array.from({ length: Math.min(FILL_BATCH, n - i) }, (_, j) => placeholder(i + j)));
    }
    const rows = signed(count, now).map((v, i) => ({
      seq: n + i,
      hash: randomBytes(32),
      body: rawEntryBody(n + i, v.command, null),
    }));
    const start = performance.now();
    for (let i = 0; i < rows.length; i += WAVE) many(rows.slice(i, i + WAVE));
    return count / since(start);
  } finally {
    db.close();
  }
}

/** One row per size: yishi's grouped append there against the raw grouped INSERT there. */
export async function appendAtSize(dir: string, sizes: number[], count: number): Promise<Figure[]> {
  const out: Figure[] = [];
  for (const n of sizes) {
    const label = n.toLocaleString('en');
    note(
      `append: grouped on a ledger of ${label} entries (filled first), and raw on ${label} rows`
    );
    const raw = rawAtSize(dir, n, count);
    const yishi = await yishiAtSize(dir, n, count);
    out.push(
      figure(
        `ledger append, grouped, ${count.toLocaleString('en')} more on a ledger of ${label}`,
        yishi,
        'entries/s',
        `raw better-sqlite3 INSERT, ${WAVE} per transaction, into a table of ${label} rows, same durability`,
        raw,
        { target: 'ratio >= 0.4', met: yishi / raw >= 0.4 }
      )
    );
  }
  return out;
}
