/**
 * Digests the engine computes: the proposal digest that statements and votes bind to (P7, P9),
 * and SHA-256 of canonical JSON (RFC 8785) for the record (P16); SHA-256 from `@yishi/crypto`.
 */
import { bytesToHex, canonicalJsonFast, sha256, utf8Encode } from '@yishi/crypto';
import type { Candidate, Category, Material } from '@yishi/schema';

/** Lowercase hex SHA-256 of the UTF-8 bytes of `text`. */
export function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8Encode(text)));
}

/** Lowercase hex SHA-256 of the canonical JSON of `value`. */
export function jsonDigest(value: unknown): string {
  return sha256Hex(canonicalJsonFast(value));
}

/** What an item proposes; the digest covers all of it, so a changed proposal is a new digest. */
export interface Proposal {
  category: Category;
  title: string;
  materials: Material[];
  amount: number | null;
  candidate: Candidate | null;
  post: string | null;
}

/**
 * The materials digest of an item: SHA-256 of the canonical JSON of its proposal (category, title,
 * amount, candidate, post and every material's title and SHA-256, in order).
 */
export function proposalDigest(p: Proposal): string {
  return jsonDigest({
    v: 1,
    category: p.category,
    title: p.title,
    amount: p.amount,
    candidate: p.candidate,
    post: p.post,
    materials: p.materials.map((x) => ({ title: x.title, sha256: x.sha256 })),
  });
}
