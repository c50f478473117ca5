/**
 * Signed reads (`yishi/read/v2`): how a principal authenticates a request that changes nothing.
 * Every non-public read carries one header:
 *
 *     Authorization: Yishi-Ed25519 key=<public key>, ts=<ms>, sig=<signature>
 *
 * `key` is the principal's 32-byte Ed25519 public key and `sig` the 64-byte signature, both in
 * standard padded base64 (RFC 4648 §4); `ts` is the client's clock in decimal milliseconds since
 * the epoch (no sign, no leading zeros). The three parameters come in this order, separated by a
 * comma and one space. `sig` signs {@link readRequestMessage}: the context `yishi/read/v2`, a
 * newline and the RFC 8785 canonical JSON of
 *
 *     { ledger, method, path, query, bodyDigest, ts }
 *
 * - `ledger`: the id of the ledger the service keeps (its genesis's `ledgerId`, `GET /ledger/info`),
 *   so a read signed for one ledger is refused by a service keeping another;
 * - `method`: the HTTP method in upper case (`GET`);
 * - `path`: the request target's path exactly as sent, percent-encoding kept (`/meetings/mtg-12`);
 * - `query`: the request target's query exactly as sent, after the first `?` (`''` when none);
 * - `bodyDigest`: lowercase hex SHA-256 of the request body's bytes (of no bytes for a GET);
 * - `ts`: the same integer as the header's `ts`.
 *
 * The service accepts `ts` within 5 minutes of its clock; a captured header is only good for the
 * same method, path and query within that window. Pure: no I/O, no clock.
 */
import { assertString, base64Decode, base64Encode, bytesToHex, utf8Encode } from './bytes.js';
import { signingMessage } from './canonical.js';
import { getPublicKey, PUBLIC_KEY_LENGTH, sign, SIGNATURE_LENGTH } from './ed25519.js';
import { sha256 } from './sha256.js';

/** The signing context of reads. */
export const READ_CONTEXT = 'yishi/read/v2';

/** The `Authorization` scheme of signed reads. */
export const READ_AUTH_SCHEME = 'Yishi-Ed25519';

/** What a signed read covers. */
export interface ReadRequest {
  /** The ledger id the read is for (1–128 characters). */
  ledger: string;
  /** HTTP method, upper case. */
  method: string;
  /** Path of the request target as sent, starting with `/`. */
  path: string;
  /** Query of the request target as sent, without `?`; `''` when there is none. */
  query: string;
  /** Lowercase hex SHA-256 of the body bytes. */
  bodyDigest: string;
  /** Client time, ms since the epoch. */
  ts: number;
}

/** The parameters of a signed-read `Authorization` header. */
export interface ReadAuthorization {
  /** Standard base64 of the 32-byte public key. */
  publicKey: string;
  ts: number;
  /** Standard base64 of the 64-byte signature. */
  signature: string;
}

const METHOD = /^[A-Z]{1,16}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const MAX_TS = 8_640_000_000_000_000;
// The path and query are compared as sent; they must not carry a fragment or spaces.
const PATH = /^\/[\x21-\x22\x24-\x3e\x40-\x7e]*$/;
const QUERY = /^[\x21-\x22\x24-\x7e]*$/;
const HEADER =
  /^Yishi-Ed25519 key=([A-Za-z0-9+/]{43}=), ts=(0|[1-9][0-9]{0,15}), sig=([A-Za-z0-9+/]{86}==)$/;

/** Lowercase hex SHA-256 of a request body (UTF-8 for a string). */
export function bodyDigest(body: Uint8Array | string): string {
  return bytesToHex(sha256(typeof body === 'string' ? utf8Encode(body) : body));
}

/** The body digest of a request without a body. */
export const EMPTY_BODY_DIGEST = bodyDigest(new Uint8Array(0));

/**
 * The request a client signs for `method` on `url` (absolute, or a path with its query) with
 * `body` (none: the empty body's digest): method upper-cased, the path and query as the URL has
 * them.
 */
export function readRequestOf(
  method: string,
  url: string,
  body: Uint8Array | string | undefined,
  ledger: string,
  ts: number
): ReadRequest {
  const u = new URL(url, 'http://placeholder.invalid');
  return {
    ledger,
    method: method.toUpperCase(),
    path: u.pathname,
    query: u.search.startsWith('?') ? u.search.slice(1) : '',
    bodyDigest: body === undefined || body.length === 0 ? EMPTY_BODY_DIGEST : bodyDigest(body),
    ts,
  };
}

/**
 * The bytes a signed read's signature covers.
 * @throws TypeError if a field is malformed (method not upper case, path not starting with `/`,
 *   query with `?` or `#`, digest not 64 lowercase hex, ts not a safe non-negative integer).
 */
export function readRequestMessage(req: ReadRequest): Uint8Array {
  if (typeof req !== 'object' || req === null) throw new TypeError('"req" expected an object');
  assertString(req.ledger, 'ledger');
  if (req.ledger.length < 1 || req.ledger.length > 128) {
    throw new TypeError(`"ledger" expected 1-128 characters, got length=${req.ledger.length}`);
  }
  assertString(req.method, 'method');
  assertString(req.path, 'path');
  assertString(req.query, 'query');
  assertString(req.bodyDigest, 'bodyDigest');
  if (!METHOD.test(req.method))
    throw new TypeError(`"method" expected upper case, got ${req.method}`);
  if (!PATH.test(req.path)) throw new TypeError('"path" expected a path starting with "/"');
  if (!QUERY.test(req.query)) {
    throw new TypeError('"query" expected the query as sent, without the leading "?" or a "#"');
  }
  if (!HEX64.test(req.bodyDigest)) throw new TypeError('"bodyDigest" expected 64 lowercase hex');
  if (!Number.isSafeInteger(req.ts) || req.ts < 0 || req.ts > MAX_TS) {
    throw new TypeError(`"ts" expected ms since the epoch, got ${String(req.ts)}`);
  }
  return signingMessage(READ_CONTEXT, {
    ledger: req.ledger,
    method: req.method,
    path: req.path,
    query: req.query,
    bodyDigest: req.bodyDigest,
    ts: req.ts,
  });
}

/**
 * The `Authorization` header value signing `req` with a 32-byte Ed25519 secret key.
 * @throws TypeError as {@link readRequestMessage}, or for a wrong secret key.
 */
export function signReadRequest(req: ReadRequest, secretKey: Uint8Array): string {
  const signature = sign(readRequestMessage(req), secretKey);
  const key = base64Encode(getPublicKey(secretKey));
  return `${READ_AUTH_SCHEME} key=${key}, ts=${req.ts}, sig=${base64Encode(signature)}`;
}

/**
 * Parses a signed-read `Authorization` header; null unless it has exactly the form above with a
 * 32-byte key, a safe-integer ts and a 64-byte signature in canonical base64. Never throws.
 */
export function parseReadAuthorization(header: unknown): ReadAuthorization | null {
  if (typeof header !== 'string' || header.length > 200) return null;
  const m = HEADER.exec(header);
  if (!m) return null;
  const [, publicKey = '', tsText = '', signature = ''] = m;
  const ts = Number(tsText);
  if (!Number.isSafeInteger(ts) || ts > MAX_TS) return null;
  try {
    if (base64Decode(publicKey).length !== PUBLIC_KEY_LENGTH) return null;
    if (base64Decode(signature).length !== SIGNATURE_LENGTH) return null;
  } catch {
    return null;
  }
  return { publicKey, ts, signature };
}
