// `yishi keygen`, `yishi submit` and `yishi get` against a service on 127.0.0.1, run in process.
import t from 'tap';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMAND_ROUTES as SDK_COMMAND_ROUTES, importPublicKey } from '@yishi/sdk';
import { CLI_COMMAND_ROUTES } from '@yishi/service/internal';
import { yishi } from '../helpers/cli.js';
import { tempDir } from '../helpers/ledger-fixture.js';
import { startTestServer } from '../helpers/test-server.js';

const dir = tempDir(t, 'yishi-cli-remote-');
const data = join(dir, 'data');
const server = await startTestServer(data);
t.teardown(() => server.close());
const url = server.url;
const adminKey = join(data, 'admin.key');

const json = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;

t.test('the CLI addresses every command route the SDK knows', async (t) => {
  const sdk = Object.fromEntries(
    Object.entries(SDK_COMMAND_ROUTES).map(([type, path]) => [
      type,
      path.replace(/\{(\w+)\}/g, ':$1'),
    ])
  );
  t.same(CLI_COMMAND_ROUTES, sdk);
});

t.test('keygen writes a 0600 secret key and a public key, never over a key', async (t) => {
  const keys = tempDir(t);
  const r = await yishi('keygen', 'sun-lihua', '--dir', keys);
  t.equal(r.status, 0, r.stderr);
  const secret = join(keys, 'sun-lihua.key');
  const pub = join(keys, 'sun-lihua.pub');
  t.equal(statSync(secret).mode & 0o777, 0o600);
  t.match(readFileSync(secret, 'utf8'), /^PRIVATE\+KEY\+sun-lihua\+/);
  t.equal(r.stdout, readFileSync(pub, 'utf8'), 'prints the public key NAME.pub holds');
  t.equal(importPublicKey(r.stdout).name, 'sun-lihua');
  const again = await yishi('keygen', 'sun-lihua', '--dir', keys);
  t.equal(again.status, 1);
  t.match(again.stderr, /exists: refusing to overwrite/);
  t.equal(readFileSync(pub, 'utf8'), r.stdout, 'the key is unchanged');
  const b64 = await yishi('keygen', 'li-ming', '--dir', keys, '--base64');
  t.equal(
    b64.stdout.trim(),
    importPublicKey(readFileSync(join(keys, 'li-ming.pub'), 'utf8')).publicKeyBase64
  );
  t.equal((await yishi('keygen')).status, 2, 'no name');
  t.equal((await yishi('keygen', 'a+b', '--dir', keys)).status, 2, 'not a key name');
  t.equal((await yishi('keygen', '../up', '--dir', keys)).status, 2, 'not a file name');
  t.notOk(existsSync(join(keys, 'a+b.key')));
});

t.test('submit signs, posts and prints the answer; get reads signed', async (t) => {
  const body = await yishi(
    'submit',
    '--key',
    adminKey,
    '--url',
    url,
    '{"type":"body.create","name":"星河能源集团党委"}'
  );
  t.equal(body.status, 0, body.stderr);
  const { seq, derived } = json(body.stdout) as { seq: number; derived: { bodyId: string } };
  t.type(seq, 'number');
  t.match(derived.bodyId, /^body-/);

  const keys = tempDir(t);
  const pub = await yishi('keygen', 'sun-lihua', '--dir', keys, '--base64');
  const register = await yishi(
    'submit',
    '--key',
    adminKey,
    '--url',
    url,
    JSON.stringify({
      type: 'principal.register',
      principalId: 'sun-lihua',
      name: '孙丽华',
      publicKey: pub.stdout.trim(),
      role: 'member',
      bodyId: derived.bodyId,
    })
  );
  t.equal(register.status, 0, register.stdout);

  const me = await yishi(
    'get',
    '--key',
    join(keys, 'sun-lihua.key'),
    '--url',
    url,
    '/principals/me'
  );
  t.equal(me.status, 0, me.stderr);
  t.match(json(me.stdout), { principalId: 'sun-lihua', role: 'member', bodyId: derived.bodyId });
  const role = await yishi(
    'get',
    '--key',
    join(keys, 'sun-lihua.key'),
    '--url',
    url,
    '--field',
    'role',
    '/principals/me'
  );
  t.equal(role.stdout, 'member\n', '--field prints one field, a string as it is');
  const second = await yishi(
    'submit',
    '--key',
    adminKey,
    '--url',
    url,
    '--field',
    'derived.bodyId',
    '{"type":"body.create","name":"另一个班子"}'
  );
  t.match(second.stdout, /^body-\d+\n$/);
  const none = await yishi('get', '--url', url, '--field', 'no.such', '/ledger/info');
  t.equal(none.status, 1, 'a field the answer lacks');
  t.match(none.stderr, /no field no\.such/);
  const info = await yishi('get', '--url', url, '/ledger/info');
  t.equal(info.status, 0, 'a public route needs no key');
  t.type(json(info.stdout)['ledgerId'], 'string');
  const unsigned = await yishi('get', '--url', url, '/principals/me');
  t.equal(unsigned.status, 1, 'a signed route without --key is refused');
  t.match(unsigned.stderr, /^HTTP 401 /);
});

t.test('a refused command exits 1 with the error body and its code', async (t) => {
  const keys = tempDir(t);
  await yishi('keygen', 'stranger', '--dir', keys);
  const unknownKey = await yishi(
    'submit',
    '--key',
    join(keys, 'stranger.key'),
    '--url',
    url,
    '{"type":"body.create","name":"x"}'
  );
  t.equal(unknownKey.status, 1);
  t.equal(json(unknownKey.stdout)['code'], 'UNKNOWN_KEY');
  t.match(unknownKey.stderr, /^HTTP 401 UNKNOWN_KEY/);

  const invalid = await yishi(
    'submit',
    '--key',
    adminKey,
    '--url',
    url,
    '--lang',
    'zh',
    '{"type":"item.resubmit","previousItemId":"item-999","meetingId":"mtg-999","title":"x","materials":[]}'
  );
  t.equal(invalid.status, 1);
  t.equal(json(invalid.stdout)['code'], 'VALIDATION_FAILED');
  t.match(invalid.stdout, /[\u4e00-\u9fff]/, '--lang zh: the message is in Chinese');
  const material = { title: '考察材料', sha256: 'a'.repeat(64) };
  const unknown = await yishi(
    'submit',
    '--key',
    adminKey,
    '--url',
    url,
    JSON.stringify({
      type: 'item.resubmit',
      previousItemId: 'item-999',
      meetingId: 'mtg-999',
      title: 'x',
      materials: [material],
    })
  );
  t.equal(unknown.status, 1);
  t.match(unknown.stderr, /^HTTP 4\d\d UNKNOWN_MEETING/);
});

t.test('usage errors: no key file, a file without a key, bad JSON, unknown type', async (t) => {
  const missing = await yishi(
    'submit',
    '--key',
    join(dir, 'nope.key'),
    '--url',
    url,
    '{"type":"body.create","name":"x"}'
  );
  t.equal(missing.status, 2);
  t.match(missing.stderr, /--key .*nope\.key: no such file/);
  const notKey = join(dir, 'not-a.key');
  writeFileSync(notKey, 'hello\n');
  const bad = await yishi('submit', '--key', notKey, '--url', url, '{"type":"body.create"}');
  t.equal(bad.status, 2);
  t.match(bad.stderr, /holds no secret key/);
  const notJson = await yishi('submit', '--key', adminKey, '--url', url, '{type: body.create}');
  t.equal(notJson.status, 2);
  t.match(notJson.stderr, /not JSON/);
  for (const payload of ['[]', '"x"', '{"name":"x"}', '{"type":"no.such"}']) {
    const r = await yishi('submit', '--key', adminKey, '--url', url, payload);
    t.equal(r.status, 2, payload);
  }
  const noPath = await yishi(
    'submit',
    '--key',
    adminKey,
    '--url',
    url,
    '{"type":"statement.record"}'
  );
  t.equal(noPath.status, 2);
  t.match(noPath.stderr, /needs "itemId"/);
  t.equal((await yishi('submit', '--url', url, '{}')).status, 2, 'no --key');
  t.equal((await yishi('submit', '--key', adminKey, '--url', 'ftp://x', '{}')).status, 2);
  t.equal((await yishi('get', '--url', url, 'principals/me')).status, 2, 'PATH without /');
  t.equal((await yishi('get', '--url', url, '--lang', 'fr', '/ledger/info')).status, 2);
});

t.test('an unreachable service exits 1 and says so', async (t) => {
  const closed = await startTestServer(join(dir, 'closed'));
  const gone = closed.url;
  await closed.close();
  const r = await yishi(
    'submit',
    '--key',
    adminKey,
    '--url',
    gone,
    '{"type":"body.create","name":"x"}'
  );
  t.equal(r.status, 1);
  t.match(r.stderr, /cannot reach .*ECONNREFUSED/);
  const g = await yishi('get', '--url', `${url}/nowhere`, '/ledger/info');
  t.equal(g.status, 1, 'a URL that is not the service');
});

t.test('sign prints a signed command and a read header that the service accepts', async (t) => {
  const info = await yishi('get', '--url', url, '--field', 'ledgerId', '/ledger/info');
  const ledger = info.stdout.trim();
  const signed = await yishi(
    'sign',
    '--key',
    adminKey,
    '--ledger',
    ledger,
    '{"type":"body.create","name":"第三个班子"}'
  );
  t.equal(signed.status, 0, signed.stderr);
  t.equal(signed.stderr, 'POST /bodies\n', 'names the route');
  const body = json(signed.stdout) as { payload: Record<string, unknown> };
  t.equal(body.payload['ledger'], ledger);
  t.type(body.payload['ts'], 'number');
  t.match(body.payload['nonce'], /^[0-9a-f]{32}$/);
  const posted = await fetch(`${url}/bodies`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: signed.stdout,
  });
  t.equal(posted.status, 201, 'the service accepts the signed body');

  const header = await yishi(
    'sign',
    '--key',
    adminKey,
    '--url',
    url,
    '--read',
    'GET',
    '/principals/admin'
  );
  t.equal(header.status, 0, header.stderr);
  t.match(header.stdout, /^Yishi-Ed25519 key=/);
  const read = await fetch(`${url}/principals/admin`, {
    headers: { authorization: header.stdout.trim() },
  });
  t.equal(read.status, 200, 'the service accepts the read header');

  t.equal(
    (await yishi('sign', '--key', adminKey, '--ledger', ledger, '--read', 'G E', '/x')).status,
    2
  );
  t.equal(
    (await yishi('sign', '--key', adminKey, '--ledger', ledger, '--read', 'GET', 'x')).status,
    2
  );
  t.equal(
    (await yishi('sign', '--key', adminKey, '--ledger', ledger, '{"type":"no.such"}')).status,
    2
  );
  t.equal((await yishi('sign', '--ledger', ledger, '{}')).status, 2, 'no --key');
});
