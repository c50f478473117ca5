/** Logs and witnesses for the witness tests: a memory tree, its signed checkpoints, cosigners. */
import {
  consistencyProof,
  createTreeHasher,
  generateNoteKey,
  leafHash,
  MemoryMerkleTree,
  parseNoteSigner,
  parseNoteVerifier,
  rootFromLeafHashes,
  signCheckpoint,
  utf8Encode,
} from '@yishi/crypto';
import { createCosigner, generateCosignerKey, type Cosigner } from '@yishi/verify';

export const ORIGIN = 'log.test/yishi';

/** A log of `n` leaves that can sign checkpoints of any prefix, and fork. */
export function makeTestLog(origin = ORIGIN) {
  const key = generateNoteKey(origin);
  const signer = parseNoteSigner(key.skey);
  const leaves: Uint8Array[] = [];
  const add = (n: number, tag = 'leaf') => {
    for (let i = 0; i < n; i++) leaves.push(leafHash(utf8Encode(`${tag} ${leaves.length}`)));
  };
  const root = (size: number, hashes = leaves) => rootFromLeafHashes(hashes.slice(0, size));
  const checkpoint = (size: number, hashes = leaves) =>
    signCheckpoint({ origin, size, rootHash: root(size, hashes), extensions: [] }, [signer]);
  const proof = (m: number, n: number, hashes = leaves) => {
    if (m === 0 || m === n) return [];
    const tree = new MemoryMerkleTree(createTreeHasher());
    for (const h of hashes.slice(0, n)) tree.append(h);
    return consistencyProof(tree, m, n);
  };
  return {
    key,
    signer,
    verifier: parseNoteVerifier(key.vkey),
    leaves,
    add,
    root,
    checkpoint,
    proof,
  };
}

/** A witness key and its cosigner with a fixed clock. */
export function makeCosigner(name: string, now = () => 1_760_000_000): Cosigner {
  const { secretKey } = generateCosignerKey(name);
  return createCosigner(name, secretKey, now);
}
