// `npm run bench [-- --quick] [-- --json]`: every figure beside a baseline measured in the same
// run on this machine. Progress goes to stderr; the table (or the JSON) to stdout.
import { parseArgs } from 'node:util';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { appendBench } from './append.js';
import { footprintBench } from './footprint.js';
import { ingestBench } from './ingest.js';
import { meetingLedger } from './ledgers.js';
import { proofBench } from './proofs.js';
import { formatTable, skipped, toJson, type Figure } from './report.js';
import { note, since, tempFolder, type BenchOptions } from './util.js';
import { verifyBench } from './verify.js';

const SECTIONS = ['append', 'verify', 'proofs', 'footprint', 'ingest'] as const;
type Section = (typeof SECTIONS)[number];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout
    .write(`Usage: npm run bench [-- --quick] [-- --json] [-- --only=${SECTIONS.join(',')}] [-- --profile]

  --quick   small sizes, finishes within a minute (the full run takes ~10 minutes, plus the
            one-time generation of its 1,000,000-entry ledger into bench/.cache)
  --json    print [{ name, value, unit, baseline, baselineValue, ratio }] instead of the table
  --only    run only these sections
  --profile with --quick, also profile the ingest server (the full run always does)
`);
  process.exit(0);
}
const only = new Set(
  (values.only ?? SECTIONS.join(',')).split(',').filter((s): s is Section => s !== '')
);
for (const s of only) {
  if (!SECTIONS.includes(s)) throw new Error(`unknown section ${s}`);
}
const opts: BenchOptions = { quick: values.quick, profile: values.profile };
const rows: Figure[] = [];
const notes: string[] = [];
const start = performance.now();

async function section(name: Section, run: () => Promise<void>): Promise<void> {
  if (!only.has(name)) return;
  const t = performance.now();
  try {
    await run();
  } catch (err) {
    rows.push(skipped(name, (err as Error).message));
  }
  note(`${name}: done in ${since(t).toFixed(1)} s`);
}

await section('append', async () => {
  const r = await appendBench(opts);
  rows.push(...r.rows);
  notes.push(...r.notes);
});

const needLedger = only.has('verify') || only.has('proofs') || only.has('footprint');
const ledger = needLedger
  ? await meetingLedger(opts.quick ? 10_000 : 1_000_000, opts.quick ? 3_000 : 100_000)
  : undefined;

await section('verify', async () => {
  rows.push(...(await verifyBench(ledger!, opts)));
});
await section('proofs', async () => {
  const copy = tempFolder('proofs');
  try {
    cpSync(ledger!.db, join(copy.dir, 'ledger.db'));
    rows.push(...proofBench(join(copy.dir, 'ledger.db'), opts.quick ? 500 : 2000));
  } finally {
    copy.remove();
  }
});
await section('footprint', async () => {
  rows.push(...(await footprintBench(ledger!, opts)));
});
await section('ingest', async () => {
  const r = await ingestBench(opts);
  rows.push(...r.rows);
  notes.push(...r.notes);
});

note(`all done in ${since(start).toFixed(0)} s`);
if (values.json) {
  process.stdout.write(`${JSON.stringify(toJson(rows), null, 2)}\n`);
} else {
  process.stdout.write(`${formatTable(rows)}\n`);
  process.stdout.write(
    `total time: ${since(start).toFixed(0)} s${opts.quick ? ' (--quick)' : ''}\n`
  );
  for (const n of notes) process.stdout.write(`\n${n}\n`);
}
