import type { FastifyRequest } from 'fastify';
import type { Bilingual } from './i18n.js';

/** One Ajv error as fastify hands it over (`error.validation`). */
export interface SchemaError {
  instancePath: string;
  keyword: string;
  params?: Record<string, unknown>;
  schemaPath?: string;
}

/** What is wrong with the value at `path`, in words a client can act on. */
export type Problem = 'missing' | 'unexpected' | 'type' | 'bound' | 'pattern' | 'value' | 'invalid';

/** The `details` of a VALIDATION_FAILED reply. */
export interface ValidationDetails {
  /** Which part of the request: `body`, `params`, `querystring` or `headers`. */
  location: string;
  /** JSON Pointer of the offending value; for a missing or unexpected property, of that property. */
  path: string;
  /** The JSON Schema keyword that failed (`required`, `additionalProperties`, `type`, …). */
  keyword: string;
  problem: Problem;
  /** The property that is missing or not allowed. */
  property?: string;
  /** What the schema expects there: a type, a bound, a pattern or the allowed values. */
  expected?: string;
  /** The JSON type found, for a wrong type. */
  got?: string;
}

/**
 * The rules of procedure that a request's shape already enforces, by command and payload field:
 * such a refusal carries the rule like any other (P3: an item comes with a title and at least one
 * material, each a title and a SHA-256 digest).
 */
const FIELD_RULES: Record<string, Record<string, string>> = {
  'item.submit': { '/payload/materials': 'P3', '/payload/title': 'P3' },
  'item.resubmit': { '/payload/materials': 'P3', '/payload/title': 'P3' },
};

const BOUNDS: Record<string, { en: (l: unknown) => string; zh: (l: unknown) => string }> = {
  minimum: { en: (l) => `>= ${l}`, zh: (l) => `不小于 ${l}` },
  maximum: { en: (l) => `<= ${l}`, zh: (l) => `不大于 ${l}` },
  exclusiveMinimum: { en: (l) => `> ${l}`, zh: (l) => `大于 ${l}` },
  exclusiveMaximum: { en: (l) => `< ${l}`, zh: (l) => `小于 ${l}` },
  minLength: { en: (l) => `at least ${l} characters`, zh: (l) => `至少 ${l} 个字符` },
  maxLength: { en: (l) => `at most ${l} characters`, zh: (l) => `至多 ${l} 个字符` },
  minItems: { en: (l) => `at least ${l} items`, zh: (l) => `至少 ${l} 项` },
  maxItems: { en: (l) => `at most ${l} items`, zh: (l) => `至多 ${l} 项` },
  minProperties: { en: (l) => `at least ${l} properties`, zh: (l) => `至少 ${l} 个属性` },
  maxProperties: { en: (l) => `at most ${l} properties`, zh: (l) => `至多 ${l} 个属性` },
};

const LOCATION_ZH: Record<string, string> = {
  body: '请求体',
  params: '路径参数',
  querystring: '查询参数',
  headers: '请求头',
};

const pointer = (base: string, prop: string) =>
  `${base}/${prop.replace(/~/g, '~0').replace(/\//g, '~1')}`;

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** The value at JSON Pointer `path` in `root` (own properties only), or undefined. */
function at(root: unknown, path: string): unknown {
  let v = root;
  for (const raw of path.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/**
 * The error to report among Ajv's: the first, except that a union (`anyOf`) is reported as a
 * whole, with the values its branches allow, rather than by its first branch's complaint.
 */
function pick(errors: readonly SchemaError[]): { main: SchemaError; allowed: unknown[] } {
  const first = errors[0] as SchemaError;
  const union = errors.find((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  if (union === undefined) return { main: first, allowed: [] };
  const allowed = errors
    .filter((e) => e.instancePath === union.instancePath && e.keyword === 'const')
    .map((e) => e.params?.['allowedValue']);
  return { main: union, allowed };
}

/**
 * Turns fastify's validation errors into details naming the property and what was expected, a
 * sentence in both languages saying it, and the rule of procedure when the field is one a rule
 * requires.
 */
export function describeValidation(
  errors: readonly SchemaError[],
  location: string,
  request: FastifyRequest
): { details: ValidationDetails; sentence: Bilingual; rule?: string } {
  const { main: e, allowed } = pick(errors);
  const params = e.params ?? {};
  const where = location || 'body';
  const part = (request as unknown as Record<string, unknown>)[where];
  let d: ValidationDetails;
  let en: string;
  let zh: string;
  if (e.keyword === 'required') {
    const property = String(params['missingProperty']);
    const path = pointer(e.instancePath, property);
    d = { location: where, path, keyword: e.keyword, problem: 'missing', property };
    en = `missing property "${property}"`;
    zh = `缺少必填属性 "${property}"`;
  } else if (e.keyword === 'additionalProperties') {
    const property = String(params['additionalProperty']);
    const path = pointer(e.instancePath, property);
    d = { location: where, path, keyword: e.keyword, problem: 'unexpected', property };
    en = `unexpected property "${property}" (not in the schema)`;
    zh = `不允许的属性 "${property}"（接口定义中没有）`;
  } else if (e.keyword === 'type') {
    const expected = String(params['type']);
    const got = jsonType(at(part, e.instancePath));
    d = { location: where, path: e.instancePath, keyword: e.keyword, problem: 'type', expected };
    d.got = got;
    en = `expected ${expected}, got ${got}`;
    zh = `应为 ${expected} 类型，实际为 ${got}`;
  } else if (BOUNDS[e.keyword] !== undefined) {
    const b = BOUNDS[e.keyword] as (typeof BOUNDS)[string];
    const expected = b.en(params['limit']);
    d = { location: where, path: e.instancePath, keyword: e.keyword, problem: 'bound', expected };
    en = `must be ${expected}`;
    zh = `须${b.zh(params['limit'])}`;
  } else if (e.keyword === 'pattern' || e.keyword === 'format') {
    const expected = String(params['pattern'] ?? params['format']);
    d = { location: where, path: e.instancePath, keyword: e.keyword, problem: 'pattern', expected };
    en = `must match ${expected}`;
    zh = `须符合格式 ${expected}`;
  } else if (e.keyword === 'const' || e.keyword === 'enum' || allowed.length > 0) {
    const values =
      allowed.length > 0
        ? allowed
        : e.keyword === 'const'
          ? [params['allowedValue']]
          : ((params['allowedValues'] as unknown[] | undefined) ?? []);
    const expected = values.map((v) => JSON.stringify(v)).join(' | ');
    d = { location: where, path: e.instancePath, keyword: e.keyword, problem: 'value', expected };
    en = `must be ${values.length > 1 ? 'one of ' : ''}${expected}`;
    zh = `须为 ${expected}${values.length > 1 ? ' 之一' : ''}`;
  } else {
    d = { location: where, path: e.instancePath, keyword: e.keyword, problem: 'invalid' };
    en = `does not match its schema (${e.keyword})`;
    zh = `不符合接口定义（${e.keyword}）`;
  }
  const shown = d.path === '' ? '' : ` ${d.path}`;
  const sentence = {
    en: `${where}${shown}: ${en}`,
    zh: `${LOCATION_ZH[where] ?? where}${shown}：${zh}`,
  };
  const rule = ruleOfField(where, d.path, part);
  return rule === undefined ? { details: d, sentence } : { details: d, sentence, rule };
}

/** The rule a command's field is required by, if any (see {@link FIELD_RULES}). */
function ruleOfField(location: string, path: string, body: unknown): string | undefined {
  if (location !== 'body') return undefined;
  const type = at(body, '/payload/type');
  if (typeof type !== 'string' || !Object.hasOwn(FIELD_RULES, type)) return undefined;
  const fields = FIELD_RULES[type] as Record<string, string>;
  for (const [field, rule] of Object.entries(fields)) {
    if (path === field || path.startsWith(`${field}/`)) return rule;
  }
  return undefined;
}
