// Where webhooks may be delivered (issue 14.3). An admin's URL is untrusted input that makes the
// service send requests: without a policy it reaches the service's own loopback ports and the
// operator's private network. A target is allowed only if it is https and every address its host
// resolves to is public; the operator may allow hosts or CIDR ranges (YISHI_WEBHOOK_ALLOW), and an
// allowed target may use plain http. The checked address is the one connected to (pinned), so a
// second DNS answer cannot move the request elsewhere.
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** One address a host resolves to. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address (tests stub it). */
export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

/** The system resolver (getaddrinfo: hosts file, then DNS). */
export const systemResolver: Resolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

/** Why a target is refused: fixed words, never a resolver's or a socket's text. */
export type TargetRefusal =
  | 'malformed_url'
  | 'scheme_not_allowed'
  | 'plain_http_not_allowed'
  | 'credentials_in_url'
  | 'unresolvable'
  | 'address_not_allowed';

/** A target that passed: the URL and the address to connect to. */
export type TargetCheck =
  { ok: true; url: URL; address: ResolvedAddress } | { ok: false; reason: TargetRefusal };

// Loopback, private (RFC 1918), CGNAT, link-local, unique-local, multicast, unspecified,
// reserved, documentation and benchmarking ranges, and their IPv4-mapped IPv6 forms.
const V4_FORBIDDEN: Array<[string, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
const V6_FORBIDDEN: Array<[string, number]> = [
  ['::', 128],
  ['::1', 128],
  ['::ffff:0:0', 96],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
];

// Two lists: node's BlockList matches IPv4 addresses against IPv6 rules in their mapped form.
const forbidden4 = new BlockList();
const forbidden6 = new BlockList();
for (const [a, p] of V4_FORBIDDEN) forbidden4.addSubnet(a, p, 'ipv4');
for (const [a, p] of V6_FORBIDDEN) forbidden6.addSubnet(a, p, 'ipv6');

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), if it is one. */
function mappedV4(address: string): string | undefined {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1] : undefined;
}

/**
 * Whether `address` is loopback, private, link-local, unique-local, multicast, unspecified or
 * otherwise not a public unicast address. Not an IP address at all: true (refused).
 */
export function isNonPublicAddress(address: string): boolean {
  const v = isIP(address);
  if (v === 0) return true;
  const v4 = v === 4 ? address : mappedV4(address);
  // A mapped IPv4 address in IPv6 form is refused whatever it maps to (::ffff:0:0/96).
  if (v4 !== undefined) return v === 6 || forbidden4.check(v4, 'ipv4');
  return forbidden6.check(address, 'ipv6');
}

/** The operator's allowance: host names and CIDR ranges (or single addresses). */
export class TargetAllowList {
  readonly #hosts = new Set<string>();
  readonly #ranges4 = new BlockList();
  readonly #ranges6 = new BlockList();
  readonly entries: readonly string[];

  /**
   * Parses `text`: entries separated by commas or white space, each a host name
   * (`hooks.internal`), an address (`127.0.0.1`, `::1`) or a CIDR range (`10.1.0.0/16`).
   * @throws Error naming the entry that is none of these
   */
  constructor(text = '') {
    const entries = text.split(/[\s,]+/).filter((e) => e !== '');
    this.entries = entries;
    for (const e of entries) {
      const slash = e.indexOf('/');
      const addr = slash < 0 ? e : e.slice(0, slash);
      const v = isIP(addr);
      if (v !== 0) {
        const max = v === 4 ? 32 : 128;
        const prefix = slash < 0 ? max : Number(e.slice(slash + 1));
        if (!/^[0-9]{1,3}$/.test(slash < 0 ? String(max) : e.slice(slash + 1)) || prefix > max) {
          throw new Error(`YISHI_WEBHOOK_ALLOW: '${e}' is not a CIDR range`);
        }
        if (v === 4) this.#ranges4.addSubnet(addr, prefix, 'ipv4');
        else this.#ranges6.addSubnet(addr, prefix, 'ipv6');
      } else if (slash < 0 && /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/i.test(e)) {
        this.#hosts.add(e.toLowerCase());
      } else {
        throw new Error(`YISHI_WEBHOOK_ALLOW: '${e}' is neither a host name nor a CIDR range`);
      }
    }
  }

  /** Whether the host name (as in the URL) is allowed by name. */
  allowsHost(host: string): boolean {
    return this.#hosts.has(host.toLowerCase());
  }

  /** Whether the address is in an allowed range. */
  allowsAddress(address: string): boolean {
    const v = isIP(address);
    if (v === 0) return false;
    const v4 = v === 6 ? mappedV4(address) : undefined;
    if (v4 !== undefined) return this.#ranges4.check(v4, 'ipv4');
    return v === 4 ? this.#ranges4.check(address, 'ipv4') : this.#ranges6.check(address, 'ipv6');
  }
}

/**
 * Checks a webhook URL and picks the address to connect to. https only, unless the host name or
 * every address it resolves to is allowed; no user or password in the URL; every resolved address
 * public unless allowed (one bad answer refuses the target: a name with a private address in its
 * answers is not trusted). Never throws: a refusal says why in fixed words.
 */
export async function checkTarget(
  urlText: string,
  allow: TargetAllowList,
  resolve: Resolver = systemResolver
): Promise<TargetCheck> {
  let url: URL;
  try {
    url = new URL(urlText);
  } catch {
    return { ok: false, reason: 'malformed_url' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, reason: 'scheme_not_allowed' };
  }
  if (url.username !== '' || url.password !== '')
    return { ok: false, reason: 'credentials_in_url' };
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const byName = isIP(host) === 0 && allow.allowsHost(host);
  let addresses: ResolvedAddress[];
  if (isIP(host) !== 0) {
    addresses = [{ address: host, family: isIP(host) === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await resolve(host);
    } catch {
      return { ok: false, reason: 'unresolvable' };
    }
  }
  if (addresses.length === 0) return { ok: false, reason: 'unresolvable' };
  const allowed = (a: ResolvedAddress) => byName || allow.allowsAddress(a.address);
  for (const a of addresses) {
    if (isNonPublicAddress(a.address) && !allowed(a)) {
      return { ok: false, reason: 'address_not_allowed' };
    }
  }
  if (url.protocol === 'http:' && !addresses.every(allowed)) {
    return { ok: false, reason: 'plain_http_not_allowed' };
  }
  return { ok: true, url, address: addresses[0] as ResolvedAddress };
}
