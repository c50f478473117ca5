/**
 * What must hold of a ledger database after any crash: every acknowledged command is on it, as
 * acknowledged; no entry is half-written (every row parses, chains, is signed, and the tables
 * agree with each other); every checkpoint verifies under the log key; and every checkpoint ever
 * seen (stored, served over HTTP, or signed and never stored) is consistent with the tree now.
 */
import {
  bytesToHex,
  canonicalJson,
  equalBytes,
  openCheckpoint,
  parseNoteVerifier,
} from '@yishi/crypto';
import type { SignedCommand } from '@yishi/schema';
import { LedgerVerifier, type LedgerReport } from '@yishi/sdk';
import { fastVerify, feedLedgerDatabase, LedgerStore } from '@yishi/service/internal';

/** A command the service answered 2xx, and what it answered. */
export interface Acknowledged {
  seq: number;
  leafHash: string;
  command: SignedCommand;
}

/** What {@link checkLedger} found. */
export interface LedgerFindings {
  size: number;
  checkpointSizes: number[];
  /** Acknowledged commands missing, or different, on the ledger. */
  lost: Acknowledged[];
  /** Every invariant that did not hold, in words. */
  problems: string[];
  report: LedgerReport | undefined;
}

/** Notes already opened, by vkey and note text: a note's signature is checked once per run. */
const opened = new Map<string, { size: number; root: Uint8Array }>();

/** The size and root a signed checkpoint note commits to, after checking its signature. */
export function openNoteUnder(vkey: string, note: string): { size: number; root: Uint8Array } {
  const id = `${vkey}\n${note}`;
  const known = opened.get(id);
  if (known) return known;
  const verifier = parseNoteVerifier(vkey);
  const { checkpoint } = openCheckpoint(note, [verifier], verifier.name);
  const result = { size: checkpoint.size, root: checkpoint.rootHash };
  opened.set(id, result);
  return result;
}

/** Runs the reference verifier (what `yishi verify` and `yishi audit` run) over a database. */
export function verifyDatabase(dbPath: string, vkey: string): LedgerReport {
  const verifier = new LedgerVerifier({ vkey, verifySignature: fastVerify });
  feedLedgerDatabase(dbPath, verifier);
  return verifier.finish();
}

/**
 * Opens the ledger as the service would after a crash (WAL recovery included), checks every
 * invariant, closes it, then runs the offline verifier on the file.
 * `seenNotes`: every checkpoint note observed so far (from earlier rounds, HTTP, fault hooks).
 */
export function checkLedger(
  dbPath: string,
  vkey: string,
  acknowledged: Iterable<Acknowledged>,
  seenNotes: Iterable<string> = []
): LedgerFindings {
  const problems: string[] = [];
  const lost: Acknowledged[] = [];
  let size = 0;
  let checkpointSizes: number[] = [];
  let store: LedgerStore;
  try {
    store = LedgerStore.open(dbPath);
  } catch (err) {
    return {
      size,
      checkpointSizes,
      lost: [...acknowledged],
      problems: [`the ledger does not open: ${(err as Error).message}`],
      report: undefined,
    };
  }
  try {
    size = store.size;
    const db = store.db;
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') problems.push(`sqlite integrity_check: ${String(integrity)}`);
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    if (count('SELECT count(*) AS n FROM entries') !== size) {
      problems.push('the entries table has gaps');
    }
    // Nonces are indexed for the latest window only (schema 3): the last entry's must be there.
    if (
      size > 0 &&
      count(`SELECT count(*) AS n FROM recent_nonces WHERE seq = ${size - 1}`) !== 1
    ) {
      problems.push('recent_nonces lacks the nonce of the last entry');
    }
    if (size > 0 && !equalBytes(store.root(), store.frontierRoot())) {
      problems.push('the stored tree nodes disagree with the leaf hashes');
    }

    for (const ack of acknowledged) {
      if (ack.seq >= size) {
        lost.push(ack);
        continue;
      }
      const onLedger = store.entry(ack.seq);
      if (
        bytesToHex(store.leafHash(ack.seq)) !== ack.leafHash ||
        canonicalJson(onLedger.command) !== canonicalJson(ack.command)
      ) {
        lost.push(ack);
      }
    }

    checkpointSizes = store.checkpointSizes();
    const latest = store.latestCheckpoint();
    const largest = checkpointSizes.at(-1);
    if (largest !== undefined && latest?.size !== largest) {
      problems.push(`the latest-checkpoint row (${latest?.size}) is not the largest (${largest})`);
    }
    if (latest !== undefined && store.checkpointAt(latest.size)?.note !== latest.note) {
      problems.push('the latest-checkpoint row and the history disagree');
    }
    const notes = new Set(seenNotes);
    for (const cp of store.iterateCheckpoints()) notes.add(cp.note);
    for (const note of notes) {
      let opened: { size: number; root: Uint8Array };
      try {
        opened = openNoteUnder(vkey, note);
      } catch (err) {
        problems.push(`a checkpoint does not verify under the log key: ${(err as Error).message}`);
        continue;
      }
      if (opened.size > size) {
        problems.push(`a checkpoint of size ${opened.size} is beyond the ledger (${size})`);
      } else if (opened.size > 0 && !equalBytes(store.root(opened.size), opened.root)) {
        problems.push(`the checkpoint of size ${opened.size} is inconsistent with the ledger`);
      }
    }
  } finally {
    store.close();
  }
  let report: LedgerReport | undefined;
  try {
    report = verifyDatabase(dbPath, vkey);
    if (!report.ok) problems.push(`verify: ${JSON.stringify(report.failure)}`);
    else if (report.entries !== size) problems.push('verify read another number of entries');
  } catch (err) {
    problems.push(`verify threw: ${(err as Error).message}`);
  }
  return { size, checkpointSizes, lost, problems, report };
}
