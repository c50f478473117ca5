// Webhooks of several instances on one PostgreSQL database (issue 18 §3): a webhook registered
// through one instance is delivered by whichever instance claims each (webhook, report) delivery,
// exactly once; a claim whose holder died mid-delivery is taken over once it times out.
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { generateSecretKey, getPublicKey, base64Encode, parseSecretKey } from '@yishi/crypto';
import { signCommand } from '@yishi/sdk';
import { buildApp, type AppOptions } from '../../service/src/app.js';
import { dataPaths, initDataDir } from '../../service/src/storage/data-dir.js';
import { openSharedLedger } from '../../service/src/storage/postgres/open-shared.js';
import type { Transport, TransportResult } from '../../service/src/webhooks/transport.js';
import { tempDir } from '../helpers/ledger-fixture.js';
import { freshDatabase, needsPostgres } from '../helpers/postgres.js';
import { urlOf } from './helpers/service-world.js';

const LOOPBACK = '127.0.0.1/32';
const CLAIM_MS = 400;
const HOUR = 3_600_000;
const quiet = { info() {}, warn() {}, error() {} };

async function until(cond: () => boolean, what: string, ms = 15_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('webhooks on a shared database', needsPostgres(), async (t) => {
  const url = await freshDatabase(t);
  const dir = tempDir(t, 'yishi-pg-wh-');
  const dirs = ['a', 'b', 'c'].map((n) => join(dir, n));
  const init = await initDataDir(dirs[0] as string, { database: url });
  for (const d of dirs.slice(1)) {
    mkdirSync(d, { mode: 0o700 });
    for (const f of ['log.key', 'log.vkey', 'published-checkpoint']) {
      if (existsSync(join(dirs[0] as string, f)))
        copyFileSync(join(dirs[0] as string, f), join(d, f));
    }
  }
  const keys: Record<string, Uint8Array> = {
    admin: parseSecretKey(readFileSync(init.paths.adminKey, 'utf8').trim()).secretKey,
    m3: generateSecretKey(),
  };

  // A receiver on 127.0.0.1: every delivery it got, by delivery id.
  const received: string[] = [];
  const server = createServer((req, res) => {
    const id = String(req.headers['yishi-delivery']);
    req.resume();
    req.on('end', () => {
      received.push(id);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

  interface Instance {
    app: Awaited<ReturnType<typeof buildApp>>;
    close(): Promise<void>;
  }
  const open: Instance[] = [];
  async function instance(d: string, webhooks: AppOptions['webhooks'] = {}): Promise<Instance> {
    const opened = await openSharedLedger({
      database: url,
      paths: dataPaths(d),
      checkpointIntervalMs: 60_000,
      log: quiet,
    });
    const app = await buildApp({
      store: opened.mirror,
      shared: opened.shared,
      checkpointer: opened.checkpointer,
      logVkey: opened.logVkey,
      logSkey: opened.skey,
      serviceDb: join(d, 'service.db'),
      webhooks: {
        allow: LOOPBACK,
        claimTimeoutMs: CLAIM_MS,
        syncMs: 50,
        baseDelayMs: 50,
        ...webhooks,
      },
    });
    let closed = false;
    const i: Instance = {
      app,
      async close() {
        if (closed) return;
        closed = true;
        await app.close();
        await opened.close();
      },
    };
    open.push(i);
    return i;
  }
  t.teardown(async () => {
    for (const i of open.reverse()) await i.close();
  });

  const send = async (i: Instance, signer: string, payload: Record<string, unknown>) => {
    const command = signCommand(
      { ledger: init.ledgerId, ...payload } as never,
      keys[signer] as Uint8Array,
      Date.now
    );
    const res = await i.app.inject({
      method: 'POST',
      url: payload['type'] === 'webhook.register' ? '/webhooks' : urlOf(command.payload as never),
      payload: command,
    });
    if (res.statusCode !== 201) throw new Error(`${String(payload['type'])}: ${res.body}`);
    return res.json();
  };
  const interfere = async (i: Instance, n: number) =>
    (
      await send(i, 'm3', {
        type: 'interference.record',
        bodyId,
        who: { name: `某领导${n}`, post: '副市长', relation: 'leader' },
        matter: { category: 'procurement', text: '要求指定供应商' },
        form: 'request',
        occurredAt: Date.now() - HOUR,
      })
    ).derived.reports[0].reportId as string;

  const a = await instance(dirs[0] as string);
  const b = await instance(dirs[1] as string);
  const bodyId = (await send(a, 'admin', { type: 'body.create', name: '某市委常委会' })).derived
    .bodyId as string;
  await send(b, 'admin', {
    type: 'principal.register',
    principalId: 'm3',
    name: 'name of m3',
    publicKey: base64Encode(getPublicKey(keys['m3'] as Uint8Array)),
    role: 'member',
    bodyId,
  });

  t.test('each event reaches the receiver once, whichever instance took it', async (t) => {
    const reg = await send(a, 'admin', { type: 'webhook.register', url: hookUrl });
    t.match(reg, { webhookId: 'wh-1', url: hookUrl, active: true });
    await until(() => b.app.webhooks.list().length === 1, 'the other instance to see it');
    t.match(b.app.webhooks.list(), [{ webhookId: 'wh-1', url: hookUrl, active: true }]);

    const reports: string[] = [];
    const n = 8;
    const sent = await Promise.all(
      Array.from({ length: n }, (_, k) => interfere(k % 2 === 0 ? a : b, k))
    );
    reports.push(...sent);
    await a.app.pipeline.caughtUp();
    await b.app.pipeline.caughtUp();
    await until(() => new Set(received).size === n, `${n} deliveries`);
    // Long enough for a second delivery of any of them (claims would have expired).
    await sleep(3 * CLAIM_MS);
    t.equal(received.length, n, 'no event twice');
    t.same(new Set(received), new Set(reports.map((r) => `wh-1/${r}`)), 'every event');
    const attempts = [a, b].map((i) => i.app.webhooks.attempts(1).length);
    t.equal(attempts[0]! + attempts[1]!, n, 'one attempt in all for each event');
    t.comment(`attempts by instance: ${attempts.join(', ')}`);
  });

  t.test('a claim whose holder died is taken over once it times out', async (t) => {
    // An instance whose attempt never returns: it holds the claim and is gone.
    const attempts: Array<(r: TransportResult) => void> = [];
    const hanging: Transport = () => new Promise((resolve) => attempts.push(resolve));
    const dying = await instance(dirs[2] as string, { transport: hanging });
    await until(() => dying.app.webhooks.list().length === 1, 'the new instance to see it');
    await a.close();
    const before = received.length;
    const reportId = await interfere(dying, 99);
    await until(() => attempts.length === 1, 'the dying instance to attempt');
    const claimedAt = Date.now();
    await b.app.pipeline.caughtUp();
    await until(() => received.length > before, 'the other instance to deliver');
    t.ok(Date.now() - claimedAt >= CLAIM_MS / 2, 'only after the claim timed out');
    await sleep(3 * CLAIM_MS);
    t.same(received.slice(before), [`wh-1/${reportId}`], 'delivered once, by the other');
    for (const r of attempts) r({ failure: 'connection_failed' });
    await dying.close();
  });
});
