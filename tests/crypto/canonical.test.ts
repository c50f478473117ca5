import t from 'tap';
import fc from 'fast-check';
import {
  canonicalBytes,
  canonicalJson,
  canonicalJsonFast,
  equalBytes,
  hasWellFormedStrings,
  generateSecretKey,
  getPublicKey,
  sign,
  signingMessage,
  utf8Decode,
  utf8Encode,
  verify,
} from '@yishi/crypto';

t.test(
  'canonicalJson sorts keys, drops whitespace and formats numbers as RFC 8785 says',
  async (t) => {
    t.equal(
      canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 0, y: -0 } }),
      '{"a":[true,null,"x"],"b":1,"c":{"y":0,"z":0}}'
    );
    // RFC 8785 §3.2.3: keys sorted by UTF-16 code units.
    t.equal(
      canonicalJson({ '\u20ac': 1, '\r': 2, '1': 3, '\ud83d\ude00': 4, '\u00f6': 5 }),
      '{"\\r":2,"1":3,"ö":5,"€":1,"😀":4}'
    );
    // RFC 8785 §3.2.2.3 / Appendix B number serialization samples.
    t.equal(
      canonicalJson([1e21, 1e-7, 0.000001, 333333333.3333333, 4.5, 2e-3, 1e23]),
      '[1e+21,1e-7,0.000001,333333333.3333333,4.5,0.002,1e+23]'
    );
    t.equal(canonicalJson('\u2028\u0007"\\'), '"\u2028\\u0007\\"\\\\"');
    t.equal(canonicalJson({ a: 1, b: undefined }), '{"a":1}', 'an undefined property is omitted');
    t.equal(canonicalJson(Object.assign(Object.create(null), { k: 1 })), '{"k":1}');
  }
);

t.test('canonicalJson is stable under key order and JSON round-trips', async () => {
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      const text = canonicalJson(v);
      return (
        canonicalJson(JSON.parse(text)) === text &&
        canonicalJson(JSON.parse(JSON.stringify(v))) === text
      );
    }),
    { numRuns: 200 }
  );
});

t.test('canonicalJson refuses values JCS cannot represent', async (t) => {
  const cases: [string, unknown][] = [
    ['undefined at top level', undefined],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['nested NaN', { a: [1, NaN] }],
    ['lone high surrogate', '\ud800'],
    ['lone low surrogate in a key', { 'a\udc00': 1 }],
    ['lone surrogate deep', [{ x: 'ok\udbff' }]],
    ['bigint', 1n],
    ['nested bigint', { n: 2n }],
    ['function', () => 1],
    ['function property', { f: () => 1 }],
    ['symbol', Symbol('s')],
    ['symbol property', { s: Symbol('s') }],
    ['undefined in an array', [1, undefined]],
    ['sparse array', [1, , 3]], // eslint-disable-line no-sparse-arrays
    ['Date', new Date(0)],
    ['Map', new Map([[1, 2]])],
    ['Uint8Array', new Uint8Array(2)],
    ['toJSON', { toJSON: () => 'x' }],
    [
      'class instance',
      new (class Foo {
        a = 1;
      })(),
    ],
  ];
  for (const [name, value] of cases) {
    t.throws(() => canonicalJson(value), TypeError, name);
    t.throws(() => canonicalJsonFast(value), TypeError, `canonicalJsonFast: ${name}`);
  }
  const cyclic: Record<string, unknown> = {};
  cyclic['self'] = cyclic;
  t.throws(() => canonicalJson(cyclic), TypeError, 'cycle');
  t.throws(() => canonicalJsonFast(cyclic), TypeError, 'canonicalJsonFast: cycle');
  const shared = { x: 1 };
  t.equal(
    canonicalJson([shared, shared]),
    '[{"x":1},{"x":1}]',
    'a shared (acyclic) object is fine'
  );
  t.equal(canonicalJson({ toJSON: 'data' }), '{"toJSON":"data"}', 'a toJSON data field is fine');
});

t.test('canonicalJsonFast writes exactly what canonicalJson writes', async (t) => {
  fc.assert(
    fc.property(fc.jsonValue({ stringUnit: 'binary' }), (v) => {
      let want: string;
      try {
        want = canonicalJson(v);
      } catch {
        let threw = false;
        try {
          canonicalJsonFast(v);
        } catch (err) {
          threw = err instanceof TypeError;
        }
        return threw; // a lone surrogate: both refuse
      }
      return canonicalJsonFast(v) === want;
    }),
    { numRuns: 500 }
  );
  const samples: unknown[] = [
    { b: 1, a: [true, null, 'x'], c: { z: 0, y: -0 } },
    { '\u20ac': 1, '\r': 2, '1': 3, '\ud83d\ude00': 4, '\u00f6': 5 },
    [1e21, 1e-7, 0.000001, 333333333.3333333, 4.5, 2e-3, 1e23],
    '\u2028\u0007"\\',
    { a: 1, b: undefined },
    Object.assign(Object.create(null), { k: 1 }),
    { toJSON: 'data' },
    '\\ud800 is text, not a surrogate',
  ];
  // Labelled by index: a U+2028 in a TAP message would end its line.
  for (const [i, v] of samples.entries()) {
    t.equal(canonicalJsonFast(v), canonicalJson(v), `sample ${i}`);
  }
});

t.test('hasWellFormedStrings finds a lone surrogate in any string or key', async (t) => {
  t.ok(hasWellFormedStrings({ a: ['x', { b: '\ud83d\ude00' }], n: 1, z: null }));
  t.notOk(hasWellFormedStrings('\ud800'));
  t.notOk(hasWellFormedStrings({ a: [{ b: 'x\udc00' }] }));
  t.notOk(hasWellFormedStrings({ 'k\udbff': 1 }));
  fc.assert(
    fc.property(fc.jsonValue({ stringUnit: 'binary' }), (v) => {
      let canonical = true;
      try {
        canonicalJson(v);
      } catch {
        canonical = false;
      }
      return hasWellFormedStrings(v) === canonical;
    }),
    { numRuns: 300 }
  );
});

t.test('canonicalBytes is the UTF-8 of canonicalJson', async (t) => {
  const v = { name: 'Zoë', n: [1, 2] };
  t.ok(equalBytes(canonicalBytes(v), utf8Encode(canonicalJson(v))));
  t.throws(() => canonicalBytes(NaN), TypeError);
});

t.test('signingMessage prefixes the context and a newline', async (t) => {
  const msg = signingMessage('yishi/command/v1', { b: 2, a: 1 });
  t.equal(utf8Decode(msg), 'yishi/command/v1\n{"a":1,"b":2}');
});

t.test('signingMessage refuses malformed contexts', async (t) => {
  for (const bad of [
    '',
    'yishi/command',
    'yishi/Command/v1',
    'yishi/command/v',
    'other/command/v1',
    'yishi/command/v1\n',
    'yishi//v1',
    'yishi/a b/v1',
    ' yishi/command/v1',
  ]) {
    t.throws(() => signingMessage(bad, {}), TypeError, JSON.stringify(bad));
  }
  t.throws(() => signingMessage(1 as unknown as string, {}), TypeError);
  t.throws(() => signingMessage('yishi/command/v1', undefined), TypeError);
});

t.test('a signature for one context never verifies for another (domain separation)', async (t) => {
  const sk = generateSecretKey();
  const pk = getPublicKey(sk);
  const value = { meeting: 'm1', seq: 3 };
  const contexts = [
    'yishi/command/v1',
    'yishi/read/v1',
    'yishi/record/v1',
    'yishi/tally/v1',
    'yishi/webhook/v1',
    'yishi/command/v2',
  ];
  for (const signed of contexts) {
    const sig = sign(signingMessage(signed, value), sk);
    for (const checked of contexts) {
      t.equal(
        verify(sig, signingMessage(checked, value), pk),
        signed === checked,
        `${signed} -> ${checked}`
      );
    }
    t.notOk(verify(sig, canonicalBytes(value), pk), 'nor for the bare canonical bytes');
  }
});
