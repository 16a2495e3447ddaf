/**
 * The run's indicator set: bundled list + user feeds + generated DGA names,
 * with every provenance kept.
 */
import type { CivilDate } from '../core/index.js';
import type { FeedProblem, FeedResult, Indicator } from './feed.js';

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

/**
 * The run's indicators, one position per listed or generated domain, in load
 * order: object indicators (the bundled list), then feeds, then generated
 * names. A domain listed twice keeps both positions; the matcher compiles
 * position `i` as indicator id `i` and keeps the first id of a repeated
 * domain, so every hit names the first position of its domain. Provenance is
 * gathered for a domain only when a hit asks for it (`entry`), so loading a
 * million-name feed makes no object per name.
 */
export class IndicatorSet {
  /** The domain at each position (repeats included): what the matcher compiles. */
  readonly domains: string[] = [];
  /** IP indicators, kept for later use (they match no query name). */
  readonly ips: Indicator[] = [];
  /** Feed lines that were skipped. */
  problems: FeedProblem[] = [];
  private readonly objects: readonly Indicator[];
  private readonly objectDomains: number;
  private readonly feeds: readonly FeedResult[];
  private readonly generated: readonly GeneratedName[];
  /** Positions where the generated names start. */
  private readonly generatedFrom: number;
  private readonly cache = new Map<number, IndicatorEntry>();

  constructor(objects: readonly Indicator[], feeds: readonly FeedResult[], generated: readonly GeneratedName[]) {
    const domainObjects: Indicator[] = [];
    for (const ind of objects) {
      if (ind.kind === 'ip') this.ips.push(ind);
      else {
        domainObjects.push(ind);
        this.domains.push(ind.value);
      }
    }
    this.objects = domainObjects;
    this.objectDomains = domainObjects.length;
    for (const f of feeds) {
      for (let i = 0; i < f.domains.length; i++) this.domains.push(f.domains[i]!);
      this.ips.push(...f.ips);
    }
    this.feeds = feeds;
    this.generatedFrom = this.domains.length;
    for (const g of generated) this.domains.push(g.name);
    this.generated = generated;
  }

  /** Positions (= indicator ids before repeats are merged). */
  get size(): number {
    return this.domains.length;
  }

  /** Positions that come from lists (bundled or feeds) rather than from a DGA. */
  get listedPositions(): number {
    return this.generatedFrom;
  }

  /** Distinct listed domains (counts every position once per domain; O(size)). */
  distinctListedDomains(): number {
    const seen = new Set<string>();
    for (let i = 0; i < this.generatedFrom; i++) seen.add(this.domains[i]!);
    return seen.size;
  }

  /**
   * Everything known about the domain at position `id`: every position holding
   * the same domain contributes its provenance, in load order. O(size) on the
   * first call for an id, remembered after.
   */
  entry(id: number): IndicatorEntry {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const domain = this.domains[id];
    if (domain === undefined) throw new RangeError(`no indicator with id ${id}`);
    const e: IndicatorEntry = { indicator: domain, sources: [], dga: [] };
    let pos = 0;
    for (; pos < this.objectDomains; pos++) if (this.domains[pos] === domain) e.sources.push(this.objects[pos]!.source);
    for (const f of this.feeds) {
      for (let i = 0; i < f.domains.length; i++, pos++) if (this.domains[pos] === domain) e.sources.push(f.sourceOf(f.domainLines[i]!));
    }
    for (let i = 0; i < this.generated.length; i++, pos++) if (this.domains[pos] === domain) e.dga.push(this.generated[i]!);
    this.cache.set(id, e);
    return e;
  }

  /** The distinct domains with their provenance, in first-seen order (O(size); for tests and small sets). */
  get entries(): IndicatorEntry[] {
    const first = new Map<string, number>();
    for (let i = 0; i < this.domains.length; i++) if (!first.has(this.domains[i]!)) first.set(this.domains[i]!, i);
    return [...first.values()].map((id) => this.entry(id));
  }
}

/** Build the set from object indicators (the bundled list), parsed feeds and generated names. */
export function buildIndicatorSet(objects: readonly Indicator[], generated: readonly GeneratedName[], feeds: readonly FeedResult[] = []): IndicatorSet {
  return new IndicatorSet(objects, feeds, generated);
}
