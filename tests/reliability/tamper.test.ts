/**
 * Tampering: on copies of the demo's ledger (two meetings of a nine-member committee, played
 * through the SDK), an insider changes everything database access allows: one byte in each column
 * of an entry, a vote's choice (alone, then with every hash recomputed and every checkpoint
 * re-signed with the stolen log key), a recorded outcome, deleted, reordered and inserted rows,
 * the tail, a checkpoint, and the whole chain re-signed with a fresh key. `yishi verify` and
 * `yishi audit`, run as an auditor runs them (`--vkey` the key they trust, `--json`; the CLI's
 * `main` for every case, batched in one process per tool, the binary itself on the untouched
 * ledger), must fail and name the entry (or checkpoint) that was changed. Where only one of them can
 * catch a change, the table says so and the test holds each tool to exactly that.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  base64Encode,
  bytesToHex,
  canonicalJson,
  createNoteSigner,
  entryLeafHash,
  generateSecretKey,
  getPublicKey,
  parseSecretKey,
  signCheckpoint,
} from '@yishi/crypto';
import type { LedgerEntry } from '@yishi/schema';
import { runDemo } from '../../demo/run-demo.js';
import { tempDir } from '../helpers/ledger-fixture.js';
import { YISHI_BIN } from './helpers/child-server.js';
import { runCliBatch, type CliRun } from './helpers/cli-batch.js';
import {
  checkpointSizesOf,
  exportTo,
  freshLogKey,
  readEntries,
  rewriteLedger,
  rowAt,
  signAs,
  tamperDb,
  tamperExport,
} from './helpers/forge.js';

const dir = tempDir(t, 'yishi-tamper-');
const demo = await runDemo({ out: join(dir, 'demo') });
const files = demo.files!;
const pristine = join(files.data, 'ledger.db');
const pristineExport = files.ledger;
const vkeyFile = files.vkey;
const logSkey = readFileSync(join(files.data, 'log.key'), 'utf8').trim();
const logSecret = parseSecretKey(logSkey).secretKey;
const entries = readEntries(pristine);
const N = entries.length;
const sizes = checkpointSizesOf(pristine);
const genesis = entries[0]!.command.payload as Record<string, unknown>;
const origin = genesis['origin'] as string;
const ledgerId = genesis['ledgerId'] as string;

const indexOf = (pred: (e: LedgerEntry) => boolean): number => {
  const i = entries.findIndex(pred);
  if (i < 0) throw new Error('the demo ledger lacks an entry this suite needs');
  return i;
};
const kVote = indexOf(
  (e) => e.command.payload.type === 'vote.cast' && e.command.payload['choice'] === 'against'
);
const kClose = indexOf((e) => e.command.payload.type === 'vote.close');
const kStatement = indexOf(
  (e) => e.command.payload.type === 'statement.record' && e.seq > kVote - 12
);
/** A checkpoint strictly inside the ledger, after the vote. */
const sMid = sizes.find((s) => s > kVote && s < N) as number;

/** What a tool must report: a failed check at an entry or a checkpoint, or a replay finding. */
type Expect =
  | { passes: true }
  | { check: string; seq?: number; checkpointSize?: number }
  | { finding: string; seq: number };

interface Case {
  name: string;
  make: (path: string) => Promise<string> | string;
  verify: Expect;
  audit: Expect;
}

const vote = entries[kVote]!;
const flippedVote = (e: LedgerEntry): LedgerEntry => ({
  ...e,
  command: { ...e.command, payload: { ...e.command.payload, choice: 'for' } },
});
const changedOutcome = (e: LedgerEntry): LedgerEntry => {
  const derived = structuredClone(e.derived) as { counts: { for: number; against: number } };
  derived.counts.for += derived.counts.against;
  derived.counts.against = 0;
  return { ...e, derived };
};
const outsider = generateSecretKey();
const forgedVote = signAs(
  { ...vote.command.payload, choice: 'for', nonce: 'f'.repeat(32) } as typeof vote.command.payload,
  outsider
);

/** A canonical body with one character at `at` (a regexp's first match) changed. */
function oneByte(body: string, at: RegExp): string {
  const m = at.exec(body);
  if (!m) throw new Error(`no ${at} in the body`);
  const i = m.index + m[0].length - 1;
  const c = body[i] as string;
  const swapped = /[0-8]/.test(c) ? String(Number(c) + 1) : c === '9' ? '0' : c === 'f' ? 'e' : 'f';
  return body.slice(0, i) + swapped + body.slice(i + 1);
}

const rewrite = (
  path: string,
  list: readonly LedgerEntry[],
  key = logSkey,
  checkpoints = sizes
): string =>
  rewriteLedger({
    entries: list,
    dst: path,
    ledgerId,
    origin,
    skey: key,
    checkpointSizes: checkpoints,
  });

const same = (e: Expect): { verify: Expect; audit: Expect } => ({ verify: e, audit: e });

const CASES: Case[] = [
  {
    name: 'entries.seq: one byte of an entry number changed',
    make: (p) =>
      tamperDb(pristine, p, (db) =>
        db.prepare('UPDATE entries SET seq = seq + 1024 WHERE seq = ?').run(kVote)
      ),
    ...same({ check: 'ENTRY_SEQUENCE', seq: kVote }),
  },
  {
    name: 'entries.leaf_hash: one byte of a stored leaf hash changed',
    make: (p) =>
      tamperDb(pristine, p, (db) => {
        const h = Buffer.from(rowAt(db, kVote).leaf_hash);
        h[7] = (h[7] as number) ^ 1;
        db.prepare('UPDATE entries SET leaf_hash = ? WHERE seq = ?').run(h, kVote);
      }),
    ...same({ check: 'ENTRY_HASH_STORED', seq: kVote }),
  },
  ...(
    [
      ['the payload (its nonce)', kVote, /"nonce":"[0-9a-f]/],
      ['the signature', kVote, /"signature":"[A-Za-z0-9+/]{10}/],
      ['the entry time', kStatement, /"time":[0-9]{4}/],
      ['the salt', kStatement, /"salt":"[0-9a-f]{3}/],
      ['the derived outcome', kClose, /"for":[0-9]/],
    ] as const
  ).map(([what, k, at]): Case => ({
    name: `entries.body: one byte of ${what} changed`,
    make: (p) =>
      tamperDb(pristine, p, (db) =>
        db
          .prepare('UPDATE entries SET body = ? WHERE seq = ?')
          .run(oneByte(rowAt(db, k).body, at), k)
      ),
    ...same({ check: 'ENTRY_HASH_STORED', seq: k }),
  })),
  {
    name: "a vote's choice changed and its stored leaf hash recomputed",
    make: (p) =>
      tamperDb(pristine, p, (db) => {
        const forged = flippedVote(entries[kVote]!);
        db.prepare('UPDATE entries SET body = ?, leaf_hash = ? WHERE seq = ?').run(
          canonicalJson(forged),
          entryLeafHash(forged),
          kVote
        );
      }),
    ...same({ check: 'ENTRY_SIGNATURE', seq: kVote }),
  },
  {
    name: "a time changed and its stored leaf hash recomputed (the next entry's prev no longer matches)",
    make: (p) =>
      tamperDb(pristine, p, (db) => {
        const forged = { ...entries[kStatement]!, time: entries[kStatement]!.time + 60_000 };
        db.prepare('UPDATE entries SET body = ?, leaf_hash = ? WHERE seq = ?').run(
          canonicalJson(forged),
          entryLeafHash(forged),
          kStatement
        );
      }),
    ...same({ check: 'ENTRY_CHAIN', seq: kStatement }),
  },
  {
    name: "a vote's choice changed, every hash recomputed, every checkpoint re-signed with the log key",
    make: (p) =>
      rewrite(
        p,
        entries.map((e, i) => (i === kVote ? flippedVote(e) : e))
      ),
    // The log key signs checkpoints, not votes: the member's signature still covers the choice.
    ...same({ check: 'ENTRY_SIGNATURE', seq: kVote }),
  },
  {
    name: 'a recorded outcome changed, every hash recomputed, every checkpoint re-signed with the log key',
    make: (p) =>
      rewrite(
        p,
        entries.map((e, i) => (i === kClose ? changedOutcome(e) : e))
      ),
    // Nothing a member signed changed, and the log key is compromised: the ledger verifies. Only
    // replaying the signed commands under the rules shows the recorded outcome is not theirs.
    verify: { passes: true },
    audit: { finding: 'DERIVED_MISMATCH', seq: kClose },
  },
  {
    name: 'a row deleted from the middle',
    make: (p) =>
      tamperDb(pristine, p, (db) => db.prepare('DELETE FROM entries WHERE seq = ?').run(kVote)),
    ...same({ check: 'ENTRY_SEQUENCE', seq: kVote }),
  },
  {
    name: 'two rows swapped',
    make: (p) =>
      tamperDb(pristine, p, (db) => {
        const swap = db.prepare('UPDATE entries SET seq = ? WHERE seq = ?');
        swap.run(N + 1000, kVote);
        swap.run(kVote, kVote + 1);
        swap.run(kVote + 1, N + 1000);
      }),
    ...same({ check: 'ENTRY_SEQUENCE', seq: kVote }),
  },
  {
    name: 'a forged vote inserted in the middle, chained to the entry before it',
    make: (p) =>
      tamperDb(pristine, p, (db) => {
        db.prepare('UPDATE entries SET seq = seq + 1000000 WHERE seq >= ?').run(kVote);
        db.prepare('UPDATE entries SET seq = seq - 999999 WHERE seq >= 1000000').run();
        const forged: LedgerEntry = {
          ...vote,
          seq: kVote,
          prev: bytesToHex(entryLeafHash(entries[kVote - 1])),
          command: forgedVote,
        };
        db.prepare('INSERT INTO entries (seq, leaf_hash, body) VALUES (?, ?, ?)').run(
          kVote,
          entryLeafHash(forged),
          canonicalJson(forged)
        );
      }),
    // The forged entry itself links and is signed (by the forger's own key); the entry it
    // displaced is the first that no longer sits at its number.
    ...same({ check: 'ENTRY_SEQUENCE', seq: kVote + 1 }),
  },
  {
    name: 'a forged vote inserted, every hash recomputed, every checkpoint re-signed with the log key',
    make: (p) =>
      rewrite(p, [
        ...entries.slice(0, kVote),
        { ...vote, command: forgedVote },
        ...entries.slice(kVote),
      ]),
    // Well formed, chained and signed (by an unregistered key) under re-signed checkpoints: the
    // integrity checks pass; the rules refuse a vote from a key nobody registered.
    verify: { passes: true },
    audit: { finding: 'ENTRY_REFUSED', seq: kVote },
  },
  {
    name: 'the tail dropped (the last three entries)',
    make: (p) =>
      tamperDb(pristine, p, (db) => db.prepare('DELETE FROM entries WHERE seq >= ?').run(N - 3)),
    ...same({ check: 'CHECKPOINT_BEYOND_LEDGER', seq: N - 3 }),
  },
  {
    name: 'the tail dropped with the checkpoints that covered it, the auditor holding an earlier checkpoint',
    make: async (p) => {
      const db = tamperDb(pristine, `${p}.db`, (db) => {
        db.prepare('DELETE FROM entries WHERE seq >= ?').run(N - 3);
        db.prepare('DELETE FROM checkpoints WHERE size > ?').run(N - 3);
      });
      // The auditor keeps the checkpoints it saw before (GET /log/checkpoint, earlier exports)
      // and hands them to the verifier with the export.
      const exported = await exportTo(db, `${p}.plain.jsonl`);
      const latestSeen = readFileSync(pristineExport, 'utf8').trimEnd().split('\n').at(-1)!;
      return tamperExport(exported, p, (lines) => [...lines, latestSeen]);
    },
    ...same({ check: 'CHECKPOINT_BEYOND_LEDGER', seq: N - 3 }),
  },
  {
    name: 'a checkpoint replaced by one signed with another key',
    make: (p) =>
      tamperDb(pristine, p, (db) => {
        const root = (
          db.prepare('SELECT root FROM checkpoints WHERE size = ?').get(sMid) as { root: Buffer }
        ).root;
        const note = signCheckpoint(
          { origin, size: sMid, rootHash: new Uint8Array(root), extensions: [] },
          [createNoteSigner(origin, generateSecretKey())]
        );
        db.prepare('UPDATE checkpoints SET note = ? WHERE size = ?').run(note, sMid);
      }),
    ...same({ check: 'CHECKPOINT_SIGNATURE', checkpointSize: sMid }),
  },
  {
    name: 'a checkpoint replaced by one over another root, signed with the log key',
    make: (p) =>
      tamperDb(pristine, p, (db) => {
        const note = signCheckpoint(
          { origin, size: sMid, rootHash: new Uint8Array(32).fill(7), extensions: [] },
          [createNoteSigner(origin, logSecret)]
        );
        db.prepare('UPDATE checkpoints SET note = ? WHERE size = ?').run(note, sMid);
      }),
    ...same({ check: 'CHECKPOINT_ROOT_MISMATCH', checkpointSize: sMid }),
  },
  {
    name: 'the whole chain rewritten and re-signed with a fresh log key',
    make: (p) => {
      const fresh = freshLogKey(origin);
      const payload = {
        ...entries[0]!.command.payload,
        logPublicKey: base64Encode(getPublicKey(fresh.secret)),
      } as LedgerEntry['command']['payload'];
      const genesisEntry = { ...entries[0]!, command: signAs(payload, fresh.secret) };
      return rewrite(
        p,
        [genesisEntry, ...entries.slice(1).map((e, i) => (i + 1 === kVote ? flippedVote(e) : e))],
        fresh.skey
      );
    },
    ...same({ check: 'LOG_KEY_MISMATCH', seq: 0 }),
  },
  {
    name: 'export: an entry line deleted',
    make: (p) => tamperExport(pristineExport, p, (l) => l.filter((_, i) => i !== kVote + 1)),
    ...same({ check: 'ENTRY_SEQUENCE', seq: kVote }),
  },
  {
    name: 'export: two entry lines swapped',
    make: (p) =>
      tamperExport(pristineExport, p, (l) => {
        const out = [...l];
        [out[kVote + 1], out[kVote + 2]] = [l[kVote + 2] as string, l[kVote + 1] as string];
        return out;
      }),
    ...same({ check: 'ENTRY_SEQUENCE', seq: kVote }),
  },
  {
    name: 'export: one byte of an entry time changed (no stored hash beside it)',
    make: (p) =>
      tamperExport(pristineExport, p, (l) =>
        l.map((line, i) => (i === kStatement + 1 ? oneByte(line, /"time":[0-9]{4}/) : line))
      ),
    ...same({ check: 'ENTRY_CHAIN', seq: kStatement }),
  },
  {
    name: 'export: one byte of a vote changed',
    make: (p) =>
      tamperExport(pristineExport, p, (l) =>
        l.map((line, i) =>
          i === kVote + 1 ? line.replace('"choice":"against"', '"choice":"abstain"') : line
        )
      ),
    ...same({ check: 'ENTRY_SIGNATURE', seq: kVote }),
  },
  {
    name: 'export: the last entry half-written',
    make: (p) =>
      tamperExport(pristineExport, p, (l) =>
        l.map((line, i) => (i === N ? line.slice(0, Math.floor(line.length / 2)) : line))
      ),
    ...same({ check: 'ENTRY_MALFORMED', seq: N - 1 }),
  },
];

interface Failure {
  check: string;
  seq?: number;
  checkpointSize?: number;
}

/** The `--json` report of `yishi verify` (failure at the top) or `yishi audit`. */
interface CliReport {
  ok?: boolean;
  failure?: Failure;
  verification?: { failure?: Failure };
  findings?: { code: string; seq: number }[];
}

function parse(stdout: string): CliReport | undefined {
  try {
    return JSON.parse(stdout) as CliReport;
  } catch {
    return undefined;
  }
}

/** Runs the `yishi` binary and parses its `--json` report. */
function cli(
  args: string[]
): Promise<{ code: number | null; report: CliReport | undefined; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [YISHI_BIN, ...args, '--vkey', vkeyFile, '--json']);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('close', (code) => {
      resolve({ code, report: parse(stdout), stderr });
    });
  });
}

/** Whether a report is what `want` says, and what it said instead. */
function judge(
  tool: 'verify' | 'audit',
  want: Expect,
  code: number | null,
  report: CliReport | undefined
): { ok: boolean; caught: boolean; said: string } {
  const v = tool === 'verify' ? report : report?.verification;
  const failure = v?.failure as
    { check: string; seq?: number; checkpointSize?: number } | undefined;
  const finding = tool === 'audit' ? report?.findings?.[0] : undefined;
  const said = failure
    ? `${failure.check} seq=${failure.seq} checkpointSize=${failure.checkpointSize}`
    : finding
      ? `${finding.code} seq=${finding.seq}`
      : `exit ${code}, ok=${String(report?.ok)}`;
  const caught = code === 1 && report?.ok === false;
  if ('passes' in want) return { ok: code === 0 && report?.ok === true, caught, said };
  if ('finding' in want) {
    return {
      ok:
        caught &&
        failure === undefined &&
        finding?.code === want.finding &&
        finding?.seq === want.seq,
      caught,
      said,
    };
  }
  return {
    ok:
      caught &&
      failure?.check === want.check &&
      (want.seq === undefined || failure?.seq === want.seq) &&
      (want.checkpointSize === undefined || failure?.checkpointSize === want.checkpointSize),
    caught,
    said,
  };
}

t.test(
  'the untouched demo ledger verifies and audits clean, as a database and an export',
  async (t) => {
    for (const file of [pristine, pristineExport]) {
      for (const tool of ['verify', 'audit'] as const) {
        const r = await cli([tool, file]);
        t.equal(r.code, 0, `${tool} ${file}: ${r.stderr}`);
      }
    }
    t.ok(sMid !== undefined && kVote > 0 && kClose > kVote, 'the demo has votes and checkpoints');
  }
);

const tally = { tried: 0, verify: 0, audit: 0, either: 0 };

t.test('every tampering is caught by the tool that can catch it, naming the entry', async (t) => {
  const files: (string | undefined)[] = [];
  for (const [i, c] of CASES.entries()) {
    const ext = c.name.startsWith('export') || c.name.includes('auditor') ? '.jsonl' : '.db';
    try {
      files.push(await c.make(join(dir, `case-${i}${ext}`)));
    } catch (err) {
      t.fail(`${c.name}: the tampering itself failed: ${(err as Error).message}`);
      files.push(undefined);
    }
  }
  const made = files.filter((f): f is string => f !== undefined);
  const flags = ['--vkey', vkeyFile, '--json'];
  // Every verify in one CLI process, every audit in another, side by side.
  const [verifies, audits] = await Promise.all([
    runCliBatch(made.map((f) => ['verify', f, '--workers', '1', ...flags])),
    runCliBatch(made.map((f) => ['audit', f, ...flags])),
  ]);
  for (const [i, c] of CASES.entries()) {
    const file = files[i];
    if (file === undefined) continue;
    const v = verifies[made.indexOf(file)] as CliRun;
    const a = audits[made.indexOf(file)] as CliRun;
    const jv = judge('verify', c.verify, v.code, parse(v.stdout));
    const ja = judge('audit', c.audit, a.code, parse(a.stdout));
    t.ok(jv.ok, `${c.name}: yishi verify says ${jv.said}`, {
      expected: c.verify,
      stderr: v.stderr,
    });
    t.ok(ja.ok, `${c.name}: yishi audit says ${ja.said}`, {
      expected: c.audit,
      stderr: a.stderr,
    });
    tally.tried++;
    if (jv.ok && jv.caught) tally.verify++;
    if (ja.ok && ja.caught) tally.audit++;
    if ((jv.ok && jv.caught) || (ja.ok && ja.caught)) tally.either++;
  }
  t.equal(tally.either, CASES.length, 'every tampering is caught by at least one tool');
  t.comment(
    `tamper figures: ${tally.either}/${tally.tried} caught; yishi verify caught ${tally.verify}, ` +
      `yishi audit caught ${tally.audit} (each naming the entry or checkpoint)`
  );
});
