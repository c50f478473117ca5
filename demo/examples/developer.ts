// A client app with @yishi/sdk: keys, a signed command, a signed read, one entry verified.
// YISHI_URL is the service, YISHI_DATA its data folder (admin.key, log.vkey).
import { readFileSync } from 'node:fs';
import { createYishiClient, generateKeyPair, Signer, verifyDecision } from '@yishi/sdk';

const baseUrl = process.env['YISHI_URL'] ?? 'http://127.0.0.1:8080';
const data = process.env['YISHI_DATA'] ?? 'data';

// The first admin's key, written by `yishi init` (or the first `npm start`).
const admin = createYishiClient({
  baseUrl,
  signer: new Signer(readFileSync(`${data}/admin.key`, 'utf8')),
});

// 1. Create a body and register a member. The key pair is made on the member's device;
//    only the public key leaves it. Keep `keys.secretKey` secret: it signs for her.
const body = await admin.submit({ type: 'body.create', name: '星河能源集团党委' });
if (body.error) throw new Error(`${body.error.code}: ${body.error.message}`);
const { bodyId } = body.data.derived; // typed per command: body.create derives bodyId

const keys = generateKeyPair('sun-lihua');
const registered = await admin.submit({
  type: 'principal.register',
  principalId: 'sun-lihua',
  name: '孙丽华',
  publicKey: keys.publicKeyBase64,
  role: 'member',
  bodyId,
});
if (registered.error) throw new Error(registered.error.code);
console.log(`registered sun-lihua at entry ${registered.data.seq}`);

// 2. Act and read as the member: commands and reads are signed with her key, for this ledger
//    only. The admin's client learnt the ledger id on first use (GET /ledger/info) and pinned
//    it; a client given `ledger` refuses a service that reports another (LEDGER_MISMATCH).
const ledger = await admin.ledger();
const member = createYishiClient({
  baseUrl,
  signer: new Signer(keys.secretKey),
  ledger,
  language: 'zh',
});
const me = await member.api.GET('/principals/me');
console.log(`I am ${me.data?.principalId}, ${me.data?.role} of ${me.data?.bodyId}`);

// 3. A refusal is a typed error with a stable code (and the rule, P1…P16, when a rule refused).
const refused = await member.submit({ type: 'body.create', name: '另一个班子' });
console.log(`refused: ${refused.response.status} ${refused.error?.code}`);

// 4. Verify one entry against the log, without the ledger: its inclusion proof under a signed
//    checkpoint, checked with the log key you trust (obtained out of band: log.vkey).
const vkey = readFileSync(`${data}/log.vkey`, 'utf8');
const seq = registered.data.seq;
let proof = await member.api.GET('/log/proof/{index}', {
  params: { path: { index: String(seq) } },
  parseAs: 'text',
});
while (proof.error?.code === 'INDEX_NOT_COVERED') {
  await new Promise((r) => setTimeout(r, 250)); // the log signs a checkpoint every second
  proof = await member.api.GET('/log/proof/{index}', {
    params: { path: { index: String(seq) } },
    parseAs: 'text',
  });
}
// The entry itself comes from whoever holds it: here, the admin's export of the ledger.
const exported = await admin.api.GET('/ledger/export', { parseAs: 'text' });
const entry = (exported.data ?? '')
  .split('\n')
  .filter((line) => line.startsWith('{"entry":'))
  .map((line) => JSON.parse(line).entry)
  .find((e) => e.seq === seq);
if (!entry || !proof.data) throw new Error('no entry or proof');
const verdict = verifyDecision(proof.data, entry, vkey);
console.log(verdict.ok ? `entry ${verdict.index} is in the log` : `NOT VERIFIED: ${verdict.code}`);
