import t from 'tap';
import fc from 'fast-check';
import {
  base64Encode,
  canonicalJson,
  entryLeafHashHex,
  formatCheckpoint,
  generateNoteKey,
  parseCheckpoint,
  parseNoteSigner,
  signNote,
} from '@yishi/crypto';
import { verifyExport, LEDGER_CHECKS } from '@yishi/sdk';
import { exportLedger, makeLedger } from '../helpers/ledger-fixture.js';

type Line = string;
const ENTRIES = 12;

const fixture = await makeLedger(t, ENTRIES - 1, 3);
const { lines } = await exportLedger(fixture);
const vkey = fixture.vkey;
const entryLines = (ls: Line[]) => ls.filter((l) => l.startsWith('{"entry"'));
const checkpointLines = (ls: Line[]) => ls.filter((l) => l.startsWith('{"checkpoint"'));
const header = lines[0] as string;

const parseEntry = (line: Line) => (JSON.parse(line) as { entry: Record<string, unknown> }).entry;
const entryLine = (entry: unknown) => `{"entry":${canonicalJson(entry)}}`;
const assemble = (entries: Line[], checkpoints: Line[] = checkpointLines(lines)) =>
  [header, ...entries, ...checkpoints].join('\n');

t.test('a fresh ledger verifies, against its vkey and without one', async (t) => {
  const withKey = verifyExport(lines, { vkey });
  t.equal(withKey.ok, true, JSON.stringify(withKey.failure));
  t.equal(withKey.entries, ENTRIES);
  t.equal(withKey.signaturesVerified, ENTRIES);
  t.equal(withKey.logKeySource, 'vkey');
  t.ok(withKey.checkpoints >= 3);
  t.equal(withKey.latestCheckpoint?.size, ENTRIES);
  t.equal(withKey.uncheckpointedEntries, 0);
  const withoutKey = verifyExport(lines);
  t.equal(withoutKey.ok, true);
  t.equal(withoutKey.logKeySource, 'genesis');
});

t.test('names every check with a code from the closed list', async (t) => {
  t.ok(LEDGER_CHECKS.includes('ENTRY_CHAIN'));
  t.equal(new Set(LEDGER_CHECKS).size, LEDGER_CHECKS.length);
});

t.test('a changed derived field is caught at that entry', async (t) => {
  const es = entryLines(lines);
  const e = parseEntry(es[5] as string);
  e['derived'] = { note: 999 };
  es[5] = entryLine(e);
  const r = verifyExport(assemble(es), { vkey });
  t.equal(r.ok, false);
  t.equal(r.failure?.check, 'ENTRY_CHAIN');
  t.equal(r.failure?.seq, 5);
});

t.test('a changed prev field is blamed on the entry that holds it', async (t) => {
  const es = entryLines(lines);
  const e = parseEntry(es[7] as string);
  e['prev'] = 'f'.repeat(64);
  es[7] = entryLine(e);
  const r = verifyExport(assemble(es), { vkey });
  t.equal(r.failure?.check, 'ENTRY_CHAIN');
  t.equal(r.failure?.seq, 7);
});

t.test('a changed command payload fails its signature', async (t) => {
  const es = entryLines(lines);
  const e = parseEntry(es[4] as string);
  (e['command'] as { payload: Record<string, unknown> }).payload['text'] = 'forged';
  es[4] = entryLine(e);
  const r = verifyExport(assemble(es), { vkey });
  t.equal(r.failure?.check, 'ENTRY_SIGNATURE');
  t.equal(r.failure?.seq, 4);
});

t.test('the last entry changed is caught by the checkpoint root', async (t) => {
  const es = entryLines(lines);
  const last = es.length - 1;
  const e = parseEntry(es[last] as string);
  e['time'] = (e['time'] as number) + 1;
  es[last] = entryLine(e);
  const r = verifyExport(assemble(es), { vkey });
  t.equal(r.failure?.check, 'CHECKPOINT_ROOT_MISMATCH');
  t.equal(r.failure?.checkpointSize, ENTRIES);
});

t.test('deleted, reordered and inserted entries break the sequence', async (t) => {
  const es = entryLines(lines);
  const deleted = es.filter((_, i) => i !== 3);
  t.match(verifyExport(assemble(deleted), { vkey }).failure, { check: 'ENTRY_SEQUENCE', seq: 3 });
  const reordered = [...es];
  [reordered[2], reordered[3]] = [reordered[3] as string, reordered[2] as string];
  t.match(verifyExport(assemble(reordered), { vkey }).failure, { check: 'ENTRY_SEQUENCE', seq: 2 });
  const inserted = [...es.slice(0, 6), es[5] as string, ...es.slice(6)];
  t.match(verifyExport(assemble(inserted), { vkey }).failure, { check: 'ENTRY_SEQUENCE', seq: 6 });
});

t.test('an inserted entry renumbered to fit still breaks the chain', async (t) => {
  const es = entryLines(lines).map(parseEntry);
  const copy = structuredClone(es[5]) as Record<string, unknown>;
  const rebuilt = [...es.slice(0, 6), copy, ...es.slice(6)].map((e, i) => ({ ...e, seq: i }));
  const r = verifyExport(assemble(rebuilt.map(entryLine)), { vkey });
  t.equal(r.ok, false);
  t.equal(r.failure?.check, 'ENTRY_CHAIN');
});

t.test('a truncated tail is caught against the checkpoint', async (t) => {
  const es = entryLines(lines).slice(0, ENTRIES - 2);
  const r = verifyExport(assemble(es), { vkey });
  t.equal(r.failure?.check, 'CHECKPOINT_BEYOND_LEDGER');
  t.equal(r.failure?.seq, ENTRIES - 2);
});

t.test('a forged checkpoint is caught by its signature', async (t) => {
  const forger = generateNoteKey(fixture.origin);
  const cps = checkpointLines(lines);
  const lastNote = (JSON.parse(cps.at(-1) as string) as { checkpoint: string }).checkpoint;
  const body = parseCheckpoint(lastNote.slice(0, lastNote.indexOf('\n\n') + 1));
  const forged = signNote(formatCheckpoint(body), [parseNoteSigner(forger.skey)]);
  const r = verifyExport(
    assemble(entryLines(lines), [...cps.slice(0, -1), JSON.stringify({ checkpoint: forged })]),
    { vkey }
  );
  t.equal(r.failure?.check, 'CHECKPOINT_SIGNATURE');
});

t.test('a checkpoint signed by the log over another root is caught', async (t) => {
  const cps = checkpointLines(lines);
  const bogus = signNote(
    formatCheckpoint({
      origin: fixture.origin,
      size: 2,
      rootHash: new Uint8Array(32).fill(7),
      extensions: [],
    }),
    [parseNoteSigner(fixture.skey)]
  );
  const r = verifyExport(
    assemble(entryLines(lines), [...cps, JSON.stringify({ checkpoint: bogus })]),
    { vkey }
  );
  t.equal(r.failure?.check, 'CHECKPOINT_ROOT_MISMATCH');
  t.equal(r.failure?.checkpointSize, 2);
});

t.test(
  'a whole chain rewritten and re-signed with another key fails against the trusted vkey',
  async (t) => {
    const other = await makeLedger(t, ENTRIES - 1, 2);
    const { lines: otherLines } = await exportLedger(other);
    const r = verifyExport(otherLines, { vkey });
    t.equal(r.failure?.check, 'LOG_KEY_MISMATCH');
    t.equal(r.failure?.seq, 0);
    t.equal(verifyExport(otherLines).ok, true, 'it is internally consistent');
  }
);

t.test('refuses an unusable trusted vkey', async (t) => {
  const r = verifyExport(lines, { vkey: 'not a key' });
  t.equal(r.failure?.check, 'LOG_KEY_MISMATCH');
});

t.test('malformed lines and an empty ledger are reported, never thrown', async (t) => {
  t.equal(verifyExport('').failure?.check, 'LEDGER_EMPTY');
  const es = entryLines(lines);
  es[2] = '{"entry": not json';
  t.match(verifyExport(assemble(es)).failure, { check: 'ENTRY_MALFORMED', seq: 2 });
  es[2] = '{"entry":{"v":2}}';
  t.match(verifyExport(assemble(es)).failure, { check: 'ENTRY_MALFORMED', seq: 2 });
  t.match(
    verifyExport(assemble(entryLines(lines), ['{"checkpoint":"garbage"}']), { vkey }).failure,
    {
      check: 'CHECKPOINT_MALFORMED',
    }
  );
});

t.test('a genesis not signed by the log key it declares is refused', async (t) => {
  const es = entryLines(lines);
  const g = parseEntry(es[0] as string);
  const cmd = g['command'] as { publicKey: string };
  cmd.publicKey = base64Encode(new Uint8Array(32).fill(9));
  es[0] = entryLine(g);
  const r = verifyExport(assemble(es), { vkey });
  t.equal(r.ok, false);
  t.equal(r.failure?.seq, 0);
});

t.test('every single-character mutation of any entry line is caught', async (t) => {
  const es = entryLines(lines);
  const alphabet = '0123456789abcdefABCDEF"{}[],:ez -';
  fc.assert(
    fc.property(
      fc.nat({ max: es.length - 1 }),
      fc.nat(),
      fc.constantFrom(...alphabet.split('')),
      (which, at, ch) => {
        const line = es[which] as string;
        const pos = at % line.length;
        fc.pre(line[pos] !== ch);
        const mutated = [...es];
        mutated[which] = line.slice(0, pos) + ch + line.slice(pos + 1);
        const r = verifyExport(assemble(mutated), { vkey });
        return r.ok === false && (r.failure?.seq === undefined || r.failure.seq <= which + 1);
      }
    ),
    { numRuns: 300 }
  );
  t.pass('no mutation went unnoticed');
});

t.test('the leaf hashes chain the exported entries', async (t) => {
  const es = entryLines(lines).map(parseEntry);
  for (let i = 1; i < es.length; i++) {
    t.equal(es[i]?.['prev'], entryLeafHashHex(es[i - 1]));
  }
});
