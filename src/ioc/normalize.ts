/**
 * Normalising and linting one indicator as a user or a feed writes it.
 */
import { psl } from '../match/index.js';

/** Longest DNS name in text form (RFC 1035: 255 octets on the wire). */
const MAX_NAME_LENGTH = 253;
/** Longest DNS label (RFC 1035). */
const MAX_LABEL_LENGTH = 63;
const LABEL_RE = /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$/;
const IPV4_RE = /^(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/**
 * An already-normal domain (lower case, 2+ labels of 1–63 letters, digits, `_`
 * or inner `-`), the common case in feeds: it skips the URL, defang and IP handling.
 */
const PLAIN_DOMAIN_RE = /^(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
const ALL_DIGITS_TAIL_RE = /\.\d+$/;
/** Our input is already a validated host name: tldts need not extract, validate or detect IPs again. */
const PSL_OPTIONS = { allowPrivateDomains: false, extractHostname: false, validateHostname: false, detectIp: false, mixedInputs: false } as const;

/** Why the normal domain `s` cannot be an indicator (it is only a public suffix: `co.uk`), or null when it can. */
export function onlyPublicSuffixReason(s: string): string | null {
  return psl().getDomain(s, PSL_OPTIONS) === null ? `"${s}" is only a public suffix; it would match every name under it` : null;
}

function plainDomain(s: string): Normalized {
  return { ok: true, kind: 'domain', value: s };
}

function notOnlyPublicSuffix(s: string): Normalized {
  const reason = onlyPublicSuffixReason(s);
  return reason === null ? { ok: true, kind: 'domain', value: s } : { ok: false, reason };
}

/** A normalised indicator value, or why the text is not one. */
export type Normalized =
  | { ok: true; kind: 'domain' | 'ip'; value: string }
  | { ok: false; reason: string };

/** Undo the usual defanging of threat-intel text: `hxxp`, `[.]`, `(.)`, `[dot]`. */
export function refang(s: string): string {
  return s
    .replace(/^hxxp/i, 'http')
    .replace(/\[\.\]|\(\.\)|\[dot\]|\(dot\)/gi, '.');
}

/**
 * Turn one token (a domain, a URL, an IP) into a lower-case dotted domain with
 * no trailing dot, or an IP. A leading `*.` is dropped (an indicator already
 * covers its subdomains). An indicator that is only a public suffix (`com`,
 * `co.uk`) is refused: it would match half the internet. That check asks the
 * Public Suffix List; `checkPublicSuffix: false` skips it, for the bundled
 * list only (a test holds every row of it to the full check), so that a scan
 * whose other indicators come from the cache never loads the list.
 */
export function normalizeIndicator(raw: string, checkPublicSuffix = true): Normalized {
  const domain = checkPublicSuffix ? notOnlyPublicSuffix : plainDomain;
  if (raw.length <= MAX_NAME_LENGTH && PLAIN_DOMAIN_RE.test(raw) && !ALL_DIGITS_TAIL_RE.test(raw)) return domain(raw);
  let s = refang(raw.trim());
  if (s.length === 0) return { ok: false, reason: 'empty' };
  const url = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(s);
  if (url) {
    s = url[1]!.replace(/^[^@]*@/, ''); // drop user info
    if (s.startsWith('[')) s = s.slice(1, s.indexOf(']') >= 0 ? s.indexOf(']') : s.length);
    else s = s.replace(/:\d+$/, '');
  }
  s = s.toLowerCase().replace(/\.+$/, '');
  if (s.startsWith('*.')) s = s.slice(2);
  if (IPV4_RE.test(s) || (s.includes(':') && /^[0-9a-f:.]+$/.test(s))) return { ok: true, kind: 'ip', value: s };
  if (s.length > MAX_NAME_LENGTH) return { ok: false, reason: `name longer than ${MAX_NAME_LENGTH} characters` };
  const labels = s.split('.');
  for (const l of labels) {
    if (l.length === 0) return { ok: false, reason: 'empty label' };
    if (l.length > MAX_LABEL_LENGTH) return { ok: false, reason: `label longer than ${MAX_LABEL_LENGTH} characters` };
    if (!LABEL_RE.test(l)) return { ok: false, reason: `not a host name (bad label "${l.slice(0, 20)}")` };
  }
  return domain(s);
}
