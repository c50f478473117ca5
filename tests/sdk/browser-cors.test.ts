/**
 * The SDK in a browser page on another origin than the service: a signed read succeeds when the
 * page's origin is in YISHI_CORS_ORIGINS (corsOrigins) and is blocked by the browser otherwise;
 * the public /log/* routes answer any origin.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { CHROMIUM, chromiumMissing, chromiumSkip, launchChromium } from '../helpers/chromium.js';
import { makeLedger } from '../helpers/ledger-fixture.js';
import { repoRoot } from '../helpers/paths.js';
import { buildApp, Checkpointer, LedgerStore } from '@yishi/service/internal';

const ENTRY = `
import * as sdk from '@yishi/sdk';
window.run = async ({ baseUrl, adminKey }) => {
  const client = sdk.createYishiClient({ baseUrl, signer: new sdk.Signer(adminKey) });
  const out = {};
  try {
    const me = await client.api.GET('/principals/me');
    out.me = me.data ? me.data.principalId : me.error.code;
  } catch (e) {
    out.me = 'blocked';
  }
  try {
    out.log = (await fetch(baseUrl + '/log/checkpoint')).status;
  } catch (e) {
    out.log = 'blocked';
  }
  return out;
};
window.ready = true;
`;

const missing = chromiumMissing;
const skip = chromiumSkip;

t.test('a page on another origin uses the SDK as CORS allows', { skip }, async (t) => {
  if (missing) {
    t.fail(`Chromium is missing at ${CHROMIUM}: .ci/run must install it`);
    return;
  }
  const bundle = await build({
    stdin: { contents: ENTRY, resolveDir: repoRoot, sourcefile: 'cors-entry.js' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  const code = bundle.outputFiles[0]?.text ?? '';

  // The page's own origin: a plain server on another port.
  const pages = createServer((req, res) => {
    if (req.url === '/sdk.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(code);
    } else {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><script type="module" src="/sdk.js"></script>');
    }
  });
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  t.teardown(() => pages.close());
  const pageOrigin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;

  const fixture = await makeLedger(t, 0, 1);
  const adminKey = readFileSync(fixture.paths.adminKey, 'utf8');
  const store = LedgerStore.open(fixture.paths.db);
  const serve = async (corsOrigins: string[]) => {
    const app = await buildApp({
      store,
      checkpointer: new Checkpointer(store, { skey: fixture.skey }),
      logVkey: fixture.vkey,
      corsOrigins,
    });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    return { app, url };
  };

  const browser = await launchChromium(t);
  t.teardown(() => store.close());
  const page = await browser.newPage();
  await page.goto(`${pageOrigin}/`);
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
  const run = (baseUrl: string) =>
    page.evaluate(
      (input) =>
        (window as unknown as { run(i: unknown): Promise<{ me: string; log: unknown }> }).run(
          input
        ),
      { baseUrl, adminKey }
    );

  const allowed = await serve([pageOrigin]);
  t.same(await run(allowed.url), { me: 'admin', log: 200 }, 'listed origin: signed read works');
  await allowed.app.close();

  const closed = await serve([]);
  t.same(await run(closed.url), { me: 'blocked', log: 200 }, 'unlisted: only /log/* answers');
  await closed.app.close();
});
