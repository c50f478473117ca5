// P5 no proxies: absent members may submit written opinions (stored, shown in the record, never
// counted); nobody votes for somebody else.
import t from 'tap';
import { buildRecord } from '@yishi/procedure';
import { World, firstVoters, toVote } from './helpers/world.js';

const opinion = (w: World, itemId: string, extra: Record<string, unknown> = {}) => ({
  type: 'opinion.submit',
  itemId,
  materialsDigest: w.digestOf(itemId),
  position: 'disagree',
  text: '书面意见：不同意，理由见附件。',
  ...extra,
});

t.test('P5', async (t) => {
  t.test(
    'an absent member’s written opinion is stored and shown, never counted as a vote',
    async (t) => {
      const w = World.create();
      const m = w.schedule();
      const { itemId } = w.submit(m);
      w.open(m, firstVoters(7));
      w.ok('m7', opinion(w, itemId));
      w.ok('m8', opinion(w, itemId, { position: 'agree' }));
      toVote(w, itemId, firstVoters(7));
      w.castAll(itemId, Object.fromEntries(firstVoters(7).map((id) => [id, 'for' as const])));
      const d = w.closeVote(itemId);
      t.same(d.counts, { for: 7, against: 0, abstain: 0, cast: 7, denominator: 9 });
      const rec = buildRecord(w.state, m).items[0];
      t.same(
        rec?.opinions.map((o) => [o.principalId, o.position]),
        [
          ['m7', 'disagree'],
          ['m8', 'agree'],
        ]
      );
      t.ok(rec?.dissent.some((x) => x.kind === 'opinion' && x.principalId === 'm7'));
    }
  );

  t.test('a written opinion may be submitted before the meeting opens', async (t) => {
    const w = World.create();
    const m = w.schedule();
    const { itemId } = w.submit(m);
    w.ok('m8', opinion(w, itemId));
    t.same(
      buildRecord(w.state, m).items[0]?.opinions.map((o) => [o.principalId, o.position]),
      [['m8', 'disagree']],
      'the opinion is stored before the meeting opens'
    );
  });

  t.test(
    'refuses a written opinion from a present member, twice, or against another digest',
    async (t) => {
      const w = World.create();
      const m = w.schedule();
      const { itemId } = w.submit(m);
      w.open(m, firstVoters(7));
      const r = w.no('m1', opinion(w, itemId));
      t.equal(r.code, 'NOT_ABSENT');
      t.equal(r.rule, 'P5');
      w.ok('m8', opinion(w, itemId));
      t.equal(w.no('m8', opinion(w, itemId)).code, 'OPINION_EXISTS');
      t.equal(
        w.no('m7', opinion(w, itemId, { materialsDigest: 'e'.repeat(64) })).code,
        'MATERIALS_DIGEST_MISMATCH'
      );
    }
  );

  t.test('refuses written opinions from non-voting roles', async (t) => {
    const w = World.create();
    const m = w.schedule();
    const { itemId } = w.submit(m);
    t.equal(w.no('att', opinion(w, itemId)).code, 'NOT_VOTING_MEMBER');
    t.equal(w.no('rec', opinion(w, itemId)).code, 'NOT_VOTING_MEMBER');
  });

  t.test('refuses a vote from an absent member', async (t) => {
    const w = World.create();
    const m = w.schedule();
    const { itemId } = w.submit(m);
    w.open(m, firstVoters(7));
    toVote(w, itemId, firstVoters(7));
    const r = w.no('m8', {
      type: 'vote.cast',
      itemId,
      materialsDigest: w.digestOf(itemId),
      choice: 'for',
    });
    t.equal(r.code, 'NOT_PRESENT');
    t.equal(r.rule, 'P5');
  });

  t.test(
    'nobody votes for somebody else: a vote names no other voter and counts for its signer',
    async (t) => {
      const w = World.create();
      const m = w.schedule();
      const { itemId } = w.submit(m);
      w.open(m, firstVoters(7));
      toVote(w, itemId, firstVoters(7));
      const r = w.no('m1', {
        type: 'vote.cast',
        itemId,
        materialsDigest: w.digestOf(itemId),
        choice: 'for',
        onBehalfOf: 'm8',
      });
      t.equal(r.code, 'MALFORMED_COMMAND');
      w.cast(itemId, 'm1', 'against');
      t.same(
        w.state.items[itemId]?.vote?.ballots.map((b) => [b.principalId, b.choice]),
        [['m1', 'against']]
      );
      t.equal(
        w.no('m1', {
          type: 'vote.cast',
          itemId,
          materialsDigest: w.digestOf(itemId),
          choice: 'for',
        }).code,
        'ALREADY_VOTED'
      );
    }
  );
});
