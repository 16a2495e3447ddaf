/**
 * Which log dates the compiled matcher covers, and when to compile it again.
 * DGA names depend on the date, so a matcher compiled for the days a tail
 * started on goes stale as the log's own dates move on. Pure logic: the tailer
 * feeds it the dates of each batch before the batch is scanned.
 */
import type { CivilDate } from '../core/index.js';

/** Days past the newest log date a rebuild covers, so midnight does not force a rebuild per batch. */
export const ROLL_AHEAD_DAYS = 1;
const MS_PER_DAY = 86_400_000;

/** An inclusive range of civil dates. */
export interface DateRange {
  from: CivilDate;
  to: CivilDate;
}

/** Compare two civil dates (negative, zero, positive). */
export function compareDates(a: CivilDate, b: CivilDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** `d` moved by `days` (may be negative), in the proleptic Gregorian calendar. */
export function shiftDate(d: CivilDate, days: number): CivilDate {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day) + days * MS_PER_DAY);
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/** `YYYY-MM-DD`, for log lines. */
export function formatDate(d: CivilDate): string {
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

/**
 * The date range the current matcher was compiled for (null: compiled without
 * dates, so no DGA names) and the decision to recompile.
 */
export class DateWindow {
  /** The compiled range; undefined until the first compile. */
  private compiled: DateRange | null | undefined = undefined;

  /** The range compiled last (null: no dates known), or undefined before the first compile. */
  get current(): DateRange | null | undefined {
    return this.compiled;
  }

  /**
   * The range to compile before scanning a batch whose records carry `dates`,
   * or undefined when the current matcher already covers them. The new range
   * spans exactly the batch's dates plus {@link ROLL_AHEAD_DAYS}: older days
   * are dropped, so the name set stays small however long the tail runs.
   */
  plan(dates: readonly CivilDate[]): DateRange | null | undefined {
    if (dates.length === 0) return this.compiled === undefined ? null : undefined;
    let lo = dates[0]!;
    let hi = lo;
    for (const d of dates) {
      if (compareDates(d, lo) < 0) lo = d;
      if (compareDates(d, hi) > 0) hi = d;
    }
    const c = this.compiled;
    if (c && compareDates(lo, c.from) >= 0 && compareDates(hi, c.to) <= 0) return undefined;
    return { from: lo, to: shiftDate(hi, ROLL_AHEAD_DAYS) };
  }

  /** Record that the matcher now covers `range`. */
  compiledFor(range: DateRange | null): void {
    this.compiled = range;
  }
}
