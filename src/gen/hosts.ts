/**
 * The machines in the log: the DNS server's clients (IPv4, IPv6, loopback)
 * and its upstream forwarders, each with its Remote IP column pre-rendered.
 *
 * Remote IP column (format doc §4.1): the address left-justified and padded
 * with spaces to 15 characters, then one space; a longer address (IPv6) is
 * followed by a single space and pushes the rest of the line right.
 *
 *     "10.1.2.3" → "10.1.2.3        "          (15 + 1)
 *     "2001:16d8:ff00:856f::66:21" → "2001:16d8:ff00:856f::66:21 "
 */
import type { Prng } from './prng.js';

/** Width the address is padded to before the separating space. */
export const IP_COLUMN_WIDTH = 15;

/** One remote address with its pre-rendered column bytes. */
export interface Host {
  /** The address as logged (IPv6 lower case, compressed). */
  readonly ip: string;
  /** `ip` padded per the column rule, including the separating space. */
  readonly field: Buffer;
  readonly ipv6: boolean;
}

/** The Remote IP column text for `ip` (padding rule above). */
export function ipColumn(ip: string): string {
  return ip.length < IP_COLUMN_WIDTH ? ip.padEnd(IP_COLUMN_WIDTH, ' ') + ' ' : `${ip} `;
}

/** Make a Host for `ip`. */
export function host(ip: string): Host {
  return { ip, field: Buffer.from(ipColumn(ip), 'latin1'), ipv6: ip.includes(':') };
}

/** Public resolvers a server is commonly set to forward to (IPv6 ones exercise the column shift). */
const FORWARDERS: readonly string[] = ['8.8.8.8', '8.8.4.4', '1.1.1.1', '9.9.9.9', '208.67.222.222', '2001:4860:4860::8888', '2620:fe::fe'];

/** Share of ordinary clients that use IPv6 (beyond loopback). */
const IPV6_CLIENT_SHARE = 0.12;
/** Client counts per site: a mid-sized office. */
const MIN_CLIENTS = 120;
const MAX_CLIENTS = 400;

/** Everybody the server talks to. */
export interface Network {
  /** Ordinary clients, most active first (draw with a skewed index). */
  readonly clients: readonly Host[];
  /** The server itself as a client (`::1`, `127.0.0.1`): AD and Netlogon lookups. */
  readonly loopback: readonly Host[];
  /** Upstream forwarders (never clients). */
  readonly forwarders: readonly Host[];
  /** The private /16 the IPv4 clients live in (`10.<n>`), used to build reverse-lookup names. */
  readonly ipv4Prefix: string;
}

function ipv6Group(rng: Prng): string {
  // Leading zeros are dropped in the compressed text form.
  return rng.next().toString(16).slice(0, rng.range(1, 4)).replace(/^0+(?=.)/, '');
}

/** Build the network of one generated log. Deterministic for the stream. */
export function buildNetwork(rng: Prng): Network {
  const second = rng.range(1, 254);
  const ipv4Prefix = `10.${second}`;
  // A global /64 for the site, as in the sv-SE sample (2001:16d8:ff00:856f::66:21).
  const v6Prefix = `2001:${ipv6Group(rng)}:${ipv6Group(rng)}:${ipv6Group(rng)}`;
  const count = rng.range(MIN_CLIENTS, MAX_CLIENTS);
  const seen = new Set<string>();
  const clients: Host[] = [];
  while (clients.length < count) {
    let ip: string;
    if (rng.chance(IPV6_CLIENT_SHARE)) {
      // Either a short host part (`::66:21`, still longer than 15 chars) or a full SLAAC-style interface id.
      ip = rng.chance(0.5)
        ? `${v6Prefix}::${ipv6Group(rng)}:${ipv6Group(rng)}`
        : `${v6Prefix}:${ipv6Group(rng)}:${ipv6Group(rng)}:${ipv6Group(rng)}:${ipv6Group(rng)}`;
    } else {
      ip = `${ipv4Prefix}.${rng.range(0, 31)}.${rng.range(2, 254)}`;
    }
    if (seen.has(ip)) continue;
    seen.add(ip);
    clients.push(host(ip));
  }
  // The planted IPv6 infected client needs at least one IPv6 machine, however the draws fell.
  if (!clients.some((h) => h.ipv6)) clients[clients.length - 1] = host(`${v6Prefix}::${ipv6Group(rng)}:${ipv6Group(rng)}`);
  const fw = rng.shuffle(FORWARDERS.slice()).slice(0, 2).map(host);
  return { clients, loopback: [host('::1'), host('127.0.0.1')], forwarders: fw, ipv4Prefix };
}
