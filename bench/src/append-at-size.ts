// Grouped append on a ledger that already holds N entries: the cost the nonce index adds as the
// ledger grows. The ledger is first filled to N entries straight through the store (unsigned
// placeholder commands: the store checks shapes, not signatures), one entry every 2 seconds of
// simulated history ending an hour ago; then `measure` signed vote commands are appended through
// the group-commit writer (1000 per call wave) at the present time, and the rate is printed.
//
//   npm run build && tsc -p bench && node bench/dist/append-at-size.js --sizes=20000,1000000
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { canonicalJson } from '@yishi/crypto';
import { LedgerStore, LedgerWriter } from '@yishi/service/internal';
import type { SignedCommand } from '@yishi/schema';
import { nonce, Principal } from './keys.js';
import { tempFolder } from './util.js';

const WAVE = 1000;
const FILL_BATCH = 4096;
const STEP_MS = 2000;

function arg(name: string, fallback: string): string {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? fallback : a.slice(name.length + 3);
}

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

async function measure(store: LedgerStore, count: number, now: number): Promise<number> {
  const members = Array.from({ length: 60 }, (_, i) =>
    Principal.derive('yishi-bench/size', `m${i}`)
  );
  const items = Array.from({ length: count }, (_, i) => {
    const m = members[i % 60] as Principal;
    const command = m.command({
      type: 'vote.cast',
      itemId: `item-x${Math.floor(i / 60)}`,
      materialsDigest: 'b4'.repeat(32),
      choice: 'for',
      ts: now + i,
      nonce: nonce(),
    } as SignedCommand['payload']);
    return { command, commandJson: canonicalJson(command), time: now + i };
  });
  const writer = new LedgerWriter(store);
  const t0 = performance.now();
  for (let i = 0; i < items.length; i += WAVE) {
    await Promise.all(
      items
        .slice(i, i + WAVE)
        .map((v) => writer.append(v.command, null, { commandJson: v.commandJson, time: v.time }))
    );
  }
  const seconds = (performance.now() - t0) / 1000;
  writer.close();
  return count / seconds;
}

const sizes = arg('sizes', '20000,1000000').split(',').map(Number);
const count = Number(arg('measure', '20000'));
const tmp = tempFolder('append-at-size');
try {
  for (const n of sizes) {
    const store = LedgerStore.open(join(tmp.dir, `size-${n}-${randomBytes(4).toString('hex')}.db`));
    const now = Date.now();
    const f0 = performance.now();
    fill(store, n, now);
    const filled = (performance.now() - f0) / 1000;
    const rate = await measure(store, count, now);
    store.close();
    console.log(
      `ledger of ${n.toLocaleString('en')} entries (filled in ${filled.toFixed(0)} s): grouped append of ${count.toLocaleString('en')} more: ${Math.round(rate).toLocaleString('en')} entries/s`
    );
  }
} finally {
  tmp.remove();
}
