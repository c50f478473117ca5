import { createWriteStream, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { entryLeafHashHex, parseSecretKey } from '@yishi/crypto';
import { decide, initialState, replayEntry } from '@yishi/procedure';
import type { LedgerEntry } from '@yishi/schema';
import { generateKeyPair, signCommand } from '@yishi/sdk';
import {
  Checkpointer,
  initDataDir,
  LedgerStore,
  LedgerWriter,
  writeExport,
} from '@yishi/service/internal';
import { tempDir } from '../../helpers/ledger-fixture.js';

/** A ledger of two bodies, each with a chair and one scheduled meeting, exported. */
export interface TwoBodies {
  exportText: string;
  vkey: string;
  bodies: [string, string];
}

/**
 * Builds a small ledger with two bodies through the rules (each command decided on the engine's
 * state for its `derived`, signed, appended, checkpointed) and exports it.
 */
export async function twoBodies(t: { teardown(fn: () => void): void }): Promise<TwoBodies> {
  const dir = tempDir(t, 'yishi-two-bodies-');
  let now = 1_767_225_600_000;
  const clock = () => now;
  const init = await initDataDir(join(dir, 'data'), { clock });
  const admin = parseSecretKey(readFileSync(init.paths.adminKey, 'utf8').trim()).secretKey;
  const skey = readFileSync(init.paths.logKey, 'utf8').trim();
  const store = LedgerStore.open(init.paths.db);
  const bodies: string[] = [];
  try {
    let state = replayEntry(initialState(), store.entry(0) as LedgerEntry).state;
    const writer = new LedgerWriter(store, { clock });
    const checkpointer = new Checkpointer(store, { skey, origin: init.origin, clock });
    const send = async (payload: Record<string, unknown>, key: Uint8Array) => {
      now += 1000;
      const command = signCommand(
        { ...(payload as { type: string }), ledger: init.ledgerId },
        key,
        clock
      );
      const d = decide(state, { seq: state.seq + 1, time: now, command });
      if (!d.ok) throw new Error(`${String(payload['type'])} refused: ${d.refusal.code}`);
      state = d.state;
      await writer.append(command, d.derived);
      return d.derived as Record<string, unknown>;
    };
    for (const name of ['第一党支部', '第二党支部']) {
      const bodyId = (await send({ type: 'body.create', name }, admin))['bodyId'] as string;
      bodies.push(bodyId);
      const chair = generateKeyPair(`${bodyId}-chair`);
      await send(
        {
          type: 'principal.register',
          principalId: `${bodyId}-chair`,
          name: `${name}书记`,
          publicKey: chair.publicKeyBase64,
          role: 'chair',
          bodyId,
        },
        admin
      );
      checkpointer.checkpointNow();
      await send(
        {
          type: 'meeting.schedule',
          bodyId,
          kind: 'leadership',
          title: `${name}委员会会议`,
          scheduledStart: now + 7 * 86_400_000,
        },
        parseSecretKey(chair.secretKey).secretKey
      );
    }
    checkpointer.checkpointNow();
  } finally {
    store.close();
  }
  const path = join(dir, 'export.jsonl');
  const file = createWriteStream(path, { flags: 'wx' });
  await once(file, 'open');
  await writeExport(init.paths.db, file);
  file.end();
  await once(file, 'finish');
  return {
    exportText: readFileSync(path, 'utf8'),
    vkey: init.vkey,
    bodies: bodies as [string, string],
  };
}

/**
 * The shared scoped-export format (PHASE3): each entry of another body's meetings and items
 * becomes `{"redacted":{"seq":N,"prev":…,"leafHash":…}}`; ledger-wide entries stay whole.
 */
export function redactOtherBodies(
  exportText: string,
  visibleBody: string
): { text: string; redacted: number } {
  let redacted = 0;
  const meetingBody = new Map<string, string>();
  const lines = exportText
    .trimEnd()
    .split('\n')
    .map((line) => {
      const entry = (JSON.parse(line) as { entry?: LedgerEntry }).entry;
      if (!entry) return line;
      const p = entry.command.payload as Record<string, unknown>;
      const d = (entry.derived ?? {}) as Record<string, unknown>;
      const meetingId = (p['meetingId'] ?? d['meetingId']) as string | undefined;
      const body = meetingId
        ? (meetingBody.get(meetingId) ?? (p['bodyId'] as string | undefined))
        : undefined;
      if (meetingId && body) meetingBody.set(meetingId, body);
      if (body === undefined || body === visibleBody) return line;
      redacted++;
      const r = { seq: entry.seq, prev: entry.prev, leafHash: entryLeafHashHex(entry) };
      return JSON.stringify({ redacted: r });
    });
  return { text: lines.join('\n'), redacted };
}
