// 7.1 signed-vote ingest over HTTP: many members of many committees cast their votes, signed in
// advance, through POST /items/{itemId}/votes (validation, signature, rules, durable group
// commit), against a bare fastify POST route given the same bodies in the same run.
import { cpSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { nonce, Principal } from './keys.js';
import { votingLedger } from './ledgers.js';
import { metered, type Spent } from './cpu-meter.js';
import { forkServer, load, type Load, type Served } from './processes.js';
import { formatHotspots, profileFromDir } from './profile.js';
import { figure, skipped, type Figure } from './report.js';
import { note, tempFolder, type BenchOptions } from './util.js';

const CONNECTIONS = 50;

/** A signed vote as the load sends it: its route and its JSON body. */
export interface Vote {
  path: string;
  body: string;
}

/** Every voter's vote on its committee's open item, signed for the server's clock at `ts`. */
export function signVotes(ledger: Awaited<ReturnType<typeof votingLedger>>, ts: number): Vote[] {
  const out: Vote[] = [];
  for (const v of ledger.votes) {
    v.voters.forEach((id, i) => {
      const p = Principal.derive(ledger.namespace, id);
      const command = p.command({
        ledger: ledger.ledgerId,
        type: 'vote.cast',
        itemId: v.itemId,
        materialsDigest: v.materialsDigest,
        choice: i % 7 === 3 ? 'against' : 'for',
        ts,
        nonce: nonce(),
      });
      out.push({ path: `/items/${v.itemId}/votes`, body: JSON.stringify(command) });
    });
  }
  // Interleave the committees, as concurrent meetings would.
  return out.sort((a, b) => (a.body < b.body ? -1 : 1));
}

/**
 * A warm-up with the first votes (not measured: connections, JIT), then the measured run with
 * the rest: each vote once (the service accepts each member's vote once).
 */
async function measure(server: Served, votes: Vote[]): Promise<Measured> {
  const { url } = server;
  const warm = Math.max(100, Math.floor(votes.length / 20));
  let i = 0;
  const next = () => votes[i++] as Vote;
  await load({ url, connections: 10, amount: warm, method: 'POST', next });
  const { result, spent } = await metered(server.child, () =>
    load({ url, connections: CONNECTIONS, amount: votes.length - warm, method: 'POST', next })
  );
  return { ...result, spent };
}

/** A load run and what the server spent on it. */
type Measured = Load & { spent: Spent };

/** Server CPU microseconds per answered request. */
const cpuPerRequest = (m: Measured): number =>
  (1000 * m.spent.cpuMs) / Math.max(1, m.ok + m.failed);

/** The service on a copy of the voting ledger; with `profileOut`, profiled during the load. */
async function runYishi(
  ledger: Awaited<ReturnType<typeof votingLedger>>,
  profileOut?: string
): Promise<Measured> {
  const tmp = tempFolder('ingest');
  try {
    cpSync(ledger.dir, join(tmp.dir, 'data'), { recursive: true });
    const base = ledger.lastTime + 60_000;
    const votes = signVotes(ledger, base + 30_000);
    const args = [join(tmp.dir, 'data'), String(base), ...(profileOut ? [profileOut] : [])];
    const server = await forkServer('ingest-server', args);
    try {
      if (profileOut) {
        server.child.send('profile');
        await once(server.child, 'message');
      }
      return await measure(server, votes);
    } finally {
      await server.stop();
    }
  } finally {
    tmp.remove();
  }
}

/** The bare route takes any body any number of times: warmed up, then loaded for `seconds`. */
async function runBare(votes: Vote[], seconds: number): Promise<Measured> {
  const server = await forkServer('bare-server', []);
  try {
    let i = 0;
    const next = () => votes[i++ % votes.length] as Vote;
    await load({ url: server.url, connections: 10, amount: 500, method: 'POST', next });
    const { result, spent } = await metered(server.child, () =>
      load({ url: server.url, connections: CONNECTIONS, seconds, method: 'POST', next })
    );
    return { ...result, spent };
  } finally {
    await server.stop();
  }
}

/** 7.1 */
export async function ingestBench(
  opts: BenchOptions
): Promise<{ rows: Figure[]; notes: string[] }> {
  const committees = opts.quick ? 150 : 400;
  const voters = opts.quick ? 15 : 25;
  const name = `HTTP ingest of signed votes, ${CONNECTIONS} connections (durable)`;
  const notes: string[] = [];
  try {
    const ledger = await votingLedger(committees, voters);
    const count = ledger.votes.length * voters;
    note(
      `ingest: ${count.toLocaleString()} pre-signed votes by ${committees} committees, bare fastify first`
    );
    const bare = await runBare(signVotes(ledger, 0), opts.quick ? 3 : 8);
    note('ingest: the yishi service');
    const yishi = await runYishi(ledger);
    if (yishi.failed > 0) notes.push(`ingest: ${yishi.failed} of ${count} votes were not accepted`);
    const rows = [
      figure(name, yishi.rps, 'req/s', 'bare fastify POST route, same bodies', bare.rps, {
        target: 'ratio >= 0.25',
        met: yishi.rps / bare.rps >= 0.25,
      }),
      figure('HTTP ingest latency, p50', yishi.p50, 'ms', 'bare fastify POST route, p50', bare.p50),
      figure(
        'HTTP ingest latency, p99',
        yishi.p99,
        'ms',
        'bare fastify POST route, p99',
        bare.p99,
        {
          target: '<= 50 ms',
          met: yishi.p99 <= 50,
        }
      ),
      figure(
        'HTTP ingest, server CPU per vote (all threads)',
        cpuPerRequest(yishi),
        'µs',
        'bare fastify POST route, server CPU per request',
        cpuPerRequest(bare),
        { target: '<= 250 µs', met: cpuPerRequest(yishi) <= 250 }
      ),
      figure(
        'HTTP ingest, server event loop blocked, longest',
        yishi.spent.loopDelayMax,
        'ms',
        'bare fastify POST route, longest block',
        bare.spent.loopDelayMax
      ),
      figure(
        'HTTP ingest, server event loop busy',
        100 * yishi.spent.eventLoop,
        '%',
        'bare fastify POST route, event loop busy',
        100 * bare.spent.eventLoop
      ),
    ];
    if (!opts.quick || opts.profile) {
      note('ingest: profiling the server during a second run');
      const prof = tempFolder('prof');
      try {
        await runYishi(ledger, join(prof.dir, 'ingest.cpuprofile'));
        const hot = profileFromDir(prof.dir);
        // BENCH_KEEP_PROFILE=FILE keeps the raw profile (for Chrome DevTools or a closer look).
        const keep = process.env['BENCH_KEEP_PROFILE'];
        if (keep) cpSync(join(prof.dir, 'ingest.cpuprofile'), keep);
        notes.push(formatHotspots('profile of the yishi server during ingest (self time):', hot));
      } finally {
        prof.remove();
      }
    }
    return { rows, notes };
  } catch (err) {
    return { rows: [skipped(name, (err as Error).message, 'ratio >= 0.25, p99 <= 50 ms')], notes };
  }
}
