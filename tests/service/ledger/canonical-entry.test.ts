import t from 'tap';
import fc from 'fast-check';
import { canonicalJson } from '@yishi/crypto';
import { canonicalEntryJson, type CanonicalEntryParts } from '@yishi/service/internal';

const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
const index = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });

/** Commands of any shape JCS can write: payloads and keys with any Unicode, odd numbers. */
const command = fc.record({
  payload: fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue({ stringUnit: 'binary' })),
  publicKey: fc.string({ unit: 'binary' }),
  signature: fc.string({ unit: 'binary' }),
});

t.test('assembles exactly canonicalJson(entry) for arbitrary commands and derived', async (t) => {
  let checked = 0;
  fc.assert(
    fc.property(
      index,
      hex(64),
      index,
      hex(32),
      command,
      fc.jsonValue({ stringUnit: 'binary' }),
      (seq, prev, time, salt, cmd, derived) => {
        const entry = { v: 1, seq, prev, time, salt, command: cmd, derived };
        const assembled = canonicalEntryJson({
          seq,
          prev,
          time,
          salt,
          commandJson: canonicalJson(cmd),
          derivedJson: canonicalJson(derived),
        });
        checked++;
        return assembled === canonicalJson(entry);
      }
    ),
    { numRuns: 500 }
  );
  t.equal(checked, 500);
});

t.test('writes the members in JCS order for a known entry', async (t) => {
  const text = canonicalEntryJson({
    seq: 7,
    prev: 'ab'.repeat(32),
    time: 1_700_000_000_000,
    salt: '0f'.repeat(16),
    commandJson: '{"payload":{"nonce":"n"},"publicKey":"k","signature":"s"}',
    derivedJson: 'null',
  });
  t.equal(
    text,
    `{"command":{"payload":{"nonce":"n"},"publicKey":"k","signature":"s"},"derived":null,` +
      `"prev":"${'ab'.repeat(32)}","salt":"${'0f'.repeat(16)}","seq":7,"time":1700000000000,"v":1}`
  );
  t.same(JSON.parse(text), {
    v: 1,
    seq: 7,
    prev: 'ab'.repeat(32),
    time: 1_700_000_000_000,
    salt: '0f'.repeat(16),
    command: { payload: { nonce: 'n' }, publicKey: 'k', signature: 's' },
    derived: null,
  });
});

t.test('refuses parts that would not make a canonical entry', async (t) => {
  const good: CanonicalEntryParts = {
    seq: 0,
    prev: '0'.repeat(64),
    time: 0,
    salt: '1'.repeat(32),
    commandJson: '{}',
    derivedJson: 'null',
  };
  t.doesNotThrow(() => canonicalEntryJson(good));
  const bad: [string, Partial<Record<keyof CanonicalEntryParts, unknown>>][] = [
    ['a negative seq', { seq: -1 }],
    ['a fractional seq', { seq: 1.5 }],
    ['a seq past 2^53', { seq: 2 ** 53 }],
    ['a string seq', { seq: '1' }],
    ['a NaN time', { time: Number.NaN }],
    ['a negative time', { time: -5 }],
    ['an uppercase prev', { prev: 'A'.repeat(64) }],
    ['a short prev', { prev: '0'.repeat(63) }],
    ['a prev with a quote', { prev: '"'.repeat(64) }],
    ['a long salt', { salt: '1'.repeat(33) }],
    ['a non-hex salt', { salt: 'g'.repeat(32) }],
    ['a missing commandJson', { commandJson: undefined }],
    ['an empty commandJson', { commandJson: '' }],
    ['a numeric derivedJson', { derivedJson: 1 }],
    ['an empty derivedJson', { derivedJson: '' }],
  ];
  for (const [what, change] of bad) {
    t.throws(
      () => canonicalEntryJson({ ...good, ...change } as CanonicalEntryParts),
      TypeError,
      what
    );
  }
});
