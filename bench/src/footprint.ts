// 7.6 the server as shipped (`yishi serve`) on the generated ledger: start-up time and memory,
// against the same server on a fresh ledger; and 7.5's /log/proof endpoint under load, against
// /health on the same server. The copy starts without service.db: its first start replays the
// whole ledger and writes a state snapshot; the second start (the target row) restores it. Its
// RSS is read after the proof and /health load and then an ingest load: the items of the
// meetings the ledger left open deliberated, voted and closed, each command signed.
import { copyFileSync, cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { MeetingLedger } from './ledgers.js';
import { itemWaves, openItems } from './meeting-load.js';
import { load, rssMb, serve, type Load } from './processes.js';
import { figure, skipped, type Figure } from './report.js';
import { note, tempFolder, type BenchOptions } from './util.js';

/**
 * Every item of the meetings `open` left open, deliberated, voted and closed (about 25 signed
 * commands an item, each wave of independent commands on 10 connections).
 */
async function ingestLoad(
  url: string,
  namespace: string,
  open: ReturnType<typeof openItems>
): Promise<Load> {
  const start = performance.now();
  let ok = 0;
  let failed = 0;
  const items = Math.max(0, ...open.meetings.map((m) => m.length));
  for (let k = 0; k < items; k++) {
    for (const wave of itemWaves(namespace, open.ledgerId, open.meetings, k)) {
      const requests = wave();
      let i = 0;
      const r = await load({
        url,
        connections: 10,
        amount: requests.length,
        method: 'POST',
        next: () => requests[i++ % requests.length] as { path: string; body: string },
      });
      ok += r.ok;
      failed += r.failed;
    }
  }
  const seconds = (performance.now() - start) / 1000;
  return { rps: ok / seconds, p50: Number.NaN, p99: Number.NaN, ok, failed };
}

export async function footprintBench(ledger: MeetingLedger, opts: BenchOptions): Promise<Figure[]> {
  const size = ledger.entries.toLocaleString();
  const at1M = ledger.entries >= 1_000_000;
  const seconds = opts.quick ? 1 : 5;
  const fresh = tempFolder('fresh');
  const work = tempFolder('serve');
  const rows: Figure[] = [];
  try {
    // The same requests the big server gets below (proofs, then /health), so both RSS figures
    // are "after start and load": V8 grows its heap under load whatever the ledger.
    const loads = async (url: string, entries: number) => {
      let i = 0;
      // Unmeasured first: both routes warm (JIT, validators compiled after listen, the pages a
      // proof reads), so neither pays the server's start-up for the other.
      for (const path of ['/log/proof/0', '/health']) {
        await load({ url, connections: 10, amount: 2000, method: 'GET', next: () => ({ path }) });
      }
      const proofs = await load({
        url,
        connections: 10,
        seconds,
        method: 'GET',
        next: () => ({ path: `/log/proof/${(i++ * 2_654_435_761) % entries}` }),
      });
      const health = await load({
        url,
        connections: 10,
        seconds,
        method: 'GET',
        next: () => ({ path: '/health' }),
      });
      return { proofs, health };
    };

    note('footprint: yishi serve on a fresh ledger (baseline)');
    const base = await serve(join(fresh.dir, 'data'), 60_000);
    const baseRssStarted = rssMb(base.child.pid as number);
    await loads(base.url, 1);
    const baseRss = Math.max(baseRssStarted, rssMb(base.child.pid as number));
    await base.stop();

    // The first entries alone (the prefix copy): how start-up grows with the ledger.
    const prefixSize = ledger.prefix.entries.toLocaleString();
    note(`footprint: yishi serve on the first ${prefixSize} entries (a copy)`);
    const prefixDir = join(work.dir, 'prefix');
    mkdirSync(prefixDir);
    for (const f of readdirSync(ledger.dir).filter((f) => /\.(key|vkey|pub)$/.test(f))) {
      copyFileSync(join(ledger.dir, f), join(prefixDir, f));
    }
    copyFileSync(ledger.prefix.db, join(prefixDir, 'ledger.db'));
    const prefixName = `server start-up with ${prefixSize} entries`;
    try {
      const small = await serve(prefixDir, opts.quick ? 40_000 : 240_000);
      rows.push(
        figure(
          prefixName,
          small.startSeconds,
          's',
          'the same server on a fresh ledger',
          base.startSeconds
        )
      );
      await small.stop();
    } catch (err) {
      rows.push(skipped(prefixName, (err as Error).message));
    }

    note(`footprint: yishi serve on the ${size}-entry ledger (a copy)`);
    cpSync(ledger.dir, join(work.dir, 'data'), { recursive: true });
    for (const f of readdirSync(join(work.dir, 'data')).filter((f) => f.startsWith('service.db'))) {
      rmSync(join(work.dir, 'data', f));
    }
    const firstName = `server first start-up with ${size} entries (no snapshot: full replay)`;
    const startName = `server start-up with ${size} entries (from the snapshot)`;
    const rssStartName = `server RSS with ${size} entries (after start)`;
    const rssName = `server RSS with ${size} entries (after the proof and ingest load)`;
    const proofName = `GET /log/proof/{index} at ${size}, 10 connections`;
    let big;
    let open: ReturnType<typeof openItems> | undefined;
    try {
      const first = await serve(join(work.dir, 'data'), opts.quick ? 40_000 : 240_000);
      rows.push(
        figure(
          firstName,
          first.startSeconds,
          's',
          'the same server on a fresh ledger',
          base.startSeconds
        )
      );
      await first.stop();
      open = openItems(join(work.dir, 'data', 'ledger.db'));
      note(`footprint: yishi serve again on the ${size}-entry ledger (restores the snapshot)`);
      big = await serve(join(work.dir, 'data'), opts.quick ? 40_000 : 240_000);
    } catch (err) {
      const why = (err as Error).message;
      return [
        ...rows,
        ...(rows.some((r) => r.name === firstName) ? [] : [skipped(firstName, why)]),
        skipped(startName, why, '<= 2 s'),
        skipped(rssStartName, why),
        skipped(rssName, why, '<= 200 MB'),
        skipped(proofName, why),
      ];
    }
    const pid = big.child.pid as number;
    const rssStarted = rssMb(pid);
    try {
      note(`footprint: /log/proof and /health, ${seconds} s each`);
      const { proofs, health } = await loads(big.url, ledger.entries);
      const rssProofs = rssMb(pid);
      const ingest = await ingestLoad(big.url, ledger.namespace, open as NonNullable<typeof open>);
      note(
        `footprint: ingest load: ${ingest.ok} commands accepted, ${ingest.failed} refused or ` +
          `failed, ${Math.round(ingest.rps)}/s`
      );
      const rss = Math.max(rssStarted, rssProofs, rssMb(pid));
      rows.push(
        figure(
          startName,
          big.startSeconds,
          's',
          'the same server on a fresh ledger',
          base.startSeconds,
          {
            target: at1M ? '<= 2 s' : '(<= 2 s at 1M)',
            met: big.startSeconds <= 2,
          }
        ),
        figure(
          rssStartName,
          rssStarted,
          'MB',
          'the same server on a fresh ledger, after start',
          baseRssStarted
        ),
        figure(
          rssName,
          rss,
          'MB',
          'the same server on a fresh ledger, after the proof load',
          baseRss,
          {
            target: at1M ? '<= 200 MB' : '(<= 200 MB at 1M)',
            met: rss <= 200,
          }
        ),
        figure(proofName, proofs.rps, 'req/s', 'GET /health on the same server', health.rps, {
          target: 'ratio >= 0.5',
          met: proofs.rps / health.rps >= 0.5,
        })
      );
      if (proofs.failed > 0) note(`footprint: ${proofs.failed} proof requests failed`);
    } finally {
      await big.stop();
    }
    return rows;
  } finally {
    fresh.remove();
    work.remove();
  }
}
