// The log gathers witness cosignatures (C2SP tlog-witness) and publishes only quorum checkpoints.
import t from 'tap';
import { formatTlogProof } from '@yishi/crypto';
import {
  LogWatcher,
  requireQuorum,
  parsePolicy,
  verifyCheckpointPolicy,
  verifyDecision,
} from '@yishi/verify';
import { buildApp, Checkpointer, LedgerStore, WitnessCollector } from '@yishi/service/internal';
import { makeLedger } from '../../helpers/ledger-fixture.js';
import { makeTestLog } from '../../helpers/witness-fixture.js';
import { witnesses } from '../../helpers/witness-servers.js';

t.test(
  '2 of 3 witnesses, one down: the checkpoint is published with two cosignatures',
  async (t) => {
    const fixture = await makeLedger(t, 4, 1);
    const store = LedgerStore.open(fixture.paths.db);
    const checkpointer = new Checkpointer(store, { skey: fixture.skey });
    const [a, b, c] = await witnesses(t, ['w1.test/a', 'w2.test/b', 'w3.test/c'], fixture.vkey);
    await c!.close(); // down
    const policy = parsePolicy(
      `log ${fixture.vkey}\nwitness A ${a!.vkey} ${a!.url}\nwitness B ${b!.vkey} ${b!.url}/\n` +
        `witness C ${c!.vkey} ${c!.url}\ngroup two 2 A B C\nquorum two\n`
    );
    const collector = new WitnessCollector(store, policy, { timeoutMs: 2000 });
    const app = await buildApp({
      store,
      checkpointer,
      logVkey: fixture.vkey,
      witnesses: collector,
    });
    t.teardown(async () => {
      await app.close();
      store.close();
    });
    t.equal((await app.inject('/log/checkpoint')).statusCode, 503, 'nothing cosigned yet');
    await collector.collectNow();
    const res = await app.inject('/log/checkpoint');
    t.equal(res.statusCode, 200);
    const verdict = requireQuorum(res.body, policy);
    t.same(
      verdict.cosigners.map((x) => x.name),
      ['A', 'B']
    );
    t.equal(verdict.checkpoint.size, store.size);
    const proof = await app.inject('/log/proof/1');
    t.match(proof.body, /\u2014 w1\.test\/a /, 'proofs carry the cosigned checkpoint');
    // A verifier applies the policy to a decision's proof; the log's own note lacks the quorum.
    const entry = store.entry(1);
    t.equal(verifyDecision(proof.body, entry, { policy }).ok, true);
    t.equal(verifyDecision(proof.body, entry, fixture.vkey).ok, true, '--vkey alone still works');
    const bare = formatTlogProof({
      index: 1,
      proof: store.inclusionProof(1, store.size),
      checkpoint: store.latestCheckpoint()!.note,
    });
    const unmet = verifyDecision(bare, entry, { policy });
    t.equal(unmet.ok, false);
    if (!unmet.ok) t.equal(unmet.code, 'POLICY_QUORUM_UNMET');
    // A watcher with the policy accepts the published checkpoint, refuses one without quorum.
    const injectFetch = async (url: string) => {
      const r = await app.inject(url.replace('http://log.test', ''));
      return { ok: r.statusCode < 300, status: r.statusCode, text: async () => r.body };
    };
    t.equal(
      (await new LogWatcher('http://log.test', { policy }, { fetch: injectFetch }).check()).size,
      store.size
    );
    const bareFetch = async () => ({
      ok: true,
      status: 200,
      text: async () => store.latestCheckpoint()!.note,
    });
    await t.rejects(new LogWatcher('http://log.test', { policy }, { fetch: bareFetch }).check(), {
      code: 'CHECKPOINT_QUORUM_UNMET',
    });
    const health = (await app.inject('/log/witnesses')).json();
    t.equal(health.publishedSize, store.size);
    t.equal(health.witnesses[0].lastSize, store.size);
    t.type(health.witnesses[2].lastError, 'string');
    const metrics = (await app.inject('/metrics')).body;
    t.match(metrics, new RegExp(`yishi_witness_published_size ${store.size}\n`));
    t.match(metrics, new RegExp(`yishi_witness_cosigned_size\\{witness="A"\\} ${store.size}\n`));
    t.match(metrics, /yishi_witness_up\{witness="B"\} 1\n/);
    t.match(metrics, /yishi_witness_up\{witness="C"\} 0\n/);
    t.match(metrics, /yishi_witness_cosigned_timestamp_seconds\{witness="A"\} \d+/);
  }
);

t.test('2 of 2: quorum unmet keeps the previous checkpoint published', async (t) => {
  const log = makeTestLog();
  log.add(10);
  let size = 4;
  let leaves = log.leaves;
  const source = {
    latestCheckpoint: () => ({ size, note: log.checkpoint(size, leaves) }),
    consistencyProof: (m: number, n: number) => log.proof(m, n, leaves),
  };
  const [a, b] = await witnesses(t, ['w1.test/a', 'w2.test/b'], log.key.vkey);
  const policy = parsePolicy(
    `log ${log.key.vkey}\nwitness A ${a!.vkey} ${a!.url}\nwitness B ${b!.vkey} ${b!.url}\n` +
      `group both all A B\nquorum both\n`
  );
  const collector = new WitnessCollector(source, policy);
  await collector.collectNow();
  t.equal(collector.published()?.size, 4);
  const first = collector.published()!.note;
  t.equal(verifyCheckpointPolicy(first, policy).cosigners.length, 2);
  size = 9;
  await collector.collectNow();
  t.equal(collector.published()?.size, 9, 'consistent growth is cosigned from the last size');

  // A fork: the same size with another root, then a bigger forked tree: refused, not published.
  const fork = leaves.slice();
  fork[3] = new Uint8Array(32).fill(1);
  leaves = fork;
  size = 10;
  await collector.collectNow();
  t.equal(collector.published()?.size, 9, 'the forked checkpoint is never published');
  t.match(collector.health().witnesses[0]?.lastError ?? '', /HTTP 422/);
  // A rollback: the log shows an older size; nothing new is published.
  leaves = log.leaves;
  size = 5;
  await collector.collectNow();
  t.equal(collector.published()?.size, 9);

  // One witness down: quorum 2-of-2 unmet, the size-9 checkpoint stays published.
  await b!.close();
  size = 10;
  await collector.collectNow();
  t.equal(collector.published()?.size, 10 - 1);
});

t.test(
  'a witness that lost track answers 409 and the collector retries from its size',
  async (t) => {
    const log = makeTestLog();
    log.add(8);
    let size = 3;
    const source = {
      latestCheckpoint: () => ({ size, note: log.checkpoint(size) }),
      consistencyProof: (m: number, n: number) => log.proof(m, n),
    };
    const [a] = await witnesses(t, ['w1.test/a'], log.key.vkey);
    const policy = parsePolicy(`log ${log.key.vkey}\nwitness A ${a!.vkey} ${a!.url}\nquorum A\n`);
    // Another client of the same witness moved it to size 3 first.
    await new WitnessCollector(source, policy).collectNow();
    size = 7;
    const fresh = new WitnessCollector(source, policy); // starts from old 0: gets 409 "3"
    await fresh.collectNow();
    t.equal(fresh.published()?.size, 7);
    t.equal(fresh.health().witnesses[0]?.lastSize, 7);
  }
);
