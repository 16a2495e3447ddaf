/**
 * Alert and digest mails as subject + plain text + HTML. Pure functions of the
 * alert record: rendering the same outbox entry again gives the same mail.
 *
 * Everything from a log or a feed (client, query name, indicator, source, file
 * name) is untrusted: control characters never reach a header (they are
 * removed there), show as `\xNN` escapes in the text part, and the HTML part
 * escapes every value.
 */
import { formatDuration } from './duration.js';
import type { AlertMessage, DigestAlert, DigestRow, FoldReason, ImmediateAlert } from './alert-model.js';

/** A rendered mail body and subject. */
export interface RenderedMail {
  /** One line, no control characters, at most {@link MAX_SUBJECT_CHARS} characters. */
  subject: string;
  text: string;
  html: string;
}

/** Longest subject, in characters: longer ones are cut with an ellipsis. */
export const MAX_SUBJECT_CHARS = 200;

// C0 controls, DEL, C1 controls, and the Unicode line and paragraph separators.
// eslint-disable-next-line no-control-regex
const UNSAFE_RE = /[\x00-\x1f\x7f-\x9f\u2028\u2029]/g;

/**
 * Make `s` safe for a mail header: every control character (CR and LF
 * included) and Unicode line separator becomes a space, runs of spaces
 * collapse, the result is trimmed and cut to `max` characters.
 */
export function headerSafe(s: string, max = MAX_SUBJECT_CHARS): string {
  const flat = s.replace(UNSAFE_RE, ' ').replace(/ {2,}/g, ' ').trim();
  return flat.length <= max ? flat : flat.slice(0, max - 1) + '…';
}

/** Make `s` safe for one line of the text part: control characters become visible `\xNN` / `\uNNNN` escapes. */
export function textSafe(s: string): string {
  return s.replace(UNSAFE_RE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** HTML-escape `s` for element content and quoted attribute values (after {@link textSafe}, so no control characters either). */
export function escapeHtml(s: string): string {
  return textSafe(s).replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] as string);
}

const HTML_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * What kind of indicator a hit's `source` names, for the subject:
 * `Locky C&C`, `Locky domain`, `C&C` or `known-bad domain`.
 */
export function describeIndicator(source: string): string {
  const locky = /locky/i.test(source);
  const cc = /\[C2\]|C&C|\bc2\b|locky-v\d|\bdga\b/i.test(source);
  if (locky) return cc ? 'Locky C&C' : 'Locky domain';
  return cc ? 'C&C' : 'known-bad domain';
}

/** Render any alert message. */
export function renderMail(m: AlertMessage): RenderedMail {
  return m.kind === 'alert' ? renderAlert(m) : renderDigest(m);
}

/** Render an immediate alert: subject `dnshunt: <client> looked up <kind> <indicator>`, facts, and what to do next. */
export function renderAlert(a: ImmediateAlert): RenderedMail {
  const h = a.hit;
  const who = a.hostName === null ? h.client : `${h.client} (${a.hostName})`;
  const subject = headerSafe(`dnshunt: ${who} looked up ${describeIndicator(h.source)} ${h.indicator}`);
  const response = h.rcode === null ? 'no response logged' : `response ${h.rcode}`;
  const facts: [string, string][] = [
    ['Client', h.client],
    ['Host name', a.hostName ?? '(not resolved)'],
    ['Time', `${h.time} (DNS server's local time)`],
    ['Query', `${h.qname} (type ${h.qtype}, ${response})`],
    ['Indicator', h.indicator],
    ['Source', h.source],
    ['Log', `${h.file}:${h.line}`],
  ];
  if (h.suffixStripped !== null) facts.push(['Search suffix removed', h.suffixStripped]);
  const steps = nextSteps(h.client);
  const key = a.alertKey === 'client' ? 'this client' : 'this client and indicator';
  const footer =
    `Further hits of ${key} within ${formatDuration(a.suppressMs)} are not mailed one by one; ` +
    `they are counted in a digest sent every ${formatDuration(a.digestMs)}.`;

  const text = [
    `dnshunt found a client looking up a known malware domain.`,
    '',
    ...facts.map(([k, v]) => `${(k + ':').padEnd(23)}${textSafe(v)}`),
    '',
    'What to do next:',
    ...steps.map((s, i) => `${i + 1}. ${textSafe(s)}`),
    '',
    footer,
    '',
  ].join('\n');

  const html = page(
    subject,
    `<p>dnshunt found a client looking up a known malware domain.</p>\n` +
      `<table>\n${facts.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('\n')}\n</table>\n` +
      `<h3>What to do next</h3>\n<ol>\n${steps.map((s) => `<li>${escapeHtml(s)}</li>`).join('\n')}\n</ol>\n` +
      `<p><small>${escapeHtml(footer)}</small></p>`,
  );
  return { subject, text, html };
}

const REASON_TEXT: Readonly<Record<FoldReason, string>> = {
  repeat: 'repeat',
  grouped: 'client already alerted',
  cap: 'NEW, not mailed: mail cap reached',
  untracked: 'NEW, not mailed: too many clients',
};

/** Render a digest: a table of client, indicator, count, first, last (and why the hits were not mailed). */
export function renderDigest(d: DigestAlert): RenderedMail {
  const total = d.rows.reduce((n, r) => n + r.count, 0) + d.overflowHits;
  const clients = new Set(d.rows.map((r) => r.client));
  const unseen = new Set(d.rows.filter((r) => r.reason === 'cap' || r.reason === 'untracked').map((r) => r.client));
  let subject = `dnshunt digest: ${total} hit${total === 1 ? '' : 's'} from ${clients.size} client${clients.size === 1 ? '' : 's'}`;
  if (unseen.size > 0) subject += `, ${unseen.size} not alerted before`;
  subject = headerSafe(subject);
  const period = `${new Date(d.periodStart).toISOString()} to ${new Date(d.createdAt).toISOString()}`;
  const overflow =
    d.overflowHits > 0 ? `${d.overflowHits} more hit${d.overflowHits === 1 ? '' : 's'} not itemised (more client/indicator pairs than one digest lists).` : '';
  const intro = `Hits of clients looking up known malware domains that were not mailed one by one, ${period} (UTC). Times in the table are the DNS server's local time.`;

  const header = ['Client', 'Indicator', 'Count', 'First', 'Last', 'Note'];
  const cells = d.rows.map((r) => rowCells(r));
  const widths = header.map((h, i) => Math.min(60, Math.max(h.length, ...cells.map((c) => textSafe(c[i] as string).length))));
  const line = (c: readonly string[]): string => c.map((v, i) => textSafe(v).padEnd(widths[i] as number)).join('  ').trimEnd();
  const text = [
    intro,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.map(line),
    ...(overflow === '' ? [] : ['', overflow]),
    '',
    'Rows marked NEW are clients or indicators that have not had their own alert mail: treat them like one',
    '(isolate the machine, check its shares, rebuild it).',
    '',
  ].join('\n');

  const html = page(
    subject,
    `<p>${escapeHtml(intro)}</p>\n<table border="1" cellpadding="3" cellspacing="0">\n` +
      `<tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>\n` +
      cells.map((c) => `<tr>${c.map((v, i) => `<td${i === 2 ? ' align="right"' : ''}>${escapeHtml(v)}</td>`).join('')}</tr>`).join('\n') +
      `\n</table>\n` +
      (overflow === '' ? '' : `<p>${escapeHtml(overflow)}</p>\n`) +
      `<p>Rows marked NEW are clients or indicators that have not had their own alert mail: treat them like one ` +
      `(isolate the machine, check its shares, rebuild it).</p>`,
  );
  return { subject, text, html };
}

function rowCells(r: DigestRow): string[] {
  return [r.client, r.indicator, String(r.count), r.first, r.last, REASON_TEXT[r.reason]];
}

function nextSteps(client: string): string[] {
  return [
    `Isolate ${client} now: unplug it or move it to a quarantine VLAN. Ransomware such as Locky encrypts every file share the user can write to.`,
    'Find who uses the machine and stop work on it; do not log on to it with an administrator account.',
    'Check the file shares it can reach for newly encrypted files and ransom notes, and restore them from backup.',
    'Rebuild the machine from a clean image rather than cleaning it, and find how it was infected (mail attachment, macro).',
    'Block the indicator at the DNS server, proxy or firewall, and scan the DNS logs for other clients (dnshunt scan).',
  ];
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>\n<body>\n${body}\n</body></html>\n`;
}
