// Protocol v2 (issue 13): every command names the ledger it is for, and the engine refuses one
// for another ledger with WRONG_LEDGER, so an auditor's replay reports it as the service does.
import t from 'tap';
import { decide, replayEntry } from '@yishi/procedure';
import { keyOf, Ledger, TEST_LEDGER, World } from './helpers/world.js';

const schedule = (w: World) => ({
  type: 'meeting.schedule',
  bodyId: w.bodyId,
  kind: 'leadership',
  title: '常委会',
  scheduledStart: w.time + 7 * 24 * 3600_000,
});

t.test('a command signed for another ledger is refused with WRONG_LEDGER', async (t) => {
  const w = World.create();
  const r = w.no('chair', { ...schedule(w), ledger: 'another-ledger' });
  t.equal(r.code, 'WRONG_LEDGER');
  t.same(r.details, { expected: TEST_LEDGER, got: 'another-ledger' });
  t.ok(w.ok('chair', schedule(w)).meetingId, 'the same command for this ledger is accepted');
});

t.test('on a ledger begun under v2, a command naming no ledger is refused', async (t) => {
  const w = World.create();
  const command = w.command('chair', schedule(w));
  delete (command.payload as Record<string, unknown>)['ledger'];
  const d = decide(structuredClone(w.state), { seq: w.seq, time: w.time, command });
  t.equal(d.ok ? 'accepted' : d.refusal.code, 'WRONG_LEDGER');
});

t.test('a v2 genesis names its own ledger and declares protocol 2', async (t) => {
  const genesis = {
    type: 'ledger.genesis',
    ledgerId: 'l',
    origin: 'o',
    logPublicKey: keyOf('log'),
    admin: { principalId: 'admin', name: '上级', publicKey: keyOf('admin') },
  };
  const l = new Ledger();
  t.equal(l.no('log', { ...genesis, ledger: 'other' }).code, 'WRONG_LEDGER');
  t.equal(l.no('log', { ...genesis, protocol: 3 }).code, 'MALFORMED_COMMAND');
  l.ok('log', genesis);
  t.same(l.state.ledger, { ledgerId: 'l', origin: 'o', logPublicKey: keyOf('log'), protocol: 2 });
});

t.test('a ledger begun under v1 replays commands that name no ledger', async (t) => {
  const l = new Ledger();
  const genesis = l.command('log', {
    type: 'ledger.genesis',
    ledgerId: 'v1-ledger',
    origin: 'o',
    logPublicKey: keyOf('log'),
    admin: { principalId: 'admin', name: '上级', publicKey: keyOf('admin') },
  });
  const p = genesis.payload as Record<string, unknown>;
  delete p['ledger'];
  delete p['protocol'];
  let d = decide(l.state, { seq: 0, time: l.time, command: genesis });
  t.ok(d.ok, 'a v1 genesis');
  t.equal(l.state.ledger?.protocol, undefined, 'protocol 1: no protocol declared');
  const v1 = l.command('admin', { type: 'body.create', name: '某班子' });
  delete (v1.payload as Record<string, unknown>)['ledger'];
  d = decide(l.state, { seq: 1, time: l.time, command: v1 });
  t.ok(d.ok, 'a v1 command on a v1 ledger replays');
  const v2 = l.command('admin', { type: 'body.create', name: '另一班子' });
  t.equal((v2.payload as Record<string, unknown>)['ledger'], 'v1-ledger');
  d = decide(l.state, { seq: 2, time: l.time, command: v2 });
  t.ok(d.ok, 'a v2 command naming the v1 ledger is accepted');
  const other = l.command('admin', { type: 'body.create', name: 'x', ledger: 'another' });
  d = decide(l.state, { seq: 3, time: l.time, command: other });
  t.equal(d.ok ? 'accepted' : d.refusal.code, 'WRONG_LEDGER');
});

t.test('an auditor replaying the ledger reports a command for another ledger', async (t) => {
  const w = World.create();
  const command = w.command('chair', { ...schedule(w), ledger: 'another-ledger' });
  const entry = {
    v: 1 as const,
    seq: w.seq,
    prev: '0'.repeat(64),
    time: w.time,
    salt: '0'.repeat(32),
    command,
    derived: { meetingId: `mtg-${w.seq}` },
  };
  const { findings } = replayEntry(structuredClone(w.state), entry);
  t.equal(findings.length, 1);
  t.match(findings[0], {
    seq: entry.seq,
    code: 'ENTRY_REFUSED',
    evidence: { refusal: { code: 'WRONG_LEDGER' } },
  });
});
