// `--vkey` takes the verifier key text or a file holding it; anything else (a mistyped path, a
// file without a key) is a usage error naming the value, never reported as a forged log.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { yishi } from '../helpers/cli.js';
import { makeLedger } from '../helpers/ledger-fixture.js';

t.test('a --vkey that is neither a key nor a readable file is a usage error', async (t) => {
  const fixture = await makeLedger(t, 3, 1);
  const notKey = join(fixture.paths.dir, 'notes.txt');
  writeFileSync(notKey, 'hello\n');
  const cases: [string, RegExp][] = [
    [`${fixture.paths.logVkey}x`, /no such file, and not a verifier key/],
    [notKey, /holds no verifier key/],
    [fixture.paths.dir, /not a file/],
    ['yishi.local/typo+0000', /no such file, and not a verifier key/],
  ];
  for (const verb of ['verify', 'audit']) {
    for (const [value, why] of cases) {
      const r = await yishi(verb, fixture.paths.db, '--vkey', value);
      t.equal(r.status, 2, `${verb} --vkey ${value}`);
      t.match(r.stderr, new RegExp(`^yishi ${verb}: --vkey `));
      t.match(r.stderr, why);
      t.notMatch(r.stderr, /LOG_KEY_MISMATCH/);
    }
  }
});

t.test('the key text and a file holding it are both accepted', async (t) => {
  const fixture = await makeLedger(t, 0, 1); // the genesis only: every entry replays
  for (const verb of ['verify', 'audit']) {
    for (const value of [fixture.vkey, fixture.paths.logVkey, ` ${fixture.vkey}\n`]) {
      const r = await yishi(verb, fixture.paths.db, '--vkey', value);
      t.equal(r.status, 0, `${verb}: ${r.stderr}`);
    }
  }
});
