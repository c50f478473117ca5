/**
 * A principal's keys in the text format the service, the CLI and the SDK share (the C2SP
 * signed-note key encoding): `PRIVATE+KEY+<name>+<key id>+<base64>` for the secret key,
 * `<name>+<key id>+<base64>` for the public key.
 */
import {
  base64Encode,
  formatPublicKey,
  formatSecretKey,
  generateSecretKey,
  getPublicKey,
  parsePublicKey,
  parseSecretKey,
  principalKeyId,
} from '@yishi/crypto';
import { parsingKey } from './error.js';

/** A principal's key pair as text, plus the base64 public key the API registers. */
export interface KeyPair {
  name: string;
  /** Keep secret: the only thing that can sign for this principal. */
  secretKey: string;
  publicKey: string;
  /** Standard base64 of the 32-byte public key, as `principal.register` takes it. */
  publicKeyBase64: string;
  /** Stable id of the key (hex), as the service reports it. */
  keyId: string;
}

/** A fresh Ed25519 key pair named `name` (letters, digits, `.`, `-`, `_`, `/`; no `+`). */
export function generateKeyPair(name: string): KeyPair {
  return parsingKey(() => describe(name, generateSecretKey()));
}

/** Reads a secret-key text back into a key pair. @throws YishiSdkError with the key's refusal code. */
export function importSecretKey(text: string): KeyPair {
  return parsingKey(() => {
    const parsed = parseSecretKey(text.trim());
    return describe(parsed.name, parsed.secretKey);
  });
}

/** Reads a public-key text: its name and the base64 key. @throws YishiSdkError with the key's refusal code. */
export function importPublicKey(text: string): { name: string; publicKeyBase64: string } {
  const parsed = parsingKey(() => parsePublicKey(text.trim()));
  return { name: parsed.name, publicKeyBase64: base64Encode(parsed.publicKey) };
}

function describe(name: string, secret: Uint8Array): KeyPair {
  const pub = getPublicKey(secret);
  return {
    name,
    secretKey: formatSecretKey(name, secret),
    publicKey: formatPublicKey(name, pub),
    publicKeyBase64: base64Encode(pub),
    keyId: principalKeyId(pub),
  };
}
