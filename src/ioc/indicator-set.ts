/**
 * The run's indicator set: bundled list + user feeds + generated DGA names,
 * with every provenance kept.
 */
import type { CivilDate } from '../core/index.js';
import { domainListOf, type DomainList } from '../match/index.js';
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
 * gathered for a domain only when a hit asks for it (`entry`): loading a
 * million-name feed makes no object or string per name.
 */
export class IndicatorSet implements DomainList {
  /** IP indicators, kept for later use (they match no query name). */
  readonly ips: Indicator[] = [];
  /** Feed lines that were skipped. */
  problems: FeedProblem[] = [];
  readonly count: number;
  readonly bytes: number;
  readonly labels: number;
  private readonly objects: Indicator[] = [];
  private readonly feeds: readonly FeedResult[];
  private readonly generated: readonly GeneratedName[];
  /** Positions where the feeds start (one more entry: where the generated names start). */
  private readonly feedStarts: number[] = [];
  private readonly strings: DomainList;
  private readonly generatedStrings: DomainList;
  private readonly cache = new Map<number, IndicatorEntry>();
  /** After compiling: the later positions of each repeated domain, by its first position; and each later position's first. */
  private repeatsOf: Map<number, number[]> | null = null;
  private firstOf: Map<number, number> | null = null;
  /** The pairs the compiler reported (`compiledRepeats`), as given; null before compiling. */
  private repeatPairs: readonly number[] | null = null;

  constructor(objects: readonly Indicator[], feeds: readonly FeedResult[], generated: readonly GeneratedName[]) {
    for (const ind of objects) {
      if (ind.kind === 'ip') this.ips.push(ind);
      else this.objects.push(ind);
    }
    this.strings = domainListOf(this.objects.map((o) => o.value));
    let pos = this.objects.length;
    let bytes = this.strings.bytes;
    let labels = this.strings.labels;
    for (const f of feeds) {
      this.feedStarts.push(pos);
      pos += f.count;
      bytes += f.bytes;
      labels += f.labels;
      for (const ip of f.ips) this.ips.push(ip); // not push(...): a feed can hold more IPs than a call has room for arguments
    }
    this.feedStarts.push(pos);
    this.feeds = feeds;
    this.generated = generated;
    this.generatedStrings = domainListOf(generated.map((g) => g.name));
    this.count = pos + generated.length;
    this.bytes = bytes + this.generatedStrings.bytes;
    this.labels = labels + this.generatedStrings.labels;
  }

  /** Positions (= indicator ids before repeats are merged). */
  get size(): number {
    return this.count;
  }

  /** Positions that come from lists (bundled or feeds) rather than from a DGA. */
  get listedPositions(): number {
    return this.feedStarts[this.feedStarts.length - 1]!;
  }

  /** Which feed holds position `pos` (a feed position), as an index into `feeds`. */
  private feedAt(pos: number): number {
    let f = 0;
    while (this.feedStarts[f + 1]! <= pos) f++;
    return f;
  }

  copyTo(i: number, into: Uint8Array): number {
    if (i < this.objects.length) return this.strings.copyTo(i, into);
    const listed = this.listedPositions;
    if (i >= listed) return this.generatedStrings.copyTo(i - listed, into);
    const f = this.feedAt(i);
    return this.feeds[f]!.copyTo(i - this.feedStarts[f]!, into);
  }

  /** The domain at position `i`. */
  domainAt(i: number): string {
    if (i < 0 || i >= this.count) throw new RangeError(`no indicator with id ${i}`);
    if (i < this.objects.length) return this.objects[i]!.value;
    const listed = this.listedPositions;
    if (i >= listed) return this.generated[i - listed]!.name;
    const f = this.feedAt(i);
    return this.feeds[f]!.domain(i - this.feedStarts[f]!);
  }

  /** Every position's domain, repeats included (made on each call; for tests and small sets). */
  get domains(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.domainAt(i));
    return out;
  }

  compiledRepeats(pairs: readonly number[]): void {
    this.repeatPairs = pairs;
    const repeatsOf = new Map<number, number[]>();
    const firstOf = new Map<number, number>();
    for (let k = 0; k < pairs.length; k += 2) {
      const later = pairs[k]!;
      const first = pairs[k + 1]!;
      const list = repeatsOf.get(first);
      if (list) list.push(later);
      else repeatsOf.set(first, [later]);
      firstOf.set(later, first);
    }
    this.repeatsOf = repeatsOf;
    this.firstOf = firstOf;
    this.cache.clear();
  }

  /** What the compiler reported of repeated positions ((position, first position) pairs, flat), or null before compiling. */
  get compiledRepeatPairs(): readonly number[] | null {
    return this.repeatPairs;
  }

  /**
   * Everything known about the domain at position `id`: every position holding
   * the same domain contributes its provenance, in load order. Once the set is
   * compiled the compiler has told which positions repeat which; before that,
   * the first call for an id looks at every position.
   */
  entry(id: number): IndicatorEntry {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const domain = this.domainAt(id);
    const e: IndicatorEntry = { indicator: domain, sources: [], dga: [] };
    if (this.repeatsOf !== null && this.firstOf !== null) {
      const first = this.firstOf.get(id) ?? id;
      this.addProvenance(e, first);
      for (const later of this.repeatsOf.get(first) ?? []) this.addProvenance(e, later);
    } else {
      for (let pos = 0; pos < this.count; pos++) if (this.domainAt(pos) === domain) this.addProvenance(e, pos);
    }
    this.cache.set(id, e);
    return e;
  }

  private addProvenance(e: IndicatorEntry, pos: number): void {
    if (pos < this.objects.length) {
      e.sources.push(this.objects[pos]!.source);
      return;
    }
    const listed = this.listedPositions;
    if (pos >= listed) {
      e.dga.push(this.generated[pos - listed]!);
      return;
    }
    const f = this.feedAt(pos);
    const feed = this.feeds[f]!;
    e.sources.push(feed.sourceOf(feed.lineOf(pos - this.feedStarts[f]!)));
  }

  /** The distinct domains with their provenance, in first-seen order (O(size); for tests and small sets). */
  get entries(): IndicatorEntry[] {
    const first = new Map<string, number>();
    for (let i = 0; i < this.count; i++) {
      const d = this.domainAt(i);
      if (!first.has(d)) first.set(d, i);
    }
    return [...first.values()].map((id) => this.entry(id));
  }
}

/** Build the set from object indicators (the bundled list), parsed feeds and generated names. */
export function buildIndicatorSet(objects: readonly Indicator[], generated: readonly GeneratedName[], feeds: readonly FeedResult[] = []): IndicatorSet {
  return new IndicatorSet(objects, feeds, generated);
}
