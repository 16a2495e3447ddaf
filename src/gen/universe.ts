/**
 * Every name the scanner will treat as an indicator for this log, and an
 * independent statement of its matching rule — the generator's oracle for
 * "would this query be reported, and as which indicator?".
 *
 * The rule (the product's contract for `scan`, restated here, not imported):
 *   1. the query as logged, lower-cased, or any parent domain of it;
 *   2. else the query minus its trailing labels that are not public suffixes
 *      (Public Suffix List, ICANN section: `corp.local` goes, `com` stays),
 *      then the same parent-domain test.
 * So `x.evil.pw` and `evil.pw.corp.local` match `evil.pw`; `notevil.pw` and
 * `evil.pw.com` do not.
 *
 * DGA names are added for every known configuration and every window within
 * `DGA_GUARD_DAYS` of any date the log reaches — wider than any margin the
 * scanner uses — so background names and decoys stay clear of all of them.
 */
import type { CivilDate } from '../core/index.js';
import { KNOWN_CONFIGS, addDays, compareCivilDates, generateNames } from '../dga/index.js';
import { isPublicTopLabel } from '../match/index.js';

/** Days before and after each log date whose DGA windows count as indicators here (the scanner uses 4 back, 2 forward). */
export const DGA_GUARD_DAYS = 8;

/** Indicator membership plus the matching oracle. */
export class IndicatorUniverse {
  private readonly statics: Set<string>;
  private readonly dga = new Set<string>();
  private readonly publicMemo = new Map<string, boolean>();
  private coveredFrom: CivilDate | null = null;
  private coveredTo: CivilDate | null = null;

  /** `statics`: bundled and feed domains, lower case. */
  constructor(statics: Iterable<string>) {
    this.statics = new Set(statics);
  }

  /** True when `name` (lower case, dotted) is an indicator itself. */
  has(name: string): boolean {
    return this.statics.has(name) || this.dga.has(name);
  }

  /** Add a static indicator (a feed entry decided after construction). */
  addStatic(name: string): void {
    this.statics.add(name);
  }

  /**
   * Make sure DGA names around `date` are known; returns the names added by this
   * call (empty when already covered), so the caller can re-check what it built earlier.
   */
  cover(date: CivilDate): string[] {
    const from = addDays(date, -DGA_GUARD_DAYS);
    const to = addDays(date, DGA_GUARD_DAYS);
    if (this.coveredFrom !== null && this.coveredTo !== null && compareCivilDates(from, this.coveredFrom) >= 0 && compareCivilDates(to, this.coveredTo) <= 0) return [];
    const added: string[] = [];
    for (const n of generateNames(KNOWN_CONFIGS, from, to, 0, 0)) {
      if (!this.dga.has(n.name)) {
        this.dga.add(n.name);
        added.push(n.name);
      }
    }
    if (this.coveredFrom === null || compareCivilDates(from, this.coveredFrom) < 0) this.coveredFrom = from;
    if (this.coveredTo === null || compareCivilDates(to, this.coveredTo) > 0) this.coveredTo = to;
    return added;
  }

  /** Whether `label` (lower case) is a public top-level suffix on its own (ICANN section of the PSL). */
  isPublicLabel(label: string): boolean {
    let v = this.publicMemo.get(label);
    if (v === undefined) {
      v = isPublicTopLabel(label);
      this.publicMemo.set(label, v);
    }
    return v;
  }

  /**
   * The indicator a query for `queried` (any case, dotted) is reported as under
   * the rule above, or null. When several parents are indicators the most
   * specific one is returned; `matchCount` tells whether that happened.
   */
  resolve(queried: string): string | null {
    const labels = queried.toLowerCase().split('.');
    const asLogged = this.deepest(labels, labels.length);
    if (asLogged !== null) return asLogged;
    let keep = labels.length;
    while (keep > 1 && !this.isPublicLabel(labels[keep - 1]!)) keep--;
    return keep < labels.length ? this.deepest(labels, keep) : null;
  }

  /** How many distinct indicators are parents of (or equal to) `queried` as logged — 1 means the answer is unambiguous. */
  matchCount(queried: string): number {
    const labels = queried.toLowerCase().split('.');
    let n = 0;
    for (let i = 0; i < labels.length; i++) if (this.has(labels.slice(i).join('.'))) n++;
    return n;
  }

  private deepest(labels: readonly string[], keep: number): string | null {
    for (let i = 0; i < keep; i++) {
      const candidate = labels.slice(i, keep).join('.');
      if (this.has(candidate)) return candidate;
    }
    return null;
  }
}
