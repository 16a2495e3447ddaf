/**
 * Calendar arithmetic on zone-less civil dates (proleptic Gregorian), and the
 * Locky two-day windows built on it.
 *
 * No `Date` objects and no clock: a DGA must be a pure function of its inputs,
 * and `Date` would drag a time zone into day arithmetic. Day counting uses a
 * days-since-1970-01-01 serial computed from the era/year-of-era decomposition
 * of the Gregorian 400-year cycle.
 *
 * Locky windows: the malware uses `day >> 1`, so inside every month the days
 * that share a value are
 *
 *     day:    1 | 2 3 | 4 5 | … | 28 29 | 30 31
 *     day>>1: 0 |  1  |  2  | … |  14   |  15
 *
 * and a window is named by its first day. Month and year boundaries always
 * start a new window (Feb 28 is alone in a non-leap year, Dec 30/31 share).
 */
import { DnshuntError, ErrorCode } from '../core/index.js';
import type { CivilDate } from '../core/index.js';

/** Days in a Gregorian 400-year cycle. */
const DAYS_PER_ERA = 146_097;
/** Years in a Gregorian cycle. */
const YEARS_PER_ERA = 400;
/** Days in a common year. */
const DAYS_PER_YEAR = 365;
/** Days in a four-year block (1461) minus one: dividing by it counts the leap days passed. */
const DAYS_PER_4_YEARS_MINUS_1 = 4 * DAYS_PER_YEAR;
/** Days in the first three (March-based) centuries of an era: 24 leap days each. */
const DAYS_PER_CENTURY = 100 * DAYS_PER_YEAR + 24;
/** Serial of 0000-03-01 relative to 1970-01-01: the era arithmetic counts from a March 1st. */
const EPOCH_SHIFT_DAYS = 719_468;
/** Days from March 1 to the first of each month when the year starts in March (the 153-day five-month pattern). */
const MONTH_PATTERN_DAYS = 153;
const MONTH_PATTERN_MONTHS = 5;

const YMD_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a Gregorian leap year. */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Number of days in `month` (1–12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** True when `d` has integer fields naming a real calendar day (month 1–12, day within the month). */
export function isValidCivilDate(d: CivilDate): boolean {
  return (
    Number.isSafeInteger(d.year) &&
    Number.isInteger(d.month) &&
    Number.isInteger(d.day) &&
    d.month >= 1 &&
    d.month <= 12 &&
    d.day >= 1 &&
    d.day <= daysInMonth(d.year, d.month)
  );
}

/** Throw DnshuntError USAGE unless `d` is a real calendar day; `what` names the argument in the message. */
export function assertCivilDate(d: CivilDate, what = 'date'): void {
  if (!isValidCivilDate(d)) {
    throw new DnshuntError(ErrorCode.USAGE, `invalid ${what} ${JSON.stringify(d)}: expected a real calendar day`);
  }
}

/** Build a CivilDate with the fields always in the same order (one hidden class for every date we make). */
function civil(year: number, month: number, day: number): CivilDate {
  return { year, month, day };
}

/** Days since 1970-01-01 of a valid civil date (negative before it). */
export function toDaySerial(d: CivilDate): number {
  // Count years from March so the leap day is the last day of the counted year.
  const y = d.month <= 2 ? d.year - 1 : d.year;
  const era = Math.floor(y / YEARS_PER_ERA);
  const yoe = y - era * YEARS_PER_ERA;
  const mp = d.month > 2 ? d.month - 3 : d.month + 9;
  const doy = Math.floor((MONTH_PATTERN_DAYS * mp + 2) / MONTH_PATTERN_MONTHS) + d.day - 1;
  const doe = yoe * DAYS_PER_YEAR + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * DAYS_PER_ERA + doe - EPOCH_SHIFT_DAYS;
}

/** Inverse of `toDaySerial`. */
export function fromDaySerial(serial: number): CivilDate {
  const z = serial + EPOCH_SHIFT_DAYS;
  const era = Math.floor(z / DAYS_PER_ERA);
  const doe = z - era * DAYS_PER_ERA;
  // Undo the leap days inside the era (every 4th year, not every 100th, but the 400th) to get the year of the era.
  const yoe = Math.floor((doe - Math.floor(doe / DAYS_PER_4_YEARS_MINUS_1) + Math.floor(doe / DAYS_PER_CENTURY) - Math.floor(doe / (DAYS_PER_ERA - 1))) / DAYS_PER_YEAR);
  const doy = doe - (DAYS_PER_YEAR * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((MONTH_PATTERN_MONTHS * doy + 2) / MONTH_PATTERN_DAYS);
  const day = doy - Math.floor((MONTH_PATTERN_DAYS * mp + 2) / MONTH_PATTERN_MONTHS) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * YEARS_PER_ERA + (month <= 2 ? 1 : 0);
  return civil(year, month, day);
}

/** `YYYY-MM-DD` (year zero-padded to four digits). Does not validate. */
export function formatCivilDate(d: CivilDate): string {
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

/**
 * Parse exactly `YYYY-MM-DD` into a real calendar day.
 * Throws DnshuntError USAGE (one line naming the input) for any other text or an impossible day (2017-02-29).
 */
export function parseCivilDate(s: string): CivilDate {
  const m = YMD_RE.exec(s);
  if (m !== null) {
    const d = civil(Number(m[1]), Number(m[2]), Number(m[3]));
    if (isValidCivilDate(d)) return d;
  }
  throw new DnshuntError(ErrorCode.USAGE, `bad date ${JSON.stringify(s)}: expected a real calendar day as YYYY-MM-DD`);
}

/** The civil date `n` days after `d` (`n` may be negative; must be an integer). Throws USAGE on an invalid date or count. */
export function addDays(d: CivilDate, n: number): CivilDate {
  assertCivilDate(d);
  if (!Number.isSafeInteger(n)) throw new DnshuntError(ErrorCode.USAGE, `invalid day count ${String(n)}: expected an integer`);
  if (n === 0) return civil(d.year, d.month, d.day);
  return fromDaySerial(toDaySerial(d) + n);
}

/** Negative when `a` is before `b`, 0 when the same day, positive when after (field-wise, no validation). */
export function compareCivilDates(a: CivilDate, b: CivilDate): number {
  if (a.year !== b.year) return a.year - b.year;
  if (a.month !== b.month) return a.month - b.month;
  return a.day - b.day;
}

/**
 * First day of the Locky window holding `date`: the smallest day of the same
 * month with the same `day >> 1` (so day 1 → 1, 2/3 → 2, …, 30/31 → 30).
 * Throws USAGE on an invalid date.
 */
export function windowOf(date: CivilDate): CivilDate {
  assertCivilDate(date);
  const half = date.day >> 1;
  // Day 1 is the only day with day>>1 == 0; otherwise the even day starts the window.
  return civil(date.year, date.month, half === 0 ? 1 : half << 1);
}

/** First day of the window after the window starting at `start` (which must be a window start). */
export function nextWindow(start: CivilDate): CivilDate {
  const dim = daysInMonth(start.year, start.month);
  // Day 1 is a window on its own; every later window is two days, cut short at the month end.
  const next = start.day === 1 ? 2 : start.day + 2;
  if (next <= dim) return civil(start.year, start.month, next);
  return start.month === 12 ? civil(start.year + 1, 1, 1) : civil(start.year, start.month + 1, 1);
}

/**
 * The first days of every window that overlaps [from, to] (both inclusive),
 * ascending and without repeats; `[]` when `from` is after `to`.
 * Throws USAGE on an invalid date.
 */
export function windowsInRange(from: CivilDate, to: CivilDate): CivilDate[] {
  assertCivilDate(from, 'start date');
  assertCivilDate(to, 'end date');
  const out: CivilDate[] = [];
  for (let w = windowOf(from); compareCivilDates(w, to) <= 0; w = nextWindow(w)) out.push(w);
  return out;
}
