/**
 * A ledger written under protocol v1 (tests/fixtures/v1, made by the demo before issue 13) still
 * verifies and audits with today's code.
 */
import t from 'tap';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { yishi } from '../helpers/cli.js';
import { tempDir } from '../helpers/ledger-fixture.js';
import { repoRoot } from '../helpers/paths.js';

const fixture = (name: string) => join(repoRoot, 'tests/fixtures/v1', name);

/** A copy of the fixture's database, so no run writes to the committed file. */
function dbCopy(t: Parameters<typeof tempDir>[0]): string {
  const path = join(tempDir(t), 'ledger.db');
  copyFileSync(fixture('ledger.db'), path);
  return path;
}

t.test('the v1 export and database verify against the log key', async (t) => {
  for (const target of [fixture('ledger.jsonl'), dbCopy(t)]) {
    const v = await yishi(
      'verify',
      target,
      '--vkey',
      fixture('log.vkey'),
      '--json',
      '--workers',
      '1'
    );
    t.equal(v.status, 0, v.stdout + v.stderr);
    const report = JSON.parse(v.stdout) as { ok: boolean; entries: number };
    t.equal(report.ok, true);
    t.equal(report.entries, 83);
  }
});

t.test('the v1 export and database audit clean', async (t) => {
  for (const target of [fixture('ledger.jsonl'), dbCopy(t)]) {
    const a = await yishi('audit', target, '--vkey', fixture('log.vkey'), '--json');
    t.equal(a.status, 0, a.stdout + a.stderr);
    const report = JSON.parse(a.stdout) as { ok: boolean };
    t.equal(report.ok, true);
  }
});
