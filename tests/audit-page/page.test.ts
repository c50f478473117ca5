/**
 * The auditor's page in headless Chromium (issue 17 §3 §4): the demo's export and vkey give `ok`
 * (served at GET /audit, under its Content-Security-Policy), the export with one vote changed
 * gives `failed` and names the entry and the vote's signer, a scoped export gives `ok` and shows
 * the redacted count, and the file `yishi audit-page --out` writes works offline from file://.
 */
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { generateNoteKey } from '@yishi/crypto';
import type { LedgerEntry } from '@yishi/schema';
import { auditExport } from '@yishi/verify';
import { buildApp, Checkpointer, LedgerStore } from '@yishi/service/internal';
import { runDemo } from '../../demo/run-demo.js';
import { chromiumMissing, chromiumSkip, CHROMIUM, launchChromium } from '../helpers/chromium.js';
import { yishi } from '../helpers/cli.js';
import { tempDir } from '../helpers/ledger-fixture.js';
import { redactOtherBodies, twoBodies } from './helpers/two-bodies.js';

const dir = tempDir(t, 'yishi-audit-page-');
const demoOut = join(dir, 'demo');
const demo = await runDemo({ out: demoOut });
const policyPath = join(demoOut, 'data', 'policy.txt');
const lines = demo.ledger.trimEnd().split('\n');
const entries: LedgerEntry[] = lines
  .map((l) => JSON.parse(l) as { entry?: LedgerEntry })
  .flatMap((l) => (l.entry ? [l.entry] : []));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const exportPath = file('ledger.jsonl', demo.ledger);
const vkeyPath = file('log.vkey', `${demo.vkey}\n`);

/** Principal names by public key, from the ledger's registrations. */
const nameByKey = new Map<string, string>();
for (const e of entries) {
  const p = e.command.payload;
  if (p.type === 'principal.register') nameByKey.set(String(p['publicKey']), String(p['name']));
}

/** The demo's export with one vote's choice changed (`against` → `for`). */
const vote = entries.find(
  (e) => e.command.payload.type === 'vote.cast' && e.command.payload['choice'] === 'against'
) as LedgerEntry;
const tamperedPath = file(
  'tampered.jsonl',
  lines
    .map((l) =>
      l.startsWith('{"entry":') && parseEntrySeq(l) === vote.seq
        ? l.replace('"choice":"against"', '"choice":"for"')
        : l
    )
    .join('\n')
);
function parseEntrySeq(line: string): number | undefined {
  const v = JSON.parse(line) as { entry?: { seq: number } };
  return v.entry?.seq;
}

// A scoped export (per the shared format) of a ledger of two bodies, for the first body.
const two = await twoBodies(t);
const scoped = redactOtherBodies(two.exportText, two.bodies[0]);
const scopedPath = file('scoped.jsonl', scoped.text);
const scopedVkeyPath = file('two-bodies.vkey', `${two.vkey}\n`);

const pagePath = join(dir, 'audit.html');
const written = await yishi('audit-page', '--out', pagePath);

let browser: Browser | undefined;
const skip = chromiumSkip;

interface Run {
  page: Page;
  verdict: string | null;
  text: string;
  errors: string[];
  requests: string[];
}

/** Opens `url`, chooses the files, waits for the verdict. */
async function audit(
  url: string,
  files: { export: string; vkey?: string; policy?: string; saved?: string },
  locale = 'en-GB'
): Promise<Run> {
  if (!browser) throw new Error('no browser');
  const context = await browser.newContext({ locale, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url);
  if (files.saved) await page.setInputFiles('#checkpoint-file', files.saved);
  await page.setInputFiles('#export-file', files.export);
  if (files.policy) await page.setInputFiles('#policy-file', files.policy);
  if (files.vkey) await page.setInputFiles('#vkey-file', files.vkey);
  await page.waitForSelector('[data-verdict]', { timeout: 120_000 });
  const verdict = await page.getAttribute('[data-verdict]', 'data-verdict');
  const text = await page.innerText('body');
  return { page, verdict, text, errors, requests };
}

t.test('yishi audit-page --out writes the page', async (t) => {
  t.equal(written.status, 0, written.stderr);
  const html = readFileSync(pagePath, 'utf8');
  t.match(html, /^<!doctype html>/);
  t.notMatch(html, /<(script|link|img|iframe|object)[^>]+(src|href|data)=/i, 'loads nothing');
  t.match(html, /connect-src 'none'/, 'and may not');
  t.equal((await yishi('audit-page')).status, 2, '--out is required');
});

t.test('the two-body ledger behind the scoped export audits ok in full', async (t) => {
  const report = auditExport(two.exportText, { vkey: two.vkey });
  t.equal(report.ok, true);
  t.equal(report.verification.checkpoints >= 2, true, 'with checkpoints');
});

t.test('the page in Chromium', { skip }, async (t) => {
  if (chromiumMissing) {
    t.fail(`Chromium is missing at ${CHROMIUM}: .ci/run must install it`);
    return;
  }
  browser = await launchChromium(t);

  t.test("the demo's export and vkey give ok at GET /audit", async (t) => {
    const store = LedgerStore.open(':memory:');
    const { skey, vkey } = generateNoteKey('yishi.local/audit-page-test');
    const app = await buildApp({
      store,
      checkpointer: new Checkpointer(store, { skey, origin: 'yishi.local/audit-page-test' }),
      logVkey: vkey,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    t.teardown(async () => {
      await app.close();
      store.close();
    });
    const { port } = app.server.address() as AddressInfo;
    const run = await audit(`http://127.0.0.1:${port}/audit`, {
      export: exportPath,
      vkey: vkeyPath,
    });
    t.equal(run.verdict, 'ok', run.verdict === 'ok' ? 'verdict ok' : run.text);
    t.same(run.errors, [], 'no page errors (the policy allows the page and its worker)');
    const statuses = await run.page.$$eval('[data-check]', (els) =>
      els.map((e) => [e.getAttribute('data-check'), e.getAttribute('data-status')])
    );
    t.same(
      statuses,
      ['format', 'chain', 'signatures', 'genesis', 'checkpoints', 'rules'].map((c) => [c, 'pass'])
    );
    t.match(run.text, /votes: 7 for, 1 against/, 'the timeline shows the counts');
    t.match(run.text, /Dissent: /, 'and the dissent');
    t.match(run.text, /adopted/);

    // Save the latest checkpoint, then check the same export, and a truncated one, against it.
    const [download] = await Promise.all([
      run.page.waitForEvent('download'),
      run.page.click('#save-checkpoint'),
    ]);
    const savedPath = join(dir, 'saved-checkpoint.txt');
    await download.saveAs(savedPath);
    const note = readFileSync(savedPath, 'utf8');
    const size = Number(note.split('\n')[1]);
    t.equal(size, entries.length, 'the saved checkpoint is the latest, over every entry');
    t.ok(demo.ledger.includes(JSON.stringify(note).slice(1, -1)), 'it is a note of the export');

    const again = await audit(`http://127.0.0.1:${port}/audit`, {
      export: exportPath,
      vkey: vkeyPath,
      saved: savedPath,
    });
    t.equal(again.verdict, 'ok', again.verdict === 'ok' ? 'verdict ok' : again.text);
    t.equal(
      await again.page.getAttribute('[data-check="saved"]', 'data-status'),
      'pass',
      'consistent with the saved checkpoint'
    );

    const kept = Math.max(1, entries.length - 3);
    const truncated = lines.filter((l) => {
      const seq = l.startsWith('{"entry":') ? parseEntrySeq(l) : undefined;
      if (seq !== undefined) return seq < kept;
      if (l.startsWith('{"checkpoint":')) {
        return Number((JSON.parse(l) as { checkpoint: string }).checkpoint.split('\n')[1]) <= kept;
      }
      return true;
    });
    const shorter = await audit(`http://127.0.0.1:${port}/audit`, {
      export: file('truncated.jsonl', truncated.join('\n')),
      vkey: vkeyPath,
      saved: savedPath,
    });
    t.equal(shorter.verdict, 'failed', 'an export shorter than the saved checkpoint fails');
    t.equal(await shorter.page.getAttribute('[data-check="saved"]', 'data-status'), 'fail');

    const res = await fetch(`http://127.0.0.1:${port}/audit`);
    t.match(res.headers.get('content-security-policy'), /^default-src 'none'; script-src 'sha256-/);
    t.match(res.headers.get('content-security-policy'), /frame-ancestors 'none'/);
  });

  t.test("the demo's export with its witness policy instead of the vkey gives ok", async (t) => {
    const run = await audit(pathToFileURL(pagePath).href, {
      export: exportPath,
      policy: policyPath,
    });
    t.equal(run.verdict, 'ok', run.verdict === 'ok' ? 'verdict ok' : run.text);
    t.equal(await run.page.getAttribute('[data-check="quorum"]', 'data-status'), 'pass');
  });

  t.test('the export with one vote changed gives failed and names entry and signer', async (t) => {
    const run = await audit(pathToFileURL(pagePath).href, { export: tamperedPath, vkey: vkeyPath });
    t.equal(run.verdict, 'failed');
    t.same(run.errors, []);
    const finding = run.page.locator(`[data-code="ENTRY_SIGNATURE"][data-seq="${vote.seq}"]`);
    t.equal(await finding.count(), 1, 'the changed entry is named');
    const text = await finding.innerText();
    // Worded by @yishi/verify's report builder, as `yishi audit` words it.
    t.match(text, `entry ${vote.seq} — ENTRY_SIGNATURE`);
    const signer = nameByKey.get(vote.command.publicKey) as string;
    t.ok(signer, 'the demo registered the voter');
    t.match(text, `vote.cast under the key of ${signer} (`, "the vote's signer is named");
    t.equal(await run.page.getAttribute('[data-check="signatures"]', 'data-status'), 'fail');
    t.match(run.text, /counts\.for: recorded \d+, rules give \d+/, 'field by field');
    const cli = await yishi('audit', tamperedPath, '--vkey', vkeyPath);
    const headings = await run.page.$$eval('#findings .heading', (els) =>
      els.map((e) => (e as HTMLElement).innerText)
    );
    t.ok(headings.length > 0);
    for (const line of headings) t.ok(cli.stdout.includes(line), `as the CLI words it: ${line}`);

    await run.page.click('#lang-toggle');
    t.match(await run.page.innerText('[data-verdict]'), /未通过/, 'and in Chinese');
    t.match(await finding.innerText(), `vote.cast，使用 ${signer}（`);
    t.notMatch(await run.page.innerText('#findings'), /signed by|recorded \d/, 'all of it');
  });

  t.test('a scoped export gives ok and shows the redacted count', async (t) => {
    t.equal(scoped.redacted, 1, "the other body's meeting is redacted");
    const run = await audit(pathToFileURL(pagePath).href, {
      export: scopedPath,
      vkey: scopedVkeyPath,
    });
    t.equal(run.verdict, 'ok', run.verdict === 'ok' ? 'verdict ok' : run.text);
    t.match(await run.page.innerText('#redacted-count'), String(scoped.redacted));
  });

  t.test('the offline file works from file:// and fetches nothing', async (t) => {
    const url = pathToFileURL(pagePath).href;
    const run = await audit(url, { export: exportPath, vkey: vkeyPath }, 'zh-CN');
    t.equal(run.verdict, 'ok', run.verdict === 'ok' ? 'verdict ok' : run.text);
    t.same(run.errors, []);
    t.same(
      run.requests.filter((u) => u !== url && !u.startsWith('blob:')),
      [],
      'no request but the file itself'
    );
    t.match(run.text, /议事 · 审计页/, 'Chinese by default for a Chinese browser');
    t.match(await run.page.innerText('[data-verdict]'), /通过/);
  });
});
