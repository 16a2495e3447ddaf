/**
 * Assemble the run's indicator set (bundled list, feeds, DGA names for the
 * log's own dates) and compile it into the shared matcher image.
 */
import type { CivilDate } from '../core/index.js';
import { DnshuntError, ErrorCode } from '../core/index.js';
import {
  DEFAULT_MARGIN_BACK_DAYS,
  DEFAULT_MARGIN_FORWARD_DAYS,
  describeName,
  generateNames,
  parseDgaSpecs,
  type DgaName,
} from '../dga/index.js';
import { MAX_PROBLEM_SAMPLES, buildIndicatorSet, loadBuiltinIndicators, normalizeIndicator, readFeed, type FeedProblem, type FeedResult, type GeneratedName, type Indicator, type IndicatorSet } from '../ioc/index.js';
import { buildMatcher, type CompiledMatcher } from '../match/index.js';
import type { IndicatorCache } from './indicator-cache.js';

/** Special-use suffix that the Public Suffix List lists as public but that is always private (RFC 8375). */
const ALWAYS_STRIPPED_SUFFIXES = ['home.arpa'];

/** What decides the indicator set. */
export interface IndicatorOptions {
  builtin: boolean;
  iocFiles: readonly string[];
  dgaSpecs: readonly string[];
  /** Dates the logs cover; null when no date could be read (then no DGA names are generated). */
  from: CivilDate | null;
  to: CivilDate | null;
  marginBackDays?: number;
  marginForwardDays?: number;
  /** Search suffixes to strip (`corp.local`). */
  suffixes: readonly string[];
  /** Parsed feeds and compiled sets kept between runs; none: everything is computed. */
  cache?: IndicatorCache | null;
}

/** The compiled matcher and everything the report needs to explain a hit. */
export interface PreparedIndicators {
  set: IndicatorSet;
  image: CompiledMatcher;
  /** The first skipped feed lines (at most MAX_PROBLEM_SAMPLES), and how many were skipped in all. */
  problems: FeedProblem[];
  problemCount: number;
  warnings: string[];
  dgaNames: number;
  marginBackDays: number;
  marginForwardDays: number;
}

/**
 * A generated name as the indicator set keeps it. Its description (`locky-v2
 * seed=7 window=2016-02-24 index=3`) is written out only when a report reads
 * it: a run generates thousands of names and matches a handful.
 */
class GeneratedDgaName implements GeneratedName {
  readonly name: string;
  readonly window: CivilDate;
  private readonly generated: DgaName;
  private text: string | null = null;

  constructor(n: DgaName) {
    this.name = n.name;
    this.window = n.window;
    this.generated = n;
  }

  get description(): string {
    this.text ??= describeName(this.generated);
    return this.text;
  }
}

/** Build the set and compile it. Throws DnshuntError for unusable feeds, bad --dga or --suffix values, or an empty set. */
export function prepareIndicators(o: IndicatorOptions): PreparedIndicators {
  const statics: Indicator[] = o.builtin ? loadBuiltinIndicators() : [];
  const feeds: FeedResult[] = [];
  const problems: FeedProblem[] = [];
  let problemCount = 0;
  const warnings: string[] = [];
  const feedDigests: string[] = [];
  for (const f of o.iocFiles) {
    let r: FeedResult;
    if (o.cache) {
      const read = o.cache.readFeed(f);
      r = read.feed;
      feedDigests.push(read.digest);
    } else {
      r = readFeed(f);
    }
    feeds.push(r);
    for (const q of r.problems) if (problems.length < MAX_PROBLEM_SAMPLES) problems.push(q);
    problemCount += r.problemCount;
    if (r.count === 0 && r.ips.length === 0) warnings.push(`indicator feed ${f} holds no usable indicator`);
  }
  const configs = parseDgaSpecs(o.dgaSpecs);
  const back = o.marginBackDays ?? DEFAULT_MARGIN_BACK_DAYS;
  const fwd = o.marginForwardDays ?? DEFAULT_MARGIN_FORWARD_DAYS;
  const generated: GeneratedName[] = [];
  if (configs.length > 0) {
    if (o.from && o.to) {
      const names = o.cache ? o.cache.dgaNames(configs, o.from, o.to, back, fwd) : generateNames(configs, o.from, o.to, back, fwd);
      for (const n of names) generated.push(new GeneratedDgaName(n));
    } else {
      warnings.push('no dates could be read from the logs, so no DGA names were generated (check --date-order)');
    }
  }
  const suffixes: string[] = [...ALWAYS_STRIPPED_SUFFIXES];
  for (const s of o.suffixes) {
    const v = s.trim().toLowerCase().replace(/^\.+|\.+$/g, '');
    if (!/^[a-z0-9_-]{1,63}(\.[a-z0-9_-]{1,63})*$/.test(v)) throw new DnshuntError(ErrorCode.USAGE, `--suffix ${s}: not a DNS suffix (expected e.g. corp.local; labels of 1 to 63 characters)`);
    suffixes.push(v);
  }
  const set = buildIndicatorSet(statics, generated, feeds);
  set.problems = problems;
  if (set.size === 0) {
    throw new DnshuntError(ErrorCode.NO_INDICATORS, 'nothing to look for: the built-in list is off, no --ioc feed gave a domain, and no DGA names were generated');
  }
  const image = o.cache ? o.cache.compile(set, suffixes, { objects: statics, feedDigests, generated: generated.map((g) => g.name) }) : buildMatcher(set, suffixes);
  return {
    set,
    image,
    problems,
    problemCount,
    warnings,
    dgaNames: generated.length,
    marginBackDays: back,
    marginForwardDays: fwd,
  };
}

/** Validate one indicator given on the command line (used by tests and `--ioc -`). */
export function checkIndicator(text: string): string {
  const n = normalizeIndicator(text);
  if (!n.ok) throw new DnshuntError(ErrorCode.USAGE, `${text}: ${n.reason}`);
  return n.value;
}
