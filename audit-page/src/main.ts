/**
 * The auditor's page: reads the files the auditor chose, runs the audit in a Web Worker (started
 * from a Blob URL: the page is one file and fetches nothing), shows progress, then the verdict,
 * the checks, the findings, the summary and the timeline; saves the latest verified checkpoint.
 *
 * For automation: `input#export-file`, `input#vkey-file` and, once done, `[data-verdict]` with
 * `ok` or `failed`. The audit starts by itself once an export and a key (or policy) are chosen.
 */
import { defaultLang, WORDS, type Lang } from './i18n.js';
import type { AuditRequest, AuditResult, WorkerMessage } from './protocol.js';
import { renderResult } from './render.js';

/** The worker's bundled source, put here by the build (audit-page/build.mjs). */
declare const __WORKER_SOURCE__: string;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const exportInput = $<HTMLInputElement>('export-file');
const vkeyInput = $<HTMLInputElement>('vkey-file');
const policyInput = $<HTMLInputElement>('policy-file');
const savedInput = $<HTMLInputElement>('checkpoint-file');
const runButton = $<HTMLButtonElement>('run');
const progressBox = $<HTMLDivElement>('progress-box');
const progressBar = $<HTMLProgressElement>('progress');
const progressText = $<HTMLSpanElement>('progress-text');
const errorBox = $<HTMLParagraphElement>('error');
const output = $<HTMLDivElement>('output');
const saveBox = $<HTMLParagraphElement>('save-box');
const saveButton = $<HTMLButtonElement>('save-checkpoint');
const langToggle = $<HTMLButtonElement>('lang-toggle');

let lang: Lang = defaultLang(navigator.language);
let last: { result: AuditResult; keyGiven: boolean } | undefined;
let progress: { bytes: number; total: number; entries: number } | undefined;
let worker: Worker | undefined;
let workerUrl: string | undefined;

function applyLang(): void {
  const w = WORDS[lang];
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.title = w.title;
  for (const el of document.querySelectorAll<HTMLElement>('[data-i18n]')) {
    const key = el.dataset['i18n'] as keyof typeof w;
    const text = w[key];
    if (typeof text === 'string') el.textContent = text;
  }
  langToggle.textContent = w.switchTo;
  if (progress) showProgress();
  if (last) output.replaceChildren(renderResult(last.result, lang, last.keyGiven));
}

function showProgress(): void {
  if (!progress) return;
  const pct = progress.total > 0 ? Math.floor((progress.bytes / progress.total) * 100) : 0;
  progressBar.value = pct;
  progressText.textContent = WORDS[lang].reading(progress.entries, pct);
}

function showError(message: string): void {
  errorBox.textContent = WORDS[lang].error(message);
  errorBox.hidden = false;
}

const fileOf = (input: HTMLInputElement) => input.files?.[0];

function startWorker(): Worker {
  worker?.terminate();
  if (workerUrl === undefined) {
    workerUrl = URL.createObjectURL(new Blob([__WORKER_SOURCE__], { type: 'text/javascript' }));
  }
  worker = new Worker(workerUrl);
  return worker;
}

async function run(): Promise<void> {
  const file = fileOf(exportInput);
  if (!file) return;
  errorBox.hidden = true;
  saveBox.hidden = true;
  last = undefined;
  output.replaceChildren();
  const request: AuditRequest = { file };
  const vkey = fileOf(vkeyInput);
  const policy = fileOf(policyInput);
  const saved = fileOf(savedInput);
  if (vkey) request.vkey = (await vkey.text()).trim();
  if (policy) request.policy = await policy.text();
  if (saved) request.savedCheckpoint = await saved.text();
  const keyGiven = vkey !== undefined || policy !== undefined;

  progress = { bytes: 0, total: file.size, entries: 0 };
  progressBox.hidden = false;
  showProgress();
  output.replaceChildren(
    Object.assign(document.createElement('div'), {
      className: 'verdict',
      textContent: WORDS[lang].verdictWorking,
    })
  );
  runButton.disabled = true;
  const w = startWorker();
  w.onmessage = (event: MessageEvent<WorkerMessage>) => {
    const m = event.data;
    if (m.kind === 'progress') {
      progress = { bytes: m.bytes, total: m.total, entries: m.entries };
      showProgress();
      return;
    }
    runButton.disabled = false;
    progressBox.hidden = true;
    progress = undefined;
    w.terminate();
    if (m.kind === 'error') {
      output.replaceChildren();
      showError(m.message);
      return;
    }
    last = { result: m.result, keyGiven };
    output.replaceChildren(renderResult(m.result, lang, keyGiven));
    saveBox.hidden = m.result.latestCheckpointNote === null;
  };
  w.onerror = (event) => {
    runButton.disabled = false;
    progressBox.hidden = true;
    output.replaceChildren();
    showError(event.message || 'the worker stopped');
  };
  w.postMessage(request);
}

function saveCheckpoint(): void {
  const note = last?.result.latestCheckpointNote;
  if (!last || !note) return;
  const v = last.result.verification;
  const origin = (v.origin ?? 'log').replace(/[^A-Za-z0-9._-]+/g, '_');
  const size = v.latestCheckpoint?.size ?? 0;
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([note], { type: 'text/plain' }));
  a.download = `${origin}-checkpoint-${size}.txt`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

function inputsChanged(): void {
  runButton.disabled = fileOf(exportInput) === undefined;
  if (fileOf(exportInput) && (fileOf(vkeyInput) || fileOf(policyInput))) void run();
}

for (const input of [exportInput, vkeyInput, policyInput, savedInput]) {
  input.addEventListener('change', inputsChanged);
}
$<HTMLFormElement>('inputs').addEventListener('submit', (event) => {
  event.preventDefault();
  void run();
});
saveButton.addEventListener('click', saveCheckpoint);
langToggle.addEventListener('click', () => {
  lang = lang === 'zh' ? 'en' : 'zh';
  applyLang();
});
applyLang();
