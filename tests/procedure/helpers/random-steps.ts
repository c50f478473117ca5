/**
 * Random command sequences for the property tests: abstract steps, turned into signed-looking
 * commands against the live state (half random, half driving the oldest live flow forward), and
 * the oracles checked after every accepted command.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import type { State } from '@yishi/procedure';
import { HOUR, SHA_A, SHA_B, VOTERS, World } from './world.js';

const ACTORS = [...VOTERS, 'rec', 'disc', 'att', 'admin'] as const;
const CATEGORIES = [
  'major_decision',
  'cadre_appointment',
  'major_project',
  'large_funds',
  'routine',
];
const KINDS = 20;

export interface Step {
  k: number;
  a: number;
  x: number;
  y: number;
  smart: boolean;
}

export const stepArb: fc.Arbitrary<Step> = fc.record({
  // Half the steps are random commands; the other half drive the oldest live flow forward.
  k: fc.nat(2 * KINDS - 1),
  a: fc.nat(ACTORS.length - 1),
  x: fc.nat(50),
  y: fc.nat(50),
  smart: fc.nat(4).map((n) => n > 0),
});

const pick = <T>(xs: readonly T[], i: number): T | undefined =>
  xs.length === 0 ? undefined : xs[i % xs.length];

function liveMeetings(s: State, state?: string) {
  return Object.values(s.meetings)
    .filter((m) => state === undefined || m.state === state)
    .sort((a, b) => a.scheduledSeq - b.scheduledSeq);
}

function liveItems(s: State, state?: string) {
  return Object.values(s.items)
    .filter((i) => state === undefined || i.state === state)
    .sort((a, b) => a.submittedSeq - b.submittedSeq);
}

function eligible(s: State, itemId: string): string[] {
  const item = s.items[itemId];
  const m = item ? s.meetings[item.meetingId] : undefined;
  if (!item || !m) return [];
  return Object.keys(m.present).filter(
    (id) => m.roster[id]?.voting === true && !item.recusals.some((r) => r.principalId === id)
  );
}

/** The next sensible command for the oldest live flow (a meeting, its items, its votes). */
function progress(w: World, st: Step): [string, Record<string, unknown>] {
  const s = w.state;
  const digestOf = (id: string) => s.items[id]?.materialsDigest ?? SHA_B;
  const voting = liveItems(s, 'voting')[0];
  if (voting?.vote) {
    const v = voting.vote;
    const id = voting.id;
    if (v.method === 'secret') {
      const next = eligible(s, id).find((p) => !v.receipts.some((r) => r.principalId === p));
      if (next && v.tallies.length === 0) {
        return [
          next,
          { type: 'ballot.receipt', itemId: id, materialsDigest: digestOf(id), receipt: SHA_A },
        ];
      }
      const scr = v.scrutineers.find((p) => !v.tallies.some((x) => x.principalId === p));
      if (scr) {
        const n = v.receipts.length;
        const against = Math.min(n, st.y % 3);
        return [scr, { type: 'tally.sign', itemId: id, for: n - against, against, abstain: 0 }];
      }
    } else {
      const next = eligible(s, id).find((p) => !v.ballots.some((b) => b.principalId === p));
      if (next) {
        const choice = st.y % 8 === 0 ? 'against' : st.y % 8 === 1 ? 'abstain' : 'for';
        return [next, { type: 'vote.cast', itemId: id, materialsDigest: digestOf(id), choice }];
      }
    }
    return ['chair', { type: 'vote.close', itemId: id }];
  }
  const delib = liveItems(s, 'deliberation')[0];
  if (delib) {
    const id = delib.id;
    const waiting = eligible(s, id).filter(
      (p) => !delib.statements.some((x) => x.voting && x.principalId === p)
    );
    const who = waiting.find((p) => p !== 'chair') ?? waiting[0];
    if (who && !delib.chairStated) {
      const position = st.y % 6 === 5 ? 'disagree' : 'agree';
      const p: Record<string, unknown> = {
        type: 'statement.record',
        itemId: id,
        materialsDigest: digestOf(id),
        position,
      };
      if (position !== 'agree') p.reasons = '理由';
      return [who, p];
    }
    const p: Record<string, unknown> = {
      type: 'vote.open',
      itemId: id,
      materialsDigest: digestOf(id),
    };
    if (delib.category === 'cadre_appointment') {
      const m = s.meetings[delib.meetingId];
      p.method = 'secret';
      p.scrutineers = Object.keys(m?.present ?? {})
        .filter((x) => x !== 'rec')
        .slice(0, 2);
    }
    return ['chair', p];
  }
  const open = liveMeetings(s, 'open')[0];
  if (open) {
    const next = open.items.find((id) => s.items[id]?.state === 'on_agenda');
    if (next) return ['chair', { type: 'item.deliberate', itemId: next }];
    return ['chair', { type: 'meeting.close', meetingId: open.id }];
  }
  const closed = liveMeetings(s, 'closed')[0];
  if (closed) {
    const who = closed.signatures.recorder === null ? 'rec' : 'chair';
    return [who, { type: 'record.sign', meetingId: closed.id, recordDigest: closed.recordDigest }];
  }
  const sched = liveMeetings(s, 'scheduled')[0];
  if (sched) {
    if (w.time < sched.scheduledStart) w.time = sched.scheduledStart;
    const n = 6 + (st.y % 4);
    const present = VOTERS.slice(0, n);
    const absent = VOTERS.slice(n).map((principalId) => ({ principalId, reason: '请假' }));
    return [
      'chair',
      { type: 'meeting.open', meetingId: sched.id, present, absent, attendees: ['rec'] },
    ];
  }
  return [
    'chair',
    {
      type: 'meeting.schedule',
      bodyId: w.bodyId,
      kind: 'leadership',
      title: '会议',
      scheduledStart: w.time + 100 * HOUR,
    },
  ];
}

/** Turn an abstract step into a signer and a command; many will (rightly) be refused. */
function interpret(w: World, st: Step): [string, Record<string, unknown>] {
  if (st.k >= KINDS) return progress(w, st);
  const s = w.state;
  const actor = ACTORS[st.a] as string;
  const meetingId = pick(liveMeetings(s), st.x)?.id ?? 'mtg-0';
  const itemId = pick(liveItems(s), st.x)?.id ?? 'item-0';
  const digestOf = (id: string) => s.items[id]?.materialsDigest ?? SHA_B;
  switch (st.k) {
    case 0:
      return [
        st.smart ? 'chair' : actor,
        {
          type: 'meeting.schedule',
          bodyId: w.bodyId,
          kind: st.y % 4 === 0 ? 'topical' : 'leadership',
          title: '会议',
          scheduledStart: w.time + ((st.smart ? 80 : 1) + (st.x % 120)) * HOUR,
        },
      ];
    case 1: {
      const category = CATEGORIES[st.y % 5] as string;
      const p: Record<string, unknown> = {
        type: 'item.submit',
        meetingId: st.smart
          ? (pick(liveMeetings(s, 'scheduled'), st.x)?.id ?? meetingId)
          : meetingId,
        category,
        title: '议题',
        materials: [{ title: '材料', sha256: SHA_A }],
      };
      if (category === 'large_funds') p.amount = 1000 * (st.x + 1);
      if (category === 'cadre_appointment') {
        p.candidate = { name: `候选人${st.x % 3}` };
        p.post = `职务${st.y % 2}`;
      }
      return [st.smart ? (pick(VOTERS.slice(1), st.a) as string) : actor, p];
    }
    case 2: {
      const m = st.smart ? pick(liveMeetings(s, 'scheduled'), st.x) : s.meetings[meetingId];
      if (m && st.smart && w.time < m.scheduledStart) w.time = m.scheduledStart;
      const n = 3 + (st.y % 7);
      const present = VOTERS.slice(0, n);
      const absent = VOTERS.slice(n).map((principalId) => ({ principalId, reason: '请假' }));
      return [
        st.smart ? 'chair' : actor,
        {
          type: 'meeting.open',
          meetingId: m?.id ?? meetingId,
          present,
          absent,
          attendees: st.y % 2 === 0 ? ['rec', 'att'] : [],
        },
      ];
    }
    case 3: {
      const m = pick(liveMeetings(s, 'open'), st.x);
      const who = pick(VOTERS, st.y) as string;
      const here = m?.present[who] === true;
      return [
        st.smart ? who : actor,
        {
          type: here ? 'meeting.depart' : 'meeting.arrive',
          meetingId: m?.id ?? meetingId,
          principalId: who,
        },
      ];
    }
    case 4:
      return [
        st.smart ? 'chair' : actor,
        { type: 'item.deliberate', itemId: pick(liveItems(s, 'on_agenda'), st.x)?.id ?? itemId },
      ];
    case 5: {
      const who = pick(VOTERS, st.y) as string;
      return [
        st.smart ? who : actor,
        { type: 'item.recuse', itemId, principalId: who, reason: '回避' },
      ];
    }
    case 6: {
      const item = pick(liveItems(s, 'deliberation'), st.x);
      const id = item?.id ?? itemId;
      let who = actor;
      if (st.smart && item) {
        const waiting = eligible(s, id).filter(
          (p) => !item.statements.some((x) => x.voting && x.principalId === p)
        );
        who = waiting.find((p) => p !== 'chair') ?? waiting[0] ?? actor;
      }
      const position = ['agree', 'agree', 'agree', 'disagree', 'defer'][st.y % 5] as string;
      const p: Record<string, unknown> = {
        type: 'statement.record',
        itemId: id,
        materialsDigest: digestOf(id),
        position,
      };
      if (position !== 'agree' || st.y % 7 === 0) p.reasons = '理由';
      return [who, p];
    }
    case 7:
      return [
        st.smart ? 'chair' : actor,
        { type: 'item.mark_urgent', itemId, justification: '紧急' },
      ];
    case 8: {
      const id = pick(liveItems(s, 'deliberation'), st.x)?.id ?? itemId;
      const p: Record<string, unknown> = {
        type: 'vote.open',
        itemId: id,
        materialsDigest: digestOf(id),
      };
      const cadre = s.items[id]?.category === 'cadre_appointment';
      if (cadre || st.y % 5 === 4) {
        p.method = 'secret';
        const m = s.items[id] ? s.meetings[s.items[id].meetingId] : undefined;
        p.scrutineers = Object.keys(m?.present ?? {})
          .filter((x) => x !== 'rec')
          .slice(0, 2);
      } else if (st.y % 5 === 3) p.method = 'show_of_hands';
      return [st.smart ? 'chair' : actor, p];
    }
    case 9: {
      const item = pick(liveItems(s, 'voting'), st.x);
      const id = item?.id ?? itemId;
      let who = actor;
      if (st.smart && item?.vote) {
        const done = item.vote.method === 'secret' ? item.vote.receipts : item.vote.ballots;
        who = eligible(s, id).find((p) => !done.some((b) => b.principalId === p)) ?? actor;
      }
      if (item?.vote?.method === 'secret') {
        return [
          who,
          { type: 'ballot.receipt', itemId: id, materialsDigest: digestOf(id), receipt: SHA_A },
        ];
      }
      return [
        who,
        {
          type: 'vote.cast',
          itemId: id,
          materialsDigest: digestOf(id),
          choice: ['for', 'for', 'against', 'abstain'][st.y % 4],
        },
      ];
    }
    case 10: {
      const item = pick(
        liveItems(s, 'voting').filter((i) => i.vote?.method === 'secret'),
        st.x
      );
      const n = item?.vote?.receipts.length ?? 0;
      const f = n - Math.min(n, st.y % 3);
      const who = st.smart
        ? (item?.vote?.scrutineers.find(
            (p) => !item.vote?.tallies.some((x) => x.principalId === p)
          ) ?? actor)
        : actor;
      return [
        who,
        { type: 'tally.sign', itemId: item?.id ?? itemId, for: f, against: n - f, abstain: 0 },
      ];
    }
    case 11:
      return [
        st.smart ? 'chair' : actor,
        { type: 'vote.close', itemId: pick(liveItems(s, 'voting'), st.x)?.id ?? itemId },
      ];
    case 12:
      return [
        st.smart ? 'chair' : actor,
        { type: 'meeting.close', meetingId: pick(liveMeetings(s, 'open'), st.x)?.id ?? meetingId },
      ];
    case 13:
      return [
        st.smart ? 'chair' : actor,
        { type: 'item.defer', itemId, statementBy: pick(VOTERS, st.y), reason: '缓议' },
      ];
    case 14: {
      const prev = pick(Object.keys(s.returnable).sort(), st.y) ?? 'item-1';
      const r = s.returnable[prev];
      const p: Record<string, unknown> = {
        type: 'item.resubmit',
        previousItemId: prev,
        meetingId,
        title: '再议',
        materials: [{ title: '材料', sha256: SHA_B }],
      };
      if (r?.category === 'large_funds') p.amount = 10;
      if (r?.candidate) {
        p.candidate = r.candidate;
        p.post = r.post;
      }
      return [st.smart ? 'm1' : actor, p];
    }
    case 15: {
      const open = Object.values(s.objections).find((o) => o.state === 'open');
      if (open && st.y % 2 === 0)
        return [
          st.smart ? 'chair' : actor,
          {
            type: 'objection.answer',
            objectionId: open.id,
            answer: st.y % 4 === 0 ? 'rejected' : 'corrected',
            reasons: '答复',
          },
        ];
      return [
        st.smart ? 'disc' : actor,
        {
          type: 'objection.raise',
          target: { kind: 'meeting', meetingId },
          rule: `P${1 + (st.y % 16)}`,
          text: '异议',
        },
      ];
    }
    case 16: {
      const m = pick(liveMeetings(s, 'closed'), st.x);
      return [
        st.smart ? (st.y % 2 === 0 ? 'rec' : 'chair') : actor,
        {
          type: 'record.sign',
          meetingId: m?.id ?? meetingId,
          recordDigest: m?.recordDigest ?? SHA_A,
        },
      ];
    }
    case 17:
      w.time += (st.x % 48) * HOUR;
      return [
        'admin',
        {
          type: 'report.acknowledge',
          reportId: pick(Object.keys(s.reports).sort(), st.y) ?? 'rpt-1-0',
        },
      ];
    case 18: {
      const m = pick(liveMeetings(s, 'open'), st.x);
      const motion = Object.values(s.motions).find((x) => x.outcome === null);
      if (motion && st.y % 3 === 0)
        return ['chair', { type: 'reconsideration.close', motionId: motion.id }];
      if (motion) {
        const mt = s.meetings[motion.meetingId];
        const who = st.smart
          ? (Object.keys(mt?.present ?? {}).find(
              (p) => mt?.roster[p]?.voting && !motion.ballots.some((b) => b.principalId === p)
            ) ?? actor)
          : actor;
        return [
          who,
          {
            type: 'reconsideration.vote',
            motionId: motion.id,
            choice: ['for', 'for', 'against'][st.y % 3],
          },
        ];
      }
      return [
        st.smart ? 'm1' : actor,
        {
          type: 'reconsideration.open',
          meetingId: m?.id ?? meetingId,
          itemId: pick(Object.keys(s.adopted).sort(), st.y) ?? itemId,
          reason: '复议',
        },
      ];
    }
    default:
      return [
        st.smart ? 'chair' : actor,
        {
          type: 'item.escalate',
          itemId: pick(Object.keys(s.returnable).sort(), st.y) ?? itemId,
          reason: '请求裁决',
        },
      ];
  }
}

/** The oracle of P4/P9 at a vote, computed independently of the engine's own counts. */
function checkAdoption(s: State, itemId: string): string | null {
  const item = s.items[itemId];
  const m = item ? s.meetings[item.meetingId] : undefined;
  if (!item || !m || !item.vote) return 'adopted item without a vote';
  let den = Object.values(m.roster).filter((r) => r.counted).length;
  den -= item.recusals.filter((r) => m.roster[r.principalId]?.counted === true).length;
  const v = item.vote;
  const participants = v.method === 'secret' ? v.receipts.length : v.ballots.length;
  const forCount =
    v.method === 'secret'
      ? (v.tallies[0]?.for ?? 0)
      : v.ballots.filter((b) => b.choice === 'for').length;
  const quorum =
    item.category === 'cadre_appointment' ? 3 * participants >= 2 * den : 2 * participants > den;
  if (!quorum) return `adopted without quorum: ${participants} of ${den}`;
  if (!(2 * forCount > den)) return `adopted with ${forCount} for of ${den}`;
  return null;
}

/** The chair's statement is never followed by another voting member's statement. */
function checkChairLast(s: State): string | null {
  for (const item of Object.values(s.items)) {
    const m = s.meetings[item.meetingId];
    const voting = item.statements.filter((x) => x.voting);
    const i = voting.findIndex((x) => m?.roster[x.principalId]?.role === 'chair');
    if (i >= 0 && i !== voting.length - 1)
      return `chair stated before ${voting[i + 1]?.principalId} on ${item.id}`;
  }
  return null;
}

export function run(steps: Step[]) {
  const w = World.create();
  // A productive start: three meetings a week ahead with items of every category.
  for (const kind of ['leadership', 'leadership', 'topical'] as const) {
    const m = w.schedule(kind, 7 * 24);
    for (const c of CATEGORIES) {
      if (c !== 'cadre_appointment' || kind === 'leadership')
        w.submit(m, c, c === 'cadre_appointment' ? { candidate: { name: `候选人${m}` } } : {});
    }
  }
  const snaps: Array<[number, string]> = [[w.entries.length, JSON.stringify(w.state)]];
  let accepted = 0;
  let adoptions = 0;
  let refusals = 0;
  for (const st of steps) {
    const [signer, payload] = interpret(w, st);
    const stateBefore = structuredClone(w.state);
    const d = w.send(signer, payload);
    if (!d.ok) {
      if (!isDeepStrictEqual(w.state, stateBefore))
        throw new Error(`refused ${String(payload.type)} changed the state`);
      refusals++;
      continue;
    }
    accepted++;
    if (payload.type === 'vote.close' && d.derived.result === 'adopted') {
      adoptions++;
      const problem = checkAdoption(w.state, payload.itemId as string);
      if (problem) throw new Error(problem);
    }
    if (payload.type === 'statement.record' && payload.position !== undefined) {
      const item = stateBefore.items[payload.itemId as string];
      const m = item ? stateBefore.meetings[item.meetingId] : undefined;
      if (m?.roster[signer]?.role === 'chair') {
        const waiting = Object.keys(m.present).filter(
          (id) =>
            id !== signer &&
            m.roster[id]?.voting === true &&
            !item?.recusals.some((r) => r.principalId === id) &&
            !item?.statements.some((x) => x.voting && x.principalId === id)
        );
        if (waiting.length > 0) throw new Error(`the chair stated before ${waiting.join(',')}`);
      }
    }
    const chair = checkChairLast(w.state);
    if (chair) throw new Error(chair);
    snaps.push([w.entries.length, JSON.stringify(w.state)]);
  }
  return { w, snaps, accepted, adoptions, refusals };
}
