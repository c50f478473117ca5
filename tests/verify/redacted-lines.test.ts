// The redacted line of a scoped export (decision 0023): parsed exactly, and checked by the
// verifier for shape, position and the genesis, with stable codes.
import t from 'tap';
import {
  ExportFormatError,
  LedgerVerifier,
  formatExportRedacted,
  parseExportLine,
  type RedactedEntry,
} from '@yishi/verify';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

t.test('a redacted line round-trips through format and parse', async (t) => {
  const r: RedactedEntry = { seq: 7, prev: A, leafHash: B };
  const text = formatExportRedacted(r);
  t.equal(text, `{"redacted":{"seq":7,"prev":"${A}","leafHash":"${B}"}}`);
  t.same(parseExportLine(text, 3), { kind: 'redacted', redacted: r });
});

t.test('a malformed redacted line is EXPORT_MALFORMED', async (t) => {
  const bad: unknown[] = [
    { seq: 1, prev: A },
    { seq: 1, prev: A, leafHash: B, extra: true },
    { seq: 1, prev: A.toUpperCase(), leafHash: B },
    { seq: 1, prev: A.slice(2), leafHash: B },
    { seq: -1, prev: A, leafHash: B },
    { seq: 1.5, prev: A, leafHash: B },
    { seq: '1', prev: A, leafHash: B },
    { seq: 2 ** 53, prev: A, leafHash: B },
    null,
    [1, A, B],
    'redacted',
  ];
  for (const value of bad) {
    const line = JSON.stringify({ redacted: value });
    t.throws(() => parseExportLine(line, 2), ExportFormatError, line);
    try {
      parseExportLine(line, 2);
    } catch (err) {
      t.equal((err as ExportFormatError).code, 'EXPORT_MALFORMED');
    }
  }
});

t.test('the verifier names a misplaced, malformed or genesis redacted line', async (t) => {
  const first = (r: unknown) => {
    const v = new LedgerVerifier();
    v.addRedacted(r as RedactedEntry);
    return v.finish();
  };
  t.equal(first({ seq: 0, prev: '0'.repeat(64), leafHash: B }).failure?.check, 'GENESIS_INVALID');
  t.equal(first({ seq: 1, prev: A, leafHash: B }).failure?.check, 'ENTRY_SEQUENCE');
  t.equal(first({ seq: 0, prev: 'x', leafHash: B }).failure?.check, 'ENTRY_MALFORMED');
  t.equal(first(null).failure?.check, 'ENTRY_MALFORMED');
  const report = first({ seq: 0, prev: '0'.repeat(64), leafHash: B });
  t.equal(report.entries, 1);
  t.equal(report.redactedEntries, 0, 'a line that failed is not counted as redacted');
});
