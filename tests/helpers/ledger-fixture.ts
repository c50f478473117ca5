import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSecretKey } from '@yishi/crypto';
import { signCommand } from '@yishi/sdk';
import {
  Checkpointer,
  initDataDir,
  LedgerStore,
  LedgerWriter,
  writeExport,
  type InitResult,
} from '@yishi/service/internal';
import { readFileSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** A temporary folder removed when the test ends. */
export function tempDir(t: { teardown(fn: () => void): void }, prefix = 'yishi-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A ledger in a temporary data directory with `extra` signed entries after its genesis. */
export interface LedgerFixture extends InitResult {
  adminSecretKey: Uint8Array;
  skey: string;
}

/**
 * Creates a ledger, appends `extra` commands signed by its first admin (in groups, with a
 * checkpoint after each group so there are several checkpoints), and closes it.
 */
export async function makeLedger(
  t: { teardown(fn: () => void): void },
  extra = 20,
  groups = 3
): Promise<LedgerFixture> {
  const dir = tempDir(t);
  let now = 1_767_225_600_000;
  const clock = () => (now += 1000);
  const init = await initDataDir(join(dir, 'data'), { clock });
  const adminSecretKey = parseSecretKey(readFileSync(init.paths.adminKey, 'utf8').trim()).secretKey;
  const skey = readFileSync(init.paths.logKey, 'utf8').trim();
  const store = LedgerStore.open(init.paths.db);
  try {
    const writer = new LedgerWriter(store, { clock });
    const checkpointer = new Checkpointer(store, { skey, origin: init.origin, clock });
    const perGroup = Math.ceil(extra / groups);
    for (let i = 0; i < extra; i++) {
      const command = signCommand(
        { type: 'test.note', ledger: init.ledgerId, text: `note ${i} 备注` },
        adminSecretKey,
        clock
      );
      await writer.append(command, { note: i });
      if ((i + 1) % perGroup === 0 || i === extra - 1) checkpointer.checkpointNow();
    }
  } finally {
    store.close();
  }
  return { ...init, adminSecretKey, skey };
}

/** Exports a fixture's ledger to a file and returns its path and lines. */
export async function exportLedger(
  fixture: LedgerFixture,
  path = join(fixture.paths.dir, 'export.jsonl')
): Promise<{ path: string; lines: string[] }> {
  const file = createWriteStream(path, { flags: 'wx' });
  await once(file, 'open');
  await writeExport(fixture.paths.db, file);
  file.end();
  await once(file, 'finish');
  return { path, lines: readFileSync(path, 'utf8').trimEnd().split('\n') };
}
