import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  COMMAND_ROUTES,
  commandPath,
  createYishiClient,
  generateKeyPair,
  importPublicKey,
  importSecretKey,
  SDK_ERROR_CODES,
  signCommand,
  Signer,
  YishiSdkError,
} from '@yishi/sdk';
import { KEY_FORMAT_ERROR_CODES } from '@yishi/crypto';
import { tempDir } from '../helpers/ledger-fixture.js';
import { repoRoot } from '../helpers/paths.js';
import { startTestServer, testServerConfig } from '../helpers/test-server.js';

const dir = tempDir(t);
const config = testServerConfig(join(dir, 'data'));
const server = await startTestServer(config.dataDir);
t.teardown(() => server.close());
const admin = new Signer(readFileSync(join(config.dataDir, 'admin.key'), 'utf8'));
const client = createYishiClient({ baseUrl: server.url, signer: admin });

t.test('the generated files match the committed OpenAPI document', async (t) => {
  const { generate } = (await import(join(repoRoot, 'sdk/scripts/generate-sdk.mjs'))) as {
    generate(doc: unknown): Promise<Record<string, string>>;
  };
  const doc = JSON.parse(readFileSync(join(repoRoot, 'schema/openapi.json'), 'utf8'));
  const files = await generate(doc);
  for (const [name, text] of Object.entries(files)) {
    const committed = readFileSync(join(repoRoot, 'sdk/src/generated', name), 'utf8');
    t.equal(committed, text, `sdk/src/generated/${name} is up to date (npm run sdk)`);
  }
});

t.test(
  'commandPath fills the route from the payload and refuses what it cannot address',
  async (t) => {
    t.equal(
      commandPath({ type: 'statement.record', itemId: 'item/7' }),
      '/items/item%2F7/statements'
    );
    t.equal(commandPath({ type: 'body.create' }), '/bodies');
    t.throws(() => commandPath({ type: 'statement.record' }), TypeError);
    t.throws(() => commandPath({ type: 'no.such' }), TypeError);
    t.throws(() => commandPath({ type: 'statement.record' }), { code: 'COMMAND_FIELD_MISSING' });
    t.throws(() => commandPath({ type: 'no.such' }), { code: 'COMMAND_TYPE_UNKNOWN' });
    t.ok(Object.keys(COMMAND_ROUTES).length >= 30);
  }
);

t.test('submits signed commands and reads with a signed header', async (t) => {
  const created = await client.submit({ type: 'body.create', name: '某市委常委会' });
  t.equal(created.response.status, 201, JSON.stringify(created.error));
  const bodyId = (created.data?.derived as { bodyId: string }).bodyId;
  t.type(bodyId, 'string');
  t.type(created.data?.seq, 'number');

  const keys = generateKeyPair('li-yi');
  const registered = await client.submit({
    type: 'principal.register',
    principalId: 'li-yi',
    name: '李一',
    publicKey: keys.publicKeyBase64,
    role: 'member',
    bodyId,
  });
  t.equal(registered.response.status, 201, JSON.stringify(registered.error));

  const member = createYishiClient({ baseUrl: server.url, signer: new Signer(keys.secretKey) });
  const me = await member.api.GET('/principals/me');
  t.equal(me.response.status, 200, JSON.stringify(me.error));
  t.match(me.data, { principalId: 'li-yi' });

  const anonymous = createYishiClient({ baseUrl: server.url });
  const denied = await anonymous.api.GET('/principals/me');
  t.equal(denied.response.status, 401);
  t.equal(denied.error?.code, 'AUTH_REQUIRED');
});

t.test('a refusal comes back as a typed error, in Chinese when asked', async (t) => {
  const stranger = new Signer(generateKeyPair('stranger').secretKey);
  const zh = createYishiClient({ baseUrl: server.url, signer: stranger, language: 'zh' });
  const r = await zh.submit({ type: 'body.create', name: '冒名机构' });
  t.equal(r.data, undefined);
  t.ok(r.response.status >= 400 && r.response.status < 500);
  t.type(r.error?.code, 'string');
  t.match(r.error?.message, /[\u4e00-\u9fff]/, 'message in Chinese');
});

t.test('a retried signed command gets the same answer and no second entry', async (t) => {
  const signed = admin.command({ type: 'body.create', name: '另一机构' }, await client.ledger());
  const first = await client.submitSigned(signed, { idempotencyKey: 'retry-1' });
  const again = await client.submitSigned(signed, { idempotencyKey: 'retry-1' });
  const bare = await client.submitSigned(signed);
  t.equal(first.response.status, 201);
  t.same(again.data, first.data);
  t.equal(bare.data?.seq, first.data?.seq);
  const unsigned = createYishiClient({ baseUrl: server.url });
  await t.rejects(unsigned.submit({ type: 'body.create', name: 'x' }), TypeError);
  await t.rejects(unsigned.submit({ type: 'body.create', name: 'x' }), {
    code: 'SIGNER_REQUIRED',
  });
});

t.test('the client pins the ledger and refuses a service keeping another', async (t) => {
  const info = (await (await fetch(`${server.url}/ledger/info`)).json()) as { ledgerId: string };
  t.equal(await client.ledger(), info.ledgerId, 'learnt on first use');
  const pinned = createYishiClient({ baseUrl: server.url, signer: admin, ledger: info.ledgerId });
  const ok = await pinned.submit({ type: 'body.create', name: '钉住的机构' });
  t.equal(ok.response.status, 201);
  t.equal(ok.command.payload['ledger'], info.ledgerId, 'the command names the ledger');
  const other = createYishiClient({ baseUrl: server.url, signer: admin, ledger: 'another' });
  await t.rejects(other.submit({ type: 'body.create', name: 'x' }), { code: 'LEDGER_MISMATCH' });
  await t.rejects(other.api.GET('/principals/me'), { code: 'LEDGER_MISMATCH' });
  t.throws(() => signCommand({ type: 'body.create', name: 'x' }, new Uint8Array(32)), {
    code: 'LEDGER_REQUIRED',
  });
});

t.test('key texts and key bytes the SDK cannot use throw one coded error', async (t) => {
  t.throws(() => importSecretKey('PRIVATE+KEY+nope'), {
    code: 'KEY_MALFORMED',
  });
  t.throws(() => importPublicKey('nope'), { code: 'KEY_MALFORMED' });
  t.throws(() => new Signer('not a key'), { code: 'KEY_MALFORMED' });
  t.throws(() => signCommand({ type: 'body.create' }, new Uint8Array(31)), {
    code: 'SECRET_KEY_INVALID',
  });
  const e = (() => {
    try {
      importPublicKey('nope');
    } catch (err) {
      return err;
    }
    return undefined;
  })();
  t.ok(e instanceof YishiSdkError && e instanceof TypeError);
  const codes: readonly string[] = [...SDK_ERROR_CODES, ...KEY_FORMAT_ERROR_CODES];
  t.ok(e instanceof YishiSdkError && codes.includes(e.code), 'a code of the closed union');
});
