/**
 * The run's indicator set: bundled list + user feeds + generated DGA names,
 * grouped by domain with every provenance kept. Entry `i` is compiled into the
 * matcher as indicator id `i`.
 */
import type { CivilDate } from '../core/index.js';
import type { FeedProblem, Indicator } from './feed.js';

/** A DGA provenance: which generator made the name and for which window. */
export interface DgaProvenance {
  /** `locky-v2 seed=7 window=2016-02-24 index=3` */
  description: string;
  /** First day of the two-day window the name belongs to. */
  window: CivilDate;
}

/** One distinct domain of the set. */
export interface IndicatorEntry {
  /** The domain (lower case, dotted). */
  indicator: string;
  /** Static provenances (bundled list and feed lines), in load order. */
  sources: string[];
  /** DGA provenances; a name may come from several windows or configurations. */
  dga: DgaProvenance[];
}

/** A generated name handed in by the caller (kept structural so ioc does not depend on a DGA family's types). */
export interface GeneratedName {
  name: string;
  description: string;
  window: CivilDate;
}

/** The compiled-to-be set plus everything worth telling the user about it. */
export interface IndicatorSet {
  /** Distinct domains; index = indicator id. */
  entries: IndicatorEntry[];
  /** IP indicators, kept for later use (they match no query name). */
  ips: Indicator[];
  /** Feed lines that were skipped. */
  problems: FeedProblem[];
}

/** Group indicators and generated names by domain, preserving first-seen order (so ids are deterministic). */
export function buildIndicatorSet(statics: readonly Indicator[], generated: readonly GeneratedName[]): IndicatorSet {
  const byDomain = new Map<string, IndicatorEntry>();
  const entries: IndicatorEntry[] = [];
  const ips: Indicator[] = [];
  const entryFor = (domain: string): IndicatorEntry => {
    let e = byDomain.get(domain);
    if (!e) {
      e = { indicator: domain, sources: [], dga: [] };
      byDomain.set(domain, e);
      entries.push(e);
    }
    return e;
  };
  for (const ind of statics) {
    if (ind.kind === 'ip') {
      ips.push(ind);
      continue;
    }
    entryFor(ind.value).sources.push(ind.source);
  }
  for (const g of generated) entryFor(g.name).dga.push({ description: g.description, window: g.window });
  return { entries, ips, problems: [] };
}
