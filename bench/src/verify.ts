// 7.4 `yishi verify` on a generated ledger, in one process and with worker threads, against
// the bare cost of its Ed25519 signatures through node:crypto measured in the same run.
import { spawn } from 'node:child_process';
import { createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { signingMessage } from '@yishi/crypto';
import { SIGNING_CONTEXTS, type LedgerEntry } from '@yishi/schema';
import { openLedgerReadOnly } from '@yishi/service';
import type { MeetingLedger } from './ledgers.js';
import { figure, skipped, type Figure } from './report.js';
import { note, repoRoot, since, type BenchOptions } from './util.js';

const verifyChild = join(repoRoot, 'bench', 'dist', 'verify-child.js');

interface VerifyRun {
  seconds: number;
  /** CPU seconds of the verifying process, all threads. */
  cpu: number;
  ok: boolean;
  entries: number;
  signatures: number;
}

/** Runs `yishi verify --json` as an auditor would; resolves when it exits (killed at `limitMs`). */
function runVerify(db: string, vkey: string, workers: number, limitMs: number): Promise<VerifyRun> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(
      process.execPath,
      [verifyChild, db, '--vkey', vkey, '--json', '--workers', String(workers)],
      { stdio: ['ignore', 'pipe', 'pipe'] }
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const seconds = since(start);
      if (signal) return reject(new Error(`killed after ${(limitMs / 1000).toFixed(0)} s`));
      try {
        const report = JSON.parse(out) as {
          ok: boolean;
          entries: number;
          signaturesVerified: number;
        };
        const cpu = JSON.parse(/@@cpu (.*)/.exec(err)?.[1] ?? '{}') as {
          user?: number;
          system?: number;
        };
        resolve({
          seconds,
          cpu: ((cpu.user ?? Number.NaN) + (cpu.system ?? Number.NaN)) / 1e6,
          ok: report.ok && code === 0,
          entries: report.entries,
          signatures: report.signaturesVerified,
        });
      } catch {
        reject(new Error(`yishi verify exited ${code}: ${err.slice(0, 300)}`));
      }
    });
  });
}

/**
 * node:crypto Ed25519 verification of the ledger's first signatures on one thread: per second of
 * wall time, and CPU microseconds per signature.
 */
function rawVerify(db: string, sample: number): { rate: number; cpuMicros: number } {
  const ledger = openLedgerReadOnly(db);
  const jobs: { sig: Buffer; msg: Uint8Array; key: KeyObject }[] = [];
  const keys = new Map<string, KeyObject>();
  try {
    for (const row of ledger.entries()) {
      const { command } = JSON.parse(row.body) as LedgerEntry;
      let key = keys.get(command.publicKey);
      if (!key) {
        const x = Buffer.from(command.publicKey, 'base64').toString('base64url');
        key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
        keys.set(command.publicKey, key);
      }
      jobs.push({
        sig: Buffer.from(command.signature, 'base64'),
        msg: signingMessage(SIGNING_CONTEXTS.command, command.payload),
        key,
      });
      if (jobs.length >= sample) break;
    }
  } finally {
    ledger.close();
  }
  const start = performance.now();
  const cpu = process.cpuUsage();
  for (const j of jobs) {
    if (!nodeVerify(null, j.msg, j.key, j.sig)) throw new Error('a ledger signature is bad');
  }
  const used = process.cpuUsage(cpu);
  return { rate: jobs.length / since(start), cpuMicros: (used.user + used.system) / jobs.length };
}

/** 7.4 */
export async function verifyBench(ledger: MeetingLedger, opts: BenchOptions): Promise<Figure[]> {
  const workers = availableParallelism();
  const size = ledger.entries.toLocaleString();
  const prefix = ledger.prefix.entries.toLocaleString();
  note(`verify: node:crypto Ed25519 alone on ${opts.quick ? '5,000' : '20,000'} signatures`);
  const raw = rawVerify(ledger.db, opts.quick ? 5000 : 20_000);
  const rows: Figure[] = [];
  const oneName = `yishi verify, 1 process (first ${prefix} entries)`;
  const parName = `yishi verify, ${workers} worker threads (${size} entries)`;
  let one: VerifyRun | undefined;
  try {
    note(`verify: 1 process on the first ${prefix} entries`);
    one = await runVerify(ledger.prefix.db, ledger.vkey, 1, opts.quick ? 30_000 : 240_000);
    if (!one.ok) throw new Error('the ledger did not verify');
    rows.push(
      figure(
        oneName,
        one.entries / one.seconds,
        'entries/s',
        'node:crypto Ed25519 verify alone, 1 thread',
        raw.rate
      ),
      figure(
        `${oneName}: CPU per entry`,
        (1e6 * one.cpu) / one.entries,
        'µs',
        'node:crypto Ed25519 verify alone, CPU per signature',
        raw.cpuMicros
      )
    );
  } catch (err) {
    rows.push(skipped(oneName, (err as Error).message));
  }
  try {
    note(`verify: ${workers} workers on all ${size} entries`);
    const par = await runVerify(ledger.db, ledger.vkey, workers, opts.quick ? 30_000 : 600_000);
    if (!par.ok || par.signatures !== ledger.entries) throw new Error('the ledger did not verify');
    const rate = par.entries / par.seconds;
    if (one) {
      rows.push(
        figure(
          parName,
          rate,
          'entries/s',
          'yishi verify, 1 process (same run)',
          one.entries / one.seconds
        ),
        figure(
          `${parName}: CPU per entry, all threads`,
          (1e6 * par.cpu) / par.entries,
          'µs',
          'yishi verify, 1 process, CPU per entry (same run)',
          (1e6 * one.cpu) / one.entries
        )
      );
    }
    rows.push(
      figure(
        `yishi verify of all ${size} entries and signatures, ${workers} workers`,
        par.seconds,
        's',
        `node:crypto Ed25519 verify alone of ${size} signatures on ${workers} idle cores (from its CPU time)`,
        (ledger.entries * raw.cpuMicros) / 1e6 / workers,
        {
          target: ledger.entries >= 1_000_000 ? '<= 60 s' : '(<= 60 s at 1M)',
          met: par.seconds * (1_000_000 / ledger.entries) <= 60,
        }
      )
    );
  } catch (err) {
    rows.push(skipped(parName, (err as Error).message, '<= 60 s at 1M'));
  }
  return rows;
}
