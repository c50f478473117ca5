import t from 'tap';
import fc from 'fast-check';
import {
  CheckpointError,
  MerkleFrontier,
  MerkleProofError,
  NoteError,
  TLOG_PROOF_HEADER,
  TlogProofError,
  base64Encode,
  bytesToHex,
  formatTlogProof,
  generateNoteKey,
  inclusionProof,
  leafHash,
  parseNoteSigner,
  parseNoteVerifier,
  parseTlogProof,
  signCheckpoint,
  utf8Encode,
  verifyTlogProof,
  type SubtreeHashReader,
  type TlogProofErrorCode,
} from '@yishi/crypto';

function codeOf(fn: () => unknown): TlogProofErrorCode | 'ok' | 'other' {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof TlogProofError ? err.code : 'other';
  }
}

// The example of c2sp.org/tlog-proof (signatures shortened there, so it is not a valid note; the
// parser returns the checkpoint verbatim without opening it).
const specExample = `c2sp.org/tlog-proof@v1
extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ
index 73894
gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=
B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=
EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=
RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=
AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=

example.com/fancylog
109482
sFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=

\u2014 example.com/fancylog hI2DJw[...]1roloI=
`;

t.test('the spec example parses, and formats back to the same text', async (t) => {
  const p = parseTlogProof(specExample);
  t.equal(p.index, 73894);
  t.equal(p.proof.length, 5);
  t.equal(base64Encode(p.proof[0]!), 'gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=');
  t.ok(p.extra && p.extra.length === 39);
  t.ok(p.checkpoint.startsWith('example.com/fancylog\n109482\n'));
  t.equal(formatTlogProof(p), specExample);
});

t.test('format and parse round-trip, with and without extra data', async () => {
  fc.assert(
    fc.property(
      fc.maxSafeNat(),
      fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 64 }),
      fc.option(fc.uint8Array({ minLength: 1, maxLength: 40 }), { nil: undefined }),
      (index, proof, extra) => {
        const checkpoint = 'o\n1\nAAAA\n\n\u2014 o AAAAAAA=\n';
        const text = formatTlogProof(
          extra ? { index, proof, checkpoint, extra } : { index, proof, checkpoint }
        );
        const back = parseTlogProof(text);
        return (
          back.index === index &&
          back.checkpoint === checkpoint &&
          bytesToHex(Uint8Array.from(back.proof.flatMap((h) => [...h]))) ===
            bytesToHex(Uint8Array.from(proof.flatMap((h) => [...h]))) &&
          (extra === undefined
            ? back.extra === undefined
            : bytesToHex(back.extra!) === bytesToHex(extra))
        );
      }
    ),
    { numRuns: 100 }
  );
});

t.test('an empty proof (a one-leaf tree) keeps the blank line before the checkpoint', async (t) => {
  const text = formatTlogProof({ index: 0, proof: [], checkpoint: 'c\n' });
  t.equal(text, `${TLOG_PROOF_HEADER}\nindex 0\n\nc\n`);
  t.same(parseTlogProof(text).proof, []);
});

t.test('malformed tlog proofs are refused with codes', async (t) => {
  const h = base64Encode(new Uint8Array(32));
  const cases: [string, string, TlogProofErrorCode][] = [
    ['not a proof', 'not a proof at all', 'TLOG_PROOF_MALFORMED'],
    ['header only', `${TLOG_PROOF_HEADER}\n`, 'TLOG_PROOF_MALFORMED'],
    ['wrong header', `c2sp.org/tlog-proof@v2\nindex 0\n\nc\n`, 'TLOG_PROOF_HEADER_INVALID'],
    [
      'index not a number',
      `${TLOG_PROOF_HEADER}\nindex notanumber\n\nc\n`,
      'TLOG_PROOF_INDEX_INVALID',
    ],
    ['index leading zero', `${TLOG_PROOF_HEADER}\nindex 01\n\nc\n`, 'TLOG_PROOF_INDEX_INVALID'],
    ['index negative', `${TLOG_PROOF_HEADER}\nindex -1\n\nc\n`, 'TLOG_PROOF_INDEX_INVALID'],
    [
      'index beyond 2^53',
      `${TLOG_PROOF_HEADER}\nindex 9007199254740992\n\nc\n`,
      'TLOG_PROOF_INDEX_INVALID',
    ],
    ['index missing', `${TLOG_PROOF_HEADER}\n${h}\n\nc\n`, 'TLOG_PROOF_INDEX_INVALID'],
    ['index two spaces', `${TLOG_PROOF_HEADER}\nindex  1\n\nc\n`, 'TLOG_PROOF_INDEX_INVALID'],
    [
      'extra after index',
      `${TLOG_PROOF_HEADER}\nindex 1\nextra AAAA\n\nc\n`,
      'TLOG_PROOF_HASH_INVALID',
    ],
    [
      'bad extra',
      `${TLOG_PROOF_HEADER}\nextra !!notbase64!!\nindex 0\n\nc\n`,
      'TLOG_PROOF_EXTRA_INVALID',
    ],
    ['empty extra', `${TLOG_PROOF_HEADER}\nextra \nindex 0\n\nc\n`, 'TLOG_PROOF_EXTRA_INVALID'],
    [
      'short hash',
      `${TLOG_PROOF_HEADER}\nindex 0\n${base64Encode(new Uint8Array(31))}\n\nc\n`,
      'TLOG_PROOF_HASH_INVALID',
    ],
    [
      'unpadded hash',
      `${TLOG_PROOF_HEADER}\nindex 0\n${h.slice(0, -1)}\n\nc\n`,
      'TLOG_PROOF_HASH_INVALID',
    ],
    [
      'too many hashes',
      `${TLOG_PROOF_HEADER}\nindex 0\n${`${h}\n`.repeat(65)}\nc\n`,
      'TLOG_PROOF_TOO_LARGE',
    ],
    ['no checkpoint', `${TLOG_PROOF_HEADER}\nindex 0\n\n`, 'TLOG_PROOF_CHECKPOINT_MISSING'],
    [
      'checkpoint without final newline',
      `${TLOG_PROOF_HEADER}\nindex 0\n\nc`,
      'TLOG_PROOF_CHECKPOINT_MISSING',
    ],
    ['carriage returns', `${TLOG_PROOF_HEADER}\r\nindex 0\r\n\r\nc\r\n`, 'TLOG_PROOF_MALFORMED'],
    [
      'huge',
      `${TLOG_PROOF_HEADER}\nindex 0\n\n${'a'.repeat(2 * 1024 * 1024)}\n`,
      'TLOG_PROOF_TOO_LARGE',
    ],
  ];
  for (const [name, text, code] of cases)
    t.equal(
      codeOf(() => parseTlogProof(text)),
      code,
      name
    );
  t.throws(() => parseTlogProof(undefined as unknown as string), TypeError);
});

t.test('formatTlogProof refuses parts that would not parse', async (t) => {
  t.throws(() => formatTlogProof({ index: -1, proof: [], checkpoint: 'c\n' }), RangeError);
  t.throws(
    () => formatTlogProof({ index: 0, proof: [new Uint8Array(31)], checkpoint: 'c\n' }),
    RangeError
  );
  t.throws(() => formatTlogProof({ index: 0, proof: [], checkpoint: 'c' }), RangeError);
  t.throws(
    () => formatTlogProof({ index: 0, proof: [], checkpoint: 'c\n', extra: new Uint8Array(0) }),
    RangeError
  );
});

t.test(
  'verifyTlogProof checks the log signature, the origin and the inclusion proof',
  async (t) => {
    const log = generateNoteKey('yishi.example/log');
    const frontier = new MerkleFrontier();
    const nodes = new Map<string, Uint8Array>();
    const leaves = Array.from({ length: 11 }, (_, i) => leafHash(utf8Encode(`entry ${i}`)));
    for (const leaf of leaves)
      for (const n of frontier.append(leaf)) nodes.set(`${n.level}/${n.index}`, n.hash);
    const reader: SubtreeHashReader = { hash: (level, index) => nodes.get(`${level}/${index}`)! };
    const checkpoint = signCheckpoint(
      { origin: 'yishi.example/log', size: 11, rootHash: frontier.root(), extensions: [] },
      [parseNoteSigner(log.skey)]
    );
    const text = formatTlogProof({
      index: 6,
      proof: inclusionProof(reader, 6, 11),
      checkpoint,
      extra: utf8Encode('hint'),
    });
    const verifiers = [parseNoteVerifier(log.vkey)];
    const ok = verifyTlogProof(text, {
      leafHash: leaves[6]!,
      verifiers,
      origin: 'yishi.example/log',
    });
    t.equal(ok.index, 6);
    t.equal(ok.checkpoint.size, 11);
    t.same(ok.extra, utf8Encode('hint'));
    t.throws(
      () => verifyTlogProof(text, { leafHash: leaves[5]!, verifiers, origin: 'yishi.example/log' }),
      MerkleProofError
    );
    t.throws(
      () => verifyTlogProof(text, { leafHash: leaves[6]!, verifiers, origin: 'other/log' }),
      CheckpointError
    );
    const stranger = [parseNoteVerifier(generateNoteKey('yishi.example/log').vkey)];
    t.throws(
      () =>
        verifyTlogProof(text, {
          leafHash: leaves[6]!,
          verifiers: stranger,
          origin: 'yishi.example/log',
        }),
      NoteError
    );
    t.throws(
      () =>
        verifyTlogProof(text.replace('index 6', 'index 7'), {
          leafHash: leaves[6]!,
          verifiers,
          origin: 'yishi.example/log',
        }),
      MerkleProofError
    );
  }
);
