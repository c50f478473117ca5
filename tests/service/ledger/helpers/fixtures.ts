import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytesToHex, generateNoteKey } from '@yishi/crypto';
import type { SignedCommand } from '@yishi/schema';
import type { Test } from 'tap';

/** A base64-shaped 32-byte public key that differs per `who` (the store checks no signatures). */
export function fakePublicKey(who: number): string {
  return Buffer.alloc(32, who).toString('base64');
}

/** A well-shaped command; the store does not verify signatures, so the signature is filler. */
export function fakeCommand(
  nonce: number,
  who = 1,
  extra: Record<string, unknown> = {}
): SignedCommand {
  return {
    payload: {
      type: 'test.note',
      ts: 1_700_000_000_000,
      nonce: nonce.toString(16).padStart(32, '0'),
      ...extra,
    },
    publicKey: fakePublicKey(who),
    signature: Buffer.alloc(64, 7).toString('base64'),
  };
}

/** Deterministic "random" bytes: a counter, so salts are distinct and reproducible. */
export function counterRandom(start = 0): (n: number) => Uint8Array {
  let next = start;
  return (n: number) => {
    const out = new Uint8Array(n);
    let v = next++;
    for (let i = n - 1; i >= 0 && v > 0; i--) {
      out[i] = v % 256;
      v = Math.floor(v / 256);
    }
    return out;
  };
}

const testDirs = new WeakMap<Test, string>();

/** A database path in the test's own temporary folder (made once per test, removed after it). */
export function tempDbPath(t: Test, name = 'ledger.db'): string {
  let dir = testDirs.get(t);
  if (dir === undefined) {
    dir = t.testdir({});
    testDirs.set(t, dir);
  }
  return join(dir, name);
}

export const hex = bytesToHex;

/** A log key pair for `origin`, as the CLI makes one. */
export function logKey(origin: string): { skey: string; vkey: string } {
  return generateNoteKey(origin);
}

/**
 * A ledger written by the schema-1 store (every tree level stored, level 0 included): 37 entries
 * of `fakeCommand`-shaped commands by three keys with Unicode text, salts from counterRandom(0),
 * ledger_id 'schema-1-fixture'. Its root of 37 is SCHEMA_1_ROOT. Copy it before opening: opening
 * migrates it.
 */
export const SCHEMA_1_FIXTURE = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'fixtures',
  'schema-1.db'
);

/** RFC 6962 root of the 37 entries of {@link SCHEMA_1_FIXTURE}, as the schema-1 store computed it. */
export const SCHEMA_1_ROOT = 'b0e3df553c813e35bab853f954ae70c7090c1983eba1b1de86b6b32539f13333';
