// Bench principals: Ed25519 keys derived from a name (so a cached ledger's keys can be derived
// again), signing through node:crypto with the key object cached (RFC 8032 signatures are
// deterministic: the same bytes as @yishi/crypto's `sign`).
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign as nodeSign,
  type KeyObject,
} from 'node:crypto';
import { signingMessage } from '@yishi/crypto';
import { commandSigningContext, type SignedCommand } from '@yishi/schema';

// PKCS#8 DER of an Ed25519 private key (RFC 8410 §7): this prefix, then the 32-byte seed.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The node:crypto key object of a 32-byte Ed25519 seed. */
export const privateKeyOf = (seed: Uint8Array): KeyObject =>
  createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });

/** Standard base64 of the public key of a private key object. */
export function publicKeyBase64(key: KeyObject): string {
  const jwk = createPublicKey(key).export({ format: 'jwk' }) as { x: string };
  return Buffer.from(jwk.x, 'base64url').toString('base64');
}

/** A principal that signs commands. */
export class Principal {
  readonly publicKey: string;
  private readonly key: KeyObject;

  constructor(
    readonly id: string,
    readonly seed: Uint8Array
  ) {
    this.key = privateKeyOf(seed);
    this.publicKey = publicKeyBase64(this.key);
  }

  /** A principal whose seed is SHA-256 of `namespace/id`. */
  static derive(namespace: string, id: string): Principal {
    return new Principal(id, createHash('sha256').update(`${namespace}/${id}`).digest());
  }

  /** Base64 signature over `yishi/command/v2\n || JCS(payload)` (v1 for a payload naming no ledger). */
  signPayload(payload: SignedCommand['payload']): string {
    return nodeSign(
      null,
      signingMessage(commandSigningContext(payload), payload),
      this.key
    ).toString('base64');
  }

  command(payload: SignedCommand['payload']): SignedCommand {
    return { payload, publicKey: this.publicKey, signature: this.signPayload(payload) };
  }
}

/** 16 random bytes as hex: a command nonce. */
export const nonce = (): string =>
  Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(16))).toString('hex');
