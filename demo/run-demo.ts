/**
 * `runDemo`: starts the service on a temporary (or the given) folder, on 127.0.0.1 port 0, with
 * the story's clock; plays the story through the SDK; exports the ledger as the auditor and
 * audits it with the log's key. Importable, so tests (and tamper tests) can use its ledger.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import {
  auditExport,
  parsePolicy,
  verifyCheckpointPolicy,
  verifyDecision,
  type AuditReport,
  type DecisionVerdict,
  type Policy,
} from '@yishi/sdk';
import type { LedgerEntry } from '@yishi/schema';
import {
  initDataDir,
  initWitness,
  startServer,
  startWitnessServer,
  type ServerConfig,
  type WitnessServer,
} from '@yishi/service';
import { DemoError } from './error.js';
import { Narrator, pad } from './narrator.js';
import { Stage } from './stage.js';
import { Story, STORY_START, type DemoSummary } from './story.js';
import { AUDITOR } from './team.js';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Keep what the demo made in this folder (`data/`, `ledger.jsonl`, `log.vkey`, minutes). */
  out?: string;
  /** Where the narration goes, one line per call (default: nowhere). */
  log?: (line: string) => void;
}

/** Where the demo kept its files (with `out`). */
export interface DemoFiles {
  dir: string;
  data: string;
  ledger: string;
  vkey: string;
  minutes: string[];
  records: string[];
}

/** What {@link runDemo} returns. */
export interface DemoResult {
  summary: DemoSummary;
  audit: AuditReport;
  decision: DecisionVerdict;
  /** The export's text (header, entries, checkpoints). */
  ledger: string;
  /** The log's verifier key (C2SP vkey), as `log.vkey` holds it. */
  vkey: string;
  files?: DemoFiles;
}

const CHECKPOINT_WAIT_MS = 30_000;

function prepareOut(out: string): DemoFiles {
  const dir = resolve(out);
  const files: DemoFiles = {
    dir,
    data: join(dir, 'data'),
    ledger: join(dir, 'ledger.jsonl'),
    vkey: join(dir, 'log.vkey'),
    minutes: [],
    records: [],
  };
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new DemoError('OUT_NOT_EMPTY', `${dir} is not empty: give a new or empty folder`);
  }
  mkdirSync(dir, { recursive: true });
  return files;
}

/** Plays the whole demo. Throws a {@link DemoError} if any step goes otherwise than told. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const say = new Narrator(options.log ?? (() => {}));
  const files = options.out !== undefined ? prepareOut(options.out) : undefined;
  const scratch = files ? undefined : mkdtempSync(join(tmpdir(), 'yishi-demo-'));
  const dataDir = files ? files.data : join(scratch as string, 'data');
  const stage = new Stage(STORY_START);
  const config: ServerConfig = {
    dataDir,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'error',
    checkpointIntervalMs: 200,
    rateLimitPerMinute: 100_000,
    bodyLimit: 128 * 1024,
  };
  const logger = pino({ level: 'error' }, pino.destination(2));
  // Two witnesses cosign the log's checkpoints (C2SP tlog-witness): the higher level's discipline
  // commission and the auditor's office; the log publishes only checkpoints both cosigned.
  const created = await initDataDir(dataDir, { clock: stage.clock });
  const witnesses: WitnessServer[] = [];
  for (const name of ['commission', 'auditor']) {
    const dir = join(dataDir, `witness-${name}`);
    mkdirSync(dir, { recursive: true });
    initWitness(dir, `${name}.example/witness`);
    witnesses.push(await startWitnessServer({ dataDir: dir, logVkeys: [created.vkey] }));
  }
  const policyText =
    `log ${created.vkey}\n` +
    witnesses.map((w, i) => `witness w${i} ${w.vkey} ${w.url}\n`).join('') +
    'group both all w0 w1\nquorum both\n';
  const policyFile = join(dataDir, 'policy.txt');
  writeFileSync(policyFile, policyText);
  const policy = parsePolicy(policyText);
  config.witnessPolicy = policyFile;
  const server = await startServer(config, logger, { clock: stage.clock });
  try {
    // The service and every signer read the stage's clock: the story can span two weeks.
    stage.connect(server.url);
    stage.enrol('admin', readFileSync(join(dataDir, 'admin.key'), 'utf8'));
    const vkey = readFileSync(join(dataDir, 'log.vkey'), 'utf8').trim();

    say.title(
      'yishi 议事 · the demo (it runs in well under a minute)',
      'Major decisions (三重一大) of a leadership team: rules enforced, every step signed, nothing erased.'
    );
    say.line();
    say.say(
      `The service is running on ${server.url} with a fresh ledger in ${dataDir}.`,
      'Everything below goes through the TypeScript SDK (@yishi/sdk), as a client app would:',
      'each person signs their own commands with their own key; the service applies the rules of',
      'procedure P1–P16 and appends each accepted step to a hash-chained ledger with signed checkpoints.',
      "The service's clock is moved forward so the story can span two weeks."
    );

    const story = new Story(stage, say);
    await story.team();
    const first = await story.agenda();
    await story.meetingOne(first);
    const second = await story.between(first.cadre);
    await story.meetingTwo({ ...second, previousItemId: first.cadre.itemId });
    const texts = await story.minutes();
    await story.reports();
    const summary = story.result();

    const { ledger, audit, decision } = await auditChapter(stage, say, summary, vkey, policy);
    recap(say, summary, audit);

    await server.close();
    if (files) keep(say, files, ledger, vkey, texts);
    else {
      say.line();
      say.say(
        'Run `npm run demo -- --out DIR` to keep the ledger, the log key and the minutes, then try',
        '`npx yishi audit DIR/ledger.jsonl --vkey DIR/log.vkey` — and again after changing one vote.'
      );
    }
    say.line();
    return { summary, audit, decision, ledger, vkey, ...(files ? { files } : {}) };
  } finally {
    await server.close();
    for (const w of witnesses) await w.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

/** Waits until the log signed a checkpoint over `size` entries, then exports as the auditor. */
async function exportWhenCheckpointed(stage: Stage, size: number): Promise<string> {
  const auditor = stage.client(AUDITOR.id);
  const deadline = Date.now() + CHECKPOINT_WAIT_MS;
  for (;;) {
    const cp = await auditor.api.GET('/log/checkpoint', { parseAs: 'text' });
    if (cp.data?.split('\n')[1] === String(size)) break;
    if (Date.now() > deadline) {
      throw new DemoError('CHECKPOINT_TIMEOUT', `no checkpoint over ${size} entries was signed`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const exported = await auditor.api.GET('/ledger/export', { parseAs: 'text' });
  if (exported.data === undefined) {
    throw new DemoError('READ_FAILED', 'the ledger could not be exported', exported.error);
  }
  return exported.data;
}

/** One decision checked on its own: the entry, its inclusion proof, the trusted log key. */
async function checkDecision(
  stage: Stage,
  lines: string[],
  seq: number,
  policy: Policy
): Promise<DecisionVerdict> {
  const entry = lines
    .slice(1)
    .map((l) => JSON.parse(l) as { entry?: LedgerEntry })
    .find((l) => l.entry?.seq === seq)?.entry;
  const proof = await stage.client(AUDITOR.id).api.GET('/log/proof/{index}', {
    params: { path: { index: String(seq) } },
    parseAs: 'text',
  });
  if (!entry || proof.data === undefined) {
    throw new DemoError('READ_FAILED', `entry ${seq} or its proof could not be read`);
  }
  return verifyDecision(proof.data, entry, { policy });
}

/** The last chapter: what the newcomer just saw, rule by rule, from the service's answers. */
function recap(say: Narrator, s: DemoSummary, audit: AuditReport): void {
  const c = (x: { counts?: { for: number; against: number; abstain: number } }) =>
    x.counts ? `${x.counts.for}–${x.counts.against}–${x.counts.abstain}` : '';
  const minutes = s.meetings.map((m) => `〔${m.minutes.year}〕${m.minutes.number}号`).join(', ');
  say.heading('In short');
  say.say(
    `${s.project.rule.padEnd(4)} the major project: ${s.project.result} ${c(s.project)}, the chair having spoken last`,
    `${s.cadre.first.rule.padEnd(4)} the cadre appointment: ${s.cadre.first.result} for large disagreement, then ${s.cadre.second.result} at the next meeting by ${s.cadre.second.method} ballot ${c(s.cadre.second)}`,
    `${(s.refusals.chairFirst.rule ?? '').padEnd(4)} the chair's statement before the others: refused (${s.refusals.chairFirst.code})`,
    `${(s.refusals.adhoc.rule ?? '').padEnd(4)} a late ad-hoc item: refused (${s.refusals.adhoc.code})`,
    `P14  the discipline secretary's objection: ${s.objection.escalated ? 'rejected by the chair, so escalated upward' : 'not escalated'}`,
    `P15  an interference attempt: recorded, delivered to the discipline secretary, reported upward`,
    `P16  minutes ${minutes}, each committing to a record signed by the recorder and the chair`,
    `     audit: ${audit.ok ? `${audit.replayed} entries verify and replay with no finding` : 'FAILED'}`
  );
}

/** The audit chapter: the auditor exports the ledger, audits it, and checks one decision alone. */
async function auditChapter(
  stage: Stage,
  say: Narrator,
  summary: DemoSummary,
  vkey: string,
  policy: Policy
): Promise<{ ledger: string; audit: AuditReport; decision: DecisionVerdict }> {
  say.heading(`The audit 审计 — ${AUDITOR.name} (${AUDITOR.post}) checks the record`);
  const ledger = await exportWhenCheckpointed(stage, stage.lastSeq + 1);
  const lines = ledger.trimEnd().split('\n');
  say.say(
    `${AUDITOR.name} exports the ledger (GET /ledger/export): ${lines.length - 1} lines, every entry exactly as hashed,`,
    "then every checkpoint the log signed, the latest with its witnesses' cosignatures. He trusts only",
    'the log key he was given (log.vkey) and the witness policy (data/policy.txt), whose quorum the',
    'latest checkpoint must meet:',
    `  ${vkey}`
  );
  const audit = auditExport(ledger, { vkey, policy });
  const v = audit.verification;
  say.line();
  if (audit.ok) {
    say.ok(
      `integrity: ${v.entries} entries and their ${v.signaturesVerified} signatures, the hash chain, the Merkle tree`,
      `and ${v.checkpoints} signed checkpoints all hold (root ${v.rootHash?.slice(0, 16)}…), the latest cosigned`,
      "by the policy's quorum of witnesses"
    );
    say.ok(
      `procedure replay: the same rules code re-decided all ${audit.replayed} signed commands; every one is`,
      'allowed by the rules and every recorded outcome is the one they give: 0 findings'
    );
  } else {
    say.refused(
      `the audit FAILED${v.failure ? `: ${v.failure.check} at entry ${v.failure.seq}` : ''}`,
      ...audit.findings.map((f) => `${f.code} ${f.rule ?? ''} at entry ${f.seq}`)
    );
  }

  const cosigned = await stage.client(AUDITOR.id).api.GET('/log/checkpoint', { parseAs: 'text' });
  const verdict = verifyCheckpointPolicy(cosigned.data ?? '', policy);
  say.line();
  say.ok(
    `witnesses: the published checkpoint (size ${verdict.checkpoint.size}) carries cosignatures of ${verdict.cosigners.length} witnesses,`,
    `the discipline commission and the auditor's office, meeting the policy's quorum: ${verdict.quorum}`
  );
  const decision = await checkDecision(stage, lines, summary.cadreDecisionSeq, policy);
  say.line();
  say.say(
    'Whoever holds a single entry (the appointment, say) can check it without the rest of the ledger:',
    'GET /log/proof/{index} gives its inclusion proof, verifyDecision checks it against the witness policy.'
  );
  if (decision.ok) {
    say.ok(
      `the cadre appointment (entry #${decision.index}) is in the log under checkpoint ${decision.checkpoint.size},`,
      `signed by ${decision.checkpoint.origin}`
    );
  } else {
    say.refused(`verifyDecision failed: ${decision.code} ${decision.message}`);
  }
  return { ledger, audit, decision };
}

/** Writes what `--out` keeps and tells where it is. */
function keep(
  say: Narrator,
  files: DemoFiles,
  ledger: string,
  vkey: string,
  texts: { minutes: string; record: string }[]
): void {
  writeFileSync(files.ledger, ledger);
  writeFileSync(files.vkey, `${vkey}\n`);
  texts.forEach((t, i) => {
    const minutes = join(files.dir, `minutes-${i + 1}.md`);
    const record = join(files.dir, `record-${i + 1}.md`);
    writeFileSync(minutes, t.minutes);
    writeFileSync(record, t.record);
    files.minutes.push(minutes);
    files.records.push(record);
  });
  say.heading(`Kept for you in ${files.dir}`);
  say.say(
    `${pad('data/', 28)}the service's data folder (SQLite ledger, log key, admin key)`,
    `${pad('ledger.jsonl', 28)}the export an auditor receives`,
    `${pad('log.vkey', 28)}the log's verifier key`,
    `${pad('minutes-*.md, record-*.md', 28)}the minutes and the full records (会议纪要, 会议记录)`,
    '',
    'Audit it yourself; then change one vote in ledger.jsonl ("choice":"against" → "for") and audit again:',
    `  npx yishi audit ${files.ledger} --vkey ${files.vkey}`,
    'and against the witness policy (every checkpoint consistent with a cosigned one):',
    `  npx yishi audit ${files.ledger} --policy ${join(files.data, 'policy.txt')}`
  );
}
