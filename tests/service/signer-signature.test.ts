// Built code: run `npx tsc -b service` first (these modules are internal to @yishi/service).
import t from 'tap';
import fc from 'fast-check';
import {
  base64Encode,
  canonicalJson,
  canonicalSignedCommandJson as canonicalSignedCommand,
  generateSecretKey,
  getPublicKey,
  hexToBytes,
  sign,
  utf8Encode,
} from '@yishi/crypto';
import { verifyCommandSignature, verifySignerSignature } from '@yishi/service/internal';

const codeOf = (fn: () => unknown): { code?: string; why?: unknown } => {
  try {
    fn();
    return {};
  } catch (err) {
    const e = err as { code?: string; details?: { why?: unknown } };
    return { code: e.code, why: e.details?.why };
  }
};

const secret = generateSecretKey();
const publicKey = base64Encode(getPublicKey(secret));
const message = utf8Encode('yishi/command/v1\n{"type":"vote.cast"}');
const signature = sign(message, secret);

t.test('a good signature by an acceptable key passes', async (t) => {
  t.same(
    codeOf(() => verifySignerSignature(publicKey, signature, message)),
    {}
  );
});

t.test(
  'a bad signature by an acceptable key is SIGNATURE_INVALID without blaming the key',
  async (t) => {
    const bad = signature.slice();
    bad[5] = (bad[5] ?? 0) ^ 1;
    t.same(
      codeOf(() => verifySignerSignature(publicKey, bad, message)),
      {
        code: 'SIGNATURE_INVALID',
        why: undefined,
      }
    );
  }
);

t.test('unacceptable keys are SIGNATURE_INVALID with why public_key', async (t) => {
  const keys = {
    'the identity (small order)':
      '0100000000000000000000000000000000000000000000000000000000000000',
    'a point of order 8': 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
    'y >= p (non-canonical)': 'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    // y = 2 has no x on the curve.
    'not a curve point': '0200000000000000000000000000000000000000000000000000000000000000',
  };
  for (const [name, hex] of Object.entries(keys)) {
    t.same(
      codeOf(() => verifySignerSignature(base64Encode(hexToBytes(hex)), signature, message)),
      { code: 'SIGNATURE_INVALID', why: 'public_key' },
      name
    );
  }
  t.same(
    codeOf(() => verifySignerSignature('AAAA', signature, message)),
    {
      code: 'SIGNATURE_INVALID',
      why: 'public_key',
    }
  );
});

t.test(
  'a command signature is checked over the canonical payload, which is returned',
  async (t) => {
    const payload = { ts: 1, type: 'vote.cast', nonce: '00'.repeat(16), choice: 'for' };
    const payloadJson = canonicalJson(payload);
    const sig = sign(utf8Encode(`yishi/command/v1\n${payloadJson}`), secret);
    const command = { payload, publicKey, signature: base64Encode(sig) };
    t.equal(verifyCommandSignature(command as never), payloadJson);
    const other = { ...command, payload: { ...payload, choice: 'against' } };
    t.equal(codeOf(() => verifyCommandSignature(other as never)).code, 'SIGNATURE_INVALID');
    const unencodable = { ...command, signature: '!!' };
    t.same(
      codeOf(() => verifyCommandSignature(unencodable as never)),
      {
        code: 'SIGNATURE_INVALID',
        why: 'signature_encoding',
      }
    );
    const lone = { ...command, payload: { ...payload, choice: '\ud800' } };
    t.same(
      codeOf(() => verifyCommandSignature(lone as never)),
      {
        code: 'VALIDATION_FAILED',
        why: 'not_canonical_json',
      }
    );
  }
);

t.test('the assembled canonical command equals canonicalJson of the command', async (t) => {
  const base64 = fc
    .uint8Array({ minLength: 0, maxLength: 64 })
    .map((b) => Buffer.from(b).toString('base64'));
  fc.assert(
    fc.property(
      fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })),
      base64,
      base64,
      (payload, key, sig) => {
        const command = { signature: sig, payload, publicKey: key };
        return canonicalSignedCommand(canonicalJson(payload), key, sig) === canonicalJson(command);
      }
    ),
    { seed: 7, numRuns: 500 }
  );
  t.pass('500 arbitrary commands');
});
