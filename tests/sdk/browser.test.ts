import t from 'tap';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { chromiumMissing, chromiumSkip, CHROMIUM, launchChromium } from '../helpers/chromium.js';
import { exportLedger, makeLedger } from '../helpers/ledger-fixture.js';
import { repoRoot } from '../helpers/paths.js';
import { buildApp, Checkpointer, LedgerStore } from '@yishi/service/internal';

// What the page runs: the SDK's browser entry, bundled for the browser platform (a node-only
// import anywhere in its dependency tree makes the bundle fail).
const ENTRY = `
import * as sdk from '@yishi/sdk';
import { verify, base64Decode, signingMessage } from '@yishi/crypto';
window.runChecks = (input) => {
  const keys = sdk.generateKeyPair('browser-member');
  const signer = new sdk.Signer(keys.secretKey);
  const cmd = signer.command({ type: 'statement.record', itemId: 'item-1', position: 'agree' }, 'browser-ledger');
  const signedOk = verify(
    base64Decode(cmd.signature),
    signingMessage('yishi/command/v2', cmd.payload),
    base64Decode(cmd.publicKey)
  );
  const tampered = { ...cmd.payload, position: 'disagree' };
  const tamperedOk = verify(
    base64Decode(cmd.signature),
    signingMessage('yishi/command/v2', tampered),
    base64Decode(cmd.publicKey)
  );
  const auth = signer.authorization('GET', '/meetings/m-1?x=1', undefined, 'browser-ledger');
  const ledger = sdk.verifyExport(input.exportText, { vkey: input.vkey });
  const decision = sdk.verifyDecision(input.proof, input.entry, input.vkey);
  const forged = sdk.verifyDecision(input.proof, { ...input.entry, derived: { x: 1 } }, input.vkey);
  return {
    publicKey: keys.publicKey,
    signedOk,
    tamperedOk,
    auth,
    ledgerOk: ledger.ok,
    entries: ledger.entries,
    decisionOk: decision.ok,
    forgedCode: forged.ok ? null : forged.code,
  };
};
window.ready = true;
`;

t.test(
  'the SDK bundles for the browser and signs and verifies in headless Chromium',
  { skip: chromiumSkip },
  async (t) => {
    if (chromiumMissing) {
      t.fail(`Chromium is missing at ${CHROMIUM}: .ci/run must install it`);
      return;
    }
    const bundle = await build({
      stdin: { contents: ENTRY, resolveDir: repoRoot, sourcefile: 'browser-entry.js' },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    const code = bundle.outputFiles[0]?.text ?? '';
    t.ok(code.length > 1000, 'bundled');
    t.notMatch(code, /require\(["']node:/, 'no node built-ins in the bundle');

    const fixture = await makeLedger(t, 6, 2);
    const { lines } = await exportLedger(fixture);
    const store = LedgerStore.open(fixture.paths.db);
    const app = await buildApp({
      store,
      checkpointer: new Checkpointer(store, { skey: fixture.skey }),
      logVkey: fixture.vkey,
    });
    const proof = (await app.inject('/log/proof/3')).body;
    const entry = store.entry(3);
    await app.close();
    store.close();

    const server = createServer((req, res) => {
      if (req.url === '/sdk.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(code);
      } else {
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<!doctype html><script type="module" src="/sdk.js"></script>');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.teardown(() => server.close());
    const { port } = server.address() as AddressInfo;

    const browser = await launchChromium(t);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(
      () => (window as unknown as { ready?: boolean }).ready === true,
      null,
      {
        timeout: 30_000,
      }
    );
    const result = await page.evaluate(
      (input) => (window as unknown as { runChecks(i: unknown): unknown }).runChecks(input),
      { exportText: lines.join('\n'), vkey: fixture.vkey, proof, entry }
    );
    t.same(errors, [], 'no page errors');
    t.match(result, {
      publicKey: /^browser-member\+[0-9a-f]{8}\+/,
      signedOk: true,
      tamperedOk: false,
      auth: /^Yishi-Ed25519 key=[A-Za-z0-9+/]{43}=, ts=\d+, sig=[A-Za-z0-9+/]{86}==$/,
      ledgerOk: true,
      entries: 7,
      decisionOk: true,
      forgedCode: 'INCLUSION_PROOF_INVALID',
    });
  }
);
