import t from 'tap';
import fc from 'fast-check';
import {
  CheckpointError,
  NoteError,
  base64Encode,
  formatCheckpoint,
  generateNoteKey,
  openCheckpoint,
  parseCheckpoint,
  parseNoteSigner,
  parseNoteVerifier,
  signCheckpoint,
  type Checkpoint,
  type CheckpointErrorCode,
} from '@yishi/crypto';

function codeOf(fn: () => unknown): CheckpointErrorCode | 'ok' | 'other' {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof CheckpointError ? err.code : 'other';
  }
}

const root = new Uint8Array(32).map((_, i) => i);
const rootB64 = base64Encode(root);

t.test('the tlog-checkpoint spec example parses', async (t) => {
  const c = parseCheckpoint(
    'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n'
  );
  t.equal(c.origin, 'example.com/behind-the-sofa');
  t.equal(c.size, 20852163);
  t.equal(base64Encode(c.rootHash), 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=');
  t.same(c.extensions, []);
});

t.test(
  'formatCheckpoint writes origin, decimal size, base64 root and extension lines',
  async (t) => {
    t.equal(
      formatCheckpoint({
        origin: 'yishi.example/log',
        size: 2 ** 40 + 3,
        rootHash: root,
        extensions: ['ext one'],
      }),
      `yishi.example/log\n1099511627779\n${rootB64}\next one\n`
    );
    t.equal(
      formatCheckpoint({ origin: 'o', size: 0, rootHash: root, extensions: [] }),
      `o\n0\n${rootB64}\n`
    );
  }
);

t.test('format and parse round-trip', async () => {
  const line = fc
    .string({ minLength: 1, maxLength: 20, unit: 'grapheme' })
    .filter((s) => [...s].every((c) => c.codePointAt(0)! >= 0x20));
  fc.assert(
    fc.property(
      line,
      fc.maxSafeNat(),
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.array(line, { maxLength: 3 }),
      (origin, size, rootHash, extensions) => {
        const c: Checkpoint = { origin, size, rootHash, extensions };
        const back = parseCheckpoint(formatCheckpoint(c));
        return (
          JSON.stringify({ ...back, rootHash: [...back.rootHash] }) ===
          JSON.stringify({ ...c, rootHash: [...rootHash] })
        );
      }
    ),
    { numRuns: 200 }
  );
});

t.test('malformed checkpoint bodies are refused with codes', async (t) => {
  const cases: [string, string, CheckpointErrorCode][] = [
    ['no final newline', `o\n1\n${rootB64}`, 'CHECKPOINT_MALFORMED'],
    ['two lines', 'o\n1\n', 'CHECKPOINT_MALFORMED'],
    ['empty', '', 'CHECKPOINT_MALFORMED'],
    ['carriage return', `o\r\n1\n${rootB64}\n`, 'CHECKPOINT_MALFORMED'],
    ['lone surrogate', `o\ud800\n1\n${rootB64}\n`, 'CHECKPOINT_MALFORMED'],
    ['empty origin', `\n1\n${rootB64}\n`, 'CHECKPOINT_ORIGIN_INVALID'],
    ['leading zero', `o\n01\n${rootB64}\n`, 'CHECKPOINT_SIZE_INVALID'],
    ['negative', `o\n-1\n${rootB64}\n`, 'CHECKPOINT_SIZE_INVALID'],
    ['plus sign', `o\n+1\n${rootB64}\n`, 'CHECKPOINT_SIZE_INVALID'],
    ['exponent', `o\n1e3\n${rootB64}\n`, 'CHECKPOINT_SIZE_INVALID'],
    ['space', `o\n 1\n${rootB64}\n`, 'CHECKPOINT_SIZE_INVALID'],
    ['empty size', `o\n\n${rootB64}\n`, 'CHECKPOINT_SIZE_INVALID'],
    ['2^53', `o\n9007199254740992\n${rootB64}\n`, 'CHECKPOINT_SIZE_INVALID'],
    ['hex size', `o\n0x10\n${rootB64}\n`, 'CHECKPOINT_SIZE_INVALID'],
    ['31-byte root', `o\n1\n${base64Encode(root.subarray(1))}\n`, 'CHECKPOINT_ROOT_INVALID'],
    ['33-byte root', `o\n1\n${base64Encode(new Uint8Array(33))}\n`, 'CHECKPOINT_ROOT_INVALID'],
    ['unpadded root', `o\n1\n${rootB64.replace(/=$/, '')}\n`, 'CHECKPOINT_ROOT_INVALID'],
    [
      'url-safe root',
      `o\n1\n${base64Encode(new Uint8Array(32).fill(0xfb)).replace(/\+/g, '-')}\n`,
      'CHECKPOINT_ROOT_INVALID',
    ],
    ['empty root', 'o\n1\n\n', 'CHECKPOINT_ROOT_INVALID'],
    ['empty extension', `o\n1\n${rootB64}\n\n`, 'CHECKPOINT_EXTENSION_INVALID'],
    ['empty middle extension', `o\n1\n${rootB64}\na\n\nb\n`, 'CHECKPOINT_EXTENSION_INVALID'],
  ];
  for (const [name, body, code] of cases)
    t.equal(
      codeOf(() => parseCheckpoint(body)),
      code,
      name
    );
  t.equal(
    codeOf(() => parseCheckpoint(`o\n9007199254740991\n${rootB64}\n`)),
    'ok',
    '2^53 - 1 is fine'
  );
  t.throws(() => parseCheckpoint(null as unknown as string), TypeError);
});

t.test('formatCheckpoint refuses checkpoints that would not parse', async (t) => {
  const ok: Checkpoint = { origin: 'o', size: 1, rootHash: root, extensions: [] };
  t.throws(() => formatCheckpoint({ ...ok, origin: '' }), RangeError);
  t.throws(() => formatCheckpoint({ ...ok, origin: 'a\nb' }), RangeError);
  t.throws(() => formatCheckpoint({ ...ok, size: -1 }), RangeError);
  t.throws(() => formatCheckpoint({ ...ok, size: 1.5 }), RangeError);
  t.throws(() => formatCheckpoint({ ...ok, size: 2 ** 53 }), RangeError);
  t.throws(() => formatCheckpoint({ ...ok, rootHash: new Uint8Array(31) }), RangeError);
  t.throws(() => formatCheckpoint({ ...ok, extensions: [''] }), RangeError);
  t.throws(() => formatCheckpoint({ ...ok, extensions: ['a\nb'] }), RangeError);
});

t.test('a signed checkpoint opens with the log key and the expected origin only', async (t) => {
  const log = generateNoteKey('yishi.example/log');
  const c: Checkpoint = { origin: 'yishi.example/log', size: 7, rootHash: root, extensions: [] };
  const note = signCheckpoint(c, [parseNoteSigner(log.skey)]);
  const { checkpoint, note: opened } = openCheckpoint(
    note,
    [parseNoteVerifier(log.vkey)],
    'yishi.example/log'
  );
  t.same(checkpoint, c);
  t.equal(opened.verified[0]!.name, 'yishi.example/log');
  t.equal(
    codeOf(() => openCheckpoint(note, [parseNoteVerifier(log.vkey)], 'other.example/log')),
    'CHECKPOINT_ORIGIN_INVALID'
  );
  const other = generateNoteKey('yishi.example/log');
  t.throws(() => openCheckpoint(note, [parseNoteVerifier(other.vkey)]), NoteError);
  const body = 'yishi.example/log\n07\n' + rootB64 + '\n';
  const bad = signCheckpoint(c, [parseNoteSigner(log.skey)]).replace(/^[\s\S]*?\n\n/, body + '\n');
  t.throws(
    () => openCheckpoint(bad, [parseNoteVerifier(log.vkey)]),
    NoteError,
    'altered body breaks the signature first'
  );
});
