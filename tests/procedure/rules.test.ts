// The rule index (RULES): each rule P1…P16 names the commands it decides and the refusal codes it
// can give, the codes read from the engine's error table, and the table matches the engine's code.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ACTOR_RULES,
  PRESENCE_RULES,
  REFUSAL_CODES,
  RULE_IDS,
  RULES,
  rulesOfCode,
  rulesOfCommand,
  type RefusalCode,
} from '@yishi/procedure';
import { COMMAND_TYPES } from '@yishi/schema';
import { repoRoot } from '../helpers/paths.js';

t.test('the index has every rule, in order, with both titles', async (t) => {
  t.same(Object.keys(RULES), [...RULE_IDS]);
  for (const id of RULE_IDS) {
    const r = RULES[id];
    t.equal(r.id, id);
    t.ok(r.title.en.length > 0 && r.title.zh.length > 0, `${id} has both titles`);
    t.ok(r.commands.length > 0, `${id} decides some command`);
    t.same(r.commands, Object.keys(r.checks), `${id} commands are the keys of its checks`);
    for (const c of r.commands) t.ok(r.checks[c]?.length, `${id} says what it checks in ${c}`);
  }
});

t.test(
  'every refusal code that carries a rule appears under that rule, and only there',
  async (t) => {
    for (const code of REFUSAL_CODES) {
      for (const id of RULE_IDS) {
        t.equal(
          RULES[id].refusals.includes(code),
          rulesOfCode(code).includes(id),
          `${code} under ${id}`
        );
      }
    }
    t.ok(RULES.P7.refusals.includes('CHAIR_MUST_STATE_LAST'));
    t.ok(RULES.P4.refusals.includes('QUORUM_NOT_MET'));
    t.notOk(RULES.P4.refusals.includes('UNKNOWN_ITEM'), 'a code without a rule is under none');
  }
);

t.test('every command a rule names exists in the schema’s command list', async (t) => {
  const known = new Set<string>(COMMAND_TYPES);
  for (const id of RULE_IDS) {
    for (const c of RULES[id].commands) t.ok(known.has(c), `${id}: ${c}`);
  }
  t.same(
    rulesOfCommand('vote.open').map((r) => r.id),
    ['P2', 'P4', 'P6', 'P7', 'P8', 'P9']
  );
  t.same(rulesOfCommand('body.create'), [], 'a command no rule decides');
});

t.test('the error table lists exactly the rules the engine refuses each code under', async (t) => {
  // Read the engine's sources: `refuse('CODE', 'Pn'…)`, and the helpers that pass their caller's
  // rule on to their own refusals (meetingActor, returnable).
  const dir = join(repoRoot, 'procedure/src');
  const files = [
    ...readdirSync(dir).map((f) => join(dir, f)),
    ...readdirSync(join(dir, 'commands')).map((f) => join(dir, 'commands', f)),
  ].filter((f) => f.endsWith('.ts'));
  const used = new Map<string, Set<string>>();
  const add = (code: string, rule: string) => {
    if (!used.has(code)) used.set(code, new Set());
    used.get(code)?.add(rule);
  };
  for (const f of files) {
    const src = readFileSync(f, 'utf8');
    for (const m of src.matchAll(/refuse\(\s*'([A-Z_]+)',\s*'(P\d+)'/g))
      add(m[1] as string, m[2] as string);
    for (const m of src.matchAll(/meetingActor\([^;]*?,\s*'(P\d+)'\s*\)/g)) {
      add('NOT_A_MEMBER_OF_BODY', m[1] as string);
      add('ROLE_NOT_ALLOWED', m[1] as string);
    }
    for (const m of src.matchAll(/returnable\([^;]*?,\s*'(P\d+)'\s*\)/g)) {
      add('ITEM_NOT_DEFERRED', m[1] as string);
      add('DEFERRAL_EXPIRED', m[1] as string);
    }
  }
  // …and the per-command rules of the role and presence refusals (actor-rules.ts).
  for (const rule of Object.values(ACTOR_RULES)) {
    add('ROLE_NOT_ALLOWED', rule);
    add('NOT_A_MEMBER_OF_BODY', rule);
  }
  for (const rule of Object.values(PRESENCE_RULES)) add('NOT_PRESENT', rule);
  t.ok(used.size > 50, `found the engine's refusals (${used.size} codes)`);
  for (const code of REFUSAL_CODES) {
    t.same(
      [...rulesOfCode(code)].sort(),
      [...(used.get(code) ?? [])].sort(),
      `${code}: the table's rules are the engine's`
    );
  }
  for (const code of used.keys()) {
    t.ok(REFUSAL_CODES.includes(code as RefusalCode), `${code} is in the table`);
  }
});
