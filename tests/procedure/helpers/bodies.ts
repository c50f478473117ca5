/**
 * Generated ledgers of several bodies whose meetings interleave at random (issue 17: scoped
 * replay must give the visible bodies the outcomes of the full replay). Each body runs meetings
 * as the rules want them (agenda in advance, statements with the chair last, roll-call votes,
 * the record signed), with random positions and votes (so items are adopted, rejected or
 * deferred), deferrals that expire a day later (swept by whichever body's entry comes next),
 * interference records, admins' key resets (reports addressed upward, acknowledged later) and
 * suspensions. A seeded generator: the same seed gives the same ledger.
 */
import { Ledger, SHA_A, TEST_LEDGER, DAY, HOUR, keyOf as namedKey } from './world.js';

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Body {
  id: string;
  chair: string;
  members: string[];
  rec: string;
  disc: string;
}

/** A generated ledger: its entries (fake signatures; the engine checks none) and its bodies. */
export interface Generated {
  ledger: Ledger;
  bodies: string[];
  /** The body names, meeting titles and texts of each body (to look for in a scoped export). */
  secrets: Record<string, string[]>;
  /** Public key → the name its secret key is derived from (`keyOf` in world.ts). */
  names: Map<string, string>;
}

/** A ledger of `bodies` bodies, each holding `meetings` meetings, interleaved by `seed`. */
export function generateBodies(seed: number, bodies = 3, meetings = 2): Generated {
  const rnd = prng(seed);
  const names = new Map<string, string>();
  const keyOf = (name: string): string => {
    const key = namedKey(name);
    names.set(key, name);
    return key;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const l = new Ledger();
  l.keys['log'] = keyOf('log');
  l.ok('log', {
    type: 'ledger.genesis',
    ledgerId: TEST_LEDGER,
    origin: 'yishi.test/ledger',
    logPublicKey: keyOf('log'),
    admin: { principalId: 'admin', name: '上级党委组织部', publicKey: keyOf('admin') },
  });
  const tick = () => l.advance(60_000);
  const ok = (signer: string, payload: Record<string, unknown>) => {
    tick();
    return l.ok(signer, payload);
  };
  const secrets: Record<string, string[]> = {};
  const all: Body[] = [];
  for (let i = 0; i < bodies; i++) {
    const name = `第${i + 1}班子-${seed}`;
    const id = ok('admin', { type: 'body.create', name }).bodyId as string;
    secrets[id] = [name];
    ok('admin', { type: 'rulebook.set', bodyId: id, params: { deferralExpiryDays: 1 } });
    const reg = (pid: string, role: string, votes?: boolean) => {
      const p: Record<string, unknown> = {
        type: 'principal.register',
        principalId: pid,
        name: `${pid} 同志`,
        publicKey: keyOf(pid),
        role,
        bodyId: id,
      };
      if (votes !== undefined) p.votes = votes;
      ok('admin', p);
      secrets[id]?.push(`${pid} 同志`);
      return pid;
    };
    const b: Body = {
      id,
      chair: reg(`b${i}-chair`, 'chair'),
      members: [1, 2, 3, 4].map((m) => reg(`b${i}-m${m}`, 'member')),
      rec: reg(`b${i}-rec`, 'recorder'),
      disc: reg(`b${i}-disc`, 'discipline', false),
    };
    all.push(b);
  }
  ok('admin', {
    type: 'principal.register',
    principalId: 'aud',
    name: '审计员',
    publicKey: keyOf('aud'),
    role: 'auditor',
  });
  ok('admin', {
    type: 'auditor.appoint',
    principalId: 'aud',
    bodyIds: all.filter(() => rnd() < 0.5).map((b) => b.id),
  });

  const pendingReports: string[] = [];
  const noteReports = (d: Record<string, unknown>) => {
    for (const r of (d['reports'] ?? []) as Array<{ reportId: string }>) {
      pendingReports.push(r.reportId);
    }
  };
  let rotations = 0;

  function* flow(b: Body, n: number): Generator<void> {
    const voters = [b.chair, ...b.members];
    for (let k = 0; k < meetings; k++) {
      const title = `${b.id} 第${k + 1}次会议 ${seed}`;
      secrets[b.id]?.push(title);
      const start = l.time + 7 * DAY;
      const mtg = ok(b.chair, {
        type: 'meeting.schedule',
        bodyId: b.id,
        kind: 'leadership',
        title,
        scheduledStart: start,
      }).meetingId as string;
      // The agenda goes in at once (P3: in advance), before another body's meeting moves the clock.
      const items: Array<{ id: string; digest: string }> = [];
      const count = 1 + Math.floor(rnd() * 2);
      for (let j = 0; j < count; j++) {
        const itemTitle = `${b.id} 议题 ${k}-${j} ${seed}`;
        secrets[b.id]?.push(itemTitle);
        const d = ok(pick(b.members), {
          type: 'item.submit',
          meetingId: mtg,
          category: pick(['major_decision', 'routine', 'major_project']),
          title: itemTitle,
          materials: [{ title: '请示', sha256: SHA_A }],
        });
        items.push({ id: d.itemId as string, digest: d.materialsDigest as string });
      }
      yield;
      if (rnd() < 0.3) {
        const text = `${b.id} 干预 ${n}-${k} ${seed}`;
        secrets[b.id]?.push(text);
        noteReports(
          ok(pick(b.members), {
            type: 'interference.record',
            bodyId: b.id,
            who: { name: '某领导', post: '某职务', relation: 'leader' },
            matter: { category: 'procurement', text },
            form: 'request',
            occurredAt: l.time - HOUR,
          })
        );
        yield;
      }
      if (l.time < start) l.time = start;
      ok(b.chair, {
        type: 'meeting.open',
        meetingId: mtg,
        present: voters,
        absent: [],
        attendees: [b.disc],
      });
      yield;
      for (const item of items) {
        ok(b.chair, { type: 'item.deliberate', itemId: item.id });
        yield;
        for (const m of b.members) {
          const position = pick(['agree', 'agree', 'disagree', 'defer'] as const);
          const p: Record<string, unknown> = {
            type: 'statement.record',
            itemId: item.id,
            materialsDigest: item.digest,
            position,
          };
          if (position !== 'agree') {
            const reasons = `${m} 的理由 ${seed}`;
            secrets[b.id]?.push(reasons);
            p.reasons = reasons;
          }
          ok(m, p);
          yield;
        }
        ok(b.chair, {
          type: 'statement.record',
          itemId: item.id,
          materialsDigest: item.digest,
          position: 'agree',
        });
        yield;
        ok(b.chair, { type: 'vote.open', itemId: item.id, materialsDigest: item.digest });
        yield;
        // P8: large disagreement in the statements defers the item instead of a vote.
        if (l.state.items[item.id]?.state !== 'voting') continue;
        for (const v of voters) {
          ok(v, {
            type: 'vote.cast',
            itemId: item.id,
            materialsDigest: item.digest,
            choice: pick(['for', 'for', 'against', 'abstain'] as const),
          });
          yield;
        }
        noteReports(ok(b.chair, { type: 'vote.close', itemId: item.id }));
        yield;
      }
      const closed = ok(b.chair, { type: 'meeting.close', meetingId: mtg });
      noteReports(closed);
      yield;
      ok(b.rec, { type: 'record.sign', meetingId: mtg, recordDigest: closed.recordDigest });
      yield;
      ok(b.chair, { type: 'record.sign', meetingId: mtg, recordDigest: closed.recordDigest });
      yield;
      if (rnd() < 0.4) {
        // An admin resets a member's key (a report to the body's discipline role and upward).
        const who = pick(b.members);
        const key = keyOf(`${who}#${++rotations}`);
        noteReports(ok('admin', { type: 'key.rotate', principalId: who, newPublicKey: key }));
        l.keys[who] = key;
        yield;
      }
      // Days pass: a deferred item expires, swept by whichever entry comes next.
      l.advance(Math.floor(rnd() * 3 * DAY));
    }
  }

  const flows = all.map((b, n) => flow(b, n));
  while (flows.length > 0) {
    const i = Math.floor(rnd() * flows.length);
    const f = flows[i] as Generator<void>;
    if (f.next().done === true) flows.splice(i, 1);
    if (pendingReports.length > 0 && rnd() < 0.2) {
      ok('admin', { type: 'report.acknowledge', reportId: pendingReports.shift() as string });
    }
  }
  return { ledger: l, bodies: all.map((b) => b.id), secrets, names };
}
