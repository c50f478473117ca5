/**
 * fast-check arbitraries generated from the JSON Schemas of `schema/openapi.json` (the keywords
 * the TypeBox models use: type, $ref, anyOf, enum, properties, required, additionalProperties,
 * minimum, maximum, minLength, maxLength, pattern, items, minItems, maxItems), and the ways a
 * hostile client breaks them: wrong types, boundaries, missing and extra keys, prototype keys,
 * huge and deeply nested values, Unicode edge cases.
 */
import fc from 'fast-check';

/** A JSON Schema as the OpenAPI document holds it. */
export type Schema = Record<string, unknown>;

/** Resolves `#/components/schemas/X` references against an OpenAPI document. */
export function resolver(doc: { components: { schemas: Record<string, Schema> } }) {
  return (schema: Schema): Schema => {
    let s = schema;
    for (let i = 0; i < 20 && typeof s['$ref'] === 'string'; i++) {
      const name = (s['$ref'] as string).replace('#/components/schemas/', '');
      const next = doc.components.schemas[name];
      if (!next) throw new Error(`unresolved ${String(s['$ref'])}`);
      s = next;
    }
    return s;
  };
}

/** Strings that have broken parsers, validators, canonicalisers and terminals before. */
export const UNICODE_EDGES: readonly string[] = [
  '\ud800', // a lone high surrogate: no canonical JSON form
  'x\udfffy', // a lone low surrogate
  '\ufeff', // byte order mark
  '\u0000', // NUL
  '\u202e\u202d', // bidi overrides
  'e\u0301', // a combining mark (NFD)
  '\u00e9', // the same, NFC
  '\ufffe\uffff', // non-characters
  '👩‍👩‍👧‍👦', // a ZWJ sequence
  '\u{10ffff}', // the last code point
  '\u2028\u2029', // line and paragraph separators
  'Ａｄｍｉｎ', // full-width
  '../../etc/passwd',
  '%00%2e%2e',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '\\u0000',
  '𝕪𝕚𝕤𝕙𝕚',
];

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function integerArb(min: number, max: number): fc.Arbitrary<number> {
  if (min >= -(2 ** 31) && max <= 2 ** 31 - 1) return fc.integer({ min, max });
  return fc.oneof(
    fc.constantFrom(min, max),
    fc.integer({ min: Math.max(min, 0), max: Math.min(max, 2 ** 31 - 1) }),
    fc
      .double({ min, max, noNaN: true, noDefaultInfinity: true })
      .map((x) => Math.min(max, Math.max(min, Math.trunc(x))))
  );
}

/** Values valid under `schema` (bounded in size, so requests stay under the body limit). */
export function validArb(
  schema: Schema,
  resolve: (s: Schema) => Schema,
  depth = 0
): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  if (Array.isArray(s['anyOf'])) {
    return fc.oneof(...(s['anyOf'] as Schema[]).map((x) => validArb(x, resolve, depth + 1)));
  }
  if (Array.isArray(s['enum'])) return fc.constantFrom(...(s['enum'] as unknown[]));
  if ('const' in s) return fc.constant(s['const']);
  switch (s['type']) {
    case 'string': {
      const min = (s['minLength'] as number | undefined) ?? 0;
      const max = Math.min((s['maxLength'] as number | undefined) ?? 40, 40);
      if (typeof s['pattern'] === 'string') {
        return fc
          .stringMatching(new RegExp(s['pattern'] as string))
          .filter((x) => x.length >= min && x.length <= ((s['maxLength'] as number) ?? Infinity));
      }
      return fc.oneof(
        {
          weight: 4,
          arbitrary: fc.string({
            minLength: Math.max(min, 1),
            maxLength: Math.max(max, min, 1),
            unit: 'grapheme',
          }),
        },
        { weight: 1, arbitrary: fc.constant('x'.repeat(Math.max(min, 1))) }
      );
    }
    case 'integer': {
      const min = (s['minimum'] as number | undefined) ?? -MAX_SAFE;
      const max = (s['maximum'] as number | undefined) ?? MAX_SAFE;
      return integerArb(min, max);
    }
    case 'number':
      return fc.double({
        min: (s['minimum'] as number | undefined) ?? -1e9,
        max: (s['maximum'] as number | undefined) ?? 1e9,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const items = (s['items'] as Schema | undefined) ?? {};
      const minLength = (s['minItems'] as number | undefined) ?? 0;
      const maxLength = Math.min(
        (s['maxItems'] as number | undefined) ?? 4,
        Math.max(minLength, 4)
      );
      return fc.array(validArb(items, resolve, depth + 1), { minLength, maxLength });
    }
    case 'object': {
      const props = (s['properties'] as Record<string, Schema> | undefined) ?? {};
      const required = (s['required'] as string[] | undefined) ?? [];
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(props)) model[k] = validArb(v, resolve, depth + 1);
      return fc.record(model, { requiredKeys: required.filter((k) => k in props) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** A JSON value of a type other than `type`. */
function otherType(type: unknown): fc.Arbitrary<unknown> {
  const all: [string, fc.Arbitrary<unknown>][] = [
    ['string', fc.constantFrom('1', '', 'true', 'null')],
    ['integer', fc.constantFrom(0, 1, -1, 2 ** 53)],
    ['number', fc.constantFrom(1.5, -0.5, 1e308)],
    ['boolean', fc.boolean()],
    ['null', fc.constant(null)],
    ['array', fc.constantFrom([], [1], [[]])],
    ['object', fc.constantFrom({}, { a: 1 })],
  ];
  return fc.oneof(
    ...all.filter(([t]) => t !== type && !(type === 'number' && t === 'integer')).map(([, a]) => a)
  );
}

/** A value just outside what `schema` allows (or a wrong type when it has no bounds). */
function boundaryArb(schema: Schema, resolve: (s: Schema) => Schema): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  const options: fc.Arbitrary<unknown>[] = [otherType(s['type'])];
  if (typeof s['maxLength'] === 'number') options.push(fc.constant('x'.repeat(s['maxLength'] + 1)));
  if (typeof s['minLength'] === 'number' && s['minLength'] > 0) {
    options.push(fc.constant('x'.repeat(s['minLength'] - 1)));
  }
  if (typeof s['minimum'] === 'number')
    options.push(fc.constantFrom(s['minimum'] - 1, s['minimum'] - 0.5));
  if (typeof s['maximum'] === 'number') options.push(fc.constantFrom(s['maximum'] + 1, 2 ** 64));
  if (typeof s['pattern'] === 'string') options.push(fc.constantFrom(...UNICODE_EDGES));
  if (Array.isArray(s['enum']))
    options.push(fc.constantFrom('', 'UNKNOWN', ...UNICODE_EDGES.slice(0, 3)));
  if (typeof s['maxItems'] === 'number')
    options.push(fc.constant(Array(s['maxItems'] + 1).fill(1)));
  return fc.oneof(...options);
}

/** One way of breaking a valid value. */
export type Mutation =
  | { kind: 'none' }
  | { kind: 'wrong-type-or-boundary'; at: number; value: unknown }
  | { kind: 'drop-key'; at: number }
  | { kind: 'extra-key'; at: number; key: string; value: unknown }
  | { kind: 'unicode'; at: number; value: string }
  | { kind: 'huge-string'; at: number; length: number }
  | { kind: 'deep-nesting'; at: number; depth: number };

/** Keys that poison prototypes, and others no schema allows. */
const EXTRA_KEYS = ['__proto__', 'constructor', 'prototype', 'toJSON', 'hasOwnProperty', '', 'x'];

/** The object and array nodes of a JSON value, depth first, with their schema. */
export function nodesOf(
  value: unknown,
  schema: Schema,
  resolve: (s: Schema) => Schema
): { node: Record<string, unknown> | unknown[]; key: string | number; schema: Schema }[] {
  const out: { node: Record<string, unknown> | unknown[]; key: string | number; schema: Schema }[] =
    [];
  const walk = (v: unknown, s: Schema) => {
    const r = resolve(s);
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        const items = (r['items'] as Schema | undefined) ?? {};
        out.push({ node: v, key: i, schema: items });
        walk(x, items);
      });
    } else if (typeof v === 'object' && v !== null) {
      const props = (r['properties'] as Record<string, Schema> | undefined) ?? {};
      for (const [k, x] of Object.entries(v)) {
        const ps = props[k] ?? {};
        out.push({ node: v as Record<string, unknown>, key: k, schema: ps });
        walk(x, ps);
      }
    }
  };
  walk(value, schema);
  return out;
}

/** Mutations of a value under `schema`; `at` picks a node (modulo their number). */
export function mutationArb(
  schema: Schema,
  resolve: (s: Schema) => Schema
): fc.Arbitrary<Mutation> {
  const at = fc.nat();
  return fc.oneof(
    { weight: 8, arbitrary: fc.constant({ kind: 'none' as const }) },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('wrong-type-or-boundary' as const),
        at,
        value: fc.oneof(
          otherType(undefined),
          boundaryArb(schema, resolve),
          fc.constantFrom(...UNICODE_EDGES)
        ),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('drop-key' as const), at }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('extra-key' as const),
        at,
        key: fc.oneof(fc.constantFrom(...EXTRA_KEYS), fc.constantFrom(...UNICODE_EDGES)),
        value: fc.oneof(
          fc.constantFrom({ polluted: true }, { prototype: { polluted: true } }),
          fc.jsonValue({ maxDepth: 1 })
        ),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('unicode' as const),
        at,
        value: fc.constantFrom(...UNICODE_EDGES),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('huge-string' as const),
        at,
        length: fc.constantFrom(4000, 4001, 15_000, 200_000),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('deep-nesting' as const),
        at,
        depth: fc.constantFrom(64, 1000, 5000),
      }),
    }
  );
}

/** A marker replaced by raw nested JSON text after serialisation (JSON.stringify would recurse). */
const NEST = '\u0000NEST:';

/**
 * Applies a mutation to a deep copy of `value` (built so `__proto__` becomes an own key). Deep
 * nesting is left as a marker that {@link serialize} expands into raw JSON text.
 */
export function applyMutation(
  value: unknown,
  schema: Schema,
  resolve: (s: Schema) => Schema,
  m: Mutation
): unknown {
  const copy = JSON.parse(JSON.stringify(value)) as unknown;
  const nodes = nodesOf(copy, schema, resolve);
  const pick = nodes.length > 0 && m.kind !== 'none' ? nodes[m.at % nodes.length] : undefined;
  if (!pick) return copy;
  const { node, key } = pick;
  const set = (v: unknown) => {
    (node as Record<string | number, unknown>)[key] = v;
  };
  switch (m.kind) {
    case 'wrong-type-or-boundary':
      set(m.value);
      break;
    case 'drop-key':
      if (Array.isArray(node)) node.splice(key as number, 1);
      else delete node[key as string];
      break;
    case 'extra-key':
      if (Array.isArray(node)) {
        set(JSON.parse(`{${JSON.stringify(m.key)}:${JSON.stringify(m.value)}}`));
      } else {
        Object.defineProperty(node, m.key, {
          value: m.value,
          enumerable: true,
          configurable: true,
          writable: true,
        });
      }
      break;
    case 'unicode': {
      const old = (node as Record<string | number, unknown>)[key];
      set(typeof old === 'string' ? `${old}${m.value}` : m.value);
      break;
    }
    case 'huge-string':
      set('长'.repeat(m.length));
      break;
    case 'deep-nesting':
      set(`${NEST}${m.depth}`);
      break;
  }
  return copy;
}

/** The request body text of a (mutated) value. */
export function serialize(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0000NEST:([0-9]+)"/g, (_m, d: string) => {
    const n = Number(d);
    return `${'{"a":['.repeat(n)}1${']}'.repeat(n)}`;
  });
}
