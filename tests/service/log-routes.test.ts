import t from 'tap';
import { readFileSync } from 'node:fs';
import {
  base64Decode,
  entryLeafHash,
  openCheckpoint,
  parseNoteVerifier,
  parseTlogProof,
  verifyConsistency,
  verifyTlogProof,
} from '@yishi/crypto';
import { buildApp, Checkpointer, LedgerStore } from '@yishi/service/internal';
import { makeLedger } from '../helpers/ledger-fixture.js';

const fixture = await makeLedger(t, 20, 4);
const store = LedgerStore.open(fixture.paths.db);
const checkpointer = new Checkpointer(store, { skey: fixture.skey });
const app = await buildApp({ store, checkpointer, logVkey: fixture.vkey });
t.teardown(async () => {
  await app.close();
  store.close();
});
const verifier = parseNoteVerifier(fixture.vkey);

t.test('GET /log/checkpoint serves the latest checkpoint, signed by the log key', async (t) => {
  const res = await app.inject('/log/checkpoint');
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/plain/);
  const { checkpoint } = openCheckpoint(res.body, [verifier], fixture.origin);
  t.equal(checkpoint.size, 21);
});

t.test('GET /log/key serves the vkey line', async (t) => {
  const res = await app.inject('/log/key');
  t.equal(res.statusCode, 200);
  t.equal(res.body, `${readFileSync(fixture.paths.logVkey, 'utf8').trim()}\n`);
});

t.test('GET /log/proof/{index} proves every entry against the latest checkpoint', async (t) => {
  for (let i = 0; i < store.size; i++) {
    const res = await app.inject(`/log/proof/${i}`);
    t.equal(res.statusCode, 200);
    const proof = parseTlogProof(res.body);
    t.equal(proof.index, i);
    verifyTlogProof(res.body, {
      leafHash: entryLeafHash(store.entry(i)),
      verifiers: [verifier],
      origin: fixture.origin,
    });
  }
});

t.test('GET /log/proof/{index}?size=N proves against an earlier checkpoint', async (t) => {
  const sizes = store.checkpointSizes();
  const early = sizes[1] as number;
  const res = await app.inject(`/log/proof/0?size=${early}`);
  t.equal(res.statusCode, 200);
  verifyTlogProof(res.body, {
    leafHash: entryLeafHash(store.entry(0)),
    verifiers: [verifier],
    origin: fixture.origin,
  });
  t.equal(parseTlogProof(res.body).index, 0);
});

t.test('refuses proofs it cannot give, with coded errors', async (t) => {
  const cases: [string, number, string][] = [
    ['/log/proof/999', 404, 'ENTRY_NOT_FOUND'],
    ['/log/proof/0?size=3', 404, 'SIZE_NOT_CHECKPOINTED'],
    ['/log/proof/0?size=0', 404, 'SIZE_NOT_CHECKPOINTED'],
    ['/log/proof/-1', 400, 'VALIDATION_FAILED'],
    ['/log/proof/01', 400, 'VALIDATION_FAILED'],
    ['/log/proof/abc', 400, 'VALIDATION_FAILED'],
    ['/log/proof/1?size=2&extra=1', 400, 'VALIDATION_FAILED'],
    ['/log/consistency?from=5&to=2', 400, 'RANGE_INVALID'],
    ['/log/consistency?from=0&to=2', 400, 'RANGE_INVALID'],
    ['/log/consistency?from=1&to=99999', 400, 'RANGE_INVALID'],
    ['/log/consistency?from=1', 400, 'VALIDATION_FAILED'],
    ['/nope', 404, 'NOT_FOUND'],
  ];
  for (const [url, status, code] of cases) {
    const res = await app.inject(url);
    t.equal(res.statusCode, status, url);
    t.equal(res.json().code, code, url);
    t.equal(res.json().statusCode, status);
    t.type(res.json().message, 'string');
  }
  const early = store.checkpointSizes()[0] as number;
  const res = await app.inject(`/log/proof/${early}?size=${early}`);
  t.equal(res.json().code, 'INDEX_NOT_COVERED');
});

t.test('GET /log/consistency proves successive checkpoints consistent', async (t) => {
  const sizes = store.checkpointSizes();
  for (let i = 1; i < sizes.length; i++) {
    const m = sizes[i - 1] as number;
    const n = sizes[i] as number;
    const res = await app.inject(`/log/consistency?from=${m}&to=${n}`);
    t.equal(res.statusCode, 200);
    const proof = res.body
      .split('\n')
      .filter((l) => l !== '')
      .map(base64Decode);
    const root1 = store.checkpointAt(m)?.root as Uint8Array;
    const root2 = store.checkpointAt(n)?.root as Uint8Array;
    verifyConsistency(m, n, proof, root1, root2);
  }
});

t.test('answers in Simplified Chinese when asked', async (t) => {
  const zh = await app.inject({
    url: '/nope',
    headers: { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.5' },
  });
  t.equal(zh.json().code, 'NOT_FOUND');
  t.equal(zh.json().message, '未找到');
  t.equal(zh.headers['content-language'], 'zh-CN');
  const en = await app.inject({ url: '/nope', headers: { 'accept-language': 'en;q=1, zh;q=0.2' } });
  t.equal(en.json().message, 'Not found');
});

t.test('health and readiness', async (t) => {
  t.same((await app.inject('/health')).json(), { status: 'ok' });
  // The fixture's entries are not commands of the rules: the ledger does not replay, so the
  // service serves its public log but accepts no command and is not ready.
  const ready = await app.inject('/ready');
  t.equal(ready.statusCode, 503);
  t.equal(ready.json().code, 'LEDGER_UNAVAILABLE');
});

t.test('sets security headers', async (t) => {
  const res = await app.inject('/health');
  t.equal(res.headers['x-content-type-options'], 'nosniff');
  t.ok(res.headers['strict-transport-security']);
});

t.test('an empty log has no checkpoint to serve', async (t) => {
  const emptyStore = LedgerStore.open(':memory:');
  const emptyApp = await buildApp({
    store: emptyStore,
    checkpointer: new Checkpointer(emptyStore, { skey: fixture.skey, origin: fixture.origin }),
    logVkey: fixture.vkey,
  });
  t.teardown(async () => {
    await emptyApp.close();
    emptyStore.close();
  });
  const res = await emptyApp.inject('/log/checkpoint');
  t.equal(res.statusCode, 503);
  t.equal(res.json().code, 'NO_CHECKPOINT');
  t.equal((await emptyApp.inject('/ready')).json().code, 'NOT_READY');
});
