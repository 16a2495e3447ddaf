/**
 * The background question names: what an office of Windows machines asks its
 * domain controller all day. A pool of distinct (name, type) pairs is built
 * once per log, ordered by popularity; PACKET lines pick from it with a
 * skewed index, so a few names dominate and a long tail is rare — the shape of
 * real traffic, with realistic lengths and label counts:
 *
 *   popular sites and their subdomains     www.google.com, login.live.com
 *   CDN / cloud names                      e1234.dscb.akamaiedge.net, d1x2….cloudfront.net
 *   long hash lookups (AV reputation)      <32 hex>.<16 hex>.avqs.mcafee.com
 *   Active Directory                       _ldap._tcp.dc._msdcs.corp.local (SRV), hosts, GUIDs
 *   reverse lookups                        21.3.1.10.in-addr.arpa, nibble ip6.arpa (PTR)
 *   search-suffix junk                     www.google.com.corp.local (NXDOMAIN)
 *
 * Every name is checked against the run's indicators by the caller (`plan.ts`)
 * so that background traffic can never be a true positive.
 */
import type { Prng } from './prng.js';
import { mixCase, toWire } from './wire.js';

/** One pool entry: a question name and type plus how the server answers it. */
export interface PoolName {
  /** Dotted, lower case. */
  readonly dotted: string;
  /** Wire form as logged. */
  readonly wire: Buffer;
  /** A mixed-case wire spelling used on some draws, or null. */
  readonly wireMixed: Buffer | null;
  /** Question type column: mnemonic padded to 6 + 1 space. */
  readonly qtype: Buffer;
  /** The server is authoritative (AD zone, reverse zone): answered without the forwarder. */
  readonly local: boolean;
  /** The answer is NXDOMAIN. */
  readonly nx: boolean;
}

/** Mnemonic column width (format doc §4.1: left-justified in 6 + 1 space). */
const QTYPE_WIDTH = 6;
/** Share of pool entries that get a mixed-case spelling. */
const MIXED_CASE_SHARE = 0.03;

/** The question type column for `mnemonic` (`A` → `A      `, `65` → `65     `). */
export function qtypeColumn(mnemonic: string): Buffer {
  return Buffer.from(mnemonic.padEnd(QTYPE_WIDTH, ' ') + ' ', 'latin1');
}

const POPULAR: readonly string[] = [
  'google.com', 'youtube.com', 'facebook.com', 'microsoft.com', 'windowsupdate.com', 'live.com', 'office.com', 'office365.com',
  'outlook.com', 'bing.com', 'msn.com', 'apple.com', 'icloud.com', 'amazon.com', 'wikipedia.org', 'twitter.com', 'linkedin.com',
  'instagram.com', 'yahoo.com', 'adobe.com', 'dropbox.com', 'zoom.us', 'slack.com', 'github.com', 'mozilla.org', 'gstatic.com',
  'googleapis.com', 'doubleclick.net', 'googlesyndication.com', 'google-analytics.com', 'googletagmanager.com', 'digicert.com',
  'verisign.com', 'symantec.com', 'trendmicro.com', 'kaspersky.com', 'eset.com', 'sophos.com', 'salesforce.com', 'sharepoint.com',
  'skype.com', 'bbc.co.uk', 'spiegel.de', 'heise.de', 'aftonbladet.se', 'baidu.com', 'qq.com', 'taobao.com', 'weibo.com',
  'sina.com.cn', 'yandex.ru', 'mail.ru', 'vk.com', 'reddit.com', 'netflix.com', 'spotify.com', 'paypal.com', 'ebay.com',
  'booking.com', 'wordpress.com', 'pinterest.com', 'cnn.com', 'nytimes.com', 'theguardian.com', 'weather.com', 'adnxs.com',
  'criteo.com', 'rubiconproject.com', 'pubmatic.com', 'scorecardresearch.com', 'taboola.com', 'outbrain.com', 'newrelic.com',
  'sentry.io', 'cloudflare.com', 'jsdelivr.net', 'msftncsi.com', 'msftconnecttest.com', 'office.net', 'lync.com', 'xboxlive.com',
  'steampowered.com', 'java.com', 'oracle.com', 'ubuntu.com', 'gravatar.com', 'imgur.com', 'tiktok.com', 'whatsapp.net',
  'telegram.org', 'stackoverflow.com', 'atlassian.net', 'zendesk.com', 'hubspot.com', 'mailchimp.com', 'sendgrid.net',
  'globalsign.com', 'letsencrypt.org', 'usertrust.com', 'sectigo.com', 'entrust.net', 'teamviewer.com', 'logmein.com',
];

const SUBDOMAINS: readonly string[] = [
  'www', 'api', 'login', 'mail', 'cdn', 'static', 'img', 'assets', 'm', 'accounts', 'ssl', 'play', 'update', 'download',
  'secure', 'auth', 'edge', 's', 'media', 'ocsp', 'crl', 'clients4', 'safebrowsing', 'fonts', 'ajax', 'connect', 'graph',
  'autodiscover', 'outlook', 'teams', 'portal', 'status', 'telemetry', 'events', 'config', 'sync', 'push', 'ads', 'pixel',
];

const WINDOWS_NAMES: readonly string[] = [
  'settings-win.data.microsoft.com', 'v10.events.data.microsoft.com', 'ctldl.windowsupdate.com', 'www.msftconnecttest.com',
  'dns.msftncsi.com', 'time.windows.com', 'login.microsoftonline.com', 'outlook.office365.com', 'officeclient.microsoft.com',
  'go.microsoft.com', 'fe2.update.microsoft.com', 'sls.update.microsoft.com', 'asimov-win.vortex.data.microsoft.com.akadns.net',
  'vortex-win.data.microsoft.com', 'teredo.ipv6.microsoft.com', 'watson.telemetry.microsoft.com', 'login.live.com',
  'client.wns.windows.com', 'displaycatalog.mp.microsoft.com', 'arc.msn.com', 'ris.api.iris.microsoft.com', 'nexus.officeapps.live.com',
];

const AKAMAI_SHARDS: readonly string[] = ['a', 'b', 'c', 'd', 'dscb', 'dscd', 'dsce', 'dscg', 'dspg', 'dscx'];
const AWS_REGIONS: readonly string[] = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-1'];
const WORDS: readonly string[] = [
  'alpha', 'nova', 'prod', 'stage', 'blue', 'green', 'cloud', 'data', 'app', 'web', 'core', 'edge', 'north', 'delta', 'main', 'store',
];
const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';

/** Weights of the name categories in the pool (they sum to 100; the popularity rank is independent of category). */
const CATEGORY_WEIGHTS: readonly [Category, number][] = [
  ['popular', 34], ['windows', 10], ['cdn', 14], ['hash', 4], ['ad', 20], ['reverse', 8], ['junk', 6], ['host', 4],
];
type Category = 'popular' | 'windows' | 'cdn' | 'hash' | 'ad' | 'reverse' | 'junk' | 'host';

function pickCategory(rng: Prng): Category {
  let r = rng.int(100);
  for (const [c, w] of CATEGORY_WEIGHTS) {
    if (r < w) return c;
    r -= w;
  }
  return 'popular';
}

/** A GUID as Windows registers DCs under `_msdcs` (lower-case hex, dashed 8-4-4-4-12). */
function guid(rng: Prng): string {
  return `${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`;
}

/** Type for a name of the open internet: mostly A and AAAA, some HTTPS (printed as `65`, format doc §4.1). */
function internetType(rng: Prng): string {
  const r = rng.int(100);
  if (r < 56) return 'A';
  if (r < 86) return 'AAAA';
  if (r < 95) return '65';
  if (r < 97) return 'CNAME';
  if (r < 99) return 'TXT';
  return 'MX';
}

interface Draft {
  dotted: string;
  type: string;
  local: boolean;
  nx: boolean;
}

function draft(rng: Prng, cat: Category, zone: string, ipv4Prefix: string, v6: readonly string[]): Draft {
  switch (cat) {
    case 'popular': {
      const base = rng.pick(POPULAR);
      const dotted = rng.chance(0.2) ? base : `${rng.pick(SUBDOMAINS)}.${base}`;
      return { dotted, type: internetType(rng), local: false, nx: false };
    }
    case 'windows':
      return { dotted: rng.pick(WINDOWS_NAMES), type: rng.chance(0.7) ? 'A' : 'AAAA', local: false, nx: false };
    case 'cdn': {
      const r = rng.int(6);
      let dotted: string;
      if (r === 0) dotted = `e${rng.range(1, 99999)}.${rng.pick(AKAMAI_SHARDS)}.akamaiedge.net`;
      else if (r === 1) dotted = `d${rng.chars(13, ALNUM)}.cloudfront.net`;
      else if (r === 2) dotted = `${rng.pick(WORDS)}-${rng.hex(6)}.azureedge.net`;
      else if (r === 3) dotted = `r${rng.range(1, 9)}---sn-${rng.chars(8, ALNUM)}.googlevideo.com`;
      else if (r === 4) dotted = `${rng.pick(WORDS)}${rng.range(1, 999)}.blob.core.windows.net`;
      else dotted = `${rng.hex(10)}.execute-api.${rng.pick(AWS_REGIONS)}.amazonaws.com`;
      return { dotted, type: internetType(rng), local: false, nx: false };
    }
    case 'hash': {
      // Anti-virus reputation lookups encode file hashes as labels: the longest names in a real log.
      const dotted = rng.chance(0.5) ? `${rng.chars(32, HEX)}.${rng.chars(16, HEX)}.avqs.mcafee.com` : `${rng.chars(40, HEX)}.p.${rng.chars(8, HEX)}.sxl.sophosxl.net`;
      return { dotted, type: 'A', local: false, nx: rng.chance(0.3) };
    }
    case 'ad': {
      const r = rng.int(10);
      const site = 'Default-First-Site-Name';
      const srv = ['_ldap._tcp.dc._msdcs', '_ldap._tcp.pdc._msdcs', '_kerberos._tcp', '_kerberos._udp', '_kpasswd._tcp', '_gc._tcp', `_ldap._tcp.${site}._sites.dc._msdcs`, `_kerberos._tcp.${site}._sites.dc._msdcs`, `_ldap._tcp.${site}._sites.gc._msdcs`];
      if (r < 5) return { dotted: `${rng.pick(srv)}.${zone}`, type: 'SRV', local: true, nx: false };
      if (r === 5) return { dotted: `_ldap._tcp.${guid(rng)}.domains._msdcs.${zone}`, type: 'SRV', local: true, nx: false };
      if (r === 6) return { dotted: `${guid(rng)}._msdcs.${zone}`, type: 'CNAME', local: true, nx: false };
      if (r === 7) return { dotted: zone, type: rng.pick(['SOA', 'NS', 'A']), local: true, nx: false };
      if (r === 8) return { dotted: `${rng.pick(['DomainDnsZones', 'ForestDnsZones'])}.${zone}`, type: 'A', local: true, nx: false };
      return { dotted: `${rng.pick(['wpad', 'isatap'])}.${zone}`, type: 'A', local: true, nx: true };
    }
    case 'reverse': {
      if (v6.length > 0 && rng.chance(0.2)) {
        // Nibble form of a full IPv6 address: 32 one-character labels under ip6.arpa.
        const nibbles = rng.chars(32, HEX).split('').join('.');
        return { dotted: `${nibbles}.ip6.arpa`, type: 'PTR', local: false, nx: true };
      }
      const inside = rng.chance(0.7);
      const o = inside ? [...ipv4Prefix.split('.'), String(rng.range(0, 31)), String(rng.range(2, 254))] : [String(rng.range(11, 223)), String(rng.range(0, 255)), String(rng.range(0, 255)), String(rng.range(1, 254))];
      return { dotted: `${o.reverse().join('.')}.in-addr.arpa`, type: 'PTR', local: inside, nx: !inside && rng.chance(0.4) };
    }
    case 'junk':
      // A client's resolver appending the AD search suffix to an internet name: NXDOMAIN from the authoritative zone.
      return { dotted: `${rng.chance(0.5) ? 'www.' : ''}${rng.pick(POPULAR)}.${zone}`, type: rng.chance(0.6) ? 'A' : 'AAAA', local: true, nx: true };
    case 'host':
      return { dotted: `${rng.pick(['ws', 'pc', 'nb', 'fs', 'prn', 'srv'])}-${String(rng.range(1, 9999)).padStart(4, '0')}.${zone}`, type: rng.chance(0.7) ? 'A' : 'AAAA', local: true, nx: rng.chance(0.1) };
  }
}

/**
 * Build `size` distinct background names for a log whose AD zone is `zone`.
 * `reject(dotted)` is asked for every candidate; a rejected one is redrawn
 * (used to keep every indicator and every decoy out of the background).
 */
export function buildNamePool(rng: Prng, size: number, zone: string, ipv4Prefix: string, v6Clients: readonly string[], reject: (dotted: string) => boolean): PoolName[] {
  const seen = new Set<string>();
  const out: PoolName[] = [];
  let attempts = 0;
  // Bounded: the categories hold far more distinct names than any pool size used, but never loop forever.
  const maxAttempts = size * 20;
  while (out.length < size && attempts++ < maxAttempts) {
    const d = draft(rng, pickCategory(rng), zone, ipv4Prefix, v6Clients);
    const key = `${d.type} ${d.dotted}`;
    if (seen.has(key) || reject(d.dotted)) continue;
    seen.add(key);
    const mixed = rng.chance(MIXED_CASE_SHARE) ? Buffer.from(toWire(mixCase(d.dotted, rng)), 'latin1') : null;
    out.push({ dotted: d.dotted, wire: Buffer.from(toWire(d.dotted), 'latin1'), wireMixed: mixed, qtype: qtypeColumn(d.type), local: d.local, nx: d.nx });
  }
  return out;
}
