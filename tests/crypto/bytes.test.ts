import t from 'tap';
import fc from 'fast-check';
import {
  base64Decode,
  base64Encode,
  bytesToHex,
  concatBytes,
  equalBytes,
  hexToBytes,
  utf8Decode,
  utf8Encode,
} from '@yishi/crypto';

const bytes = (...xs: number[]) => Uint8Array.from(xs);

t.test('hex round-trips every byte string and is lowercase', async (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
      const hex = bytesToHex(b);
      return hex === hex.toLowerCase() && equalBytes(hexToBytes(hex), b);
    })
  );
  t.equal(bytesToHex(bytes(0, 1, 0xab, 0xff)), '0001abff');
  t.same(hexToBytes('00ABff'), bytes(0, 0xab, 0xff), 'accepts either case');
  t.same(hexToBytes(''), bytes());
});

t.test('hexToBytes refuses odd lengths, non-hex characters and non-strings', async (t) => {
  for (const bad of ['0', 'abc', 'zz', '0g', ' 00', '00 ', '0x00', '+1', 'é0']) {
    t.throws(() => hexToBytes(bad), TypeError, JSON.stringify(bad));
  }
  t.throws(() => hexToBytes(12 as unknown as string), TypeError);
});

t.test('base64 matches the RFC 4648 §10 test vectors', async (t) => {
  const vectors: [string, string][] = [
    ['', ''],
    ['f', 'Zg=='],
    ['fo', 'Zm8='],
    ['foo', 'Zm9v'],
    ['foob', 'Zm9vYg=='],
    ['fooba', 'Zm9vYmE='],
    ['foobar', 'Zm9vYmFy'],
  ];
  for (const [plain, encoded] of vectors) {
    t.equal(base64Encode(utf8Encode(plain)), encoded);
    t.equal(utf8Decode(base64Decode(encoded)), plain);
  }
  t.equal(base64Encode(bytes(0xfb, 0xff)), '+/8=', 'standard alphabet, not url-safe');
});

t.test('base64 round-trips random bytes', async () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 100 }), (b) =>
      equalBytes(base64Decode(base64Encode(b)), b)
    )
  );
});

t.test('base64Decode refuses everything but strict padded standard base64', async (t) => {
  const bad = [
    'Zg', // missing padding
    'Zg=', // wrong padding
    'Zm8', // missing padding
    'Zh==', // non-zero trailing bits (canonical form is Zg==)
    'Zm9=', // non-zero trailing bits (canonical form is Zm8=)
    'Zm9v\n', // whitespace
    ' Zm9v',
    'Zm 9v',
    'Zm-v', // url-safe alphabet
    'Zm_v',
    '=Zm9',
    'Z=m9',
    'Zg==Zg==', // padding in the middle
    'Zm9v====',
    '====',
    'Zé==',
  ];
  for (const s of bad) t.throws(() => base64Decode(s), TypeError, JSON.stringify(s));
  t.throws(() => base64Decode(null as unknown as string), TypeError);
});

t.test('utf8Decode is fatal on invalid UTF-8 and keeps a BOM', async (t) => {
  for (const b of [bytes(0xff), bytes(0xc0, 0x80), bytes(0xed, 0xa0, 0x80), bytes(0xe2, 0x82)]) {
    t.throws(() => utf8Decode(b), TypeError, bytesToHex(b));
  }
  t.equal(utf8Decode(bytes(0xef, 0xbb, 0xbf, 0x61)), '\ufeffa');
  t.same(utf8Encode('é—'), bytes(0xc3, 0xa9, 0xe2, 0x80, 0x94));
});

t.test('utf8Encode refuses lone surrogates instead of replacing them', async (t) => {
  for (const s of ['\ud800', 'a\udc00', '\ud83d']) t.throws(() => utf8Encode(s), TypeError);
  t.same(utf8Encode('\ud83d\ude00'), bytes(0xf0, 0x9f, 0x98, 0x80), 'a pair is fine');
});

t.test('concatBytes joins in order and checks each argument', async (t) => {
  t.same(concatBytes(bytes(1), bytes(), bytes(2, 3)), bytes(1, 2, 3));
  t.same(concatBytes(), bytes());
  t.throws(() => concatBytes(bytes(1), [2] as unknown as Uint8Array), TypeError);
});

t.test('equalBytes compares content and length', async (t) => {
  t.ok(equalBytes(bytes(1, 2), bytes(1, 2)));
  t.notOk(equalBytes(bytes(1, 2), bytes(1, 3)));
  t.notOk(equalBytes(bytes(1, 2), bytes(1, 2, 0)));
  t.ok(equalBytes(bytes(), bytes()));
  t.throws(() => equalBytes(bytes(1), 'a' as unknown as Uint8Array), TypeError);
});

t.test('wrong-typed arguments name the parameter', async (t) => {
  t.throws(() => bytesToHex('00' as unknown as Uint8Array), {
    name: 'TypeError',
    message: /"bytes" expected Uint8Array/,
  });
  t.throws(() => utf8Decode([] as unknown as Uint8Array), TypeError);
  t.throws(() => utf8Encode(1 as unknown as string), TypeError);
  t.throws(() => base64Encode({} as unknown as Uint8Array), TypeError);
});
