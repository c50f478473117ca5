// Every row of the worked-examples table of shared/spec/procedure.md (a 9-member body, defaults).
import t from 'tap';
import { World, firstVoters, positions, toVote } from './helpers/world.js';

t.test('5 present at an ordinary meeting: may open (5 > 4.5)', async (t) => {
  const w = World.create();
  const m = w.schedule();
  const d = w.open(m, firstVoters(5));
  t.equal(d.denominator, 9);
  t.equal(d.presentVoting, 5);
  t.equal(w.state.meetings[m]?.state, 'open');
});

t.test('4 present: opening refused (P4)', async (t) => {
  const w = World.create();
  const m = w.schedule();
  w.time = w.state.meetings[m]?.scheduledStart ?? 0;
  const r = w.no('chair', {
    type: 'meeting.open',
    meetingId: m,
    present: firstVoters(4),
    absent: firstVoters(9)
      .slice(4)
      .map((principalId) => ({ principalId, reason: '出差' })),
    attendees: [],
  });
  t.equal(r.code, 'QUORUM_NOT_MET');
  t.equal(r.rule, 'P4');
  t.same(r.details, { present: 4, denominator: 9, fraction: { num: 1, den: 2 } });
});

function cadreAtVote(recused: boolean, recusedCountInDenominator: boolean) {
  const w = World.create(
    recusedCountInDenominator ? { rulebook: { recusedCountInDenominator } } : {}
  );
  const m = w.schedule();
  const { itemId } = w.submit(m, 'cadre_appointment');
  const present = firstVoters(6);
  w.open(m, present);
  if (recused) w.ok('m5', { type: 'item.recuse', itemId, principalId: 'm5', reason: '亲属关系' });
  const stating = present.filter((id) => !(recused && id === 'm5'));
  w.deliberate(itemId);
  w.stateAll(itemId, positions(stating));
  return { w, itemId };
}

t.test('cadre item, 6 present, none recused: may vote (6 ≥ 6)', async (t) => {
  const { w, itemId } = cadreAtVote(false, false);
  const d = w.openVote(itemId, { method: 'secret', scrutineers: ['m1', 'm2'] });
  t.equal(d.method, 'secret');
  t.equal(d.denominator, 9);
  t.equal(d.eligible, 6);
  t.equal(w.state.items[itemId]?.state, 'voting');
});

t.test('cadre item, 6 present, 1 recused: vote refused, denominator 8 by default', async (t) => {
  const { w, itemId } = cadreAtVote(true, false);
  const r = w.no('chair', {
    type: 'vote.open',
    itemId,
    materialsDigest: w.digestOf(itemId),
    method: 'secret',
    scrutineers: ['m1', 'm2'],
  });
  t.equal(r.code, 'QUORUM_NOT_MET');
  t.equal(r.rule, 'P4');
  t.match(r.details, { presentNonRecused: 5, denominator: 8, inclusive: true });
});

t.test(
  'cadre item, 6 present, 1 recused, recusedCountInDenominator: denominator stays 9, 5 < 6',
  async (t) => {
    const { w, itemId } = cadreAtVote(true, true);
    const r = w.no('chair', {
      type: 'vote.open',
      itemId,
      materialsDigest: w.digestOf(itemId),
      method: 'secret',
      scrutineers: ['m1', 'm2'],
    });
    t.equal(r.code, 'QUORUM_NOT_MET');
    t.match(r.details, { presentNonRecused: 5, denominator: 9 });
  }
);

function sevenStating(others: Record<string, 'disagree' | 'defer'>) {
  const w = World.create();
  const m = w.schedule();
  const { itemId } = w.submit(m);
  const present = firstVoters(7);
  w.open(m, present);
  w.deliberate(itemId);
  w.stateAll(itemId, positions(present, others));
  return { w, itemId };
}

t.test(
  '7 present; statements 5 agree, 2 disagree: 3 × 2 = 6 > 7 is false, the vote opens',
  async (t) => {
    const { w, itemId } = sevenStating({ m1: 'disagree', m2: 'disagree' });
    const d = w.openVote(itemId);
    t.same(d.statements, { agree: 5, disagree: 2, defer: 0, stated: 7 });
    t.equal(w.state.items[itemId]?.state, 'voting');
  }
);

t.test(
  '7 present; statements 4 agree, 2 disagree, 1 defer: 3 × 3 = 9 > 7, deferred (P8)',
  async (t) => {
    const { w, itemId } = sevenStating({ m1: 'disagree', m2: 'disagree', m3: 'defer' });
    const d = w.openVote(itemId);
    t.equal(d.result, 'deferred');
    t.equal(d.rule, 'P8');
    t.equal(d.basis, 'statements');
    t.equal(w.state.items[itemId]?.state, 'deferred');
    t.ok(w.state.returnable[itemId], 'the deferred item awaits a later meeting');
  }
);

function voteWith(
  present: readonly string[],
  choices: Record<string, 'for' | 'against' | 'abstain'>,
  urgent = false
) {
  const w = World.create();
  const m = w.schedule();
  const { itemId } = w.submit(m);
  w.open(m, present);
  if (urgent)
    w.ok('chair', { type: 'item.mark_urgent', itemId, justification: '防汛抢险，时间紧迫' });
  toVote(w, itemId, present);
  w.castAll(itemId, choices);
  return { w, itemId, d: w.closeVote(itemId) };
}

const split = (present: readonly string[], f: number, a: number) => {
  const out: Record<string, 'for' | 'against' | 'abstain'> = {};
  present.forEach((id, i) => (out[id] = i < f ? 'for' : i < f + a ? 'against' : 'abstain'));
  return out;
};

t.test('7 present; vote 6 for, 1 against: not close; 6 > 9/2, adopted', async (t) => {
  const p = firstVoters(7);
  const { d } = voteWith(p, split(p, 6, 1));
  t.equal(d.result, 'adopted');
  t.equal(d.rule, 'P9');
  t.same(d.counts, { for: 6, against: 1, abstain: 0, cast: 7, denominator: 9 });
});

t.test(
  '6 present; vote 4 for, 2 against: not close; 4 > 9/2 is false, rejected (P9)',
  async (t) => {
    const p = firstVoters(6);
    const { d } = voteWith(p, split(p, 4, 2));
    t.equal(d.result, 'rejected');
    t.equal(d.rule, 'P9');
    t.equal((d.counts as { denominator: number }).denominator, 9, 'the denominator is 9, not 6');
  }
);

t.test('9 present; vote 6 for, 3 against: 9 > 9 is false, not close; adopted', async (t) => {
  const p = firstVoters(9);
  const { d } = voteWith(p, split(p, 6, 3));
  t.equal(d.result, 'adopted');
  t.equal(d.rule, 'P9');
});

t.test('9 present; vote 5 for, 3 against, 1 abstain: 3 × 4 = 12 > 9, deferred (P8)', async (t) => {
  const p = firstVoters(9);
  const { d, w, itemId } = voteWith(p, { ...split(p, 5, 3), m8: 'abstain' });
  t.equal(d.result, 'deferred');
  t.equal(d.rule, 'P8');
  t.equal(d.basis, 'close_vote');
  t.equal(w.state.items[itemId]?.state, 'deferred');
});

t.test(
  'the same vote marked urgent: 5 > 9/2, adopted, urgent_override, reported upward',
  async (t) => {
    const p = firstVoters(9);
    const { d } = voteWith(p, { ...split(p, 5, 3), m8: 'abstain' }, true);
    t.equal(d.result, 'adopted');
    t.equal(d.urgentOverride, true);
    t.equal(d.overrodeDeferral, true);
    const kinds = (d.reports as Array<{ kind: string; addressee: string }>).map((r) => r.kind);
    t.ok(kinds.includes('urgent_override'));
    t.ok(kinds.includes('adopted_major_matter'));
    t.ok(
      (d.reports as Array<{ addressee: string }>).every(
        (r) => r.addressee === 'higher_level_organisation'
      )
    );
  }
);

t.test('the chair states while one member has not: refused (P7)', async (t) => {
  const w = World.create();
  const m = w.schedule();
  const { itemId } = w.submit(m);
  w.open(m, firstVoters(5));
  w.deliberate(itemId);
  for (const id of ['m1', 'm2', 'm3']) w.say(itemId, id, 'agree');
  const r = w.no('chair', {
    type: 'statement.record',
    itemId,
    materialsDigest: w.digestOf(itemId),
    position: 'agree',
  });
  t.equal(r.code, 'CHAIR_MUST_STATE_LAST');
  t.equal(r.rule, 'P7');
  t.same(r.details, { waitingFor: ['m4'] });
});

t.test('a major item added after the meeting opened: refused (P3)', async (t) => {
  const w = World.create();
  const m = w.schedule();
  w.open(m);
  const r = w.no('m1', {
    type: 'item.submit',
    meetingId: m,
    category: 'major_decision',
    title: '临时动议',
    materials: [{ title: '材料', sha256: 'c'.repeat(64) }],
  });
  t.equal(r.code, 'ADHOC_MOTION_REFUSED');
  t.equal(r.rule, 'P3');
});

t.test('a vote on a major_project item at a topical meeting: refused (P2)', async (t) => {
  const w = World.create();
  const m = w.schedule('topical');
  const { itemId } = w.submit(m, 'major_project');
  w.open(m, firstVoters(9));
  w.deliberate(itemId);
  w.stateAll(itemId, positions(firstVoters(9)));
  const r = w.no('chair', { type: 'vote.open', itemId, materialsDigest: w.digestOf(itemId) });
  t.equal(r.code, 'TOPICAL_MEETING_CANNOT_DECIDE');
  t.equal(r.rule, 'P2');
});
