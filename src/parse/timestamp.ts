/**
 * Timestamps of the Windows DNS debug log: locale-formatted, no zone, no
 * sub-seconds. Parsed only for hits and for a file's head/tail sample, never
 * per line, so plain string code is fine here.
 *
 * Layouts seen in real logs (see docs/windows-dns-debug-log.md §5):
 *   M/d/yyyy h:mm:ss AM|PM   en-US            dd/MM/yyyy HH:mm:ss   en-GB, fr, it
 *   yyyy-MM-dd HH:mm:ss      sv-SE (ISO)      dd.MM.yyyy HH:mm:ss   de-DE, de-AT
 *   yyyy/M/d H:mm:ss         zh-CN            yyyyMMdd HH:mm:ss     Windows 2000/2003
 */
import type { CivilDate, DateOrder } from '../core/index.js';

/** A parsed timestamp: the civil date and seconds since midnight, local time as logged. */
export interface ParsedTime {
  date: CivilDate;
  /** Seconds since local midnight. */
  seconds: number;
}

/** The numeric shape of a date token, before the day/month order is known. */
interface DateParts {
  a: number;
  b: number;
  c: number;
  /** Which order the token itself proves: year-first layouts and dotted dates are unambiguous. */
  fixed: DateOrder | null;
}

const SECONDS_PER_HOUR = 3600;
const HOURS_PER_HALF_DAY = 12;

function splitDate(token: string): DateParts | null {
  if (/^\d{8}$/.test(token)) {
    return { a: Number(token.slice(0, 4)), b: Number(token.slice(4, 6)), c: Number(token.slice(6, 8)), fixed: 'ymd' };
  }
  const m = /^(\d{1,4})([/.-])(\d{1,2})\2(\d{1,4})$/.exec(token);
  if (!m) return null;
  const [, x, sep, y, z] = m as unknown as [string, string, string, string, string];
  if (x.length === 4) return { a: Number(x), b: Number(y), c: Number(z), fixed: 'ymd' };
  if (z.length !== 4 && z.length !== 2) return null;
  const year = z.length === 2 ? 2000 + Number(z) : Number(z);
  // Dotted dates are day-first in every locale that writes them (de, at, ch, ru, …).
  return { a: Number(x), b: Number(y), c: year, fixed: sep === '.' ? 'dmy' : null };
}

function validDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1 || year < 1900 || year > 2999) return false;
  const dim = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= dim;
}

function toDate(p: DateParts, order: DateOrder): CivilDate | null {
  const o = p.fixed ?? order;
  let y: number, mo: number, d: number;
  if (o === 'ymd') [y, mo, d] = [p.a, p.b, p.c];
  else if (o === 'mdy') [mo, d, y] = [p.a, p.b, p.c];
  else [d, mo, y] = [p.a, p.b, p.c];
  return validDate(y, mo, d) ? { year: y, month: mo, day: d } : null;
}

function parseClock(tokens: readonly string[]): number | null {
  const t = tokens[0];
  if (t === undefined) return null;
  const m = /^(\d{1,2}):(\d{2}):(\d{2})$/.exec(t);
  if (!m) return null;
  let h = Number(m[1]);
  const mi = Number(m[2]);
  const s = Number(m[3]);
  if (mi > 59 || s > 59) return null;
  const ampm = tokens[1]?.toUpperCase();
  if (ampm === 'AM' || ampm === 'PM') {
    if (h < 1 || h > HOURS_PER_HALF_DAY) return null;
    if (h === HOURS_PER_HALF_DAY) h = 0; // 12 AM is midnight, 12 PM noon
    if (ampm === 'PM') h += HOURS_PER_HALF_DAY;
  } else if (h > 23) {
    return null;
  }
  return h * SECONDS_PER_HOUR + mi * 60 + s;
}

/** Parse a timestamp text (`6/20/2017 5:36:59 AM`); `order` decides ambiguous slash dates. Null when it is not a timestamp. */
export function parseTimestamp(text: string, order: DateOrder): ParsedTime | null {
  const tokens = text.trim().split(/\s+/);
  const first = tokens[0];
  if (first === undefined) return null;
  const parts = splitDate(first);
  if (!parts) return null;
  const date = toDate(parts, order);
  if (!date) return null;
  const seconds = parseClock(tokens.slice(1));
  if (seconds === null) return null;
  return { date, seconds };
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** ISO 8601 local time without a zone: `2016-02-16T22:05:00`. */
export function formatIsoLocal(t: ParsedTime): string {
  const h = Math.floor(t.seconds / SECONDS_PER_HOUR);
  const m = Math.floor((t.seconds % SECONDS_PER_HOUR) / 60);
  const s = t.seconds % 60;
  return `${pad(t.date.year, 4)}-${pad(t.date.month)}-${pad(t.date.day)}T${pad(h)}:${pad(m)}:${pad(s)}`;
}

/** What a sample of timestamps says about the day/month order. */
export interface DateOrderEvidence {
  /** The order to use. */
  order: DateOrder;
  /** True when nothing in the sample decided between day-first and month-first. */
  ambiguous: boolean;
  /** True when the sample contradicts itself (a file mixing layouts); the first proof wins. */
  conflicting: boolean;
}

/**
 * Decide the date order from sample timestamp texts: a year-first or dotted
 * layout decides by itself; for slash dates a first field > 12 means day-first,
 * a second field > 12 month-first; AM/PM hints month-first (en-US) when nothing
 * else decides, and the answer is then marked ambiguous.
 */
export function detectDateOrder(samples: readonly string[]): DateOrderEvidence {
  let dayFirst = 0;
  let monthFirst = 0;
  let fixed: DateOrder | null = null;
  let ampm = 0;
  for (const text of samples) {
    const tokens = text.trim().split(/\s+/);
    const p = splitDate(tokens[0] ?? '');
    if (!p) continue;
    if (p.fixed) {
      fixed ??= p.fixed;
      continue;
    }
    if (p.a > 12 && p.b <= 12) dayFirst++;
    else if (p.b > 12 && p.a <= 12) monthFirst++;
    const last = tokens[tokens.length - 1]?.toUpperCase();
    if (last === 'AM' || last === 'PM') ampm++;
  }
  if (fixed && dayFirst === 0 && monthFirst === 0) return { order: fixed, ambiguous: false, conflicting: false };
  if (dayFirst > 0 || monthFirst > 0) {
    return { order: dayFirst >= monthFirst ? 'dmy' : 'mdy', ambiguous: false, conflicting: dayFirst > 0 && monthFirst > 0 };
  }
  if (fixed) return { order: fixed, ambiguous: false, conflicting: false };
  return { order: ampm > 0 ? 'mdy' : 'dmy', ambiguous: samples.length > 0, conflicting: false };
}
