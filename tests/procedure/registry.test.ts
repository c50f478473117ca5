// The key registry, principals, roles and rulebooks: who may sign what, decided by ledger
// positions (registration and revocation entries), never by the `ts` a command claims.
import t from 'tap';
import { RULEBOOK_DEFAULTS } from '@yishi/procedure';
import { World, keyOf, Ledger } from './helpers/world.js';

const genesis = (admin = keyOf('admin'), log = keyOf('log')) => ({
  type: 'ledger.genesis',
  ledgerId: 'l',
  origin: 'o',
  logPublicKey: log,
  admin: { principalId: 'admin', name: '上级', publicKey: admin },
});

t.test('the registry', async (t) => {
  t.test(
    'entry 0 must be the genesis, signed by the log key, with a distinct admin key',
    async (t) => {
      const l = new Ledger();
      t.equal(l.no('admin', { type: 'body.create', name: 'x' }).code, 'GENESIS_REQUIRED');
      t.equal(l.no('admin', genesis()).code, 'GENESIS_KEY_MISMATCH');
      t.equal(l.no('log', genesis(keyOf('log'))).code, 'GENESIS_KEY_MISMATCH');
      t.same(l.ok('log', genesis()), { ledgerId: 'l', adminId: 'admin' });
      t.equal(l.no('log', genesis()).code, 'GENESIS_ONLY_AT_ZERO');
      t.equal(
        l.no('log', { type: 'body.create', name: 'x' }).code,
        'UNKNOWN_KEY',
        'the log key is no principal'
      );
    }
  );

  t.test(
    'a revoked key no longer signs, from its revocation entry on, whatever ts it claims',
    async (t) => {
      const w = World.create();
      w.ok('admin', { type: 'key.revoke', publicKey: keyOf('m1'), reason: '丢失' });
      const cmd = w.command('m1', {
        type: 'meeting.schedule',
        bodyId: w.bodyId,
        kind: 'leadership',
        title: 'x',
        scheduledStart: w.time + 1e9,
      });
      cmd.payload.ts = 0;
      const { decide } = await import('@yishi/procedure');
      const d = decide(w.state, { seq: w.seq, time: w.time, command: cmd });
      t.equal(d.ok ? 'accepted' : d.refusal.code, 'KEY_REVOKED');
      t.equal(
        w.no('m1', { type: 'key.rotate', principalId: 'm1', newPublicKey: keyOf('m1b') }).code,
        'KEY_REVOKED'
      );
    }
  );

  t.test('a principal rotates its own key; the old one is revoked at that entry', async (t) => {
    const w = World.create();
    const d = w.ok('m1', { type: 'key.rotate', principalId: 'm1', newPublicKey: keyOf('m1-new') });
    t.same(d.revoked, [keyOf('m1')]);
    t.equal(w.state.keys[keyOf('m1')]?.revokedSeq, w.state.seq);
    w.keys.m1 = keyOf('m1-new');
    t.ok(w.schedule('leadership', 48, 'chair'));
    t.equal(
      w.no('m2', { type: 'key.rotate', principalId: 'm1', newPublicKey: keyOf('zz') }).code,
      'ROLE_NOT_ALLOWED'
    );
    t.equal(
      w.no('admin', { type: 'key.rotate', principalId: 'm2', newPublicKey: keyOf('m1') }).code,
      'KEY_IN_USE',
      'never reused'
    );
    w.ok('admin', { type: 'key.rotate', principalId: 'm2', newPublicKey: keyOf('m2-new') });
  });

  t.test('the last valid admin key cannot be revoked', async (t) => {
    const w = World.create();
    t.equal(
      w.no('admin', { type: 'key.revoke', publicKey: keyOf('admin'), reason: 'x' }).code,
      'LAST_ADMIN_KEY'
    );
    w.register('admin2', 'admin', '第二管理员');
    w.ok('admin2', { type: 'key.revoke', publicKey: keyOf('admin'), reason: '交接' });
    t.equal(
      w.no('admin2', { type: 'key.revoke', publicKey: keyOf('admin'), reason: 'x' }).code,
      'KEY_REVOKED'
    );
    t.equal(
      w.no('m1', { type: 'key.revoke', publicKey: keyOf('m2'), reason: 'x' }).code,
      'ROLE_NOT_ALLOWED'
    );
    w.ok('m1', { type: 'key.revoke', publicKey: keyOf('m1'), reason: '自行撤销' });
  });

  t.test('only admins register; ids and keys are unique; role fields must fit', async (t) => {
    const w = World.create();
    const reg = (extra: Record<string, unknown>) => ({
      type: 'principal.register',
      principalId: 'n1',
      name: 'n',
      publicKey: keyOf('n1'),
      role: 'member',
      bodyId: w.bodyId,
      ...extra,
    });
    t.equal(w.no('chair', reg({})).code, 'ROLE_NOT_ALLOWED');
    t.equal(w.no('admin', reg({ principalId: 'm1' })).code, 'PRINCIPAL_EXISTS');
    t.equal(w.no('admin', reg({ publicKey: keyOf('m1') })).code, 'KEY_IN_USE');
    t.equal(w.no('admin', reg({ publicKey: keyOf('log') })).code, 'KEY_IN_USE');
    t.equal(w.no('admin', reg({ role: 'chair' })).code, 'CHAIR_EXISTS');
    t.equal(w.no('admin', reg({ bodyId: undefined })).code, 'INVALID_ROLE_FIELDS');
    t.equal(w.no('admin', reg({ role: 'auditor' })).code, 'INVALID_ROLE_FIELDS');
    t.equal(
      w.no('admin', reg({ role: 'discipline' })).code,
      'INVALID_ROLE_FIELDS',
      'discipline says whether it votes'
    );
    t.equal(w.no('admin', reg({ votes: true })).code, 'INVALID_ROLE_FIELDS');
    t.equal(w.no('admin', reg({ bodyId: 'body-777' })).code, 'UNKNOWN_BODY');
    t.ok(
      w.ok('admin', reg({ principalId: 'constructor', publicKey: keyOf('constructor') })),
      'ids that name Object.prototype members are ordinary ids'
    );
    t.equal(w.no('admin', reg({ principalId: 'constructor' })).code, 'PRINCIPAL_EXISTS');
    t.equal(w.no('admin', reg({ principalId: 'Bad Id' })).code, 'MALFORMED_COMMAND');
  });

  t.test('role changes: one chair per body; voting follows the role', async (t) => {
    const w = World.create();
    const up = (principalId: string, role: string, votes?: boolean) => ({
      type: 'principal.update_role',
      principalId,
      role,
      ...(votes === undefined ? {} : { votes }),
    });
    t.equal(w.no('admin', up('m1', 'chair')).code, 'CHAIR_EXISTS');
    t.equal(w.no('admin', up('m1', 'admin')).code, 'INVALID_ROLE_FIELDS');
    w.ok('admin', up('chair', 'member'));
    w.ok('admin', up('m1', 'chair'));
    t.equal(w.state.bodies[w.bodyId]?.chairId, 'm1');
    w.ok('admin', up('disc', 'discipline', true));
    t.equal(w.state.principals.disc?.votes, true);
    t.equal(w.no('admin', up('admin', 'member')).code, 'INVALID_ROLE_FIELDS');
  });

  t.test('an ended membership and a suspension stop a principal from acting', async (t) => {
    const w = World.create();
    w.ok('admin', { type: 'membership.end', principalId: 'm1', reason: '调任' });
    t.equal(
      w.no('m1', {
        type: 'interference.record',
        bodyId: w.bodyId,
        who: { name: 'x', post: 'y', relation: 'leader' },
        matter: { category: 'land', text: 'z' },
        form: 'instruction',
        occurredAt: 0,
      }).code,
      'PRINCIPAL_INACTIVE'
    );
    t.equal(
      w.no('admin', { type: 'membership.end', principalId: 'm1', reason: 'x' }).code,
      'PRINCIPAL_INACTIVE'
    );
    t.notOk(w.state.bodies[w.bodyId]?.members.includes('m1'));
    w.ok('admin', { type: 'member.suspend', principalId: 'm2', reason: '审查' });
    t.equal(
      w.no('admin', { type: 'member.suspend', principalId: 'm2', reason: 'x' }).code,
      'ALREADY_SUSPENDED'
    );
    t.equal(
      w.no('m2', { type: 'key.revoke', publicKey: keyOf('m2'), reason: 'x' }).code,
      'PRINCIPAL_SUSPENDED'
    );
    w.ok('admin', { type: 'member.reinstate', principalId: 'm2' });
    t.equal(w.no('admin', { type: 'member.reinstate', principalId: 'm2' }).code, 'NOT_SUSPENDED');
    t.equal(
      w.no('admin', { type: 'member.suspend', principalId: 'nobody', reason: 'x' }).code,
      'UNKNOWN_PRINCIPAL'
    );
  });

  t.test('a member of one body never acts in another', async (t) => {
    const w = World.create();
    const other = w.ok('admin', { type: 'body.create', name: '另一党组' }).bodyId as string;
    w.register('c2', 'chair', '另一书记', undefined, other);
    const m = w.schedule();
    const { itemId } = w.submit(m);
    t.equal(w.no('c2', { type: 'item.deliberate', itemId }).code, 'NOT_A_MEMBER_OF_BODY');
    t.equal(
      w.no('c2', {
        type: 'meeting.schedule',
        bodyId: w.bodyId,
        kind: 'leadership',
        title: 'x',
        scheduledStart: w.time + 1e8,
      }).code,
      'NOT_A_MEMBER_OF_BODY'
    );
    t.equal(
      w.no('chair', {
        type: 'meeting.schedule',
        bodyId: other,
        kind: 'leadership',
        title: 'x',
        scheduledStart: w.time + 1e8,
      }).code,
      'NOT_A_MEMBER_OF_BODY'
    );
  });

  t.test(
    'rulebooks are versioned; a meeting keeps the version in force when it was scheduled',
    async (t) => {
      const w = World.create();
      const before = w.schedule();
      const d = w.ok('admin', {
        type: 'rulebook.set',
        bodyId: w.bodyId,
        params: { agendaLeadHours: 48 },
      });
      t.equal(d.rulebookVersion, 2);
      t.match(d.rulebook, { ...RULEBOOK_DEFAULTS, agendaLeadHours: 48 });
      const after = w.schedule();
      t.equal(w.state.meetings[before]?.rulebook.agendaLeadHours, 24);
      t.equal(w.state.meetings[after]?.rulebookVersion, 2);
      t.equal(w.state.meetings[after]?.rulebook.agendaLeadHours, 48);
      const bad = w.no('admin', {
        type: 'rulebook.set',
        bodyId: w.bodyId,
        params: { quorumFraction: { num: 3, den: 2 }, deferralFraction: { num: 1, den: 1 } },
      });
      t.equal(bad.code, 'INVALID_RULEBOOK');
      t.same(bad.details, { parameters: ['quorumFraction', 'deferralFraction'] });
      t.equal(
        w.no('admin', { type: 'rulebook.set', bodyId: w.bodyId, params: { agendaLeadHours: -1 } })
          .code,
        'MALFORMED_COMMAND'
      );
      t.equal(
        w.no('admin', { type: 'rulebook.set', bodyId: w.bodyId, params: { unknown: 1 } }).code,
        'MALFORMED_COMMAND'
      );
    }
  );

  t.test('the defaults are those of the spec', async (t) => {
    t.same(RULEBOOK_DEFAULTS, {
      agendaLeadHours: 24,
      cadreAgendaLeadHours: 72,
      disciplineNoticeHours: 24,
      allowAdhocRoutine: false,
      largeFundsThreshold: null,
      quorumFraction: { num: 1, den: 2 },
      cadreQuorumFraction: { num: 2, den: 3 },
      excludeSuspended: true,
      recusedCountInDenominator: false,
      deferralFraction: { num: 1, den: 3 },
      adoptionFraction: { num: 1, den: 2 },
      reconsiderationFraction: { num: 1, den: 2 },
      defaultVoteMethod: 'roll_call',
      cadreVoteMethod: 'secret',
      deferralExpiryDays: 365,
      maxCadreAttempts: 2,
    });
    t.ok(Object.isFrozen(RULEBOOK_DEFAULTS));
  });

  t.test('auditors are appointed to bodies by an admin', async (t) => {
    const w = World.create();
    w.register('aud', 'auditor', '审计员');
    t.same(
      w.ok('admin', { type: 'auditor.appoint', principalId: 'aud', bodyIds: [w.bodyId, w.bodyId] }),
      { principalId: 'aud', bodyIds: [w.bodyId] }
    );
    t.equal(
      w.no('admin', { type: 'auditor.appoint', principalId: 'm1', bodyIds: [] }).code,
      'NOT_AN_AUDITOR'
    );
    t.equal(
      w.no('admin', { type: 'auditor.appoint', principalId: 'aud', bodyIds: ['body-999'] }).code,
      'UNKNOWN_BODY'
    );
    t.equal(w.no('aud', { type: 'body.create', name: 'x' }).code, 'ROLE_NOT_ALLOWED');
  });
});

t.test('keys that are small-order or non-canonical never enter the registry', async (t) => {
  const identity = Buffer.concat([Buffer.from([1]), Buffer.alloc(31)]).toString('base64');
  const nonCanonical = Buffer.concat([Buffer.alloc(31, 0xff), Buffer.from([0x7f])]).toString(
    'base64'
  );
  for (const bad of [identity, nonCanonical]) {
    const l = new Ledger();
    t.equal(l.no('log', genesis(bad)).code, 'KEY_NOT_ACCEPTABLE', 'genesis admin key');
    const w = World.create();
    const register = {
      type: 'principal.register',
      principalId: 'newcomer',
      name: '新人',
      publicKey: bad,
      role: 'member',
      bodyId: w.bodyId,
    };
    t.equal(w.no('admin', register).code, 'KEY_NOT_ACCEPTABLE', 'registration');
    t.equal(
      w.no('m1', { type: 'key.rotate', principalId: 'm1', newPublicKey: bad }).code,
      'KEY_NOT_ACCEPTABLE',
      'rotation'
    );
  }
});
