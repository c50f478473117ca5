/**
 * Issue 13 item 3: a principal can be alerted to any key event concerning it. A member's watcher
 * (watchLog with `principal`, reading through the SDK's signed `keyEvents`) reports an admin's
 * reset of its key (setByAdmin) and its confirmation; another principal's watcher sees nothing
 * of it; the route answers the principal and admins, and 404 to anyone else.
 */
import t from 'tap';
import type { AddressInfo } from 'node:net';
import {
  base64Encode,
  formatSecretKey,
  generateSecretKey,
  getPublicKey,
  sign,
  signingMessage,
} from '@yishi/crypto';
import type { KeyEvent } from '@yishi/schema';
import { createYishiClient, LogWatcher, Signer, watchLog, WatchError } from '@yishi/sdk';
import { Checkpointer } from '@yishi/service/internal';
import { ServiceWorld } from '../service/helpers/service-world.js';

const w = await (await ServiceWorld.create(t)).populate();
const checkpointer = new Checkpointer(w.store, { skey: w.skey });
await w.app.listen({ host: '127.0.0.1', port: 0 });
const url = `http://127.0.0.1:${(w.app.server.address() as AddressInfo).port}`;
const clientOf = (id: string) =>
  createYishiClient({
    baseUrl: url,
    // The SDK signs its reads on the world's clock, the clock the service checks them against.
    signer: new Signer(formatSecretKey(id, w.keys[id] as Uint8Array), w.clock),
  });

/** A watcher of `id`'s key events, reading them as `id`. */
const watcherOf = (id: string) =>
  new LogWatcher(url, w.init.vkey, {
    principal: id,
    readKeyEvents: (p) => clientOf(id).keyEvents(p),
  });

/** Checks the latest checkpoint (signed now) and returns the new key events. */
async function poll(watcher: LogWatcher): Promise<KeyEvent[]> {
  checkpointer.checkpointNow();
  await watcher.check();
  return watcher.newKeyEvents();
}

t.test(
  'a member is told of a reset of its key by an admin, then of its confirmation',
  async (t) => {
    const m6 = watcherOf('m6');
    const m5 = watcherOf('m5');
    const first = await poll(m6);
    t.same(
      first.map((e) => [e.type, e.by, e.setByAdmin]),
      [['principal.register', 'admin', false]],
      'the registration is the first event'
    );
    t.match(await poll(m5), [{ type: 'principal.register', publicKeys: [w.publicKey('m5')] }]);
    const m5Before = m5.lastKeyEventSeq;

    const previous = w.keys['m6'] as Uint8Array;
    const reset = generateSecretKey();
    const newKey = base64Encode(getPublicKey(reset));
    await w.ok('admin', { type: 'key.rotate', principalId: 'm6', newPublicKey: newKey });
    const resetSeq = w.store.size - 1;
    w.keys['m6'] = reset;
    const afterReset = await poll(m6);
    t.equal(afterReset.length, 1);
    t.match(afterReset[0], {
      seq: resetSeq,
      type: 'key.rotate',
      by: 'admin',
      setByAdmin: true,
      time: w.now,
    });
    t.same(afterReset[0]?.publicKeys.sort(), [newKey, base64Encode(getPublicKey(previous))].sort());
    t.same(await poll(m6), [], 'each event is reported once');

    await w.ok('m6', {
      type: 'key.confirm',
      principalId: 'm6',
      previousPublicKey: base64Encode(getPublicKey(previous)),
      previousSignature: base64Encode(
        sign(
          signingMessage('yishi/key-confirm/v1', {
            ledgerId: w.store.ledgerId,
            principalId: 'm6',
            newPublicKey: newKey,
          }),
          previous
        )
      ),
    });
    t.match(await poll(m6), [
      { seq: w.store.size - 1, type: 'key.confirm', by: 'm6', setByAdmin: false },
    ]);

    t.same(await poll(m5), [], "another principal's watcher sees nothing of m6's keys");
    t.equal(m5.lastKeyEventSeq, m5Before);
  }
);

t.test('an event not yet under an accepted checkpoint waits for the next one', async (t) => {
  const m7 = watcherOf('m7');
  await poll(m7);
  const next = generateSecretKey();
  await w.ok('m7', {
    type: 'key.rotate',
    principalId: 'm7',
    newPublicKey: base64Encode(getPublicKey(next)),
  });
  w.keys['m7'] = next;
  await m7.check(); // the trusted checkpoint still ends before the rotation
  t.same(await m7.newKeyEvents(), []);
  t.match(await poll(m7), [{ type: 'key.rotate', by: 'm7', setByAdmin: false }]);
});

t.test('watchLog calls onKeyEvent for each event after the checkpoint covering it', async (t) => {
  checkpointer.checkpointNow();
  const seen: KeyEvent[] = [];
  const errors: WatchError[] = [];
  // m8 reads with the key it holds: after the reset, a key the admin's reset replaced.
  const m8 = clientOf('m8');
  const watch = watchLog(url, w.init.vkey, {
    principal: 'm8',
    readKeyEvents: (p) => m8.keyEvents(p),
    onKeyEvent: (e) => seen.push(e),
    onError: (e) => errors.push(e),
    intervalMs: 20,
  });
  t.teardown(() => watch.stop());
  const reset = generateSecretKey();
  await w.ok('admin', {
    type: 'key.rotate',
    principalId: 'm8',
    newPublicKey: base64Encode(getPublicKey(reset)),
  });
  checkpointer.checkpointNow();
  for (let i = 0; i < 200 && !seen.some((e) => e.setByAdmin); i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  t.same(errors, []);
  // The replaced key reads m8's key events and nothing else.
  const me = await m8.api.GET('/principals/me');
  t.equal(me.response.status, 401);
  t.match(me.error, { code: 'KEY_REVOKED' });
  t.equal((await m8.keyEvents('m7')).response.status, 401);
  t.same(
    seen.map((e) => [e.type, e.by, e.setByAdmin]),
    [
      ['principal.register', 'admin', false],
      ['key.rotate', 'admin', true],
    ]
  );
});

t.test('a watcher whose read is refused stops with KEY_EVENTS_UNREADABLE', async (t) => {
  checkpointer.checkpointNow();
  const nosy = new LogWatcher(url, w.init.vkey, {
    principal: 'm1',
    readKeyEvents: (p) => clientOf('m2').keyEvents(p),
  });
  await nosy.check();
  await t.rejects(nosy.newKeyEvents(), { code: 'KEY_EVENTS_UNREADABLE' });
  t.throws(() => new LogWatcher(url, w.init.vkey, { principal: 'm1' }), TypeError);
});

t.test('the route answers the principal and admins; anyone else the missing 404', async (t) => {
  const path = '/principals/m1/key-events';
  for (const reader of ['m1', 'admin']) {
    const res = await w.get(path, reader);
    t.equal(res.statusCode, 200, reader);
    t.equal(res.json().principalId, 'm1');
  }
  const missing = await w.get('/principals/nobody/key-events', 'm2');
  t.equal(missing.statusCode, 404);
  t.equal(missing.json().code, 'PRINCIPAL_NOT_FOUND');
  for (const reader of ['m2', 'chair', 'disc', 'aud', 'rec']) {
    const res = await w.get(path, reader);
    t.equal(res.statusCode, 404, reader);
    t.equal(res.body, missing.body, `${reader}: the same answer as for a missing principal`);
  }
  t.equal((await w.get(path, null)).statusCode, 401);
});
