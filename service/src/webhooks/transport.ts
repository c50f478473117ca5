// One webhook POST to a checked target: the connection goes to the address the policy checked
// (a `lookup` that answers only that address), the Host header and TLS server name are the URL's
// host, redirects are never followed (node's http client follows none), and what comes back is a
// status code or a fixed failure word, never the socket's or the peer's text.
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { ResolvedAddress } from './target-policy.js';

/** What one attempt gave: a status code, or why there was none. */
export type TransportResult = { status: number } | { failure: 'timeout' | 'connection_failed' };

/** Sends one POST to `url` at `address` (tests may replace it to watch connections). */
export type Transport = (
  url: URL,
  address: ResolvedAddress,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number
) => Promise<TransportResult>;

/** Largest response body read (and thrown away) before the socket is closed. */
const MAX_RESPONSE = 64 * 1024;

/** The node http/https transport, pinned to `address`. */
export const pinnedTransport: Transport = (url, address, headers, body, timeoutMs) =>
  new Promise((resolve) => {
    const pinned: LookupFunction = (_host, opts, cb) => {
      if ((opts as { all?: boolean }).all) {
        (cb as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [
          { address: address.address, family: address.family },
        ]);
      } else cb(null, address.address, address.family);
    };
    const options: RequestOptions = {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
      port: url.port === '' ? undefined : Number(url.port),
      path: `${url.pathname}${url.search}`,
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: pinned,
      timeout: timeoutMs,
      agent: false,
    };
    let settled = false;
    const done = (r: TransportResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(overall);
      resolve(r);
    };
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(options, (res) => {
      let seen = 0;
      res.on('data', (c: Buffer) => {
        seen += c.length;
        if (seen > MAX_RESPONSE) res.destroy();
      });
      res.on('error', () => undefined);
      res.resume();
      done({ status: res.statusCode ?? 0 });
      res.on('end', () => req.destroy());
    });
    const overall = setTimeout(() => {
      req.destroy();
      done({ failure: 'timeout' });
    }, timeoutMs);
    overall.unref();
    req.on('timeout', () => {
      req.destroy();
      done({ failure: 'timeout' });
    });
    req.on('error', () => done({ failure: 'connection_failed' }));
    req.end(body);
  });
