// decide() at its trust boundary: ledger position, time, shape of the signed command; every
// refusal carries an English and a Simplified Chinese message.
import t from 'tap';
import { REFUSAL_CODES, REFUSAL_MESSAGES, decide, initialState } from '@yishi/procedure';
import type { SignedCommand } from '@yishi/schema';
import { World } from './helpers/world.js';

t.test('decide input', async (t) => {
  t.test('refuses an entry that is not the next on the ledger', async (t) => {
    const w = World.create();
    const cmd = w.command('admin', { type: 'body.create', name: 'x' });
    for (const seq of [w.seq + 1, w.seq - 1, 1.5, Number.NaN]) {
      const d = decide(w.state, { seq, time: w.time, command: cmd });
      t.equal(d.ok ? 'ok' : d.refusal.code, 'SEQ_OUT_OF_ORDER', String(seq));
    }
  });

  t.test('refuses an entry whose time goes backwards', async (t) => {
    const w = World.create();
    const cmd = w.command('admin', { type: 'body.create', name: 'x' });
    const d = decide(w.state, { seq: w.seq, time: w.time - 1, command: cmd });
    t.equal(d.ok ? 'ok' : d.refusal.code, 'TIME_REGRESSION');
  });

  t.test('refuses malformed commands without throwing', async (t) => {
    const w = World.create();
    const good = w.command('admin', { type: 'body.create', name: 'x' });
    const bad: unknown[] = [
      null,
      'x',
      {},
      { ...good, publicKey: 'short' },
      { ...good, signature: 'x' },
      { ...good, extra: 1 },
      { ...good, payload: { ...good.payload, nonce: 'zz' } },
      { ...good, payload: { ...good.payload, name: '' } },
      { ...good, payload: { ...good.payload, name: 'x'.repeat(101) } },
      { ...good, payload: { ...good.payload, extra: true } },
      { ...good, payload: { ...good.payload, type: 'Body.Create' } },
    ];
    for (const command of bad) {
      const d = decide(w.state, { seq: w.seq, time: w.time, command: command as SignedCommand });
      t.equal(
        d.ok ? 'ok' : d.refusal.code,
        'MALFORMED_COMMAND',
        JSON.stringify(command)?.slice(0, 60)
      );
    }
    const u = decide(w.state, {
      seq: w.seq,
      time: w.time,
      command: { ...good, payload: { ...good.payload, type: 'vote.rig' } },
    });
    t.equal(u.ok ? 'ok' : u.refusal.code, 'UNKNOWN_COMMAND');
    const p = decide(w.state, {
      seq: w.seq,
      time: w.time,
      command: { ...good, payload: { ...good.payload, type: 'constructor' } },
    });
    t.equal(p.ok ? 'ok' : p.refusal.code, 'UNKNOWN_COMMAND');
    const n = decide(initialState(), null as never);
    t.equal(n.ok ? 'ok' : n.refusal.code, 'MALFORMED_COMMAND');
  });

  t.test(
    'refuses text with a lone surrogate (not valid Unicode, not canonical JSON)',
    async (t) => {
      const w = World.create();
      t.equal(
        w.no('admin', { type: 'body.create', name: 'bad \ud800 name' }).code,
        'MALFORMED_COMMAND'
      );
      t.ok(w.ok('admin', { type: 'body.create', name: 'good \ud83d\ude00 name' }).bodyId);
    }
  );

  t.test('an unknown key is refused', async (t) => {
    const w = World.create();
    t.equal(w.no('stranger', { type: 'body.create', name: 'x' }).code, 'UNKNOWN_KEY');
  });

  t.test('every refusal code has an English and a Simplified Chinese message', async (t) => {
    t.ok(REFUSAL_CODES.length > 50);
    for (const code of REFUSAL_CODES) {
      const m = REFUSAL_MESSAGES[code];
      t.ok(m.en.length > 0 && /^[\x20-\x7e’]+$/.test(m.en), `${code} en`);
      t.ok(/[\u4e00-\u9fff]/.test(m.zh), `${code} zh`);
    }
  });

  t.test('a refusal names its code, rule and both messages', async (t) => {
    const w = World.create();
    const m = w.schedule();
    w.time = w.state.meetings[m]?.scheduledStart ?? 0;
    const r = w.no('chair', {
      type: 'meeting.open',
      meetingId: m,
      present: ['chair'],
      absent: ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8'].map((principalId) => ({
        principalId,
        reason: 'x',
      })),
      attendees: [],
    });
    t.same(r, {
      code: 'QUORUM_NOT_MET',
      rule: 'P4',
      message: REFUSAL_MESSAGES.QUORUM_NOT_MET,
      details: { present: 1, denominator: 9, fraction: { num: 1, den: 2 } },
    });
  });
});
