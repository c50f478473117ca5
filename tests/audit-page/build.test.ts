/**
 * The auditor's page as built and served: `audit-page/dist/audit.html` is what the sources build
 * to (so the service and the CLI never hand out a stale page), it is one self-contained file
 * under a policy that allows only its own script, style and worker, and `GET /audit` serves it
 * to anyone, with that policy as a header and cache validators.
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { generateNoteKey } from '@yishi/crypto';
import { buildApp, Checkpointer, LedgerStore } from '@yishi/service/internal';
import { AUDIT_PAGE_PATH, buildAuditPage } from '../../audit-page/build.mjs';
import { yishi } from '../helpers/cli.js';

const built = await buildAuditPage();

t.test('the built page is fresh: what the sources build to', async (t) => {
  t.equal(
    readFileSync(AUDIT_PAGE_PATH, 'utf8') === built.html,
    true,
    'audit-page/dist/audit.html is stale: run `npm run build`'
  );
});

t.test('the page is one file: its own script and style, by hash, and nothing else', async (t) => {
  const { html, csp } = built;
  t.equal((html.match(/<script>/g) ?? []).length, 1, 'one inline script');
  t.equal((html.match(/<style>/g) ?? []).length, 1, 'one inline style');
  t.notMatch(html, /<(script|link|img|iframe|object)[^>]+(src|href|data)=/i, 'loads nothing');
  const hash = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64');
  const script = /<script>([\s\S]*)<\/script>/.exec(html)?.[1] ?? '';
  const style = /<style>([\s\S]*)<\/style>/.exec(html)?.[1] ?? '';
  t.match(csp, `script-src 'sha256-${hash(script)}'`);
  t.match(csp, `style-src 'sha256-${hash(style)}'`);
  t.match(csp, /^default-src 'none';/);
  t.match(csp, /connect-src 'none'/, 'fetches nothing');
  t.match(csp, /worker-src blob:/);
  t.ok(html.includes(`content="${csp}"`), 'the policy is in the page, for file://');
  for (const id of ['export-file', 'vkey-file', 'policy-file', 'checkpoint-file']) {
    t.match(html, `id="${id}"`, id);
  }
});

t.test('GET /audit serves the page to anyone, under its policy', async (t) => {
  const store = LedgerStore.open(':memory:');
  const origin = 'yishi.local/audit-route-test';
  const { skey, vkey } = generateNoteKey(origin);
  const app = await buildApp({
    store,
    checkpointer: new Checkpointer(store, { skey, origin }),
    logVkey: vkey,
  });
  t.teardown(async () => {
    await app.close();
    store.close();
  });
  const res = await app.inject('/audit');
  t.equal(res.statusCode, 200, 'no authentication');
  t.match(res.headers['content-type'], /^text\/html; charset=utf-8/);
  t.equal(res.body, built.html);
  t.equal(res.headers['content-security-policy'], `${built.csp}; frame-ancestors 'none'`);
  t.match(res.headers['cache-control'], /max-age=\d+/);
  const etag = res.headers['etag'];
  t.match(etag, /^"[A-Za-z0-9_-]+"$/);
  const again = await app.inject({ url: '/audit', headers: { 'if-none-match': String(etag) } });
  t.equal(again.statusCode, 304);
  t.equal(again.body, '');
});

t.test('yishi audit-page: --help, and --out is required', async (t) => {
  const help = await yishi('audit-page', '--help');
  t.equal(help.status, 0);
  t.match(help.stdout, /Usage: yishi audit-page --out FILE/);
  t.equal((await yishi('audit-page')).status, 2);
  t.equal((await yishi('audit-page', '--bogus')).status, 2);
});
