// An ingest load the rules accept on the generated meeting ledger: the meetings its last round
// left open (found in its last entries) have their items deliberated, voted and closed through
// the service's command routes, every command signed by its principal (keys derived again from
// the ledger's namespace, bench/src/keys.ts) for the server's clock.
import { Principal, nonce } from './keys.js';
import { LedgerStore } from '@yishi/service/internal';

/** An item of a meeting left open, and who may act on it (the chair first). */
interface OpenItem {
  itemId: string;
  materialsDigest: string;
  voters: string[];
}

/** Entries read back from the end to find the open meetings (one round is ~15k at 1M). */
const TAIL = 40_000;

/** The items of the meetings still open at the end of `ledgerDb`, agenda order within each. */
export function openItems(ledgerDb: string): { ledgerId: string; meetings: OpenItem[][] } {
  const store = LedgerStore.open(ledgerDb);
  try {
    const items = new Map<string, { itemId: string; materialsDigest: string }[]>();
    const present = new Map<string, string[]>();
    for (const { entry } of store.iterateEntries(Math.max(0, store.size - TAIL), store.size)) {
      const p = entry.command.payload as Record<string, unknown>;
      const d = entry.derived as Record<string, unknown>;
      if (p['type'] === 'item.submit') {
        const list = items.get(p['meetingId'] as string) ?? [];
        list.push({
          itemId: d['itemId'] as string,
          materialsDigest: d['materialsDigest'] as string,
        });
        items.set(p['meetingId'] as string, list);
      } else if (p['type'] === 'meeting.open') {
        present.set(p['meetingId'] as string, p['present'] as string[]);
      } else if (p['type'] === 'meeting.close') {
        present.delete(p['meetingId'] as string);
      }
    }
    const meetings = [...present].map(([id, voters]) =>
      (items.get(id) ?? []).map((i) => ({ ...i, voters }))
    );
    return { ledgerId: store.ledgerId ?? '', meetings };
  } finally {
    store.close();
  }
}

/** One signed command: its route and JSON body. */
export interface Request {
  path: string;
  body: string;
}

/**
 * The commands of every open meeting's `k`-th item, in waves signed when called (the server
 * checks `ts` against its clock): each wave's commands are independent of each other and need
 * the waves before them (deliberation; the members'
 * statements; the chair's, last (P7); the vote opened; every vote; the vote closed).
 */
export function itemWaves(
  namespace: string,
  ledgerId: string,
  meetings: OpenItem[][],
  k: number
): (() => Request[])[] {
  const keys = new Map<string, Principal>();
  const key = (id: string) => {
    let p = keys.get(id);
    if (!p) keys.set(id, (p = Principal.derive(namespace, id)));
    return p;
  };
  const sign = (id: string, path: string, payload: Record<string, unknown>): Request => ({
    path,
    body: JSON.stringify(
      key(id).command({
        ledger: ledgerId,
        ...payload,
        ts: Date.now(),
        nonce: nonce(),
      } as never)
    ),
  });
  const items = meetings.flatMap((m) => (m[k] ? [m[k]] : []));
  const on = (i: OpenItem) => ({ itemId: i.itemId, materialsDigest: i.materialsDigest });
  const chair = (i: OpenItem) => i.voters[0] as string;
  return [
    () =>
      items.map((i) =>
        sign(chair(i), `/items/${i.itemId}/deliberation`, {
          type: 'item.deliberate',
          itemId: i.itemId,
        })
      ),
    () =>
      items.flatMap((i) =>
        i.voters.slice(1).map((m) =>
          sign(m, `/items/${i.itemId}/statements`, {
            type: 'statement.record',
            ...on(i),
            position: 'agree',
          })
        )
      ),
    () =>
      items.map((i) =>
        sign(chair(i), `/items/${i.itemId}/statements`, {
          type: 'statement.record',
          ...on(i),
          position: 'agree',
        })
      ),
    () =>
      items.map((i) => sign(chair(i), `/items/${i.itemId}/vote`, { type: 'vote.open', ...on(i) })),
    () =>
      items.flatMap((i) =>
        i.voters.map((v) =>
          sign(v, `/items/${i.itemId}/votes`, { type: 'vote.cast', ...on(i), choice: 'for' })
        )
      ),
    () =>
      items.map((i) =>
        sign(chair(i), `/items/${i.itemId}/vote-closing`, {
          type: 'vote.close',
          itemId: i.itemId,
        })
      ),
  ];
}
