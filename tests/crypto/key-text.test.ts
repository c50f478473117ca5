import t from 'tap';
import { readFileSync } from 'node:fs';
import {
  KeyFormatError,
  base64Encode,
  bytesToHex,
  equalBytes,
  formatPublicKey,
  formatSecretKey,
  generateSecretKey,
  getPublicKey,
  hexToBytes,
  noteKeyId,
  parsePublicKey,
  parseSecretKey,
  type KeyFormatErrorCode,
} from '@yishi/crypto';
import { vectorPath } from '../helpers/paths.js';

const c2sp = JSON.parse(readFileSync(vectorPath('c2sp.json'), 'utf8')) as {
  signedNote: { skey?: string; vkey: string }[];
};
const peter = c2sp.signedNote[0]!;

function codeOf(fn: () => unknown): KeyFormatErrorCode | 'ok' | 'other' {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof KeyFormatError ? err.code : 'other';
  }
}

t.test('the C2SP vector keys parse and format back identically', async (t) => {
  const sk = parseSecretKey(peter.skey!);
  t.equal(sk.name, 'PeterNeumann');
  t.equal(bytesToHex(sk.keyId), 'c74f20a3');
  t.equal(formatSecretKey(sk.name, sk.secretKey), peter.skey);
  t.equal(formatPublicKey(sk.name, getPublicKey(sk.secretKey)), peter.vkey);
  const pk = parsePublicKey(peter.vkey);
  t.ok(equalBytes(pk.publicKey, getPublicKey(sk.secretKey)));
  for (const v of c2sp.signedNote)
    t.equal(formatPublicKey(parsePublicKey(v.vkey).name, parsePublicKey(v.vkey).publicKey), v.vkey);
});

t.test('generated keys round-trip through text', async (t) => {
  for (const name of ['a', 'yishi.example/member/42', 'Zo\u00eb']) {
    const secretKey = generateSecretKey();
    const publicKey = getPublicKey(secretKey);
    const s = parseSecretKey(formatSecretKey(name, secretKey));
    const p = parsePublicKey(formatPublicKey(name, publicKey));
    t.ok(equalBytes(s.secretKey, secretKey) && equalBytes(p.publicKey, publicKey), name);
    t.ok(equalBytes(s.keyId, noteKeyId(name, publicKey)) && equalBytes(p.keyId, s.keyId));
    t.match(formatSecretKey(name, secretKey), /^PRIVATE\+KEY\+/);
  }
});

t.test('malformed key texts are refused with codes', async (t) => {
  const [name, id, key] = [peter.vkey.slice(0, 12), peter.vkey.slice(13, 21), peter.vkey.slice(22)];
  const raw = Uint8Array.from([0x01, ...parsePublicKey(peter.vkey).publicKey]);
  const identity = hexToBytes('01' + '00'.repeat(31));
  const cases: [string, string, KeyFormatErrorCode][] = [
    ['empty', '', 'KEY_MALFORMED'],
    ['one field', name, 'KEY_MALFORMED'],
    ['two fields', `${name}+${id}`, 'KEY_MALFORMED'],
    ['empty name', `+${id}+${key}`, 'KEY_MALFORMED'],
    ['name with space', `Peter Neumann+${id}+${key}`, 'KEY_MALFORMED'],
    ['upper-case ID', `${name}+${id.toUpperCase()}+${key}`, 'KEY_MALFORMED'],
    ['short ID', `${name}+${id.slice(1)}+${key}`, 'KEY_MALFORMED'],
    ['unpadded key', `${name}+${id}+${key.replace(/=+$/, '')}x`, 'KEY_MALFORMED'],
    ['empty key', `${name}+${id}+`, 'KEY_MALFORMED'],
    ['short key', `${name}+${id}+${base64Encode(raw.subarray(0, 32))}`, 'KEY_MALFORMED'],
    ['long key', `${name}+${id}+${base64Encode(Uint8Array.from([...raw, 0]))}`, 'KEY_MALFORMED'],
    [
      'not a point',
      `${name}+${id}+${base64Encode(Uint8Array.from([1, 2, ...new Uint8Array(31)]))}`,
      'KEY_MALFORMED',
    ],
    [
      'non-canonical point',
      `${name}+${id}+${base64Encode(Uint8Array.from([1, ...hexToBytes('ed' + 'ff'.repeat(30) + '7f')]))}`,
      'KEY_MALFORMED',
    ],
    [
      'ECDSA type',
      `${name}+${id}+${base64Encode(Uint8Array.from([2, ...raw.subarray(1)]))}`,
      'KEY_UNSUPPORTED_ALGORITHM',
    ],
    [
      'witness type',
      `${name}+${id}+${base64Encode(Uint8Array.from([4, ...raw.subarray(1)]))}`,
      'KEY_UNSUPPORTED_ALGORITHM',
    ],
    ['wrong ID', `${name}+00000000+${key}`, 'KEY_ID_MISMATCH'],
    ['other name', `PeterNeumanm+${id}+${key}`, 'KEY_ID_MISMATCH'],
    [
      'identity key',
      `${name}+${id}+${base64Encode(Uint8Array.from([1, ...identity]))}`,
      'KEY_SMALL_ORDER',
    ],
  ];
  for (const [what, text, code] of cases)
    t.equal(
      codeOf(() => parsePublicKey(text)),
      code,
      what
    );
  t.equal(
    codeOf(() => parsePublicKey(`PRIVATE+KEY+${peter.vkey}`)),
    'KEY_MALFORMED',
    'secret prefix on a public key'
  );
  t.throws(() => parsePublicKey(3 as unknown as string), TypeError);
});

t.test('malformed secret key texts are refused with codes', async (t) => {
  const skey = peter.skey!;
  t.equal(
    codeOf(() => parseSecretKey(skey.slice('PRIVATE+KEY+'.length))),
    'KEY_MALFORMED',
    'no prefix'
  );
  t.equal(
    codeOf(() => parseSecretKey(skey.replace('PRIVATE+KEY', 'private+key'))),
    'KEY_MALFORMED'
  );
  t.equal(
    codeOf(() => parseSecretKey(skey.replace('c74f20a3', 'c74f20a4'))),
    'KEY_ID_MISMATCH'
  );
  t.equal(
    codeOf(() => parseSecretKey(skey.replace('PeterNeumann', 'PeterNeuman'))),
    'KEY_ID_MISMATCH'
  );
  t.equal(
    codeOf(() => parseSecretKey(skey.replace('+AYEK', '+AoEK'))),
    'KEY_UNSUPPORTED_ALGORITHM'
  );
  t.equal(
    codeOf(() => parseSecretKey(`${skey}AAAA`)),
    'KEY_MALFORMED'
  );
  t.equal(
    codeOf(() => parseSecretKey(peter.vkey)),
    'KEY_MALFORMED',
    'a public key is not a secret key'
  );
});

t.test('formatting refuses invalid names and key lengths', async (t) => {
  const sk = generateSecretKey();
  t.throws(() => formatSecretKey('a+b', sk), RangeError);
  t.throws(() => formatPublicKey('', getPublicKey(sk)), RangeError);
  t.throws(() => formatSecretKey('a', sk.subarray(1)), RangeError);
  t.throws(() => formatPublicKey('a', 'x' as unknown as Uint8Array), TypeError);
});
