/**
 * Date and time as the DNS service prints them: the Windows short date and
 * long time of the server's locale, no zone, no sub-seconds (format doc §5).
 *
 * Internally a timestamp is "civil milliseconds": milliseconds since
 * 1970-01-01T00:00:00 of the log's own wall clock, computed with `Date.UTC`
 * only as calendar arithmetic (no zone, no DST, no clock is read).
 */
import { DnshuntError, ErrorCode } from '../core/index.js';
import type { CivilDate } from '../core/index.js';

/** Locales the generator can write, with the layout each prints. */
export const GEN_LOCALES = ['en-US', 'de-DE', 'sv-SE', 'en-GB', 'zh-CN'] as const;
/** One of `GEN_LOCALES`. */
export type GenLocale = (typeof GEN_LOCALES)[number];

/** Layout per locale, for help text and error messages. */
export const LOCALE_LAYOUTS: Readonly<Record<GenLocale, string>> = {
  'en-US': 'M/d/yyyy h:mm:ss AM',
  'de-DE': 'dd.MM.yyyy HH:mm:ss',
  'sv-SE': 'yyyy-MM-dd HH:mm:ss',
  'en-GB': 'dd/MM/yyyy HH:mm:ss',
  'zh-CN': 'yyyy/M/d H:mm:ss',
};

const MS_PER_SECOND = 1000;
const HOURS_PER_HALF_DAY = 12;
const START_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** True when `s` names a supported locale. */
export function isGenLocale(s: string): s is GenLocale {
  return (GEN_LOCALES as readonly string[]).includes(s);
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Date and time text of civil millisecond `ms` in `locale`'s layout (e.g. `2/16/2016 8:00:00 AM`). */
export function formatLogTime(locale: GenLocale, ms: number): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const mo = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  const h = d.getUTCHours();
  const mi = pad2(d.getUTCMinutes());
  const s = pad2(d.getUTCSeconds());
  switch (locale) {
    case 'en-US': {
      const h12 = h % HOURS_PER_HALF_DAY === 0 ? HOURS_PER_HALF_DAY : h % HOURS_PER_HALF_DAY;
      return `${mo}/${day}/${y} ${h12}:${mi}:${s} ${h < HOURS_PER_HALF_DAY ? 'AM' : 'PM'}`;
    }
    case 'de-DE':
      return `${pad2(day)}.${pad2(mo)}.${y} ${pad2(h)}:${mi}:${s}`;
    case 'sv-SE':
      return `${y}-${pad2(mo)}-${pad2(day)} ${pad2(h)}:${mi}:${s}`;
    case 'en-GB':
      return `${pad2(day)}/${pad2(mo)}/${y} ${pad2(h)}:${mi}:${s}`;
    case 'zh-CN':
      return `${y}/${mo}/${day} ${h}:${mi}:${s}`;
  }
}

/** ISO 8601 local time without zone (`2016-02-16T08:00:00`) of civil millisecond `ms`. */
export function isoLocal(ms: number): string {
  return new Date(ms - (ms % MS_PER_SECOND)).toISOString().slice(0, 19);
}

/** The civil date of civil millisecond `ms`. */
export function civilDateOf(ms: number): CivilDate {
  const d = new Date(ms);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/**
 * Parse `--start`: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM` or `YYYY-MM-DDTHH:MM:SS`
 * (a space may replace the `T`) into civil milliseconds. Throws DnshuntError
 * USAGE for anything else or an impossible date or time.
 */
export function parseStart(text: string): number {
  const m = START_RE.exec(text.trim());
  if (m !== null) {
    const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
    const ms = Date.UTC(y, mo - 1, d, h, mi, s);
    const back = new Date(ms);
    // Date.UTC rolls 2016-02-30 over to March; a round trip exposes that.
    if (y >= 1900 && back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d && h < 24 && mi < 60 && s < 60) return ms;
  }
  throw new DnshuntError(ErrorCode.USAGE, `bad --start ${JSON.stringify(text)}: expected a local time like 2016-02-16T08:00:00`);
}

/**
 * The log's wall clock: current civil milliseconds plus the formatted time
 * text of the current second, cached as bytes so a PACKET line copies it
 * instead of formatting a date per line.
 */
export class LogClock {
  /** Current civil milliseconds (never decreases). */
  ms: number;
  /** `formatLogTime(locale, ms)` as latin1 bytes, valid for the current second. */
  text: Buffer;
  private readonly locale: GenLocale;
  private second: number;

  constructor(locale: GenLocale, startMs: number) {
    this.locale = locale;
    this.ms = startMs;
    this.second = Math.floor(startMs / MS_PER_SECOND);
    this.text = Buffer.from(formatLogTime(locale, startMs), 'latin1');
  }

  /** Move the clock forward by `deltaMs` ≥ 0 (negative values are treated as 0: time is monotonic). */
  advance(deltaMs: number): void {
    if (deltaMs > 0) this.ms += deltaMs;
    const sec = Math.floor(this.ms / MS_PER_SECOND);
    if (sec !== this.second) {
      this.second = sec;
      this.text = Buffer.from(formatLogTime(this.locale, this.ms), 'latin1');
    }
  }
}
