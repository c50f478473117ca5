// `yishi serve --full-replay` / YISHI_FULL_REPLAY and YISHI_SNAPSHOT_EVERY: parsed strictly, a
// wrong value refused before anything starts.
import t from 'tap';
import { loadConfig } from '@yishi/service';

t.test(
  'snapshots are used unless --full-replay or YISHI_FULL_REPLAY=1 says otherwise',
  async (t) => {
    t.equal(loadConfig({}, {}).fullReplay, false);
    t.equal(loadConfig({ 'full-replay': true }, {}).fullReplay, true);
    t.equal(loadConfig({}, { YISHI_FULL_REPLAY: '1' }).fullReplay, true);
    t.equal(loadConfig({}, { YISHI_FULL_REPLAY: '0' }).fullReplay, false);
    t.equal(loadConfig({}, { YISHI_FULL_REPLAY: '' }).fullReplay, false);
  }
);

t.test('refuses a YISHI_FULL_REPLAY that is not 0 or 1', async (t) => {
  for (const v of ['yes', 'true', '2', ' 1']) {
    t.throws(() => loadConfig({}, { YISHI_FULL_REPLAY: v }), /YISHI_FULL_REPLAY/, v);
  }
});

t.test('snapshots every 50,000 entries unless YISHI_SNAPSHOT_EVERY says otherwise', async (t) => {
  t.equal(loadConfig({}, {}).snapshotEvery, 50_000);
  t.equal(loadConfig({}, { YISHI_SNAPSHOT_EVERY: '1000' }).snapshotEvery, 1000);
  for (const v of ['0', '-5', '1e3', 'many']) {
    t.throws(() => loadConfig({}, { YISHI_SNAPSHOT_EVERY: v }), /YISHI_SNAPSHOT_EVERY/, v);
  }
});

t.test('refuses a witness policy on a shared database rather than ignoring it', async (t) => {
  const url = 'postgres://yishi@127.0.0.1:5432/yishi';
  t.throws(
    () => loadConfig({ database: url, 'witness-policy': 'policy.txt' }, {}),
    /--witness-policy is not supported with --database/
  );
  t.throws(
    () => loadConfig({}, { YISHI_DATABASE_URL: url, YISHI_WITNESS_POLICY: 'policy.txt' }),
    /--witness-policy is not supported with --database/
  );
  t.equal(loadConfig({ database: url }, {}).database, url);
  t.equal(loadConfig({ 'witness-policy': 'policy.txt' }, {}).witnessPolicy, 'policy.txt');
});

t.test('a --database that is not a PostgreSQL URL is refused without repeating it', async (t) => {
  const wrong = 'postgre://yishi:s3cret-password@127.0.0.1/yishi';
  const err = t.throws(() => loadConfig({ database: wrong }, {}), /must be a postgres:\/\//);
  t.notMatch(String(err), /s3cret-password/, 'the password is not echoed');
});
