/**
 * Issue 15 §1: `submit()` is typed per command. A strict client (tests/fixtures/sdk-types)
 * compiles with the TypeScript API against the built SDK: the correct client has no diagnostic,
 * and each line of the wrong one fails with the code its `// expect TSnnnn` names (a misspelt
 * field, an extra field, a missing field, a string for a time, a figure read from the wrong
 * place), and nothing else fails.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { repoRoot } from '../helpers/paths.js';

const dir = join(repoRoot, 'tests/fixtures/sdk-types');
const files = { correct: join(dir, 'correct.ts'), wrong: join(dir, 'wrong.ts') };

// One program for both files: the SDK's declarations are read and checked once.
const program = ts.createProgram(Object.values(files), {
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: false,
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  skipLibCheck: true,
  noEmit: true,
  types: [],
});

/** `line:TScode` of every diagnostic of `file`. */
function diagnostics(file: string): string[] {
  const source = program.getSourceFile(file);
  if (!source) throw new Error(`not in the program: ${file}`);
  return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]
    .map((d) => {
      const line = d.file ? d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1 : 0;
      return `${line}:TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    })
    .sort();
}

t.test('a strict client with the right fields compiles', async (t) => {
  t.same(diagnostics(files.correct), []);
});

t.test('a client with a wrong, extra or missing field fails tsc where marked', async (t) => {
  const expected = readFileSync(files.wrong, 'utf8')
    .split('\n')
    .flatMap((text, i) => {
      const m = /\/\/ expect (TS\d+)/.exec(text);
      // A marker on its own line (where prettier puts it after an opening brace) names the
      // line before it.
      const line = text.trim().startsWith('//') ? i : i + 1;
      return m ? [`${line}:${m[1]}`] : [];
    });
  t.equal(expected.length, 5, 'five marked lines');
  const got = diagnostics(files.wrong);
  t.same(
    got.map((d) => d.split(' ')[0]),
    expected.sort(),
    got.map((d) => d.slice(0, 200)).join('\n')
  );
  t.match(got.join('\n'), /'scheduledAt' does not exist.*Did you mean to write 'scheduledStart'/);
});
