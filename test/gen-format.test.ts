/**
 * Every line of a generated log is a well-formed Windows DNS debug-log record.
 *
 * The checker here is an independent oracle written from the format document
 * (docs/windows-dns-debug-log.md §2–§8, §11) with plain regular expressions —
 * deliberately not the product parser and not the generator's own code.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogGenerator, formatLogTime, parseStart } from '../src/gen/index.js';
import type { GenLocale } from '../src/gen/index.js';

const DATE_TIME: Record<GenLocale, RegExp> = {
  'en-US': /^([1-9]|1[0-2])\/([1-9]|[12]\d|3[01])\/(\d{4}) ([1-9]|1[0-2]):([0-5]\d):([0-5]\d) (AM|PM)/,
  'de-DE': /^(0[1-9]|[12]\d|3[01])\.(0[1-9]|1[0-2])\.(\d{4}) ([01]\d|2[0-3]):([0-5]\d):([0-5]\d)/,
  'sv-SE': /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]) ([01]\d|2[0-3]):([0-5]\d):([0-5]\d)/,
  'en-GB': /^(0[1-9]|[12]\d|3[01])\/(0[1-9]|1[0-2])\/(\d{4}) ([01]\d|2[0-3]):([0-5]\d):([0-5]\d)/,
  'zh-CN': /^(\d{4})\/([1-9]|1[0-2])\/([1-9]|[12]\d|3[01]) (\d|1\d|2[0-3]):([0-5]\d):([0-5]\d)/,
};

/** Seconds since year 0 of a matched date/time prefix (for the monotonic check). */
function instant(locale: GenLocale, m: RegExpExecArray): number {
  const n = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  let y: number, mo: number, d: number, h: number;
  if (locale === 'en-US') {
    [mo, d, y, h] = n;
    h = (h % 12) + (m[7] === 'PM' ? 12 : 0);
  } else if (locale === 'de-DE' || locale === 'en-GB') [d, mo, y, h] = n;
  else [y, mo, d, h] = n;
  return ((((y * 12 + mo) * 31 + d) * 24 + h) * 60 + n[4]) * 60 + n[5];
}

const PACKET_REST = /^ ([0-9A-F]{4}) PACKET  ([0-9A-F]{16}) (UDP|TCP) (Snd|Rcv) (\S+)( +)([0-9a-f]{4}) ([ R]) ([QNU?]) \[([0-9a-f]{4}) ([A ][T ][D ][R ]) ( *[A-Z]+)\] (\S+)( +)(\S+)$/;
const EVENT_REST = /^ [0-9A-F]{4} EVENT   \S.*$/;
const NOTE_REST = /^ [0-9A-F]{3} Note: \S.*$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}$/;
const LABEL = /^[A-Za-z0-9_-]+$/;

/** Check `(N)label…(0)`: every length prefix equals its label's length; returns the dotted name or an error text. */
function checkName(wire: string): string | { error: string } {
  const labels: string[] = [];
  let i = 0;
  for (;;) {
    const m = /^\((\d{1,2})\)/.exec(wire.slice(i));
    if (m === null) return { error: `no length prefix at ${i}` };
    const n = Number(m[1]);
    i += m[0].length;
    if (n === 0) return i === wire.length ? labels.join('.') : { error: 'bytes after (0)' };
    if (n > 63) return { error: `label length ${n} > 63` };
    const label = wire.slice(i, i + n);
    if (label.length !== n || !LABEL.test(label)) return { error: `bad label "${label}"` };
    labels.push(label);
    i += n;
  }
}

interface Census {
  packets: number;
  events: number;
  notes: number;
  headers: number;
  wraps: number;
  longIps: number;
  tcp: number;
  mixedCase: number;
  nx: number;
  types: Set<string>;
}

/** Check every line; returns counts of what was seen. Throws (assert) on the first malformed line. */
function checkLog(text: string, locale: GenLocale): Census {
  // CRLF everywhere: no bare LF, no bare CR.
  assert.equal(text.split('\r\n').length, text.split('\n').length, 'a line ends with a bare LF');
  assert.equal(text.split('\r\n').length, text.split('\r').length, 'a bare CR');
  assert.ok(text.endsWith('\r\n'), 'the file ends with a line end');
  const lines = text.slice(0, -2).split('\r\n');
  const dt = DATE_TIME[locale];
  const c: Census = { packets: 0, events: 0, notes: 0, headers: 0, wraps: 0, longIps: 0, tcp: 0, mixedCase: 0, nx: 0, types: new Set() };
  let last = -Infinity;
  let i = 0;
  const where = (k: number): string => `line ${k + 1}: ${JSON.stringify(lines[k])}`;
  const stamp = (k: number, line: string): string => {
    const m = dt.exec(line);
    assert.ok(m, `${where(k)} has no ${locale} date/time`);
    const t = instant(locale, m);
    assert.ok(t >= last, `${where(k)} goes back in time`);
    last = t;
    return line.slice(m[0].length);
  };
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.startsWith('DNS Server log file creation at ')) {
      c.headers++;
      stamp(i, line.slice('DNS Server log file creation at '.length));
      i++;
      if (lines[i]!.startsWith('Log file wrap at ')) {
        c.wraps++;
        stamp(i, lines[i]!.slice('Log file wrap at '.length));
        i++;
      }
      assert.equal(lines[i++], '', 'empty line after the creation/wrap lines');
      assert.equal(lines[i++], 'Message logging key (for packets - other items use a subset of these fields):');
      assert.equal(lines[i], '\tField #  Information         Values', where(i));
      let tabs = 0;
      while (lines[i]!.startsWith('\t')) {
        tabs++;
        i++;
      }
      assert.equal(tabs, 25, `the key table has 25 TAB lines (before ${where(i)})`);
      assert.equal(lines[i++], '', 'empty line after the key table');
      continue;
    }
    const rest = stamp(i, line);
    const p = PACKET_REST.exec(rest);
    if (p !== null) {
      c.packets++;
      const [, , , proto, , ip, pad, , qr, , , , rcode, type, typePad, wire] = p as unknown as string[];
      assert.ok(IPV4.test(ip!) || IPV6.test(ip!), `${where(i)}: remote IP`);
      // Pad to 15 then one space; longer addresses get one space.
      assert.equal(pad!.length, ip!.length < 15 ? 16 - ip!.length : 1, `${where(i)}: IP column padding`);
      if (ip!.length > 15) c.longIps++;
      assert.equal(rcode!.length, 8, `${where(i)}: rcode right-aligned in 8 columns`);
      assert.equal(type!.length + typePad!.length, 7, `${where(i)}: type column is 6 + 1`);
      assert.ok(/^([A-Z]+|\d+)$/.test(type!), `${where(i)}: type mnemonic or number`);
      if (qr === ' ') assert.equal(rcode!.trim(), 'NOERROR', `${where(i)}: queries carry NOERROR`);
      const name = checkName(wire!);
      assert.equal(typeof name, 'string', `${where(i)}: name ${JSON.stringify(name)}`);
      if (proto === 'TCP') c.tcp++;
      if (/[A-Z]/.test(name as string)) c.mixedCase++;
      if (rcode!.trim() === 'NXDOMAIN') c.nx++;
      c.types.add(type!);
      assert.equal(lines[i + 1], '', `${where(i)}: a blank line follows every PACKET line`);
      i += 2;
      continue;
    }
    if (EVENT_REST.test(rest)) c.events++;
    else if (NOTE_REST.test(rest)) c.notes++;
    else assert.fail(`${where(i)} is not a PACKET, EVENT or Note record`);
    i++;
  }
  return c;
}

function generate(locale: GenLocale, size: number, seed: number, wrapEveryBytes?: number, start = '2016-02-16T08:00:00'): string {
  const g = new LogGenerator({ size, seed, locale, infected: 8, startMs: parseStart(start), iocs: 200, ...(wrapEveryBytes === undefined ? {} : { wrapEveryBytes }) });
  const buf = Buffer.alloc(1 << 20);
  const parts: Buffer[] = [];
  for (let n = g.fill(buf); n > 0; n = g.fill(buf)) parts.push(Buffer.from(buf.subarray(0, n)));
  return Buffer.concat(parts).toString('latin1');
}

describe('generated log format (independent regex oracle)', () => {
  const locales: GenLocale[] = ['en-US', 'de-DE', 'sv-SE', 'en-GB', 'zh-CN'];
  for (const [k, locale] of locales.entries()) {
    it(`every line of a ${locale} log is a well-formed record`, () => {
      const text = generate(locale, 1_500_000, 100 + k, 400_000);
      const c = checkLog(text, locale);
      assert.ok(c.packets > 5000, `packets: ${c.packets}`);
      assert.equal(c.headers, 1 + c.wraps, 'one creation header plus one per wrap');
      assert.ok(c.wraps >= 3, `wrap headers mid-file: ${c.wraps}`);
      assert.ok(c.longIps > 0, 'IPv6 addresses longer than 15 characters shift the columns');
      assert.ok(c.tcp > 0, 'some TCP');
      assert.ok(c.mixedCase > 0, 'some mixed-case names');
      assert.ok(c.nx > 0, 'some NXDOMAIN answers');
      for (const t of ['A', 'AAAA', 'SRV', 'PTR', '65', 'SOA']) assert.ok(c.types.has(t), `question type ${t} present`);
      assert.ok(c.events >= 1, 'the service start EVENT');
    });
  }

  it('crosses midnight, month end and the leap day with monotonic time', () => {
    const text = generate('en-GB', 1_000_000, 7, undefined, '2016-02-29T23:59:00');
    checkLog(text, 'en-GB');
    assert.ok(text.includes('\r\n01/03/2016 00:'), 'the log reaches 1 March');
  });

  it('the oracle rejects a malformed line (it can fail)', () => {
    const good = generate('sv-SE', 200_000, 3);
    assert.doesNotThrow(() => checkLog(good, 'sv-SE'));
    // Break the IP padding of the first PACKET line by one space.
    const broken = good.replace(/(PACKET  [0-9A-F]{16} (?:UDP|TCP) (?:Snd|Rcv) \S+) /, '$1');
    assert.notEqual(broken, good);
    assert.throws(() => checkLog(broken, 'sv-SE'));
    assert.throws(() => checkLog(good.replace('\r\n', '\n'), 'sv-SE'), /bare LF/);
    assert.throws(() => checkLog(good, 'en-US'), /date\/time/);
  });
});

describe('locale layouts', () => {
  const cases: [GenLocale, string, string][] = [
    ['en-US', '2016-02-16T08:05:09', '2/16/2016 8:05:09 AM'],
    ['en-US', '2016-02-16T00:30:00', '2/16/2016 12:30:00 AM'],
    ['en-US', '2016-12-01T12:00:00', '12/1/2016 12:00:00 PM'],
    ['en-US', '2016-12-01T23:59:59', '12/1/2016 11:59:59 PM'],
    ['de-DE', '2016-02-06T08:05:09', '06.02.2016 08:05:09'],
    ['sv-SE', '2016-02-06T18:05:09', '2016-02-06 18:05:09'],
    ['en-GB', '2016-02-06T08:05:09', '06/02/2016 08:05:09'],
    ['zh-CN', '2016-02-06T08:05:09', '2016/2/6 8:05:09'],
    ['zh-CN', '2016-11-26T18:05:09', '2016/11/26 18:05:09'],
  ];
  for (const [locale, iso, text] of cases) {
    it(`${locale} ${iso} → ${text}`, () => assert.equal(formatLogTime(locale, parseStart(iso)), text));
  }

  it('the first header line carries the start time in the locale layout', () => {
    assert.ok(generate('de-DE', 100_000, 1).startsWith('DNS Server log file creation at 16.02.2016 08:00:00\r\n\r\nMessage logging key'));
    assert.ok(generate('en-US', 100_000, 1).startsWith('DNS Server log file creation at 2/16/2016 8:00:00 AM\r\n'));
  });
});
