// Built code: run `npx tsc -b service` first (the module is reached through @yishi/service/internal).
import t from 'tap';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { createPrivateKey, createPublicKey, sign as nodeSign } from 'node:crypto';
import * as noble from '@noble/ed25519';
import {
  bytesToHex,
  concatBytes,
  generateSecretKey,
  getPublicKey,
  hexToBytes,
  sha256,
  sign,
  utf8Encode,
  verify,
} from '@yishi/crypto';
import { createHash } from 'node:crypto';
import {
  cachedPublicKeys,
  ED25519_BACKEND,
  explainVerify,
  fastSign,
  fastVerify,
  KEY_CACHE_LIMIT,
  sodiumVerify,
} from '@yishi/service/internal';
import { vectorPath } from '../helpers/paths.js';

type CctvVector = { number: number; key: string; sig: string; msg: string; flags: string[] | null };
const cctv = JSON.parse(
  readFileSync(vectorPath('ed25519', 'ed25519vectors.json'), 'utf8')
) as CctvVector[];
const { Point } = noble;
const L = Point.CURVE().n;

t.test('fastVerify gives the verdict of the strict verify on all 914 CCTV vectors', async (t) => {
  t.equal(cctv.length, 914);
  let accepted = 0;
  let disagreements = 0;
  for (const v of cctv) {
    const [sig, msg, pk] = [hexToBytes(v.sig), utf8Encode(v.msg), hexToBytes(v.key)];
    const strict = verify(sig, msg, pk);
    const fast = fastVerify(sig, msg, pk);
    if (strict !== fast) {
      disagreements++;
      t.fail(`vector ${v.number} (${(v.flags ?? []).join(',')}): strict ${strict}, fast ${fast}`);
    }
    if (fast) accepted++;
  }
  t.equal(disagreements, 0);
  t.ok(accepted > 0 && accepted < cctv.length, `${accepted} accepted by both`);
});

t.test(
  'libsodium is the backend here, and all it accepts of the 914 vectors the rule accepts',
  async (t) => {
    t.equal(ED25519_BACKEND, 'libsodium', 'sodium-native loads in this installation');
    const answers: Record<string, number> = {};
    let sodiumAccepted = 0;
    let sodiumOnlyRefused = 0;
    for (const v of cctv) {
      const [sig, msg, pk] = [hexToBytes(v.sig), utf8Encode(v.msg), hexToBytes(v.key)];
      const strict = verify(sig, msg, pk);
      const sodium = sodiumVerify(sig, msg, pk);
      if (sodium && !strict) t.fail(`vector ${v.number}: libsodium accepts what the rule refuses`);
      if (sodium) sodiumAccepted++;
      if (!sodium && strict) sodiumOnlyRefused++;
      const answer = explainVerify(sig, msg, pk);
      answers[answer] = (answers[answer] ?? 0) + 1;
      const fast = answer === 'libsodium-accepted' || answer === 'node-accepted';
      if (fast !== strict) t.fail(`vector ${v.number}: ${answer}, strict ${strict}`);
      if (answer === 'libsodium-accepted' && !sodium) t.fail(`vector ${v.number}: not libsodium's`);
    }
    t.ok(sodiumAccepted > 0, `libsodium accepted ${sodiumAccepted}`);
    t.ok(sodiumOnlyRefused > 0, `${sodiumOnlyRefused} accepted by the rule but not by libsodium`);
    t.equal(
      answers['node-accepted'],
      sodiumOnlyRefused,
      'each of those is accepted by node:crypto'
    );
    t.ok((answers['node-refused'] ?? 0) + (answers['refused-before-any-library'] ?? 0) > 0);
    t.equal(
      (answers['libsodium-accepted'] ?? 0) + (answers['node-accepted'] ?? 0),
      cctv.filter((v) => verify(hexToBytes(v.sig), utf8Encode(v.msg), hexToBytes(v.key))).length
    );
  }
);

t.test(
  'a signature with a small-order R is refused by libsodium and accepted by both rules',
  async (t) => {
    // R = identity and S = k·a mod L with A = [a]B: [S]B − [k]A = identity = R, cofactorless.
    const R = Point.ZERO.toBytes();
    let checked = 0;
    for (let i = 1; i <= 8; i++) {
      const a = (leToBig(sha256(utf8Encode(`scalar ${i}`))) % (L - 1n)) + 1n;
      const A = Point.BASE.multiply(a).toBytes();
      const msg = utf8Encode(`small-order R ${i}`);
      const digest = createHash('sha512').update(R).update(A).update(msg).digest();
      const k = leToBig(new Uint8Array(digest)) % L;
      const sig = concatBytes(R, le32((k * a) % L));
      t.equal(verify(sig, msg, A), true, `the rule accepts #${i}`);
      t.equal(sodiumVerify(sig, msg, A), false, `libsodium refuses #${i}`);
      t.equal(explainVerify(sig, msg, A), 'node-accepted', `node:crypto answers #${i}`);
      t.equal(fastVerify(sig, msg, A), true);
      const forged = sig.slice();
      forged[40]! ^= 1;
      t.equal(fastVerify(forged, msg, A), verify(forged, msg, A), `and a flipped S #${i}`);
      checked++;
    }
    t.equal(checked, 8);
  }
);

t.test('fastSign produces the same bytes as sign (RFC 8032 is deterministic)', async () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.uint8Array({ maxLength: 200 }),
      (sk, msg) => bytesToHex(fastSign(msg, sk)) === bytesToHex(sign(msg, sk))
    ),
    { numRuns: 100 }
  );
});

/** A point of order 8 (in E[8]), derived with noble: [L]P for a point P with a torsion part. */
function orderEightPoint(): InstanceType<typeof Point> {
  for (let seed = 1; ; seed++) {
    let P: InstanceType<typeof Point>;
    try {
      P = Point.fromBytes(
        Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? seed : 7)),
        false
      );
    } catch {
      continue;
    }
    const T = P.multiply((L - 1n) / 2n, false)
      .double()
      .add(P);
    if (!T.double().double().is0()) return T;
  }
}
const T8 = orderEightPoint();
const le32 = (n: bigint): Uint8Array =>
  Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
const leToBig = (b: Uint8Array): bigint => b.reduceRight((acc, x) => acc * 256n + BigInt(x), 0n);

t.test('fastVerify and verify agree on random valid and invalid signatures', async () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.uint8Array({ maxLength: 64 }),
      fc.nat(),
      fc.constantFrom(
        'valid',
        'bit-flip-sig',
        'bit-flip-key',
        'bit-flip-msg',
        'S+L',
        'R+T8',
        'A+T8',
        'random-sig',
        'random-key'
      ),
      (sk, msg, n, kind) => {
        const pk = getPublicKey(sk);
        let sig: Uint8Array = fastSign(msg, sk);
        let key: Uint8Array = pk;
        let message: Uint8Array = msg;
        switch (kind) {
          case 'bit-flip-sig':
            sig = sig.slice();
            sig[n % 64]! ^= 1 << (n % 8);
            break;
          case 'bit-flip-key':
            key = pk.slice();
            key[n % 32]! ^= 1 << (n % 8);
            break;
          case 'bit-flip-msg':
            message = concatBytes(msg, Uint8Array.of(n % 256));
            break;
          case 'S+L':
            sig = concatBytes(sig.subarray(0, 32), le32(leToBig(sig.subarray(32)) + L));
            break;
          case 'R+T8': // a small-order component in R: refused by the cofactorless rule
            sig = concatBytes(
              Point.fromBytes(sig.subarray(0, 32)).add(T8).toBytes(),
              sig.subarray(32)
            );
            break;
          case 'A+T8': // a mixed-order key
            key = Point.fromBytes(pk).add(T8).toBytes();
            break;
          case 'random-sig':
            sig = Uint8Array.from({ length: 64 }, (_, i) => (n * 31 + i * 17) % 256);
            break;
          case 'random-key':
            key = Uint8Array.from({ length: 32 }, (_, i) => (n * 13 + i * 7) % 256);
            break;
        }
        const strict = verify(sig, message, key);
        const fast = fastVerify(sig, message, key);
        const answer = explainVerify(sig, message, key);
        const sodium = sodiumVerify(sig, message, key);
        return (
          strict === fast &&
          (!sodium || strict) &&
          (answer === 'libsodium-accepted') === (sodium === true) &&
          (kind !== 'valid' || answer === 'libsodium-accepted')
        );
      }
    ),
    { numRuns: 400 }
  );
});

t.test('fastVerify refuses every small-order key', async (t) => {
  const points = [Point.ZERO];
  for (let i = 1; i < 8; i++) points.push(points[i - 1]!.add(T8));
  t.equal(new Set(points.map((p) => p.toHex())).size, 8, 'the whole torsion subgroup');
  const trivial = concatBytes(Point.ZERO.toBytes(), new Uint8Array(32));
  for (const p of points) {
    for (let i = 0; i < 16; i++) {
      const msg = utf8Encode(`m${i}`);
      t.notOk(fastVerify(trivial, msg, p.toBytes()), `${p.toHex()} / m${i}`);
    }
  }
  t.notOk(
    fastVerify(trivial, utf8Encode('x'), hexToBytes('ee' + 'ff'.repeat(30) + '7f')),
    'non-canonical p - 1'
  );
});

t.test(
  'fastVerify returns false for wrong lengths and throws TypeError for wrong types',
  async (t) => {
    const sk = generateSecretKey();
    const pk = getPublicKey(sk);
    const sig = fastSign(utf8Encode('m'), sk);
    t.ok(fastVerify(sig, utf8Encode('m'), pk));
    t.notOk(fastVerify(sig.subarray(0, 63), utf8Encode('m'), pk));
    t.notOk(fastVerify(sig, utf8Encode('m'), pk.subarray(1)));
    t.notOk(fastVerify(sig, utf8Encode('m'), new Uint8Array(32).fill(0x02)), 'not a point');
    t.throws(() => fastVerify('s' as unknown as Uint8Array, utf8Encode('m'), pk), TypeError);
    t.throws(() => fastVerify(sig, 'm' as unknown as Uint8Array, pk), TypeError);
    t.throws(() => fastSign(utf8Encode('m'), sk.subarray(1)), RangeError);
    t.throws(() => fastSign(utf8Encode('m'), 'k' as unknown as Uint8Array), TypeError);
    const offset = new Uint8Array(100);
    offset.set(pk, 50);
    t.ok(
      fastVerify(sig, utf8Encode('m'), offset.subarray(50, 82)),
      'a key that is a view into a larger buffer'
    );
  }
);

t.test('fastVerify stays correct past its key cache bound, which it keeps', async (t) => {
  t.equal(KEY_CACHE_LIMIT, 8192);
  const msg = utf8Encode('cache');
  const keys = Array.from({ length: 20 }, (_, i) => {
    const seed = Buffer.alloc(32, 0);
    seed.writeUInt32BE(i + 1, 0);
    const priv = createPrivateKey({
      key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
      format: 'der',
      type: 'pkcs8',
    });
    const x = createPublicKey(priv).export({ format: 'jwk' }).x!;
    const pk = new Uint8Array(Buffer.from(x, 'base64url'));
    return { pk, sig: new Uint8Array(nodeSign(null, msg, priv)) };
  });
  t.ok(
    keys.every((k) => fastVerify(k.sig, msg, k.pk)),
    'all verify'
  );
  // Fill the cache past its bound with other keys (canonical, not small order: each gets a
  // KeyObject), under a signature that does not verify; the real keys are evicted.
  const zeroSig = new Uint8Array(64);
  let largest = 0;
  let forged = 0;
  for (let i = 0; i < KEY_CACHE_LIMIT + 100; i++) {
    const filler = sha256(utf8Encode(`filler ${i}`));
    filler[31]! &= 0x3f; // y < 2^254 < p: a canonical encoding
    if (fastVerify(zeroSig, msg, filler)) forged++;
    largest = Math.max(largest, cachedPublicKeys());
  }
  t.equal(forged, 0, 'no filler key verifies the zero signature');
  t.equal(largest, KEY_CACHE_LIMIT, 'the cache fills up to its bound and no further');
  t.equal(cachedPublicKeys(), KEY_CACHE_LIMIT);
  t.ok(
    keys.every((k) => fastVerify(k.sig, msg, k.pk)),
    'the evicted keys still verify'
  );
  t.notOk(fastVerify(keys[0]!.sig, msg, keys[1]!.pk), 'and keys are not confused');
});
