// Built code: run `npx tsc -b service` first (these modules are internal to @yishi/service).
import t from 'tap';
import fc from 'fast-check';
import {
  bytesToHex,
  createNoteSigner,
  formatSecretKey,
  getPublicKey,
  hexToBytes,
  parseSecretKey,
  sign,
  signNote,
} from '@yishi/crypto';
import { fastPublicKey, NODE_ED25519_SIGNING } from '@yishi/service/internal';

// RFC 8032 §7.1, TEST 1 and TEST 3.
const RFC8032 = [
  [
    '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
  ],
  [
    'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
  ],
] as const;

t.test('fastPublicKey derives the RFC 8032 public keys', async (t) => {
  for (const [secret, expected] of RFC8032) {
    t.equal(bytesToHex(fastPublicKey(hexToBytes(secret))), expected);
  }
});

t.test('fastPublicKey equals getPublicKey on arbitrary secret keys', async (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (secret) => {
      return bytesToHex(fastPublicKey(secret)) === bytesToHex(getPublicKey(secret));
    }),
    { seed: 11, numRuns: 200 }
  );
  t.pass('200 keys');
});

t.test('fastPublicKey refuses what is not a 32-byte secret key', async (t) => {
  t.throws(() => fastPublicKey(new Uint8Array(31)), RangeError);
  t.throws(() => fastPublicKey(new Uint8Array(33)), RangeError);
  t.throws(() => fastPublicKey('00'.repeat(32) as unknown as Uint8Array), TypeError);
});

t.test('notes signed through node:crypto are byte-identical to noble-signed notes', async (t) => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.stringMatching(/^[a-z0-9.]{1,20}\n[ -~]{0,40}\n$/),
      (secret, text) => {
        const viaNode = signNote(text, [
          createNoteSigner('yishi.local/x', secret, NODE_ED25519_SIGNING),
        ]);
        const viaNoble = signNote(text, [createNoteSigner('yishi.local/x', secret)]);
        return viaNode === viaNoble;
      }
    ),
    { seed: 12, numRuns: 100 }
  );
  t.equal(
    bytesToHex(NODE_ED25519_SIGNING.sign(new Uint8Array([1, 2, 3]), hexToBytes(RFC8032[0][0]))),
    bytesToHex(sign(new Uint8Array([1, 2, 3]), hexToBytes(RFC8032[0][0])))
  );
});

t.test('parseSecretKey checks the key ID with the derivation it is given', async (t) => {
  const secret = hexToBytes(RFC8032[0][0]);
  const text = formatSecretKey('yishi.local/x', secret);
  t.equal(bytesToHex(parseSecretKey(text, fastPublicKey).secretKey), RFC8032[0][0]);
  t.throws(() => parseSecretKey(text, () => hexToBytes(RFC8032[1][1])), {
    code: 'KEY_ID_MISMATCH',
  });
});
