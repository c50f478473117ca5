// `yishi verify|audit --policy`: an export carries the cosigned checkpoints the log published,
// and every checkpoint must meet the witness policy's quorum (C2SP tlog-policy).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { generateCosignerKey, parsePolicy, requireQuorum } from '@yishi/verify';
import { LedgerStore, WitnessCollector } from '@yishi/service/internal';
import { yishi } from '../../helpers/cli.js';
import { exportLedger, makeLedger, tempDir } from '../../helpers/ledger-fixture.js';
import { witnesses } from '../../helpers/witness-servers.js';

/**
 * A ledger whose latest checkpoint two witnesses cosigned under a 2-of-2 policy (written to a
 * file). With `extra` entries, its first checkpoint (signed at init, size 1) is not cosigned.
 */
async function cosignedLedger(t: { teardown(fn: () => unknown): void }, extra = 4) {
  const fixture = await makeLedger(t, extra, 1);
  const [a, b] = await witnesses(t, ['w1.test/commission', 'w2.test/auditor'], fixture.vkey);
  const policyText =
    `log ${fixture.vkey}\nwitness A ${a!.vkey} ${a!.url}\nwitness B ${b!.vkey} ${b!.url}\n` +
    `group both all A B\nquorum both\n`;
  const policyFile = join(tempDir(t), 'policy.txt');
  writeFileSync(policyFile, policyText);
  const policy = parsePolicy(policyText);
  const store = LedgerStore.open(fixture.paths.db);
  try {
    await new WitnessCollector(store, policy, { timeoutMs: 2000 }).collectNow();
  } finally {
    store.close();
  }
  return { fixture, policy, policyFile };
}

const check = (run: { stdout: string; stderr: string }) =>
  JSON.parse(run.stdout) as {
    failure?: { check: string };
    verification?: { failure?: { check: string } };
  };

t.test('the cosigned checkpoint is kept durably and published again after a restart', async (t) => {
  const { fixture, policy } = await cosignedLedger(t);
  const store = LedgerStore.open(fixture.paths.db);
  t.teardown(() => store.close());
  const kept = store.latestCosignedCheckpoint();
  t.ok(kept, 'the ledger keeps the cosigned note');
  t.equal(kept!.size, store.latestCheckpoint()!.size);
  t.equal(requireQuorum(kept!.note, policy).cosigners.length, 2);
  t.ok(kept!.note.startsWith(store.latestCheckpoint()!.note), 'the log note, lines appended');
  // After a restart, with no witness asked, the kept note is what the log publishes.
  const restarted = new WitnessCollector(store, policy);
  t.equal(restarted.published()?.note, kept!.note);
  t.equal(store.saveCosignedCheckpoint(kept!.size, 'other', 1), false, 'append-only');
  t.throws(() => store.db.prepare('DELETE FROM cosigned_checkpoints').run(), /append-only/);
  // A changed policy whose quorum the kept note does not meet is not published from it.
  const stricter = parsePolicy(
    `log ${fixture.vkey}\n${policy.witnesses.map((w) => `witness ${w.name} ${w.vkey}`).join('\n')}\n` +
      `witness C ${generateCosignerKey('w3.test/c').vkey}\n` +
      `group all3 all A B C\nquorum all3\n`
  );
  t.equal(new WitnessCollector(store, stricter).published(), undefined);
});

t.test('audit and verify --policy pass on an export whose checkpoints have quorum', async (t) => {
  // The genesis only (every entry replays), its one checkpoint cosigned.
  const genesisOnly = await cosignedLedger(t, 0);
  const exported = await exportLedger(genesisOnly.fixture);
  const audit = await yishi('audit', exported.path, '--policy', genesisOnly.policyFile);
  t.equal(audit.status, 0, audit.stderr);
  const both = await yishi(
    'audit',
    exported.path,
    '--vkey',
    genesisOnly.fixture.vkey,
    '--policy',
    genesisOnly.policyFile
  );
  t.equal(both.status, 0, both.stderr);
  // Two checkpoints, the latest cosigned: the earlier is covered by its consistency with it.
  const { fixture, policyFile } = await cosignedLedger(t);
  const { path, lines } = await exportLedger(fixture);
  t.equal(lines.filter((l) => l.startsWith('{"checkpoint"')).length, 2);
  t.match(lines.join('\n'), /\\u2014 w1\.test\/commission |— w1\.test\/commission /);
  const integrity = await yishi('audit', path, '--policy', policyFile, '--json');
  t.equal(JSON.parse(integrity.stdout).verification.ok, true, 'the audit: integrity holds');
  for (const workers of ['1', '2']) {
    const verify = await yishi('verify', path, '--policy', policyFile, '--workers', workers);
    t.equal(verify.status, 0, `verify --workers ${workers}: ${verify.stderr}`);
  }
  const db = await yishi('verify', fixture.paths.db, '--policy', policyFile, '--workers', '1');
  t.equal(db.status, 0, `the database itself: ${db.stderr}`);
  // The cosignature lines are extra signatures an old verifier ignores: --vkey alone still works.
  const vkey = await yishi('verify', path, '--vkey', fixture.vkey, '--workers', '1');
  t.equal(vkey.status, 0, vkey.stderr);
  // A forged cosignature of a witness the policy names is a finding, not an ignored line.
  const forgedPath = join(tempDir(t), 'forged.jsonl');
  const forged = lines.map((line) => {
    if (!line.startsWith('{"checkpoint"')) return line;
    const note = JSON.parse(line).checkpoint as string;
    const i = note.lastIndexOf('\u2014 w2.test/auditor ');
    if (i < 0) return line;
    // A character well inside the base64 text: near its end, the last one before `==` also
    // holds padding bits, and flipping only those leaves the decoded signature as it was.
    const end = note.indexOf('\n', i) - 10;
    const flipped = note.slice(0, end) + (note[end] === 'A' ? 'B' : 'A') + note.slice(end + 1);
    return JSON.stringify({ checkpoint: flipped });
  });
  writeFileSync(forgedPath, `${forged.join('\n')}\n`);
  const bad = await yishi('verify', forgedPath, '--policy', policyFile, '--json', '--workers', '1');
  t.equal(bad.status, 1);
  t.equal(check(bad).failure?.check, 'CHECKPOINT_QUORUM');
});

t.test('audit and verify --policy fail on an export without cosignatures', async (t) => {
  const fixture = await makeLedger(t, 0, 1);
  const { policyFile } = await cosignedLedger(t, 0);
  // The same witnesses' policy, for this other ledger's log key.
  const text = (await import('node:fs')).readFileSync(policyFile, 'utf8');
  const bareFile = join(tempDir(t), 'policy.txt');
  writeFileSync(bareFile, text.replace(/^log .*$/m, `log ${fixture.vkey}`));
  const { path } = await exportLedger(fixture);
  const audit = await yishi('audit', path, '--policy', bareFile, '--json');
  t.equal(audit.status, 1);
  t.equal(check(audit).verification?.failure?.check, 'CHECKPOINT_QUORUM');
  for (const workers of ['1', '2']) {
    const verify = await yishi(
      'verify',
      path,
      '--policy',
      bareFile,
      '--json',
      '--workers',
      workers
    );
    t.equal(verify.status, 1);
    t.equal(check(verify).failure?.check, 'CHECKPOINT_QUORUM', `--workers ${workers}`);
  }
  const plain = await yishi('verify', path, '--policy', bareFile, '--workers', '1');
  t.match(plain.stdout, /FAILED: CHECKPOINT_QUORUM at checkpoint at size \d+/);
  t.equal((await yishi('verify', path, '--vkey', fixture.vkey, '--workers', '1')).status, 0);
  // A policy of another log: its key does not match the ledger's.
  const other = await yishi('audit', path, '--policy', policyFile, '--json');
  t.equal(other.status, 1);
  t.equal(check(other).verification?.failure?.check, 'LOG_KEY_MISMATCH');
});

t.test('a bad policy file is a usage error', async (t) => {
  const fixture = await makeLedger(t, 2, 1);
  const { path } = await exportLedger(fixture);
  const dir = tempDir(t);
  const bad = join(dir, 'bad.txt');
  writeFileSync(bad, `log ${fixture.vkey}\nwitness A not-a-key\nquorum A\n`);
  const noLog = join(dir, 'nolog.txt');
  writeFileSync(noLog, 'quorum none\n');
  for (const command of ['audit', 'verify']) {
    for (const file of [bad, noLog, join(dir, 'missing.txt')]) {
      const run = await yishi(command, path, '--policy', file);
      t.equal(run.status, 2, `${command} --policy ${file}`);
      t.match(run.stderr, /--policy/);
    }
  }
});

t.test('an edited checkpoint row is caught though a cosigned row is kept', async (t) => {
  const { fixture, policyFile } = await cosignedLedger(t);
  const store = LedgerStore.open(fixture.paths.db);
  try {
    const latest = store.latestCheckpoint()!;
    // An insider edits the log's own note (another size line, not re-signed).
    const forged = latest.note.replace(/\n5\n/, '\n4\n');
    t.not(forged, latest.note);
    store.db.exec('DROP TRIGGER checkpoints_no_update');
    store.db.prepare('UPDATE checkpoints SET note = ? WHERE size = ?').run(forged, latest.size);
  } finally {
    store.close();
  }
  const db = await yishi('verify', fixture.paths.db, '--json', '--workers', '1');
  t.equal(db.status, 1);
  t.equal(check(db).failure?.check, 'CHECKPOINT_SIGNATURE', 'the database');
  const { path } = await exportLedger(fixture);
  const exported = await yishi('audit', path, '--policy', policyFile, '--json');
  t.equal(exported.status, 1);
  t.equal(check(exported).verification?.failure?.check, 'CHECKPOINT_SIGNATURE', 'its export');
});
