import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  base64Encode,
  bytesToHex,
  formatPublicKey,
  formatSecretKey,
  generateNoteKey,
  generateSecretKey,
  getPublicKey,
  parseSecretKey,
} from '@yishi/crypto';
import { decide, initialState } from '@yishi/procedure';
import { Checkpointer, createGenesisCommand, initLedger, LedgerStore } from '../ledger/index.js';
import { ensureDataDir } from './ensure-dir.js';
import { dataPaths, type DataPaths } from './data-paths.js';
import { secureDataDir, type Tightened } from './file-modes.js';

export { dataPaths, type DataPaths };

/** Whether `yishi init` has run in this data directory. */
export const isInitialised = (paths: DataPaths): boolean =>
  existsSync(paths.db) && existsSync(paths.logKey) && existsSync(paths.logVkey);

/** What `initDataDir` created. */
export interface InitResult {
  paths: DataPaths;
  ledgerId: string;
  origin: string;
  vkey: string;
  /** Modes tightened in a folder that already existed (0700 folder, 0600 private files). */
  tightened: Tightened[];
}

/** Options of {@link initDataDir}. */
export interface InitOptions {
  /** Checkpoint origin and log key name; default `yishi.local/<ledger id>`. */
  origin?: string;
  /** Display name of the first admin (the higher-level organisation). */
  adminName?: string;
  clock?: () => number;
  /**
   * A PostgreSQL URL: the ledger goes to that (empty) database instead of DIR/ledger.db; the
   * keys are written to DIR all the same.
   */
  database?: string;
}

/** Writes a secret file that must not exist yet, readable by its owner only. */
export function writeSecret(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
}

/**
 * Creates a ledger in `dir`: the log key, the first admin's key, the genesis entry (signed by the
 * log key, registering the admin) and the first signed checkpoint. Refuses a directory that
 * already holds a ledger.
 */
export async function initDataDir(dir: string, opts: InitOptions = {}): Promise<InitResult> {
  const paths = dataPaths(dir);
  if (existsSync(paths.db) || existsSync(paths.logKey)) {
    throw new Error(`${paths.dir} already holds a ledger`);
  }
  const shared = opts.database ? await import('./postgres/init-shared.js') : undefined;
  if (opts.database) await shared?.requireEmptyDatabase(opts.database);
  ensureDataDir(paths.dir);
  // A folder that existed (say 0755) is the owner's alone from now on.
  const tightened = secureDataDir(paths);
  const clock = opts.clock ?? Date.now;
  const ledgerId = randomUUID();
  const origin = opts.origin ?? `yishi.local/${ledgerId}`;

  const { skey, vkey } = generateNoteKey(origin);
  writeSecret(paths.logKey, `${skey}\n`);
  writeFileSync(paths.logVkey, `${vkey}\n`, { mode: 0o644 });

  const adminSecret = generateSecretKey();
  const adminPublic = getPublicKey(adminSecret);
  writeSecret(paths.adminKey, `${formatSecretKey('admin', adminSecret)}\n`);
  writeFileSync(paths.adminPub, `${formatPublicKey('admin', adminPublic)}\n`, { mode: 0o644 });

  const store = LedgerStore.open(opts.database ? ':memory:' : paths.db);
  try {
    const now = clock();
    const genesis = {
      ledgerId,
      origin,
      logSecretKey: parseSecretKey(skey).secretKey,
      admin: {
        principalId: 'admin',
        name: opts.adminName ?? '上级党组织 (higher-level organisation)',
        publicKey: base64Encode(adminPublic),
      },
      ts: now,
      nonce: bytesToHex(randomBytes(16)),
    };
    // Entry 0 carries what the rules derive from it, like every other entry, so that replay (the
    // service's state and an auditor's check) reproduces it.
    const decided = decide(initialState(), {
      seq: 0,
      time: now,
      command: createGenesisCommand(genesis),
    });
    if (!decided.ok) throw new Error(`the rules refuse the genesis: ${decided.refusal.code}`);
    initLedger(store, { ...genesis, time: now, derived: decided.derived });
    const checkpointer = new Checkpointer(store, { skey, origin, clock });
    checkpointer.checkpointNow();
    if (opts.database) await shared?.publishGenesis(opts.database, store, paths.dir);
  } finally {
    store.close();
  }
  tightened.push(...secureDataDir(paths));
  return { paths, ledgerId, origin, vkey, tightened };
}

/** Reads a key file's single line. */
export const readKeyFile = (path: string): string => readFileSync(path, 'utf8').trim();
