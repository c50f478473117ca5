// `yishi serve --database postgres://…`: opens the shared ledger for one instance. The keys and
// log.vkey come from the data directory (the log key may come from YISHI_LOG_KEY_FILE); the
// ledger from the database, copied into an in-memory mirror (checked row by row) that the
// service reads from.
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { Checkpointer, isLedgerError, LedgerStore } from '../../ledger/index.js';
import { readKeyFile, type DataPaths } from '../data-dir.js';
import { PostgresLedger, describeDatabase } from './pg-ledger.js';
import { PublishedCheckpointFile } from './published-file.js';
import { SharedCheckpointer, verifierFor } from './shared-checkpointer.js';
import { SharedLedger } from './shared-ledger.js';

/** Advisory lock of the checkpoint publisher ('yick'). */
export const PUBLISHER_LOCK = 0x7969636b;

interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface SharedOpen {
  database: string;
  paths: DataPaths;
  logKeyFile?: string | undefined;
  checkpointIntervalMs: number;
  log: Log;
  clock?: () => number;
}

export interface OpenedShared {
  backend: PostgresLedger;
  mirror: LedgerStore;
  shared: SharedLedger;
  /** Over the mirror, never started: the app's log routes take one. */
  checkpointer: Checkpointer;
  sharedCheckpointer: SharedCheckpointer;
  skey: string;
  logVkey: string;
  origin: string;
  /** Starts signing checkpoints and catching up on a timer. */
  start(): void;
  close(): Promise<void>;
}

/** Opens the ledger in `database` for one instance; see the file's header. */
export async function openSharedLedger(o: SharedOpen): Promise<OpenedShared> {
  const skeyPath = o.logKeyFile ?? o.paths.logKey;
  if (!existsSync(o.paths.logVkey) || !existsSync(skeyPath)) {
    throw new Error(
      `${o.paths.dir}: no log.vkey or log key; create the ledger first (yishi init --database URL --data DIR)`
    );
  }
  const skey = readKeyFile(skeyPath);
  const logVkey = readKeyFile(o.paths.logVkey);
  const backend = await PostgresLedger.open(o.database, {
    applicationName: `yishi ${hostname()} ${process.pid}`,
    onError: (err) => o.log.warn({ err }, 'a database connection failed'),
  });
  const mirror = LedgerStore.open(':memory:');
  try {
    const origin = await backend.getMeta('origin');
    const ledgerId = await backend.getMeta('ledger_id');
    if (origin === undefined || ledgerId === undefined) {
      throw new Error(
        `${describeDatabase(o.database)} holds no ledger; create it first (yishi init --database)`
      );
    }
    mirror.setMeta('ledger_id', ledgerId);
    mirror.setMeta('origin', origin);
    const published = new PublishedCheckpointFile(o.paths.dir);
    const shared = new SharedLedger({
      backend,
      mirror,
      verifier: verifierFor(skey, origin),
      origin,
      published,
    });
    const t0 = performance.now();
    await shared.catchUp();
    o.log.info(
      {
        database: describeDatabase(o.database),
        entries: mirror.size,
        ms: Math.round(performance.now() - t0),
      },
      'the ledger was copied from the database into this instance'
    );
    const kept = published.current;
    if (kept !== undefined && kept.size > mirror.size) {
      o.log.error(
        { database: mirror.size, published: kept.size },
        'the database is behind the checkpoint this service published: it will not sign'
      );
    }
    const checkpointer = new Checkpointer(mirror, { skey, origin });
    const sharedCheckpointer = new SharedCheckpointer(shared, {
      skey,
      origin,
      intervalMs: o.checkpointIntervalMs,
      published,
      ...(o.clock ? { clock: o.clock } : {}),
      tryPublisherLock: (fn) => backend.tryAdvisory(PUBLISHER_LOCK, fn),
      onError: (err) => o.log.error({ err }, 'a checkpoint was not signed'),
    });
    let timer: NodeJS.Timeout | undefined;
    return {
      backend,
      mirror,
      shared,
      checkpointer,
      sharedCheckpointer,
      skey,
      logVkey,
      origin,
      start() {
        sharedCheckpointer.start();
        // Reads catch up on their own; this keeps an idle instance's webhooks and metrics fresh.
        timer = setInterval(() => {
          shared.catchUp().catch((err) => {
            if (!isLedgerError(err) || err.code !== 'WRITER_CLOSED') {
              o.log.warn({ err }, 'could not catch up');
            }
          });
        }, o.checkpointIntervalMs);
        timer.unref();
      },
      async close() {
        sharedCheckpointer.stop();
        if (timer) clearInterval(timer);
        await shared.close();
        await backend.close();
        mirror.close();
      },
    };
  } catch (err) {
    await backend.close();
    mirror.close();
    throw err;
  }
}
