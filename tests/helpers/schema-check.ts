/**
 * Checks values the engine or the service built against the TypeBox schemas in @yishi/schema
 * (issue 15): derived outputs per command, live items, records and minutes. A mismatch throws
 * with the paths that failed, so every test that drives the engine also checks the schemas.
 */
import { DERIVED_SCHEMAS, type CommandType } from '@yishi/schema';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';

const compiled = new Map<TSchema, ReturnType<typeof Compile>>();

/** The schema errors of `value` (path, keyword, message), empty when it matches. */
export function schemaErrors(schema: TSchema, value: unknown): string[] {
  let v = compiled.get(schema);
  if (v === undefined) {
    v = Compile(schema);
    compiled.set(schema, v);
  }
  if (v.Check(value)) return [];
  return v
    .Errors(value)
    .slice(0, 5)
    .map((e) => `${e.instancePath || '/'} ${e.keyword}: ${e.message}`);
}

/** Throws unless `value` matches `schema`; `what` names the value in the message. */
export function assertSchema(schema: TSchema, value: unknown, what: string): void {
  const errors = schemaErrors(schema, value);
  if (errors.length > 0) {
    throw new Error(
      `${what} does not match its schema: ${errors.join('; ')}\n${JSON.stringify(value)}`
    );
  }
}

/** Throws unless `derived` matches the derived schema of command type `type`. */
export function assertDerived(type: string, derived: unknown): void {
  if (!Object.hasOwn(DERIVED_SCHEMAS, type)) throw new Error(`no derived schema for ${type}`);
  assertSchema(DERIVED_SCHEMAS[type as CommandType], derived, `derived of ${type}`);
}
