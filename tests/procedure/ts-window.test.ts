// A command's signed ts must lie within 5 minutes of its entry's time (issue 13): the engine
// refuses it, so an auditor's replay enforces what the service's clock-skew check did.
import t from 'tap';
import { decide, replay, replayEntry, TS_WINDOW_MS } from '@yishi/procedure';
import type { LedgerEntry } from '@yishi/schema';
import { World } from './helpers/world.js';

const schedule = (w: World) => ({
  type: 'meeting.schedule',
  bodyId: w.bodyId,
  kind: 'leadership',
  title: '会议',
  scheduledStart: w.time + 7 * 86_400_000,
});

t.test('a ts at the window edge is accepted, one past it is refused', async (t) => {
  for (const offset of [TS_WINDOW_MS, -TS_WINDOW_MS]) {
    const w = World.create();
    const cmd = w.command('chair', schedule(w));
    cmd.payload.ts = w.time + offset;
    t.ok(decide(w.state, { seq: w.seq, time: w.time, command: cmd }).ok, `offset ${offset}`);
  }
  for (const offset of [TS_WINDOW_MS + 1, -TS_WINDOW_MS - 1]) {
    const w = World.create();
    const cmd = w.command('chair', schedule(w));
    cmd.payload.ts = w.time + offset;
    const d = decide(w.state, { seq: w.seq, time: w.time, command: cmd });
    t.equal(d.ok ? 'accepted' : d.refusal.code, 'TS_OUT_OF_WINDOW', `offset ${offset}`);
  }
});

t.test('a replayed entry whose ts is out of window is refused', async (t) => {
  const w = World.create();
  w.ok('chair', schedule(w));
  const entries: LedgerEntry[] = structuredClone(w.entries);
  const last = entries[entries.length - 1] as LedgerEntry;
  // An insider moves the entry's time an hour after the command was signed.
  last.time += 3_600_000;
  t.throws(() => replay(entries), { code: 'ENTRY_REFUSED' });
  let state = replay(entries.slice(0, -1));
  const { findings } = replayEntry(state, last);
  t.equal(findings[0]?.code, 'ENTRY_REFUSED');
  t.match(findings[0]?.evidence, { refusal: { code: 'TS_OUT_OF_WINDOW' } });
  state = replay(w.entries);
  t.equal(state.seq, w.state.seq, 'the honest ledger replays');
});
