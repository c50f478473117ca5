// Built code: run `npx tsc -b service` first (the module is internal to @yishi/service).
import t from 'tap';
import fc from 'fast-check';
import { canonicalJson } from '@yishi/crypto';
import {
  canonicalPayloadOf,
  isCanonicalText,
  type EntryShape,
} from '../../service/dist/verify/canonical-text.js';

/** canonicalJson, or undefined where it refuses the value (a lone surrogate). */
const canonicalOrNothing = (value: unknown): string | undefined => {
  try {
    return canonicalJson(value);
  } catch {
    return undefined;
  }
};

const judged = (text: string): boolean => isCanonicalText(text, JSON.parse(text));

/** JSON values with any UTF-16 strings (lone surrogates too), keys in any order. */
const anyJson = fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' });

t.test('a text judged canonical is exactly canonicalJson of what it parses to', async () => {
  fc.assert(
    fc.property(anyJson, fc.nat(3), (value, style) => {
      // The JSON.stringify text (key order as built), pretty-printed, or the canonical text.
      const texts = [JSON.stringify(value), JSON.stringify(value, null, 1)];
      const canonical = canonicalOrNothing(value);
      if (canonical !== undefined) texts.push(canonical);
      const text = texts[style % texts.length] as string;
      if (!judged(text)) return true;
      return canonicalJson(JSON.parse(text)) === text;
    }),
    { numRuns: 3000 }
  );
});

/** Whether some object key is an array index, which JavaScript enumerates before the others. */
const hasIndexKey = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  (Array.isArray(value)
    ? value.some(hasIndexKey)
    : Object.entries(value).some(([k, v]) => /^(0|[1-9][0-9]*)$/.test(k) || hasIndexKey(v)));

t.test(
  'every canonical text without index-like keys is recognised, so the fast path is taken',
  async () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4, stringUnit: 'grapheme' }), (value) => {
        const canonical = canonicalJson(value);
        return hasIndexKey(value) || judged(canonical);
      }),
      { numRuns: 2000 }
    );
  }
);

t.test(
  'a canonical text with index-like keys out of enumeration order is left to the slow path',
  async (t) => {
    const text = '{"10":1,"9":2}';
    t.equal(canonicalJson(JSON.parse(text)), text, 'canonical');
    t.equal(judged(text), false, 'not recognised: JSON.stringify writes "9" first');
  }
);

t.test('refuses texts that parse to the same value but are not its canonical form', async (t) => {
  const cases: [name: string, text: string][] = [
    ['keys out of order', '{"b":1,"a":2}'],
    ['keys out of order deep inside', '{"a":[{"y":1,"x":2}]}'],
    ['integer-like keys in numeric order', '{"9":2,"10":1}'],
    ['a duplicate key', '{"a":1,"a":1}'],
    ['whitespace', '{"a": 1}'],
    ['a newline at the end', '{"a":1}\n'],
    ['an escaped solidus', '{"a":"\\/"}'],
    ['a unicode escape JSON.stringify would not write', '{"a":"\\u0041"}'],
    ['an upper-case control escape', '{"a":"\\u001F"}'],
    ['negative zero', '{"a":-0}'],
    ['a decimal point', '{"a":1.0}'],
    ['an exponent', '{"a":1e3}'],
    ['a lone surrogate', '{"a":"\\ud800"}'],
    ['a lone low surrogate in a key', '{"\\udc00":1}'],
  ];
  for (const [name, text] of cases) {
    t.equal(judged(text), false, name);
    const canonical = canonicalOrNothing(JSON.parse(text));
    t.not(canonical, text, `${name}: indeed not canonical`);
  }
  for (const text of ['{"1":1,"a":[1,"\\u001f",{"b":null}]}', '"x"', '[]', '1e+21', 'null']) {
    t.equal(judged(text), true, text);
    t.equal(canonicalJson(JSON.parse(text)), text, `${text} is canonical`);
  }
});

t.test('never throws, even on nesting too deep to serialise', async (t) => {
  let deep: unknown = 1;
  for (let i = 0; i < 200_000; i++) deep = [deep];
  t.equal(isCanonicalText('[[1]]', deep), false);
  t.equal(isCanonicalText('{}', { a: 1n }), false, 'a BigInt JSON.stringify refuses');
});

const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
const b64 = (n: number, pad: string) =>
  fc.stringMatching(new RegExp(`^[A-Za-z0-9+/]{${n}}${pad}$`));

/** Entries in the ledger's shape with arbitrary payload and derived values. */
const entries = fc.record({
  v: fc.constant(1),
  seq: fc.nat(),
  prev: hex(64),
  time: fc.nat(),
  salt: hex(32),
  command: fc.record({
    payload: fc.dictionary(fc.string({ unit: 'binary' }), anyJson, { maxKeys: 5 }),
    publicKey: b64(43, '='),
    signature: b64(86, '=='),
  }),
  derived: anyJson,
});

t.test(
  'an entry text judged canonical is canonicalJson of the entry, and so is its payload',
  async () => {
    let taken = 0;
    fc.assert(
      fc.property(entries, fc.nat(2), (entry, style) => {
        const texts = [JSON.stringify(entry), JSON.stringify(entry, null, 1)];
        const canonical = canonicalOrNothing(entry);
        if (canonical !== undefined) texts.push(canonical);
        const text = texts[style % texts.length] as string;
        const parsed = JSON.parse(text) as EntryShape;
        const payloadJson = canonicalPayloadOf(parsed, text);
        if (payloadJson === null)
          return text !== canonical || hasIndexKey(entry) || /\\ud/.test(text);
        taken++;
        return (
          text === canonicalJson(parsed) && payloadJson === canonicalJson(parsed.command.payload)
        );
      }),
      { numRuns: 2000 }
    );
    t.ok(taken > 200, `the fast path was taken ${taken} times`);
  }
);

t.test(
  'an entry text with a lone surrogate or keys out of order is left to the slow path',
  async (t) => {
    const base = {
      command: {
        payload: { b: 1, a: 2 },
        publicKey: 'A'.repeat(43) + '=',
        signature: 'B'.repeat(86) + '==',
      },
      derived: null,
      prev: '0'.repeat(64),
      salt: '1'.repeat(32),
      seq: 3,
      time: 4,
      v: 1,
    };
    const unsorted = JSON.stringify(base);
    t.equal(canonicalPayloadOf(JSON.parse(unsorted) as EntryShape, unsorted), null, 'payload keys');
    const lone = JSON.stringify({
      ...base,
      command: { ...base.command, payload: { a: '\ud800' } },
    });
    t.match(lone, /\\ud800/);
    t.equal(canonicalPayloadOf(JSON.parse(lone) as EntryShape, lone), null, 'a lone surrogate');
    const fine = canonicalJson({ ...base, derived: { y: [1, { x: 'é' }] } });
    t.equal(canonicalPayloadOf(JSON.parse(fine) as EntryShape, fine), '{"a":2,"b":1}');
    t.equal(canonicalPayloadOf(JSON.parse(fine) as EntryShape, `${fine} `), null, 'trailing space');
  }
);
