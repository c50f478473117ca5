// The generated ledgers, made once and kept in bench/.cache between runs.
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PROTOCOL_VERSION } from '@yishi/schema';
import { cacheDir, note, since } from './util.js';
import {
  LedgerBuilder,
  openVotes,
  registerCommittees,
  runMeetings,
  type OpenVote,
} from './scenario.js';

/**
 * Bumped whenever the generator changes what it writes: older caches are regenerated. It names
 * the protocol too, so a ledger cached under an earlier protocol (v1: commands naming no ledger)
 * is rebuilt rather than served commands the service would refuse.
 */
const GENERATOR_VERSION = `2/protocol-${PROTOCOL_VERSION}`;

/** A ledger of meetings, with a copy of its first entries. */
export interface MeetingLedger {
  /** The data directory (ledger.db, log.key, log.vkey, admin.key). */
  dir: string;
  db: string;
  vkey: string;
  /** Namespace of the derived principal keys (bench/src/keys.ts). */
  namespace: string;
  entries: number;
  prefix: { db: string; entries: number };
  generatedIn?: number;
}

interface Meta {
  version: string;
  entries: number;
  prefixEntries: number;
  vkey: string;
  generatedIn: number;
}

function readMeta<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/**
 * A ledger of at least `entries` entries of committee meetings (200 committees of 11 voters at
 * most, three items a meeting), generated on first use; `prefixAt` entries are also copied
 * (VACUUM INTO) as they stand, to time the slow in-process verifier on part of it.
 */
export async function meetingLedger(entries: number, prefixAt: number): Promise<MeetingLedger> {
  const root = join(cacheDir, `meetings-${entries}`);
  const metaPath = join(root, 'meta.json');
  const dir = join(root, 'data');
  const prefixDb = join(root, 'prefix.db');
  const namespace = `yishi-bench/meetings-${entries}`;
  const meta = readMeta<Meta>(metaPath);
  if (meta?.version === GENERATOR_VERSION && meta.entries >= entries && existsSync(prefixDb)) {
    return {
      dir,
      db: join(dir, 'ledger.db'),
      vkey: meta.vkey,
      namespace,
      entries: meta.entries,
      prefix: { db: prefixDb, entries: meta.prefixEntries },
    };
  }
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  note(`generating a ledger of ${entries.toLocaleString()} signed commands (once; cached)`);
  const start = performance.now();
  let prefixEntries = 0;
  let reported = 0;
  const b = await LedgerBuilder.create(dir, {
    namespace,
    checkpointEvery: Math.max(1000, Math.floor(entries / 20)),
    signers: 2,
    onAppend: (size, store) => {
      if (prefixEntries === 0 && size >= prefixAt) {
        store.db.exec(`VACUUM INTO '${prefixDb.replaceAll("'", "''")}'`);
        prefixEntries = size;
      }
      if (size - reported >= 50_000) {
        reported = size;
        note(`  ${size.toLocaleString()} entries, ${Math.round(size / since(start))}/s`);
      }
    },
  });
  const committees = await registerCommittees(
    b,
    Math.min(200, Math.max(4, Math.floor(entries / 5000))),
    11,
    namespace
  );
  await runMeetings(b, committees, 3, entries);
  await b.finish();
  const written: Meta = {
    version: GENERATOR_VERSION,
    entries: b.size,
    prefixEntries,
    vkey: readFileSync(b.init.paths.logVkey, 'utf8').trim(),
    generatedIn: since(start),
  };
  writeFileSync(metaPath, JSON.stringify(written));
  note(`generated ${b.size.toLocaleString()} entries in ${written.generatedIn.toFixed(0)} s`);
  return {
    dir,
    db: join(dir, 'ledger.db'),
    vkey: written.vkey,
    namespace,
    entries: written.entries,
    prefix: { db: prefixDb, entries: prefixEntries },
    generatedIn: written.generatedIn,
  };
}

/** A ledger where many committees each have a vote open: the HTTP ingest's starting point. */
export interface VotingLedger {
  dir: string;
  namespace: string;
  /** The ledger id its genesis declares: every command for it names it (protocol v2). */
  ledgerId: string;
  /** The ledger's clock after the last entry: the server's clock starts after it. */
  lastTime: number;
  votes: { itemId: string; materialsDigest: string; voters: string[] }[];
}

/** `committees` committees of `voters` voters, each with one item at an open vote. */
export async function votingLedger(committees: number, voters: number): Promise<VotingLedger> {
  const root = join(cacheDir, `voting-${committees}x${voters}`);
  const metaPath = join(root, 'meta.json');
  const dir = join(root, 'data');
  const namespace = `yishi-bench/voting-${committees}x${voters}`;
  const meta = readMeta<VotingLedger & { version: string }>(metaPath);
  if (meta?.version === GENERATOR_VERSION && existsSync(join(dir, 'ledger.db'))) return meta;
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  note(`setting up ${committees} committees with a vote open (once; cached)`);
  const b = await LedgerBuilder.create(dir, { namespace, checkpointEvery: 10_000, signers: 2 });
  const list = await registerCommittees(b, committees, voters, namespace);
  const open: OpenVote[] = await openVotes(b, list);
  const lastTime = b.now;
  await b.finish();
  const out: VotingLedger = {
    dir,
    namespace,
    ledgerId: b.init.ledgerId,
    lastTime,
    votes: open.map((v) => ({
      itemId: v.itemId,
      materialsDigest: v.materialsDigest,
      voters: [v.committee.chair, ...v.committee.members].map((p) => p.id),
    })),
  };
  writeFileSync(metaPath, JSON.stringify({ ...out, version: GENERATOR_VERSION }));
  return out;
}
