import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { parseNoteVerifier } from '@yishi/crypto';
import {
  createCosigner,
  createWitness,
  formatCosignerSkey,
  generateCosignerKey,
  parseCosignerSkey,
  type WitnessOptions,
} from '@yishi/verify';
import { SqliteWitnessStore } from './sqlite-store.js';
import { buildWitnessApp } from './witness-app.js';

/** Files of a witness's data directory. */
export const witnessPaths = (dir: string) => ({
  key: join(dir, 'witness.key'),
  vkey: join(dir, 'witness.vkey'),
  db: join(dir, 'witness.db'),
});

/** Creates a witness key in `dir` (witness.key 0600, witness.vkey); refuses to overwrite. */
export function initWitness(
  dir: string,
  name: string
): { vkey: string; paths: ReturnType<typeof witnessPaths> } {
  const paths = witnessPaths(dir);
  if (existsSync(paths.key))
    throw new Error(`${paths.key} exists: refusing to overwrite a witness key`);
  const { secretKey, vkey } = generateCosignerKey(name);
  writeFileSync(paths.key, `${formatCosignerSkey(name, secretKey)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(paths.key, 0o600);
  writeFileSync(paths.vkey, `${vkey}\n`);
  return { vkey, paths };
}

export type WitnessServerOptions = {
  dataDir: string;
  /** The log vkeys (texts) it witnesses; each key name is a log origin. */
  logVkeys: string[];
  port?: number;
  host?: string;
  logger?: boolean;
  /** POSIX seconds for cosignature timestamps (tests). */
  now?: () => number;
  beforeSwap?: WitnessOptions['beforeSwap'];
};

/** A running witness: its app, its URL (the submission and monitoring prefix) and `close`. */
export type WitnessServer = {
  app: FastifyInstance;
  url: string;
  vkey: string;
  close(): Promise<void>;
};

/** Opens the witness in `dataDir` and listens. */
export async function startWitnessServer(opts: WitnessServerOptions): Promise<WitnessServer> {
  const paths = witnessPaths(opts.dataDir);
  const { name, secretKey } = parseCosignerSkey(readFileSync(paths.key, 'utf8'));
  const cosigner = createCosigner(name, secretKey, opts.now);
  const store = new SqliteWitnessStore(paths.db);
  const witness = createWitness({
    cosigner,
    logs: opts.logVkeys.map((v) => parseNoteVerifier(v.trim())),
    store,
    ...(opts.beforeSwap ? { beforeSwap: opts.beforeSwap } : {}),
  });
  const app = await buildWitnessApp(witness, { logger: opts.logger ?? false });
  app.addHook('onClose', async () => store.close());
  const address = await app.listen({ port: opts.port ?? 0, host: opts.host ?? '127.0.0.1' });
  return { app, url: address, vkey: cosigner.vkey, close: () => app.close() };
}
