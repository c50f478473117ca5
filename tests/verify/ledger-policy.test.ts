// LedgerVerifier with a witness policy (C2SP tlog-policy): the latest checkpoint carries the
// quorum, earlier ones are vouched for by their consistency with it; no servers involved.
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { generateNoteKey } from '@yishi/crypto';
import { cosignatureLine, parsePolicy, verifyExport } from '@yishi/verify';
import { exportLedger, makeLedger } from '../helpers/ledger-fixture.js';
import { makeCosigner } from '../helpers/witness-fixture.js';

const split = (note: string) => {
  const at = note.lastIndexOf('\n\n') + 1;
  return { text: note.slice(0, at), sigs: note.slice(at + 1) };
};

t.test('the latest checkpoint must meet the quorum; grease lines are ignored', async (t) => {
  const fixture = await makeLedger(t, 4, 1);
  const { lines } = await exportLedger(fixture);
  const a = makeCosigner('w1.test/a');
  const b = makeCosigner('w2.test/b');
  const policy = parsePolicy(
    `log ${fixture.vkey}\nwitness A ${a.vkey}\nwitness B ${b.vkey}\ngroup both all A B\nquorum both\n`
  );
  const cps = lines.filter((l) => l.startsWith('{"checkpoint"'));
  t.equal(cps.length, 2, 'one at init, one over the four entries');
  const latest = JSON.parse(cps[1]!).checkpoint as string;
  const { text } = split(latest);
  const grease = `\u2014 grease.invalid/x ${Buffer.from(randomBytes(68)).toString('base64')}\n`;
  const cosigned = latest + cosignatureLine(a, text) + grease + cosignatureLine(b, text);
  const withNote = (note: string, keepBare = false) =>
    lines
      .flatMap((l) =>
        l === cps[1] ? [...(keepBare ? [l] : []), JSON.stringify({ checkpoint: note })] : [l]
      )
      .join('\n');

  const ok = verifyExport(withNote(cosigned), { policy });
  t.equal(ok.ok, true, JSON.stringify(ok.failure));
  t.equal(ok.logKeySource, 'vkey', "the policy's log key is the trusted one");
  t.equal(verifyExport(withNote(cosigned, true), { policy }).ok, true, 'bare note beside it');
  t.equal(verifyExport(withNote(cosigned), { vkey: fixture.vkey }).ok, true, 'old verifiers');

  const one = verifyExport(withNote(latest + cosignatureLine(a, text)), { policy });
  t.match(one.failure, { check: 'CHECKPOINT_QUORUM', checkpointSize: 5 });
  const bare = verifyExport(lines.join('\n'), { policy });
  t.match(bare.failure, { check: 'CHECKPOINT_QUORUM', checkpointSize: 5 });

  // A forged cosignature of a named witness fails even when the quorum is otherwise met.
  const line = cosignatureLine(b, text);
  const forged = line.slice(0, -3) + (line.at(-3) === 'A' ? 'B' : 'A') + line.slice(-2);
  const bad = verifyExport(withNote(latest + cosignatureLine(a, text) + forged), { policy });
  t.match(bad.failure, { check: 'CHECKPOINT_QUORUM' });

  // A policy of another log: its key is not the ledger's.
  const other = parsePolicy(`log ${generateNoteKey('other.test/log').vkey}\nquorum none\n`);
  t.match(verifyExport(withNote(cosigned), { policy: other }).failure, {
    check: 'LOG_KEY_MISMATCH',
  });
});
