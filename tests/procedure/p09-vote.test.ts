// P9 vote and threshold: one item at a time; each present non-recused voting member signs a vote
// (roll call or show of hands, per member), or for secret ballots a receipt while two
// non-candidate scrutineers sign the tally; adopted when `for` is more than half the denominator.
import t from 'tap';
import { buildRecord } from '@yishi/procedure';
import { World, firstVoters, positions, toVote } from './helpers/world.js';

const all = (voters: readonly string[], choice: 'for' | 'against' | 'abstain') =>
  Object.fromEntries(voters.map((id) => [id, choice])) as Record<string, 'for'>;

function secretAtVote(present = firstVoters(9)) {
  const w = World.create();
  const m = w.schedule();
  const { itemId } = w.submit(m, 'cadre_appointment');
  w.open(m, present);
  toVote(w, itemId, present, { method: 'secret', scrutineers: ['m1', 'm2'] });
  return { w, m, itemId };
}

const receipt = (w: World, itemId: string, by: string) =>
  w.ok(by, {
    type: 'ballot.receipt',
    itemId,
    materialsDigest: w.digestOf(itemId),
    receipt: by.padEnd(64, '0').replace(/[^0-9a-f]/g, '0'),
  });

t.test('P9', async (t) => {
  t.test('one item at a time: a second deliberation waits for the first', async (t) => {
    const w = World.create();
    const m = w.schedule();
    const a = w.submit(m).itemId;
    const b = w.submit(m, 'routine').itemId;
    w.open(m);
    w.deliberate(a);
    const r = w.no('chair', { type: 'item.deliberate', itemId: b });
    t.equal(r.code, 'ANOTHER_ITEM_IN_PROGRESS');
    t.equal(r.rule, 'P9');
    w.stateAll(a, positions(firstVoters(9)));
    w.openVote(a);
    w.castAll(a, all(firstVoters(9), 'for'));
    w.closeVote(a);
    w.deliberate(b);
  });

  t.test('roll call records each member’s signed vote and reason', async (t) => {
    const w = World.create();
    const m = w.schedule();
    const { itemId } = w.submit(m);
    w.open(m);
    toVote(w, itemId, firstVoters(9));
    w.castAll(itemId, all(firstVoters(8), 'for'));
    w.cast(itemId, 'm8', 'against', '资金来源不明确');
    const d = w.closeVote(itemId);
    t.equal(d.result, 'adopted');
    const rec = buildRecord(w.state, m).items[0];
    t.equal(rec?.vote?.ballots?.length, 9);
    t.same(
      rec?.dissent.filter((x) => x.kind === 'vote').map((x) => [x.principalId, x.text]),
      [['m8', '资金来源不明确']]
    );
  });

  t.test('show of hands is still recorded per member', async (t) => {
    const w = World.create();
    const m = w.schedule();
    const { itemId } = w.submit(m, 'routine');
    w.open(m);
    toVote(w, itemId, firstVoters(9), { method: 'show_of_hands' });
    w.castAll(itemId, all(firstVoters(9), 'for'));
    w.closeVote(itemId);
    t.equal(buildRecord(w.state, m).items[0]?.vote?.ballots?.length, 9);
  });

  t.test('refuses closing while present voting members have not voted', async (t) => {
    const w = World.create();
    const m = w.schedule();
    const { itemId } = w.submit(m);
    w.open(m);
    toVote(w, itemId, firstVoters(9));
    w.castAll(itemId, all(firstVoters(8), 'for'));
    const r = w.no('chair', { type: 'vote.close', itemId });
    t.equal(r.code, 'VOTES_OUTSTANDING');
    t.same(r.details, { waitingFor: ['m8'] });
    t.equal(w.no('m1', { type: 'vote.close', itemId }).code, 'ROLE_NOT_ALLOWED');
  });

  t.test('refuses votes from attendees, recorders, or against another digest', async (t) => {
    const w = World.create();
    const m = w.schedule();
    const { itemId } = w.submit(m);
    w.open(m, firstVoters(9), ['att', 'rec', 'disc']);
    toVote(w, itemId, firstVoters(9));
    const v = (by: string, digest = w.digestOf(itemId)) =>
      w.no(by, { type: 'vote.cast', itemId, materialsDigest: digest, choice: 'for' }).code;
    t.equal(v('att'), 'NOT_VOTING_MEMBER');
    t.equal(v('rec'), 'NOT_VOTING_MEMBER');
    t.equal(v('disc'), 'NOT_VOTING_MEMBER');
    t.equal(v('m1', '0'.repeat(64)), 'MATERIALS_DIGEST_MISMATCH');
  });

  t.test('a voting discipline secretary votes like any member', async (t) => {
    const w = World.create({ disciplineVotes: true });
    const m = w.schedule();
    const { itemId } = w.submit(m);
    const d = w.open(m, [...firstVoters(9), 'disc']);
    t.equal(d.denominator, 10);
    toVote(w, itemId, [...firstVoters(9), 'disc']);
    w.cast(itemId, 'disc', 'for');
  });

  t.test('the meeting cannot close while a vote is open', async (t) => {
    const w = World.create();
    const m = w.schedule();
    const { itemId } = w.submit(m);
    w.open(m);
    toVote(w, itemId, firstVoters(9));
    t.equal(w.no('chair', { type: 'meeting.close', meetingId: m }).code, 'VOTE_IN_PROGRESS');
  });

  t.test(
    'secret ballot: receipts record who voted; two scrutineers sign the same counts',
    async (t) => {
      const { w, m, itemId } = secretAtVote();
      const digest = w.digestOf(itemId);
      t.equal(
        w.no('m3', { type: 'vote.cast', itemId, materialsDigest: digest, choice: 'for' }).code,
        'WRONG_VOTE_METHOD'
      );
      for (const id of firstVoters(8)) receipt(w, itemId, id);
      t.equal(
        w.no('m1', { type: 'tally.sign', itemId, for: 6, against: 2, abstain: 0 }).code,
        'VOTES_OUTSTANDING'
      );
      receipt(w, itemId, 'm8');
      t.equal(
        w.no('m8', {
          type: 'ballot.receipt',
          itemId,
          materialsDigest: digest,
          receipt: 'c'.repeat(64),
        }).code,
        'ALREADY_VOTED'
      );
      t.equal(
        w.no('m3', { type: 'tally.sign', itemId, for: 6, against: 2, abstain: 1 }).code,
        'NOT_A_SCRUTINEER'
      );
      t.equal(
        w.no('m1', { type: 'tally.sign', itemId, for: 6, against: 2, abstain: 0 }).code,
        'TALLY_INVALID'
      );
      t.equal(w.no('chair', { type: 'vote.close', itemId }).code, 'TALLY_MISSING');
      w.ok('m1', { type: 'tally.sign', itemId, for: 6, against: 2, abstain: 1 });
      t.equal(
        w.no('m1', { type: 'tally.sign', itemId, for: 6, against: 2, abstain: 1 }).code,
        'ALREADY_SIGNED'
      );
      t.equal(
        w.no('m2', { type: 'tally.sign', itemId, for: 7, against: 1, abstain: 1 }).code,
        'TALLY_MISMATCH'
      );
      t.equal(w.no('chair', { type: 'vote.close', itemId }).code, 'TALLY_MISSING');
      w.ok('m2', { type: 'tally.sign', itemId, for: 6, against: 2, abstain: 1 });
      const d = w.closeVote(itemId);
      t.same([d.result, d.rule], ['adopted', 'P9']);
      const rec = buildRecord(w.state, m).items[0];
      t.equal(rec?.vote?.ballots, null, 'no per-member choices for a secret ballot');
      t.equal(rec?.vote?.receipts?.length, 9);
      t.same(rec?.vote?.tally, { for: 6, against: 2, abstain: 1, signedBy: ['m1', 'm2'] });
    }
  );

  t.test('no receipts once the tally is signed', async (t) => {
    const { w, m, itemId } = secretAtVote(firstVoters(8));
    for (const id of firstVoters(8)) receipt(w, itemId, id);
    w.ok('m1', { type: 'tally.sign', itemId, for: 8, against: 0, abstain: 0 });
    w.ok('m8', { type: 'meeting.arrive', meetingId: m, principalId: 'm8' });
    const r = w.no('m8', {
      type: 'ballot.receipt',
      itemId,
      materialsDigest: w.digestOf(itemId),
      receipt: 'c'.repeat(64),
    });
    t.equal(r.code, 'TALLY_ALREADY_SIGNED');
  });

  t.test('cadre items are voted by the rulebook’s method; scrutineers are checked', async (t) => {
    const w = World.create();
    const m = w.schedule();
    const { itemId } = w.submit(m, 'cadre_appointment');
    w.open(m, firstVoters(8), ['rec']);
    w.deliberate(itemId);
    w.stateAll(itemId, positions(firstVoters(8)));
    const open = { type: 'vote.open', itemId, materialsDigest: w.digestOf(itemId) };
    t.equal(w.no('chair', { ...open, method: 'roll_call' }).code, 'VOTE_METHOD_NOT_ALLOWED');
    t.equal(
      w.no('chair', open).code,
      'SCRUTINEERS_INVALID',
      'secret by default, needs scrutineers'
    );
    t.equal(w.no('chair', { ...open, scrutineers: ['m1', 'm1'] }).code, 'SCRUTINEERS_INVALID');
    t.equal(
      w.no('chair', { ...open, scrutineers: ['m1', 'm8'] }).code,
      'SCRUTINEERS_INVALID',
      'absent'
    );
    t.equal(
      w.no('chair', { ...open, scrutineers: ['m1', 'rec'] }).code,
      'SCRUTINEERS_INVALID',
      'recorder'
    );
    t.equal(w.no('chair', { ...open, scrutineers: ['m1'] }).code, 'MALFORMED_COMMAND');
    t.equal(w.ok('chair', { ...open, scrutineers: ['m1', 'm2'] }).method, 'secret');
  });

  t.test('refuses scrutineers for a roll call', async (t) => {
    const w = World.create();
    const m = w.schedule();
    const { itemId } = w.submit(m);
    w.open(m);
    w.deliberate(itemId);
    w.stateAll(itemId, positions(firstVoters(9)));
    const r = w.no('chair', {
      type: 'vote.open',
      itemId,
      materialsDigest: w.digestOf(itemId),
      scrutineers: ['m1', 'm2'],
    });
    t.equal(r.code, 'SCRUTINEERS_INVALID');
  });

  t.test('the threshold is more than half of the denominator, not of those present', async (t) => {
    const w = World.create();
    const m = w.schedule();
    const { itemId } = w.submit(m);
    w.open(m, firstVoters(8));
    toVote(w, itemId, firstVoters(8));
    w.castAll(itemId, {
      chair: 'for',
      m1: 'for',
      m2: 'for',
      m3: 'for',
      m4: 'for',
      m5: 'against',
      m6: 'for',
      m7: 'for',
    });
    t.equal(w.closeVote(itemId).result, 'adopted', '7 > 4.5');
    const w2 = World.create();
    const m2 = w2.schedule();
    const b = w2.submit(m2).itemId;
    w2.open(m2, firstVoters(5));
    toVote(w2, b, firstVoters(5));
    w2.castAll(b, { chair: 'for', m1: 'for', m2: 'for', m3: 'for', m4: 'abstain' });
    t.same(
      [w2.closeVote(b).result],
      ['rejected'],
      '4 of 9 is not more than half, though 4 of 5 present'
    );
  });

  t.test('refuses votes on an item not being voted', async (t) => {
    const w = World.create();
    const m = w.schedule();
    const { itemId } = w.submit(m);
    w.open(m);
    w.deliberate(itemId);
    const r = w.no('m1', {
      type: 'vote.cast',
      itemId,
      materialsDigest: w.digestOf(itemId),
      choice: 'for',
    });
    t.equal(r.code, 'ITEM_NOT_IN_VOTING');
  });
});
