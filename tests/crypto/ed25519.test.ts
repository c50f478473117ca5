import t from 'tap';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import * as noble from '@noble/ed25519';
import {
  bytesToHex,
  concatBytes,
  equalBytes,
  generateSecretKey,
  getPublicKey,
  hexToBytes,
  isAcceptablePublicKey,
  noteKeyId,
  principalKeyId,
  sha256,
  sign,
  utf8Encode,
  verify,
} from '@yishi/crypto';
import { vectorPath } from '../helpers/paths.js';

type CctvVector = { number: number; key: string; sig: string; msg: string; flags: string[] | null };
const cctv = JSON.parse(
  readFileSync(vectorPath('ed25519', 'ed25519vectors.json'), 'utf8')
) as CctvVector[];

const { Point } = noble;
const L = Point.CURVE().n;
const le32 = (n: bigint): Uint8Array => {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
};
const leToBig = (b: Uint8Array): bigint => b.reduceRight((acc, x) => acc * 256n + BigInt(x), 0n);

/** node:crypto (OpenSSL) verification with no pre-checks: plain RFC 8032. */
function plainRfc8032(sig: Uint8Array, msg: Uint8Array, pk: Uint8Array): boolean {
  const key = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(pk).toString('base64url') },
    format: 'jwk',
  });
  return nodeVerify(null, msg, key, sig);
}

/** The 8 points of the torsion subgroup E[8], derived (not copied): [L]P for a point P of order 8L. */
function torsionPoints(): InstanceType<typeof Point>[] {
  for (let seed = 0; ; seed++) {
    let P: InstanceType<typeof Point>;
    try {
      P = Point.fromBytes(sha256(utf8Encode(`torsion ${seed}`)), false);
    } catch {
      continue;
    }
    const T = P.multiply((L - 1n) / 2n, false)
      .double()
      .add(P); // [L]P, in E[8]
    if (T.double().double().is0()) continue; // need order exactly 8
    const out = [Point.ZERO];
    for (let i = 1; i < 8; i++) out.push(out[i - 1]!.add(T));
    return out;
  }
}
const torsion = torsionPoints();

t.test('RFC 8032 §7.1 test vectors 1-3 sign and verify', async (t) => {
  const vectors = [
    [
      '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
      'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
      '',
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    ],
    [
      '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
      '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
      '72',
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
    ],
    [
      'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
      'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
      'af82',
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
    ],
  ] as const;
  for (const [sk, pk, msg, sig] of vectors) {
    t.equal(bytesToHex(getPublicKey(hexToBytes(sk))), pk);
    t.equal(bytesToHex(sign(hexToBytes(msg), hexToBytes(sk))), sig);
    t.ok(verify(hexToBytes(sig), hexToBytes(msg), hexToBytes(pk)));
    t.ok(isAcceptablePublicKey(hexToBytes(pk)));
  }
});

t.test('random keys sign and verify; any change to message, signature or key fails', async () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.uint8Array({ maxLength: 100 }),
      fc.nat(),
      (sk, msg, n) => {
        const pk = getPublicKey(sk);
        const sig = sign(msg, sk);
        const badSig = sig.slice();
        badSig[n % 64]! ^= 1 << (n % 8);
        const badKey = pk.slice();
        badKey[n % 32]! ^= 1 << (n % 8);
        const badMsg = concatBytes(msg, Uint8Array.of(n % 256));
        return (
          verify(sig, msg, pk) &&
          !verify(badSig, msg, pk) &&
          !verify(sig, msg, badKey) &&
          !verify(sig, badMsg, pk)
        );
      }
    ),
    { numRuns: 60 }
  );
});

t.test('verify returns false, never throws, for malformed signatures and keys', async (t) => {
  const sk = generateSecretKey();
  const pk = getPublicKey(sk);
  const msg = utf8Encode('m');
  const sig = sign(msg, sk);
  t.notOk(verify(sig.subarray(0, 63), msg, pk), '63-byte signature');
  t.notOk(verify(concatBytes(sig, Uint8Array.of(0)), msg, pk), '65-byte signature');
  t.notOk(verify(new Uint8Array(0), msg, pk), 'empty signature');
  t.notOk(verify(sig, msg, pk.subarray(0, 31)), '31-byte key');
  t.notOk(verify(sig, msg, new Uint8Array(32).fill(0xff)), 'non-canonical key');
  t.notOk(verify(new Uint8Array(64).fill(0xff), msg, pk), 'garbage signature');
  // S + L is the same scalar mod L: accepted by lax verifiers, refused by RFC 8032 §5.1.7.
  const s = leToBig(sig.subarray(32));
  const malleated = concatBytes(sig.subarray(0, 32), le32(s + L));
  t.notOk(verify(malleated, msg, pk), 'S >= L');
  t.notOk(plainRfc8032(malleated, msg, pk), 'node:crypto refuses S >= L too');
});

t.test('wrong-typed arguments throw TypeError', async (t) => {
  const pk = getPublicKey(generateSecretKey());
  t.throws(() => verify('sig' as unknown as Uint8Array, new Uint8Array(1), pk), TypeError);
  t.throws(() => verify(new Uint8Array(64), [1] as unknown as Uint8Array, pk), TypeError);
  t.throws(
    () => verify(new Uint8Array(64), new Uint8Array(1), null as unknown as Uint8Array),
    TypeError
  );
  t.throws(() => sign(new Uint8Array(1), new Uint8Array(31)), RangeError);
  t.throws(() => getPublicKey('k' as unknown as Uint8Array), TypeError);
  t.throws(() => isAcceptablePublicKey(undefined as unknown as Uint8Array), TypeError);
  t.throws(() => principalKeyId(new Uint8Array(31)), RangeError);
});

t.test('the identity key and every small-order key are refused', async (t) => {
  t.equal(new Set(torsion.map((p) => p.toHex())).size, 8, 'E[8] has 8 distinct points');
  const identity = Point.ZERO.toBytes();
  const trivial = concatBytes(identity, new Uint8Array(32)); // R = identity, S = 0
  const msg = utf8Encode('any message at all');
  // The hazard: plain RFC 8032 and noble's default (ZIP-215) mode accept this for any message.
  t.ok(plainRfc8032(trivial, msg, identity), 'node:crypto accepts the trivial signature');
  t.ok(noble.verify(trivial, msg, identity), 'noble default mode accepts it');
  t.notOk(verify(trivial, msg, identity), 'yishi refuses it');
  for (const T of torsion) {
    const A = T.toBytes();
    t.notOk(isAcceptablePublicKey(A), `${bytesToHex(A)} is not acceptable`);
    // Find a message whose k kills A's order, so that plain RFC 8032 accepts the trivial sig.
    let forged: Uint8Array | undefined;
    for (let i = 0; i < 400 && !forged; i++) {
      const m = utf8Encode(`forgery ${i}`);
      if (plainRfc8032(trivial, m, A)) forged = m;
    }
    t.ok(forged, 'plain RFC 8032 accepts a forgery under this key');
    t.notOk(verify(trivial, forged!, A), 'yishi refuses the forgery');
  }
});

t.test(
  'isAcceptablePublicKey refuses wrong lengths, non-canonical encodings and non-points',
  async (t) => {
    t.ok(isAcceptablePublicKey(getPublicKey(generateSecretKey())));
    t.notOk(isAcceptablePublicKey(new Uint8Array(31)));
    t.notOk(isAcceptablePublicKey(new Uint8Array(33)));
    t.notOk(isAcceptablePublicKey(hexToBytes('ed' + 'ff'.repeat(30) + '7f')), 'y = p');
    t.notOk(
      isAcceptablePublicKey(hexToBytes('01' + '00'.repeat(30) + '80')),
      'x = 0 with sign bit'
    );
    t.notOk(isAcceptablePublicKey(hexToBytes('02' + '00'.repeat(31))), 'y = 2 is not on the curve');
  }
);

t.test(
  'verify agrees with noble strict mode except on cofactor residues, on all 914 CCTV vectors',
  async (t) => {
    t.equal(cctv.length, 914);
    let accepted = 0;
    for (const v of cctv) {
      const [sig, msg, pk] = [hexToBytes(v.sig), utf8Encode(v.msg), hexToBytes(v.key)];
      const flags = v.flags ?? [];
      const ours = verify(sig, msg, pk);
      const nobleStrict = noble.verify(sig, msg, pk, { zip215: false });
      // noble strict is cofactored ([8]R...); the cofactorless rule also refuses R with a
      // small-order component that the check equation leaves behind (`low_order_residue`).
      t.equal(ours, nobleStrict && !flags.includes('low_order_residue'), `vector ${v.number}`);
      if (
        flags.includes('low_order_A') ||
        flags.includes('non_canonical_A') ||
        flags.includes('non_canonical_R')
      ) {
        t.notOk(ours, `vector ${v.number} (${flags.join(',')}) is refused`);
      }
      if (ours) accepted++;
    }
    t.ok(accepted > 0 && accepted < cctv.length, `${accepted} vectors accepted`);
  }
);

t.test('principalKeyId is 16 bytes of a domain-separated SHA-256', async (t) => {
  const pk = getPublicKey(generateSecretKey());
  const id = principalKeyId(pk);
  t.match(id, /^[0-9a-f]{32}$/);
  t.equal(id, bytesToHex(sha256(concatBytes(utf8Encode('yishi/key/v1\n'), pk)).subarray(0, 16)));
  t.not(id, principalKeyId(getPublicKey(generateSecretKey())));
  t.not(id.slice(0, 8), bytesToHex(noteKeyId('x', pk)));
});

t.test('generateSecretKey gives fresh 32-byte keys', async (t) => {
  const a = generateSecretKey();
  const b = generateSecretKey();
  t.equal(a.length, 32);
  t.notOk(equalBytes(a, b));
});
