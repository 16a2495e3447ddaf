/**
 * What the benchmark's competitors search a generated log for: the same
 * indicators dnshunt uses — bundled domains, the user feed and the DGA names
 * of every known configuration for the log's own dates (with the scan's
 * default margins) — as dotted names for the naive baseline and as the log's
 * length-prefixed spelling for `grep -F` (`(10)fnarsipfqe(2)pw(0)`).
 *
 * The grep patterns end at `(0)` but start at the label's length prefix, so a
 * pattern also hits subdomains (`(3)www(10)fnarsipfqe(2)pw(0)`) and never a
 * longer label (`(13)notfnarsipfqe…`). grep is case-sensitive and knows
 * nothing of search suffixes: it counts lines, it does not find clients.
 */
import type { CivilDate } from '../core/index.js';
import { DEFAULT_MARGIN_BACK_DAYS, DEFAULT_MARGIN_FORWARD_DAYS, KNOWN_CONFIGS, generateNames } from '../dga/index.js';
import { toWire } from './wire.js';

/** The civil date of an ISO local time (`2016-02-16T08:00:00`). */
export function dateOfIso(iso: string): CivilDate {
  return { year: Number(iso.slice(0, 4)), month: Number(iso.slice(5, 7)), day: Number(iso.slice(8, 10)) };
}

/** Distinct lower-case domains (sorted) for a log spanning [from, to]: `domains` plus all known DGA names for those dates. */
export function competitorIndicators(domains: readonly string[], from: CivilDate, to: CivilDate): string[] {
  const set = new Set(domains.map((d) => d.toLowerCase()));
  for (const n of generateNames(KNOWN_CONFIGS, from, to, DEFAULT_MARGIN_BACK_DAYS, DEFAULT_MARGIN_FORWARD_DAYS)) set.add(n.name);
  return [...set].sort();
}

/** `grep -F -f` pattern file text: one wire-form name a line. */
export function grepPatternsText(names: readonly string[]): string {
  return names.map((n) => toWire(n)).join('\n') + '\n';
}
