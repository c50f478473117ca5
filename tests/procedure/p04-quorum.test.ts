// P4 attendance and quorum: more than half of the denominator to open; two thirds (inclusive) of
// present non-recused voting members for cadre votes; suspended members leave the denominator;
// late arrivals and early departures are entries; quorum is re-checked at each vote.
import t from 'tap';
import { MEMBERS, VOTERS, World, firstVoters, positions, toVote } from './helpers/world.js';

const openCmd = (
  meetingId: string,
  present: string[],
  absent: string[],
  attendees: string[] = []
) => ({
  type: 'meeting.open',
  meetingId,
  present,
  absent: absent.map((principalId) => ({ principalId, reason: '请假' })),
  attendees,
});

function ready(opts = {}) {
  const w = World.create(opts);
  const m = w.schedule();
  w.time = w.state.meetings[m]?.scheduledStart ?? 0;
  return { w, m };
}

t.test('P4', async (t) => {
  t.test(
    'opens with more than half present and records present, absent and attendees',
    async (t) => {
      const { w, m } = ready();
      const d = w.ok('chair', openCmd(m, firstVoters(5), VOTERS.slice(5), ['disc', 'att', 'rec']));
      t.same(d, { meetingId: m, denominator: 9, presentVoting: 5, agenda: [] });
      const mt = w.state.meetings[m];
      t.equal(mt?.attendance.filter((e) => e.event === 'absent').length, 4);
      t.equal(mt?.attendance.filter((e) => e.event === 'attendee').length, 3);
    }
  );

  t.test('refuses to open with half or fewer present', async (t) => {
    const { w, m } = ready();
    const r = w.no('chair', openCmd(m, firstVoters(4), VOTERS.slice(4)));
    t.equal(r.code, 'QUORUM_NOT_MET');
    t.equal(r.rule, 'P4');
  });

  t.test('refuses an attendance list that leaves a voting member unaccounted for', async (t) => {
    const { w, m } = ready();
    const r = w.no('chair', openCmd(m, firstVoters(6), VOTERS.slice(6, 8)));
    t.equal(r.code, 'ATTENDANCE_INCOMPLETE');
    t.same(r.details, { missing: ['m8'] });
  });

  t.test('refuses invalid attendance lists', async (t) => {
    const { w, m } = ready();
    const cases: Array<[string[], string[], string[], string]> = [
      [[...VOTERS, 'ghost'], [], [], 'not_a_member'],
      [[...VOTERS, 'm1'], [], [], 'listed_twice'],
      [[...VOTERS.slice(0, 8)], ['m8'], ['m8'], 'listed_twice'],
      [[...VOTERS, 'att'], [], [], 'not_voting'],
      [[...VOTERS.slice(0, 8)], [], ['m8'], 'voting_member_as_attendee'],
      [[...VOTERS], ['att'], [], 'not_voting'],
    ];
    for (const [present, absent, attendees, why] of cases) {
      const r = w.no('chair', openCmd(m, present, absent, attendees));
      t.equal(r.code, 'ATTENDANCE_INVALID', why);
      t.match(r.details, { why });
    }
  });

  t.test('refuses to open without the chair present, or by anyone but the chair', async (t) => {
    const { w, m } = ready();
    t.equal(w.no('chair', openCmd(m, [...MEMBERS], ['chair'])).code, 'CHAIR_NOT_PRESENT');
    t.equal(w.no('m1', openCmd(m, [...VOTERS], [])).code, 'ROLE_NOT_ALLOWED');
    t.equal(w.no('rec', openCmd(m, [...VOTERS], [])).code, 'ROLE_NOT_ALLOWED');
  });

  t.test('suspended members leave the denominator and are recorded absent', async (t) => {
    const w = World.create();
    w.ok('admin', { type: 'member.suspend', principalId: 'm8', reason: '立案审查' });
    const m = w.schedule();
    w.time = w.state.meetings[m]?.scheduledStart ?? 0;
    const r = w.no('chair', openCmd(m, firstVoters(4), VOTERS.slice(4, 8)));
    t.equal(r.code, 'QUORUM_NOT_MET');
    t.match(r.details, { present: 4, denominator: 8 });
    t.match(w.no('chair', openCmd(m, firstVoters(5), VOTERS.slice(5))).details, {
      why: 'suspended',
    });
    const d = w.ok('chair', openCmd(m, firstVoters(5), VOTERS.slice(5, 8)));
    t.equal(d.denominator, 8);
    const ev = w.state.meetings[m]?.attendance.find((e) => e.principalId === 'm8');
    t.same([ev?.event, ev?.reason], ['absent', 'suspended']);
  });

  t.test('with excludeSuspended off, suspended members stay in the denominator', async (t) => {
    const w = World.create({ rulebook: { excludeSuspended: false } });
    w.ok('admin', { type: 'member.suspend', principalId: 'm8', reason: '立案审查' });
    const m = w.schedule();
    w.time = w.state.meetings[m]?.scheduledStart ?? 0;
    t.equal(w.ok('chair', openCmd(m, firstVoters(5), VOTERS.slice(5, 8))).denominator, 9);
  });

  t.test(
    'late arrivals and early departures are entries, by the member, the chair or the recorder',
    async (t) => {
      const w = World.create();
      const m = w.schedule();
      w.open(m, firstVoters(6));
      w.ok('m6', { type: 'meeting.arrive', meetingId: m, principalId: 'm6' });
      w.ok('rec', { type: 'meeting.arrive', meetingId: m, principalId: 'm7' });
      t.ok(
        w.ok('chair', {
          type: 'meeting.depart',
          meetingId: m,
          principalId: 'm1',
          reason: '另有公务',
        })
      );
      w.ok('m2', { type: 'meeting.depart', meetingId: m, principalId: 'm2' });
      t.equal(
        w.no('m3', { type: 'meeting.arrive', meetingId: m, principalId: 'm8' }).code,
        'ROLE_NOT_ALLOWED'
      );
      t.equal(
        w.no('m6', { type: 'meeting.arrive', meetingId: m, principalId: 'm6' }).code,
        'ALREADY_PRESENT'
      );
      t.equal(
        w.no('m1', { type: 'meeting.depart', meetingId: m, principalId: 'm1' }).code,
        'NOT_PRESENT'
      );
      t.equal(
        w.no('chair', { type: 'meeting.arrive', meetingId: m, principalId: 'ghost' }).code,
        'ATTENDANCE_INVALID'
      );
      const events = w.state.meetings[m]?.attendance.filter(
        (e) => e.event === 'arrive' || e.event === 'depart'
      );
      t.same(
        events?.map((e) => [e.event, e.principalId]),
        [
          ['arrive', 'm6'],
          ['arrive', 'm7'],
          ['depart', 'm1'],
          ['depart', 'm2'],
        ]
      );
    }
  );

  t.test('refuses arrivals before the meeting opens', async (t) => {
    const w = World.create();
    const m = w.schedule();
    t.equal(
      w.no('m1', { type: 'meeting.arrive', meetingId: m, principalId: 'm1' }).code,
      'MEETING_NOT_OPEN'
    );
  });

  t.test('quorum is re-checked at the vote: departures can make the vote refused', async (t) => {
    const w = World.create();
    const m = w.schedule();
    const { itemId } = w.submit(m);
    w.open(m, firstVoters(6));
    w.deliberate(itemId);
    w.ok('m5', { type: 'meeting.depart', meetingId: m, principalId: 'm5' });
    w.ok('m4', { type: 'meeting.depart', meetingId: m, principalId: 'm4' });
    w.stateAll(itemId, positions(firstVoters(4)));
    const r = w.no('chair', { type: 'vote.open', itemId, materialsDigest: w.digestOf(itemId) });
    t.equal(r.code, 'QUORUM_NOT_MET');
    t.match(r.details, { presentNonRecused: 4, denominator: 9, inclusive: false });
    w.ok('m4', { type: 'meeting.arrive', meetingId: m, principalId: 'm4' });
    const d = w.openVote(itemId);
    t.equal(d.eligible, 5, 'a late arrival restores the quorum');
  });

  t.test(
    'a vote that loses its quorum by departures before closing is deferred under P4',
    async (t) => {
      const w = World.create();
      const m = w.schedule();
      const { itemId } = w.submit(m);
      w.open(m, firstVoters(6));
      toVote(w, itemId, firstVoters(6));
      w.cast(itemId, 'chair', 'for');
      w.cast(itemId, 'm1', 'for');
      w.cast(itemId, 'm2', 'for');
      w.cast(itemId, 'm3', 'for');
      for (const id of ['m4', 'm5'])
        w.ok(id, { type: 'meeting.depart', meetingId: m, principalId: id });
      const d = w.closeVote(itemId);
      t.equal(d.result, 'deferred');
      t.equal(d.rule, 'P4');
      t.equal(d.basis, 'quorum_lost');
    }
  );

  t.test('cadre votes need at least two thirds: 6 of 9 is enough, 5 of 9 is not', async (t) => {
    const w = World.create();
    const m = w.schedule();
    const a = w.submit(m, 'cadre_appointment').itemId;
    w.open(m, firstVoters(6));
    toVote(w, a, firstVoters(6), { method: 'secret', scrutineers: ['m1', 'm2'] });
    t.equal(w.state.items[a]?.state, 'voting');

    const w2 = World.create();
    const m2 = w2.schedule();
    const b = w2.submit(m2, 'cadre_appointment').itemId;
    w2.open(m2, firstVoters(5));
    w2.deliberate(b);
    w2.stateAll(b, positions(firstVoters(5)));
    const r = w2.no('chair', {
      type: 'vote.open',
      itemId: b,
      materialsDigest: w2.digestOf(b),
      method: 'secret',
      scrutineers: ['m1', 'm2'],
    });
    t.equal(r.code, 'QUORUM_NOT_MET');
    t.match(r.details, {
      presentNonRecused: 5,
      denominator: 9,
      fraction: { num: 2, den: 3 },
      inclusive: true,
    });
  });

  t.test(
    'the roster is frozen at opening: a suspension mid-meeting changes no denominator',
    async (t) => {
      const w = World.create();
      const m = w.schedule();
      const { itemId } = w.submit(m);
      w.open(m, firstVoters(9));
      w.ok('admin', { type: 'member.suspend', principalId: 'm8', reason: '立案审查' });
      w.ok('chair', {
        type: 'meeting.depart',
        meetingId: m,
        principalId: 'm8',
        reason: '暂停职务',
      });
      toVote(w, itemId, firstVoters(8));
      t.equal(w.state.items[itemId]?.vote?.denominator, 9);
    }
  );
});
