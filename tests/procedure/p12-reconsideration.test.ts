// P12 reconsideration (复议): reopening an adopted decision needs `for` from more than half of the
// denominator, recorded as its own vote.
import t from 'tap';
import { SHA_B, World, firstVoters, toVote } from './helpers/world.js';

const all = (voters: readonly string[]) =>
  Object.fromEntries(voters.map((id) => [id, 'for' as const]));

/** An adopted major decision at meeting one; meeting two is open. */
function adopted(present = firstVoters(9)) {
  const w = World.create();
  const m1 = w.schedule();
  const { itemId } = w.submit(m1);
  w.open(m1);
  toVote(w, itemId, firstVoters(9));
  w.castAll(itemId, all(firstVoters(9)));
  w.closeVote(itemId);
  const m2 = w.schedule('leadership', 24);
  w.close(m1);
  w.open(m2, present);
  return { w, m1, m2, itemId };
}

function motion(w: World, meetingId: string, itemId: string, by = 'm1'): string {
  return w.ok(by, { type: 'reconsideration.open', meetingId, itemId, reason: '情况发生重大变化' })
    .motionId as string;
}

const vote = (
  w: World,
  motionId: string,
  choices: Record<string, 'for' | 'against' | 'abstain'>
) => {
  for (const [id, choice] of Object.entries(choices))
    w.ok(id, { type: 'reconsideration.vote', motionId, choice });
};

t.test('P12', async (t) => {
  t.test('5 of 9 for reopens the decision; it may come back at a later meeting', async (t) => {
    const { w, m2, itemId } = adopted();
    t.ok(w.state.adopted[itemId]);
    const id = motion(w, m2, itemId);
    vote(w, id, {
      chair: 'for',
      m1: 'for',
      m2: 'for',
      m3: 'for',
      m4: 'for',
      m5: 'against',
      m6: 'against',
      m7: 'against',
      m8: 'abstain',
    });
    const d = w.ok('chair', { type: 'reconsideration.close', motionId: id });
    t.same([d.result, d.rule], ['reopened', 'P12']);
    t.notOk(w.state.adopted[itemId]);
    t.equal(w.state.returnable[itemId]?.reason, 'reopened');
    const m3 = w.schedule();
    const r = w.ok('m1', {
      type: 'item.resubmit',
      previousItemId: itemId,
      meetingId: m3,
      title: '调整后的方案',
      materials: [{ title: '调整稿', sha256: SHA_B }],
    });
    t.equal(r.previousItemId, itemId);
  });

  t.test('4 of 9 for does not reopen it, even when 4 of 6 present agree', async (t) => {
    const { w, m2, itemId } = adopted(firstVoters(6));
    const id = motion(w, m2, itemId);
    vote(w, id, { chair: 'for', m1: 'for', m2: 'for', m3: 'for', m4: 'against', m5: 'against' });
    const d = w.ok('chair', { type: 'reconsideration.close', motionId: id });
    t.same([d.result, d.rule], ['not_reopened', 'P12']);
    t.ok(w.state.adopted[itemId]);
  });

  t.test('a motion that loses its quorum is not reopened, under P4', async (t) => {
    const { w, m2, itemId } = adopted(firstVoters(6));
    const id = motion(w, m2, itemId);
    vote(w, id, { chair: 'for', m1: 'for', m2: 'for', m3: 'for' });
    for (const x of ['m4', 'm5'])
      w.ok(x, { type: 'meeting.depart', meetingId: m2, principalId: x });
    const d = w.ok('chair', { type: 'reconsideration.close', motionId: id });
    t.same([d.result, d.rule], ['not_reopened', 'P4']);
  });

  t.test('refuses reopening what is not an adopted decision of this body', async (t) => {
    const { w, m2 } = adopted();
    const r = w.no('m1', {
      type: 'reconsideration.open',
      meetingId: m2,
      itemId: 'item-1',
      reason: 'x',
    });
    t.equal(r.code, 'NOT_ADOPTED');
    t.equal(r.rule, 'P12');
  });

  t.test(
    'refuses motions from attendees, absent members, or while another item is in progress',
    async (t) => {
      const { w, m2, itemId } = adopted(firstVoters(8));
      w.ok('chair', { type: 'meeting.arrive', meetingId: m2, principalId: 'att' });
      const open = { type: 'reconsideration.open', meetingId: m2, itemId, reason: 'x' };
      t.equal(w.no('att', open).code, 'NOT_VOTING_MEMBER');
      t.equal(w.no('m8', open).code, 'NOT_PRESENT');
      const id = motion(w, m2, itemId);
      t.equal(w.no('m2', open).code, 'ANOTHER_ITEM_IN_PROGRESS');
      t.equal(
        w.no('m8', { type: 'reconsideration.vote', motionId: id, choice: 'for' }).code,
        'NOT_PRESENT'
      );
      w.ok('m1', { type: 'reconsideration.vote', motionId: id, choice: 'for' });
      t.equal(
        w.no('m1', { type: 'reconsideration.vote', motionId: id, choice: 'for' }).code,
        'ALREADY_VOTED'
      );
      const r = w.no('chair', { type: 'reconsideration.close', motionId: id });
      t.equal(r.code, 'VOTES_OUTSTANDING');
      t.equal(w.no('m1', { type: 'reconsideration.close', motionId: id }).code, 'ROLE_NOT_ALLOWED');
      t.equal(
        w.no('m1', { type: 'reconsideration.vote', motionId: 'rcn-9999', choice: 'for' }).code,
        'UNKNOWN_MOTION'
      );
    }
  );

  t.test('refuses votes on a motion once closed', async (t) => {
    const { w, m2, itemId } = adopted();
    const id = motion(w, m2, itemId);
    vote(w, id, all(firstVoters(9)));
    w.ok('chair', { type: 'reconsideration.close', motionId: id });
    t.equal(
      w.no('m1', { type: 'reconsideration.vote', motionId: id, choice: 'for' }).code,
      'ITEM_NOT_IN_VOTING'
    );
  });
});
