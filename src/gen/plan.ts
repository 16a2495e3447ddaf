/**
 * Who is infected and what they ask: the planted part of a generated log.
 *
 * Every feature the scanner must get right is given to at least one infected
 * client, round-robin, so even `--infected 1` covers all of them:
 *
 *   indicator kinds   bundled static name · user-feed name · Locky v1 · v2 · v3 (known seeds, log's own dates)
 *   spellings         search suffix appended (`evil.pw.corp.local`) · upper case · subdomain (`www.evil.pw`)
 *   transports        an IPv6 client · a TCP client
 *
 * Decoys are queried by clean clients and must never be reported:
 * label-boundary look-alikes (`notevil.pw`, `evilx.pw`), public-suffix
 * extensions (`evil.pw.com`, also with the search suffix behind it) and DGA
 * names of a date far from the log's.
 *
 * Events are placed by byte position (a fraction of the target size), so the
 * plan is fixed before a line is written; DGA names are computed when the
 * event is written, from the log's clock at that moment.
 */
import type { Host, Network } from './hosts.js';
import type { Prng } from './prng.js';
import type { IndicatorUniverse } from './universe.js';
import { KNOWN_CONFIGS } from '../dga/index.js';

/** A Locky configuration to plant: v1 has no seed. */
export interface DgaPick {
  readonly variant: 'v1' | 'v2' | 'v3';
  readonly seed: number | null;
}

/** Planted query event by an infected client. */
export interface PlantEvent {
  readonly decoy: false;
  /** Written once the log reaches this many bytes. */
  readonly at: number;
  readonly client: Host;
  readonly tcp: boolean;
  readonly kind: 'static' | 'feed' | 'dga';
  /** The static or feed indicator queried (null for DGA). */
  readonly indicator: string | null;
  readonly dga: DgaPick | null;
  /** DGA: names queried in contact order, indices 0 … dgaCount − 1 of the current window. */
  readonly dgaCount: number;
  /** A label put in front (`www`), or null. */
  readonly sub: string | null;
  /** Append the AD search suffix. */
  readonly suffix: boolean;
  /** Query in upper case. */
  readonly upper: boolean;
}

/** Kinds of decoy. */
export type DecoyKind = 'label-prefix' | 'label-append' | 'public-suffix' | 'public-suffix-search' | 'far-dga';

/** A query by a clean client that must not be reported. */
export interface DecoyEvent {
  readonly decoy: true;
  readonly at: number;
  readonly client: Host;
  readonly kind: DecoyKind;
  /** The static or feed indicator imitated, or null when a DGA name is. */
  readonly base: string | null;
  readonly dga: DgaPick | null;
}

/** The plan of one log. */
export interface Plan {
  readonly infected: readonly Host[];
  /** Plant and decoy events, by `at` ascending (ties keep creation order). */
  readonly events: readonly (PlantEvent | DecoyEvent)[];
}

/** Days between a log date and the date of a far-away DGA decoy (well outside any scan margin). */
export const FAR_DGA_OFFSET_DAYS = -400;
/** Events are placed in this fraction range of the target size (never in the first or last bytes). */
const FIRST_AT = 0.03;
const LAST_AT = 0.97;
/** Labels put in front of an indicator for the subdomain spelling. */
const SUB_LABELS: readonly string[] = ['www', 'api', 'cdn', 'update'];
/** Prefixes and appendices for label-boundary decoys. */
const DECOY_PREFIXES: readonly string[] = ['not', 'my', 'e', 'go', 'x'];
const DECOY_APPENDICES: readonly string[] = ['x', 's', 'a', '1'];

type Base = 'v1' | 'v2' | 'v3' | 'static' | 'feed';
type Feature = Base | 'suffix' | 'upper' | 'sub' | 'ipv6' | 'tcp';
const FEATURES: readonly Feature[] = ['v1', 'v2', 'v3', 'static', 'feed', 'suffix', 'upper', 'sub', 'ipv6', 'tcp'];
const BASES: readonly Base[] = ['v1', 'v2', 'v3', 'static', 'feed'];

function documented(variant: 'v2' | 'v3'): number[] {
  const seeds: number[] = [];
  for (const c of KNOWN_CONFIGS) if (c.family === 'locky' && c.variant === variant && !c.inferred && c.seed !== null) seeds.push(c.seed);
  return seeds;
}

/** Inputs of `buildPlan`. */
export interface PlanInput {
  readonly infected: number;
  readonly targetBytes: number;
  /** The AD zone, used as the search suffix. */
  readonly zone: string;
  readonly network: Network;
  /** Bundled domain indicators (lower case). */
  readonly builtinDomains: readonly string[];
  /** Feed domains that may be planted (already in the universe). */
  readonly plantableFeed: readonly string[];
  readonly universe: IndicatorUniverse;
}

/** Decide the infected clients and every plant and decoy event. Deterministic for the stream. */
export function buildPlan(rng: Prng, input: PlanInput): Plan {
  const { universe, zone } = input;
  const at = (): number => Math.floor(input.targetBytes * (FIRST_AT + rng.float() * (LAST_AT - FIRST_AT)));
  // Static names the scanner must report exactly as themselves, also with the search suffix behind them.
  const statics = input.builtinDomains.filter((d) => universe.matchCount(d) === 1 && universe.resolve(`${d}.${zone}`) === d && universe.resolve(`www.${d}`) === d);
  const feed = input.plantableFeed.filter((d) => universe.resolve(`${d}.${zone}`) === d && universe.resolve(`www.${d}`) === d);
  const v2Seeds = documented('v2');
  const v3Seeds = documented('v3');

  // Infected clients: one IPv6 client (first), the rest IPv4, all distinct.
  const v6 = input.network.clients.filter((h) => h.ipv6);
  const v4 = rng.shuffle(input.network.clients.filter((h) => !h.ipv6));
  const n = Math.max(0, input.infected);
  const infected: Host[] = [];
  if (n > 0 && v6.length > 0) infected.push(rng.pick(v6));
  for (const h of v4) if (infected.length < n && !infected.includes(h)) infected.push(h);
  const features: Feature[][] = infected.map(() => []);
  if (infected.length > 0) FEATURES.forEach((f, i) => features[f === 'ipv6' ? 0 : i % infected.length]!.push(f));

  // Static and feed names are handed out once each where possible, so an indicator planted only
  // through a special spelling (search suffix, upper case, subdomain) is found only by a scanner
  // that handles that spelling — a suffix-blind or case-sensitive scan cannot get the answer exact.
  const unused = { static: statics.slice(), feed: feed.slice() };
  const take = (kind: 'static' | 'feed'): string | null => unused[kind].shift() ?? (kind === 'static' ? statics : feed)[0] ?? null;
  const fresh = (): { kind: 'static' | 'feed'; name: string } | null => {
    const kind = unused.feed.length > 0 || (unused.static.length === 0 && feed.length > 0) ? 'feed' : 'static';
    const name = take(kind);
    return name === null ? null : { kind, name };
  };

  const events: (PlantEvent | DecoyEvent)[] = [];
  const imitated: { base: string | null; dga: DgaPick | null }[] = [];
  const plant = (client: Host, tcp: boolean, kind: PlantEvent['kind'], indicator: string | null, dga: DgaPick | null): PlantEvent => ({
    decoy: false, at: at(), client, tcp, kind, indicator, dga, dgaCount: dga === null ? 1 : rng.range(1, dga.variant === 'v3' ? 6 : 4), sub: null, suffix: false, upper: false,
  });
  infected.forEach((client, ci) => {
    const f = features[ci]!;
    const tcp = f.includes('tcp');
    let bases = f.filter((x): x is Base => (BASES as readonly string[]).includes(x));
    // Substitute kinds that have nothing to plant (no feed with --iocs 0, no usable bundled name).
    bases = bases.map((b) => (b === 'feed' && feed.length === 0 ? 'static' : b)).map((b) => (b === 'static' && statics.length === 0 ? 'v1' : b));
    if (bases.length === 0) bases.push(rng.pick(BASES.filter((b) => (b !== 'feed' || feed.length > 0) && (b !== 'static' || statics.length > 0))));
    const mine: PlantEvent[] = [];
    for (const b of bases) {
      const count = rng.range(2, 3);
      const fixed = b === 'static' || b === 'feed' ? take(b) : null;
      const dga: DgaPick | null = b === 'v1' ? { variant: 'v1', seed: null } : b === 'v2' ? { variant: 'v2', seed: rng.pick(v2Seeds) } : b === 'v3' ? { variant: 'v3', seed: rng.pick(v3Seeds) } : null;
      imitated.push({ base: fixed, dga });
      for (let k = 0; k < count; k++) mine.push(plant(client, tcp, dga !== null ? 'dga' : (b as 'static' | 'feed'), fixed, dga));
    }
    // Each spelling modifier: once on an existing event (so DGA names also get it) and once on a
    // dedicated event whose name this client queries in no other spelling.
    const modified = (e: PlantEvent, which: 'suffix' | 'upper' | 'sub'): PlantEvent => ({ ...e, suffix: e.suffix || which === 'suffix', upper: e.upper || which === 'upper', sub: which === 'sub' ? rng.pick(SUB_LABELS) : e.sub });
    for (const which of ['suffix', 'upper', 'sub'] as const) {
      if (!f.includes(which)) continue;
      const candidates = mine.map((e, i) => i).filter((i) => which !== 'sub' || mine[i]!.kind !== 'dga');
      if (candidates.length > 0) {
        const i = rng.pick(candidates);
        mine[i] = modified(mine[i]!, which);
      }
      const name = fresh();
      if (name !== null) {
        imitated.push({ base: name.name, dga: null });
        mine.push(modified(plant(client, tcp, name.kind, name.name, null), which));
      }
    }
    events.push(...mine);
  });

  // Decoys from clean clients, two or three per imitated indicator.
  const clean = input.network.clients.filter((h) => !infected.includes(h));
  if (clean.length > 0) {
    for (const im of imitated) {
      const kinds: DecoyKind[] = im.dga !== null ? ['label-prefix', 'public-suffix', 'far-dga'] : ['label-prefix', 'label-append', 'public-suffix', 'public-suffix-search'];
      for (const kind of kinds) events.push({ decoy: true, at: at(), client: rng.pick(clean), kind, base: im.base, dga: im.dga });
    }
  }
  // Stable sort keeps creation order for equal positions, so the plan is deterministic.
  events.sort((a, b) => a.at - b.at);
  return { infected, events };
}

/** The decoy spelling of `name` for `kind` (`far-dga` names are computed by the caller and passed through). */
export function decoyName(rng: Prng, kind: DecoyKind, name: string, zone: string): string {
  const dot = name.indexOf('.');
  switch (kind) {
    case 'label-prefix':
      return rng.pick(DECOY_PREFIXES) + name;
    case 'label-append':
      return name.slice(0, dot) + rng.pick(DECOY_APPENDICES) + name.slice(dot);
    case 'public-suffix':
      return `${name}.com`;
    case 'public-suffix-search':
      return `${name}.com.${zone}`;
    case 'far-dga':
      return name;
  }
}
