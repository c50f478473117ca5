import t from 'tap';
import { createHash } from 'node:crypto';
import {
  base64Decode,
  formatCheckpoint,
  generateNoteKey,
  getPublicKey,
  KEY_FORMAT_ERROR_CODES,
  openNote,
  parseNoteSigner,
  signNote,
  verify,
} from '@yishi/crypto';
import {
  cosignatureKeyId,
  cosignatureLine,
  createCosignatureVerifier,
  createCosigner,
  formatCosignerVkey,
  parseCosignerVkey,
} from '@yishi/verify';

// Values computed here from the spec text of C2SP tlog-cosignature v1 with node:crypto, not
// with the code under test.
const SEED = new Uint8Array(32).fill(7);
const PK = getPublicKey(SEED);
const NAME = 'witness.example/w1';
const specKeyId = (name: string, pk: Uint8Array) =>
  createHash('sha256')
    .update(Buffer.concat([Buffer.from(`${name}\n`, 'utf8'), Buffer.from([0x04]), Buffer.from(pk)]))
    .digest()
    .subarray(0, 4);

const TEXT = formatCheckpoint({
  origin: 'example.com/behind-the-sofa',
  size: 20852163,
  rootHash: base64Decode('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I='),
  extensions: [],
});

t.test('the key ID is SHA-256(name || "\\n" || 0x04 || pk)[:4]', async (t) => {
  t.same(Buffer.from(cosignatureKeyId(NAME, PK)), specKeyId(NAME, PK));
  const vkey = formatCosignerVkey(NAME, PK);
  t.equal(
    vkey,
    `${NAME}+${specKeyId(NAME, PK).toString('hex')}+${Buffer.concat([Buffer.from([4]), Buffer.from(PK)]).toString('base64')}`
  );
  t.same(parseCosignerVkey(vkey).publicKey, PK);
});

t.test(
  'a cosignature line has keyID || u64 BE timestamp || Ed25519 over the spec message',
  async (t) => {
    const cosigner = createCosigner(NAME, SEED, () => 1679315147);
    const line = cosignatureLine(cosigner, TEXT);
    t.match(line, /^\u2014 witness\.example\/w1 [A-Za-z0-9+/=]+\n$/);
    const raw = Buffer.from(line.trim().split(' ')[2]!, 'base64');
    t.equal(raw.length, 4 + 8 + 64);
    t.same(raw.subarray(0, 4), specKeyId(NAME, PK));
    t.equal(raw.readBigUInt64BE(4), 1679315147n);
    t.same([...raw.subarray(4, 12)], [0, 0, 0, 0, 0x64, 0x18, 0x50, 0xcb]);
    const message = Buffer.from(`cosignature/v1\ntime 1679315147\n${TEXT}`, 'utf8');
    t.ok(verify(new Uint8Array(raw.subarray(12)), new Uint8Array(message), PK));
    // A plain Ed25519 note signature over the text alone is not a cosignature.
    t.notOk(verify(new Uint8Array(raw.subarray(12)), new Uint8Array(Buffer.from(TEXT)), PK));
  }
);

t.test('openNote verifies a cosigned checkpoint with the cosigner verifier', async (t) => {
  const log = generateNoteKey('example.com/behind-the-sofa');
  const signed = signNote(TEXT, [parseNoteSigner(log.skey)]);
  const cosigner = createCosigner(NAME, SEED, () => 1700000000);
  const note = signed + cosignatureLine(cosigner, TEXT);
  const opened = openNote(note, [createCosignatureVerifier(NAME, PK)]);
  t.equal(opened.verified.length, 1);
  // The same key under the note type (0x01) is another key: ignored, so unverified.
  t.throws(() => openNote(note.replace(/— example.com\S* \S+\n/, ''), []), {
    code: 'NOTE_UNVERIFIED',
  });
  // A tampered timestamp fails a known key: the note is rejected.
  const tampered = note.replace(/(— witness\.example\/w1 )(\S+)/, (_m, p: string, b: string) => {
    const raw = Buffer.from(b, 'base64');
    raw[11] = raw[11]! ^ 1;
    return p + raw.toString('base64');
  });
  t.throws(() => openNote(tampered, [createCosignatureVerifier(NAME, PK)]), {
    code: 'NOTE_INVALID_SIGNATURE',
  });
});

t.test('parseCosignerVkey refuses wrong vkeys with codes', async (t) => {
  const good = formatCosignerVkey(NAME, PK);
  const note = generateNoteKey(NAME).vkey; // type 0x01
  const cases: [string, string][] = [
    [note, 'KEY_UNSUPPORTED_ALGORITHM'],
    ['nope', 'KEY_MALFORMED'],
    [good.replace(/\+[0-9a-f]{8}\+/, '+00000000+'), 'KEY_ID_MISMATCH'],
    [`${NAME}+${specKeyId(NAME, PK).toString('hex')}+BA==`, 'KEY_MALFORMED'],
  ];
  for (const [vkey, code] of cases) {
    t.ok(KEY_FORMAT_ERROR_CODES.includes(code as never));
    t.throws(() => parseCosignerVkey(vkey), { code }, vkey);
  }
});

t.test('a cosigner refuses a zero timestamp', async (t) => {
  const cosigner = createCosigner(NAME, SEED, () => 0);
  t.throws(() => cosignatureLine(cosigner, TEXT), RangeError);
});
