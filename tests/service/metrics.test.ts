import t from 'tap';
import { signCommand } from '@yishi/sdk';
import { generateSecretKey } from '@yishi/crypto';
import { buildApp, Checkpointer, LedgerStore } from '@yishi/service/internal';
import { makeLedger } from '../helpers/ledger-fixture.js';

// Genesis only: the rules replay it (a fixture's test notes are not commands they know).
const fixture = await makeLedger(t, 0, 1);

async function appWith(metrics?: 'off' | 'local' | 'public') {
  const store = LedgerStore.open(fixture.paths.db);
  const checkpointer = new Checkpointer(store, { skey: fixture.skey });
  const app = await buildApp({
    store,
    checkpointer,
    logVkey: fixture.vkey,
    ...(metrics ? { metrics } : {}),
  });
  t.teardown(async () => {
    await app.close();
    store.close();
  });
  return app;
}

/** The value of one sample line `name{labels} value` of a Prometheus text page. */
function sample(page: string, name: string, labels = ''): number | undefined {
  const prefix = labels === '' ? `${name} ` : `${name}{${labels}} `;
  const line = page.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(prefix.length));
}

t.test('GET /metrics is scraped in Prometheus text format', async (t) => {
  const app = await appWith();
  const body = signCommand(
    { type: 'body.create', name: '度量', ledger: fixture.ledgerId },
    fixture.adminSecretKey
  );
  const created = await app.inject({ method: 'POST', url: '/bodies', payload: body });
  t.equal(created.statusCode, 201, created.body);
  const stranger = signCommand(
    { type: 'body.create', name: '陌生', ledger: fixture.ledgerId },
    generateSecretKey()
  );
  const refused = await app.inject({ method: 'POST', url: '/bodies', payload: stranger });
  t.equal(refused.statusCode, 401);
  const code = (refused.json() as { code: string }).code;
  await app.inject('/log/checkpoint');

  const res = await app.inject('/metrics');
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  const page = res.body;
  t.equal(
    sample(page, 'yishi_http_requests_total', 'method="POST",route="/bodies",status="201"'),
    1
  );
  t.equal(
    sample(page, 'yishi_http_requests_total', 'method="GET",route="/log/checkpoint",status="200"'),
    1
  );
  t.equal(sample(page, 'yishi_command_refusals_total', `code="${code}",rule=""`), 1);
  t.equal(sample(page, 'yishi_ledger_append_seconds_count'), 1, 'one append timed');
  t.equal(
    sample(page, 'yishi_ledger_commit_seconds_count'),
    1,
    'one commit (with its fsync) timed'
  );
  t.equal(sample(page, 'yishi_ledger_entries'), 2, 'genesis and the new body');
  t.equal(sample(page, 'yishi_checkpoint_size'), 1);
  const age = sample(page, 'yishi_checkpoint_age_seconds');
  t.ok(age !== undefined && age >= 0, 'the checkpoint age is reported');
  t.equal(sample(page, 'yishi_snapshot_entries'), 0, 'no snapshot yet');
  t.ok(Number.isNaN(sample(page, 'yishi_snapshot_age_seconds')), 'no snapshot: NaN');
  t.match(page, /# TYPE yishi_ledger_commit_seconds histogram/);
});

t.test('GET /metrics answers loopback clients only by default', async (t) => {
  const app = await appWith();
  const remote = await app.inject({ url: '/metrics', remoteAddress: '192.0.2.7' });
  t.equal(remote.statusCode, 404);
  t.equal((remote.json() as { code: string }).code, 'NOT_FOUND');
  const v6 = await app.inject({ url: '/metrics', remoteAddress: '::1' });
  t.equal(v6.statusCode, 200);
});

t.test('YISHI_METRICS=public serves anyone, off serves nobody', async (t) => {
  const open = await appWith('public');
  t.equal((await open.inject({ url: '/metrics', remoteAddress: '192.0.2.7' })).statusCode, 200);
  const off = await appWith('off');
  t.equal((await off.inject('/metrics')).statusCode, 404);
});

t.test('/metrics is not in the OpenAPI document', async (t) => {
  const app = await appWith();
  await app.ready();
  const doc = (app as unknown as { swagger(): { paths: Record<string, object> } }).swagger();
  t.notOk('/metrics' in doc.paths);
});
