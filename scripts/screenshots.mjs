#!/usr/bin/env node
// Screenshots of the auditor's page for the README (docs/images/audit-page-*.png): the demo's
// export and log key (verdict ok) and the same export with one vote changed (verdict failed),
// taken in headless Chromium from the file `yishi audit-page --out` writes.
//
// Usage: npm run screenshots   (builds the packages, the demo and the page first)
//
// Debian's Chromium ships without CJK fonts, and the page and the demo are half Chinese: when
// no font covers Chinese (`fc-list :lang=zh`), this script installs fonts-noto-cjk with apt-get
// (it must then run as root, as it does in the dev container), or stops and says so. It installs
// nothing else. Chromium: /usr/bin/chromium or $CHROMIUM_PATH.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const images = join(root, 'docs', 'images');
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

function ensureCjkFonts() {
  const list = spawnSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' });
  if (list.status === 0 && list.stdout.trim() !== '') return;
  if (process.getuid?.() !== 0) {
    console.error('No font covers Chinese: run `sudo apt-get install fonts-noto-cjk`, then retry.');
    process.exit(1);
  }
  console.log('No font covers Chinese: installing fonts-noto-cjk (apt-get)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env }).status === 0;
  if (!run(['install', '-y', '--no-install-recommends', 'fonts-noto-cjk'])) {
    if (!run(['update']) || !run(['install', '-y', '--no-install-recommends', 'fonts-noto-cjk'])) {
      console.error('apt-get could not install fonts-noto-cjk.');
      process.exit(1);
    }
  }
}

if (!existsSync(CHROMIUM)) {
  console.error(`No Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH).`);
  process.exit(1);
}
ensureCjkFonts();

const { runDemo } = await import(pathToFileURL(join(root, 'demo/dist/run-demo.js')).href);
const dir = mkdtempSync(join(tmpdir(), 'yishi-screenshots-'));
try {
  const demo = await runDemo();
  const exportPath = join(dir, 'ledger.jsonl');
  const vkeyPath = join(dir, 'log.vkey');
  writeFileSync(exportPath, demo.ledger);
  writeFileSync(vkeyPath, `${demo.vkey}\n`);
  // The tampered copy, as the demo test makes it: one vote's choice changed.
  const lines = demo.ledger.split('\n');
  const i = lines.findIndex(
    (l) =>
      l.startsWith('{"entry":') && /"type":"vote\.cast"/.test(l) && l.includes('"choice":"against"')
  );
  lines[i] = lines[i].replace('"choice":"against"', '"choice":"for"');
  const tamperedPath = join(dir, 'ledger-tampered.jsonl');
  writeFileSync(tamperedPath, lines.join('\n'));

  const pagePath = join(dir, 'audit.html');
  const cli = spawnSync(
    process.execPath,
    [join(root, 'service/bin/yishi.js'), 'audit-page', '--out', pagePath],
    { stdio: 'inherit' }
  );
  if (cli.status !== 0) throw new Error('yishi audit-page failed');

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'],
  });
  try {
    mkdirSync(images, { recursive: true });
    const shots = [
      { name: 'audit-page-ok.png', file: exportPath, locale: 'en-GB' },
      { name: 'audit-page-failed.png', file: tamperedPath, locale: 'en-GB' },
      { name: 'audit-page-failed-zh.png', file: tamperedPath, locale: 'zh-CN' },
    ];
    for (const shot of shots) {
      const context = await browser.newContext({
        locale: shot.locale,
        viewport: { width: 1000, height: 800 },
        deviceScaleFactor: 1,
      });
      const page = await context.newPage();
      await page.goto(pathToFileURL(pagePath).href);
      await page.setInputFiles('#export-file', shot.file);
      await page.setInputFiles('#vkey-file', vkeyPath);
      await page.waitForSelector('[data-verdict]', { timeout: 120_000 });
      const out = join(images, shot.name);
      await page.screenshot({ path: out, fullPage: true });
      console.log(`wrote ${out}`);
      await context.close();
    }
  } finally {
    await browser.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
