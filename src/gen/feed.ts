/**
 * The user feed written next to a generated log (`FILE.ioc.txt`): `n`
 * realistic-looking malicious domains, a few of which the infected clients
 * really query. One domain a line after a `#` comment header — the plainest
 * form every feed reader accepts.
 */
import type { Prng } from './prng.js';

const SYLLABLES: readonly string[] = [
  'sec', 'ure', 'bank', 'pay', 'log', 'in', 'up', 'date', 'serv', 'ice', 'acc', 'ount', 'ver', 'ify', 'mail', 'box', 'drop',
  'file', 'doc', 'share', 'cloud', 'net', 'link', 'track', 'stat', 'cdn', 'host', 'web', 'info', 'port', 'al', 'gate', 'way',
  'micro', 'soft', 'off', 'ice', 'adobe', 'flash', 'java', 'win', 'sys', 'tem', 'zen', 'kor', 'vex', 'tral', 'qua', 'nix',
];
const TLDS: readonly string[] = ['com', 'net', 'org', 'info', 'ru', 'top', 'xyz', 'biz', 'su', 'in', 'cn', 'pw', 'club', 'online', 'site', 'eu', 'de'];
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
/** Syllables per word: short enough to look like a brand, long enough to be distinct. */
const MIN_SYLLABLES = 2;
const MAX_SYLLABLES = 4;

function word(rng: Prng): string {
  let s = '';
  const n = rng.range(MIN_SYLLABLES, MAX_SYLLABLES);
  for (let i = 0; i < n; i++) s += rng.pick(SYLLABLES);
  return s;
}

/** One random feed-style domain: brand-like words, random strings, dashed names, or a host on a compromised site. */
export function feedDomain(rng: Prng): string {
  const tld = rng.pick(TLDS);
  switch (rng.int(5)) {
    case 0:
      return `${word(rng)}.${tld}`;
    case 1:
      return `${rng.chars(1, LOWER)}${rng.chars(rng.range(7, 13), LOWER_ALNUM)}.${tld}`;
    case 2:
      return `${word(rng)}-${word(rng)}${rng.chance(0.5) ? String(rng.range(1, 99)) : ''}.${tld}`;
    case 3:
      return `${rng.pick(['cdn', 'img', 'update', 'api', 'secure', 'mx'])}.${word(rng)}.${tld}`;
    default:
      return `${word(rng)}${rng.range(10, 9999)}.${tld}`;
  }
}

/** `n` distinct domains for which `accept` holds (redrawn otherwise), in generation order. */
export function feedDomains(rng: Prng, n: number, accept: (d: string) => boolean): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  let attempts = 0;
  while (out.length < n && attempts++ < n * 50 + 1000) {
    const d = feedDomain(rng);
    if (seen.has(d) || !accept(d)) continue;
    seen.add(d);
    out.push(d);
  }
  return out;
}

/** The feed file's text: a comment header, then one domain a line, CRLF-free (feeds are usually Unix text). */
export function feedText(domains: readonly string[], seed: number): string {
  return `# dnshunt gen user feed (seed ${seed}): ${domains.length} indicators, one domain a line\n${domains.join('\n')}\n`;
}
