// Scoped exports end to end through the auditor's toolkit (issue 17): generated ledgers of
// several interleaved bodies, signed and hash-chained, exported whole and scoped to each body;
// every scoped export verifies and audits with no finding, shows none of the other bodies'
// names, titles or texts, and its visible entries replay as in the whole export.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import {
  base64Encode,
  canonicalJson,
  entryLeafHashHex,
  sha256,
  sign,
  signingMessage,
  utf8Encode,
} from '@yishi/crypto';
import { commandSigningContext, GENESIS_PREV, type LedgerEntry } from '@yishi/schema';
import { fastVerify } from '@yishi/service/internal';
import { auditExport, formatExportEntry, formatExportHeader, verifyExport } from '@yishi/verify';
import { generateBodies, type Generated } from '../procedure/helpers/bodies.js';
import { scopeExportText } from '../helpers/scope-export.js';

/** The generated ledger as a real export: every command signed, salted, chained. */
function signedExport(g: Generated): string {
  let prev = GENESIS_PREV;
  const lines: string[] = [];
  for (const e of g.ledger.entries) {
    const name = g.names.get(e.command.publicKey);
    if (name === undefined) throw new Error(`no secret for entry ${e.seq}`);
    const secret = sha256(utf8Encode(`test-key:${name}`));
    const payload = e.command.payload;
    const signature = base64Encode(
      sign(signingMessage(commandSigningContext(payload), payload), secret)
    );
    const entry: LedgerEntry = {
      ...e,
      prev,
      salt: randomBytes(16).toString('hex'),
      command: { ...e.command, signature },
    };
    lines.push(formatExportEntry(canonicalJson(entry)));
    prev = entryLeafHashHex(entry);
  }
  const header = formatExportHeader({
    ledgerId: 'test-ledger',
    origin: 'yishi.test/ledger',
    entries: lines.length,
    checkpoints: 0,
  });
  return `${[header, ...lines].join('\n')}\n`;
}

t.test('scoped exports of generated ledgers verify and audit, and hide the rest', async (t) => {
  let redacted = 0;
  for (const seed of [11, 29, 303]) {
    const g = generateBodies(seed, 3, 2);
    const whole = signedExport(g);
    const options = { verifySignature: fastVerify };
    const full = auditExport(whole, options);
    t.ok(full.ok, `seed ${seed}: the whole export audits`);
    for (const body of g.bodies) {
      const text = scopeExportText(whole, [body]);
      const v = verifyExport(text, options);
      t.ok(v.ok, `seed ${seed} ${body}: verifies ${JSON.stringify(v.failure ?? '')}`);
      t.equal(v.rootHash, full.verification.rootHash, 'the same tree');
      const a = auditExport(text, options);
      t.same(a.findings, [], `seed ${seed} ${body}: no finding`);
      t.ok(a.ok);
      t.equal(a.redactedEntries + a.replayed, full.replayed);
      redacted += a.redactedEntries;
      for (const other of g.bodies.filter((b) => b !== body)) {
        const leaked = (g.secrets[other] ?? []).filter((s) => text.includes(s));
        t.same(leaked, [], `seed ${seed} ${body}: nothing of ${other}`);
      }
    }
  }
  t.ok(redacted > 500, `${redacted} entries redacted`);
});
