import { join, resolve } from 'node:path';

/** Where a data directory keeps its files. */
export interface DataPaths {
  dir: string;
  /** The SQLite ledger. */
  db: string;
  /** The log's signing key (C2SP skey text), mode 0600. */
  logKey: string;
  /** The log's verifier key (C2SP vkey text), public. */
  logVkey: string;
  /** The first admin's secret key, mode 0600: hand it to the higher-level organisation. */
  adminKey: string;
  /** The first admin's public key text. */
  adminPub: string;
  /** The service's own tables (idempotency, webhooks): never part of the ledger. */
  service: string;
}

/** The files of the data directory `dir`. */
export function dataPaths(dir: string): DataPaths {
  const d = resolve(dir);
  return {
    dir: d,
    db: join(d, 'ledger.db'),
    logKey: join(d, 'log.key'),
    logVkey: join(d, 'log.vkey'),
    adminKey: join(d, 'admin.key'),
    adminPub: join(d, 'admin.pub'),
    service: join(d, 'service.db'),
  };
}
