import { initWitness, startWitnessServer, type WitnessServer } from '@yishi/service/internal';
import { tempDir } from './ledger-fixture.js';

/** Witness servers on 127.0.0.1, one per name, each witnessing the log `logVkey`; closed at teardown. */
export async function witnesses(
  t: { teardown(fn: () => unknown): void },
  names: string[],
  logVkey: string
): Promise<WitnessServer[]> {
  const out: WitnessServer[] = [];
  for (const name of names) {
    const dir = tempDir(t);
    initWitness(dir, name);
    const w = await startWitnessServer({ dataDir: dir, logVkeys: [logVkey] });
    t.teardown(() => w.close());
    out.push(w);
  }
  return out;
}
