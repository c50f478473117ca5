/**
 * Issue 15 §1: the derived schemas in @yishi/schema describe what the engine wrote, including on
 * ledgers already in use. Every entry of the protocol-v1 fixture (written by an older service,
 * never regenerated) has a derived value its command's schema accepts, and every command type
 * has exactly one schema. (The engine's own tests check each value they produce: see
 * helpers/world.ts.)
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMAND_TYPES, DERIVED_SCHEMAS } from '@yishi/schema';
import { schemaErrors } from '../helpers/schema-check.js';
import { repoRoot } from '../helpers/paths.js';

t.test('every command type has one derived schema, and no other type has one', async (t) => {
  t.same(Object.keys(DERIVED_SCHEMAS).sort(), [...COMMAND_TYPES].sort());
});

t.test('every derived value of the v1 fixture ledger matches its schema', async (t) => {
  const lines = readFileSync(join(repoRoot, 'tests/fixtures/v1/ledger.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{"entry":'));
  const seen = new Set<string>();
  for (const line of lines) {
    const { entry } = JSON.parse(line) as {
      entry: {
        seq: number;
        command: { payload: { type: keyof typeof DERIVED_SCHEMAS } };
        derived: unknown;
      };
    };
    const type = entry.command.payload.type;
    seen.add(type);
    t.same(schemaErrors(DERIVED_SCHEMAS[type], entry.derived), [], `#${entry.seq} ${type}`);
  }
  t.equal(lines.length, 83);
  t.ok(seen.size >= 15, `${seen.size} command types`);
});
