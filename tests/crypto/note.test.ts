import t from 'tap';
import { readFileSync } from 'node:fs';
import {
  NOTE_MAX_BYTES,
  NOTE_MAX_SIGNATURES,
  NoteError,
  base64Decode,
  base64Encode,
  bytesToHex,
  concatBytes,
  createNoteSigner,
  createNoteVerifier,
  equalBytes,
  generateNoteKey,
  generateSecretKey,
  getPublicKey,
  isValidKeyName,
  noteKeyId,
  openNote,
  parseNoteSigner,
  parseNoteVerifier,
  parsePublicKey,
  sha256,
  signNote,
  utf8Encode,
  type NoteErrorCode,
  type NoteVerifier,
} from '@yishi/crypto';
import { vectorPath } from '../helpers/paths.js';

type SignedNoteVector = {
  desc: string;
  skey?: string;
  vkey: string;
  text: string;
  signatureLine: string;
};
const c2sp = JSON.parse(readFileSync(vectorPath('c2sp.json'), 'utf8')) as {
  signedNote: SignedNoteVector[];
  keyIdRule: string;
};
const [peter, example] = c2sp.signedNote as [SignedNoteVector, SignedNoteVector];

function codeOf(fn: () => unknown): NoteErrorCode | 'ok' | 'other' {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof NoteError ? err.code : 'other';
  }
}

const alice = generateNoteKey('alice.example/log');
const aliceSigner = parseNoteSigner(alice.skey);
const aliceVerifier = parseNoteVerifier(alice.vkey);
const text = 'hello\n\nworld\n';
const signed = signNote(text, [aliceSigner]);

t.test('the deterministic signedNote vector is reproduced byte for byte', async (t) => {
  t.ok(peter.skey, 'vector has a secret key');
  const note = signNote(peter.text, [parseNoteSigner(peter.skey!)]);
  t.equal(note, `${peter.text}\n${peter.signatureLine}\n`);
  const opened = openNote(note, [parseNoteVerifier(peter.vkey)]);
  t.equal(opened.text, peter.text);
  t.same(
    opened.verified.map((v) => [v.name, bytesToHex(v.keyId)]),
    [['PeterNeumann', 'c74f20a3']]
  );
});

t.test('the spec example note verifies with its vkey', async (t) => {
  const note = `${example.text}\n${example.signatureLine}\n`;
  const opened = openNote(note, [parseNoteVerifier(example.vkey)]);
  t.equal(opened.text, example.text);
  t.equal(opened.verified.length, 1);
  t.equal(opened.signatures[0]!.signature.length, 64);
});

t.test('key IDs follow the keyIdRule of the vectors', async (t) => {
  t.match(
    c2sp.keyIdRule,
    /SHA-256\(keyName \|\| 0x0A \|\| 0x01 \|\| 32-byte Ed25519 public key\)\[0:4\]/
  );
  for (const v of c2sp.signedNote) {
    const { name, keyId, publicKey } = parsePublicKey(v.vkey);
    const rule = sha256(concatBytes(utf8Encode(name), Uint8Array.of(0x0a, 0x01), publicKey)).slice(
      0,
      4
    );
    t.same(noteKeyId(name, publicKey), rule, v.desc);
    t.same(keyId, rule, `${v.desc}: the vkey's ID`);
    t.equal(v.vkey.split('+')[1], bytesToHex(rule));
  }
});

t.test('a note signed by several keys opens with any subset of known keys', async (t) => {
  const bob = generateNoteKey('bob.example');
  const note = signNote(text, [aliceSigner, parseNoteSigner(bob.skey)]);
  t.equal(note.split('\n').filter((l) => l.startsWith('\u2014 ')).length, 2);
  const both = openNote(note, [aliceVerifier, parseNoteVerifier(bob.vkey)]);
  t.same(
    both.verified.map((v) => v.name),
    ['alice.example/log', 'bob.example']
  );
  const onlyBob = openNote(note, [parseNoteVerifier(bob.vkey)]);
  t.same(
    onlyBob.verified.map((v) => v.name),
    ['bob.example']
  );
  t.equal(onlyBob.signatures.length, 2, 'unknown signatures are listed but not verified');
  t.equal(onlyBob.text, text, 'the text keeps its inner blank line');
});

t.test('a note with no signature from a known key is NOTE_UNVERIFIED', async (t) => {
  const stranger = parseNoteVerifier(generateNoteKey('alice.example/log').vkey); // same name, other ID
  t.equal(
    codeOf(() => openNote(signed, [stranger])),
    'NOTE_UNVERIFIED'
  );
  t.equal(
    codeOf(() => openNote(signed, [])),
    'NOTE_UNVERIFIED'
  );
  // Same key ID bytes under another name is another key: ignored.
  const renamed: NoteVerifier = { name: 'mallory', keyId: aliceSigner.keyId, verify: () => true };
  t.equal(
    codeOf(() => openNote(signed, [renamed])),
    'NOTE_UNVERIFIED'
  );
});

t.test('a bad signature from a known key rejects the whole note', async (t) => {
  t.equal(
    codeOf(() => openNote(signed.replace('world', 'World'), [aliceVerifier])),
    'NOTE_INVALID_SIGNATURE'
  );
  const line = signed.slice(signed.lastIndexOf('\u2014'));
  const raw = base64Decode(line.trim().split(' ')[2]!);
  raw[10]! ^= 1;
  const forged = `${text}\n\u2014 alice.example/log ${base64Encode(raw)}\n`;
  t.equal(
    codeOf(() => openNote(forged, [aliceVerifier])),
    'NOTE_INVALID_SIGNATURE'
  );
  const bob = generateNoteKey('bob.example');
  const good = signNote(text, [parseNoteSigner(bob.skey)]);
  const withForged = `${good}\u2014 alice.example/log ${base64Encode(raw)}\n`;
  t.equal(
    codeOf(() => openNote(withForged, [aliceVerifier, parseNoteVerifier(bob.vkey)])),
    'NOTE_INVALID_SIGNATURE',
    'even when another known key signed correctly'
  );
  const throwing: NoteVerifier = {
    name: aliceVerifier.name,
    keyId: aliceVerifier.keyId,
    verify: () => {
      throw new Error('boom');
    },
  };
  t.equal(
    codeOf(() => openNote(signed, [throwing])),
    'NOTE_INVALID_SIGNATURE',
    'a throwing verifier fails closed'
  );
});

t.test(
  'a known key signing twice is NOTE_DUPLICATE_SIGNATURE, even with identical lines',
  async (t) => {
    const sigLine = signed.slice(signed.lastIndexOf('\u2014'));
    t.equal(
      codeOf(() => openNote(signed + sigLine, [aliceVerifier])),
      'NOTE_DUPLICATE_SIGNATURE'
    );
    const again = signNote(text, [aliceSigner, aliceSigner]);
    t.equal(
      codeOf(() => openNote(again, [aliceVerifier])),
      'NOTE_DUPLICATE_SIGNATURE'
    );
  }
);

t.test('repeated identical lines of an unknown key are listed once', async (t) => {
  const bob = generateNoteKey('bob.example');
  const withBob = signNote(text, [parseNoteSigner(bob.skey), aliceSigner]);
  const aliceLine = withBob.slice(withBob.lastIndexOf('\u2014'));
  const opened = openNote(withBob + aliceLine, [parseNoteVerifier(bob.vkey)]);
  t.equal(opened.signatures.length, 2);
  t.equal(opened.verified.length, 1);
});

t.test('malformed notes are NOTE_MALFORMED', async (t) => {
  const sigLine = signed.slice(signed.lastIndexOf('\u2014'));
  const sig = sigLine.trim().split(' ')[2]!;
  const cases: [string, string][] = [
    ['no blank line', `hello\n${sigLine}`],
    ['no final newline', signed.slice(0, -1)],
    ['hyphen instead of em dash', `${text}\n- alice.example/log ${sig}\n`],
    ['no space after dash', `${text}\n\u2014alice.example/log ${sig}\n`],
    ['missing signature', `${text}\n\u2014 alice.example/log\n`],
    ['empty signature', `${text}\n\u2014 alice.example/log \n`],
    ['two spaces', `${text}\n\u2014 alice.example/log  ${sig}\n`],
    ['name with plus', `${text}\n\u2014 alice+log ${sig}\n`],
    ['unpadded base64', `${text}\n\u2014 alice.example/log ${sig.replace(/=+$/, '')}\n`],
    ['non-base64', `${text}\n\u2014 alice.example/log ${sig.slice(0, -4)}!!!=\n`],
    [
      'signature of 4 bytes',
      `${text}\n\u2014 alice.example/log ${base64Encode(new Uint8Array(4))}\n`,
    ],
    ['carriage return', signed.replace('hello', 'hel\rlo')],
    ['tab', signed.replace('hello', 'hel\tlo')],
    ['NUL', signed.replace('hello', 'hel\u0000lo')],
    ['lone surrogate', signed.replace('hello', 'hel\ud800lo')],
    ['garbage after signatures', `${signed}junk\n`],
    ['empty signature block', `${text}\n`],
    ['only a blank line', '\n\n'],
    ['empty note', ''],
  ];
  for (const [name, note] of cases)
    t.equal(
      codeOf(() => openNote(note, [aliceVerifier])),
      'NOTE_MALFORMED',
      name
    );
});

t.test(
  'size and signature-count limits are enforced, and 16 signatures are accepted',
  async (t) => {
    const big = `${'a'.repeat(NOTE_MAX_BYTES)}\n`;
    t.equal(
      codeOf(() => openNote(`${big}\n\u2014 a AAAAAAA=\n`, [aliceVerifier])),
      'NOTE_TOO_LARGE'
    );
    const multibyte = `${'\u00e9'.repeat(NOTE_MAX_BYTES / 2)}\n`; // fewer chars than bytes
    t.equal(
      codeOf(() => openNote(`${multibyte}\n\u2014 a AAAAAAA=\n`, [aliceVerifier])),
      'NOTE_TOO_LARGE'
    );
    const junk = (i: number) => `\u2014 other${i} ${base64Encode(new Uint8Array(68).fill(i))}\n`;
    const many = (n: number) => signed + Array.from({ length: n - 1 }, (_, i) => junk(i)).join('');
    t.equal(
      codeOf(() => openNote(many(16), [aliceVerifier])),
      'ok',
      '16 signatures'
    );
    t.equal(
      codeOf(() => openNote(many(NOTE_MAX_SIGNATURES), [aliceVerifier])),
      'ok',
      'the maximum'
    );
    t.equal(
      codeOf(() => openNote(many(NOTE_MAX_SIGNATURES + 1), [aliceVerifier])),
      'NOTE_TOO_MANY_SIGNATURES'
    );
    const sixteen = Array.from({ length: 16 }, (_, i) => generateNoteKey(`w${i}.example`));
    const cosigned = signNote(
      text,
      sixteen.map((k) => parseNoteSigner(k.skey))
    );
    t.equal(
      openNote(
        cosigned,
        sixteen.map((k) => parseNoteVerifier(k.vkey))
      ).verified.length,
      16
    );
  }
);

t.test('signNote refuses texts and signers that cannot make a valid note', async (t) => {
  for (const [name, bad] of [
    ['no final newline', 'hello'],
    ['empty', ''],
    ['control character', 'a\u0007\n'],
    ['carriage return', 'a\r\n'],
    ['lone surrogate', '\udc00\n'],
  ] as const) {
    t.throws(() => signNote(bad, [aliceSigner]), RangeError, name);
  }
  t.throws(() => signNote(text, []), RangeError, 'no signers');
  t.throws(
    () => signNote(text, [{ name: 'a b', keyId: aliceSigner.keyId, sign: aliceSigner.sign }]),
    RangeError
  );
  t.throws(
    () => signNote(text, [{ name: 'x', keyId: new Uint8Array(3), sign: aliceSigner.sign }]),
    RangeError
  );
  t.throws(() => signNote(1 as unknown as string, [aliceSigner]), TypeError);
});

t.test('openNote checks its verifiers argument', async (t) => {
  t.throws(() => openNote(signed, null as unknown as NoteVerifier[]), TypeError);
  t.throws(() => openNote(signed, [{ name: 'x' } as unknown as NoteVerifier]), TypeError);
  t.throws(
    () => openNote(signed, [aliceVerifier, parseNoteVerifier(alice.vkey)]),
    RangeError,
    'ambiguous verifiers'
  );
  t.throws(() => openNote(42 as unknown as string, [aliceVerifier]), TypeError);
});

t.test('a verifier can plug another verification function', async (t) => {
  const sk = generateSecretKey();
  const calls: number[] = [];
  const v = createNoteVerifier('k.example', getPublicKey(sk), (sig, msg, pk) => {
    calls.push(sig.length + msg.length + pk.length);
    return true;
  });
  const note = signNote('x\n', [createNoteSigner('k.example', sk)]);
  t.equal(openNote(note, [v]).verified.length, 1);
  t.same(calls, [64 + 2 + 32]);
  t.ok(equalBytes(v.keyId, noteKeyId('k.example', getPublicKey(sk))));
});

t.test('key names follow the signed-note rules', async (t) => {
  for (const good of ['example.com/foo', 'PeterNeumann', 'Zo\u00eb', 'a', 'x/y/z_1-2']) {
    t.ok(isValidKeyName(good), good);
  }
  for (const bad of [
    '',
    'a b',
    'a+b',
    'a\tb',
    'a\nb',
    'a\u00a0b',
    'a\u2003b',
    'a\u3000b',
    'a\u0085b',
    'a\u2028b',
    '\ud800',
    'a\u0000',
  ]) {
    const label = [...bad].map((c) => c.codePointAt(0)!.toString(16)).join(' ');
    t.notOk(isValidKeyName(bad), `code points ${label}`);
  }
  t.throws(() => generateNoteKey('bad name'), RangeError);
});
