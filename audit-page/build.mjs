#!/usr/bin/env node
// Builds the auditor's page into ONE self-contained HTML file, audit-page/dist/audit.html: the
// worker is bundled first and inlined into the page's script as a string (started from a Blob
// URL), the style and the script are inline, and a Content-Security-Policy allowing exactly those
// two (by their SHA-256) and a blob: worker, and nothing else, is in the page's <meta>. Run by
// `npm run build`, `npm test` and `npm install`/`npm start` (scripts/build-if-needed.mjs), after
// `tsc -b` (it bundles the workspace packages from their dist/).
//
// Usage: node audit-page/build.mjs [--out FILE]
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));

/** The built page's default path. */
export const AUDIT_PAGE_PATH = join(here, 'dist', 'audit.html');

const sha256 = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

async function bundle(entry, define = {}) {
  const out = await build({
    entryPoints: [join(here, 'src', entry)],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    define,
    write: false,
    logLevel: 'silent',
  });
  const text = out.outputFiles[0]?.text ?? '';
  if (/require\(["']node:/.test(text)) throw new Error(`${entry}: a node built-in in the bundle`);
  // The script is inline: nothing in it may close the <script> element.
  return text.replace(/<\/(script)/gi, '<\\/$1').trim();
}

/**
 * Builds the page; returns its HTML and its Content-Security-Policy (the same as in its <meta>;
 * a server adds `frame-ancestors`, which a <meta> policy cannot carry).
 */
export async function buildAuditPage() {
  const worker = await bundle('worker.ts');
  const script = await bundle('main.ts', { __WORKER_SOURCE__: JSON.stringify(worker) });
  const style = readFileSync(join(here, 'src', 'style.css'), 'utf8');
  const template = readFileSync(join(here, 'src', 'page.html'), 'utf8');
  // The hashes cover the exact text between the tags.
  const scriptText = `\n${script}\n`;
  const styleText = `\n${style}`;
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(scriptText)}`,
    `style-src ${sha256(styleText)}`,
    'worker-src blob:',
    "img-src 'none'",
    "connect-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const slot = (name, tag) => new RegExp(`<${tag}>\\s*%${name}%\\s*</${tag}>`);
  let slots = 0;
  const html = template
    .replace('%CSP%', csp)
    .replace(slot('STYLE', 'style'), () => (slots++, `<style>${styleText}</style>`))
    .replace(slot('SCRIPT', 'script'), () => (slots++, `<script>${scriptText}</script>`));
  if (slots !== 2)
    throw new Error('audit-page/src/page.html: a %STYLE% or %SCRIPT% slot is missing');
  return { html, csp };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  const out = i > 0 ? process.argv[i + 1] : AUDIT_PAGE_PATH;
  if (!out) {
    process.stderr.write('usage: node audit-page/build.mjs [--out FILE]\n');
    process.exit(2);
  }
  const { html } = await buildAuditPage();
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, html);
}
