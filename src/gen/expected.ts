/**
 * The expected answer written next to a generated log (`FILE.expected.json`)
 * and the comparison of a scan's output with it. The benchmark refuses to
 * report a speed for an answer that is not exactly this one.
 */

/** One infected client and the indicators it queried (distinct, sorted). */
export interface ExpectedClient {
  client: string;
  indicators: string[];
}

/** One planted query, for diagnosing a mismatch. */
export interface PlantedQuery {
  /** ISO local time of the query line. */
  time: string;
  client: string;
  protocol: 'UDP' | 'TCP';
  /** The name as written in the log (case and search suffix included), dotted. */
  queried: string;
  /** The indicator a scan must report for it. */
  indicator: string;
  /** `static`, `feed` or `locky-v2 seed=7` … */
  kind: string;
}

/** One decoy query: must never be reported. */
export interface DecoyQuery {
  time: string;
  client: string;
  queried: string;
  kind: string;
}

/**
 * `FILE.expected.json`. `clients` is sorted by client, each `indicators`
 * sorted; everything else describes how the log was made.
 */
export interface ExpectedAnswer {
  clients: ExpectedClient[];
  /** The feed file's name, relative to the log's folder. */
  iocFile: string;
  seed: number;
  locale: string;
  /** ISO local times of the first and last record. */
  from: string;
  to: string;
  /** Size of the log in bytes. */
  bytes: number;
  /** `GENERATOR_VERSION` that wrote it. */
  generator: number;
  /** AD zone, also the clients' search suffix. */
  zone: string;
  /** Upstream forwarders (in the log as Snd/Rcv partners; never clients). */
  forwarders: string[];
  /** Number of infected clients planted. */
  infected: number;
  planted: PlantedQuery[];
  decoys: DecoyQuery[];
}

/** Code-unit order, the same on every platform and locale (unlike `localeCompare`). */
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Copy of `clients` with indicators deduplicated and sorted and clients sorted by address. */
export function sortExpectedClients(clients: readonly ExpectedClient[]): ExpectedClient[] {
  return clients.map((c) => ({ client: c.client, indicators: [...new Set(c.indicators)].sort(byCodeUnit) })).sort((a, b) => byCodeUnit(a.client, b.client));
}

/**
 * The `{client, indicators}` view of a scan's JSON output
 * (`{"clients":[{"client", "indicators":[{"indicator", …}]}]}`), or of the naive
 * baseline's (`indicators` as plain strings). Returns null when the shape is not that.
 */
export function clientsOfScanOutput(json: unknown): ExpectedClient[] | null {
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { clients?: unknown }).clients)) return null;
  const out: ExpectedClient[] = [];
  for (const c of (json as { clients: unknown[] }).clients) {
    if (typeof c !== 'object' || c === null) return null;
    const { client, indicators } = c as { client?: unknown; indicators?: unknown };
    if (typeof client !== 'string' || !Array.isArray(indicators)) return null;
    const names: string[] = [];
    for (const i of indicators) {
      if (typeof i === 'string') names.push(i);
      else if (typeof i === 'object' && i !== null && typeof (i as { indicator?: unknown }).indicator === 'string') names.push((i as { indicator: string }).indicator);
      else return null;
    }
    out.push({ client, indicators: names });
  }
  return sortExpectedClients(out);
}

/** How an answer differs from the expected one. */
export interface AnswerDiff {
  /** True when clients and their indicator sets are identical. */
  exact: boolean;
  /** Expected clients that were found (with any indicators). */
  foundClients: number;
  expectedClients: number;
  /** Expected clients not reported at all. */
  missingClients: string[];
  /** Reported clients that are not infected (false positives: forwarder, decoy queriers …). */
  extraClients: string[];
  /** `client indicator` pairs expected but not reported. */
  missingIndicators: string[];
  /** `client indicator` pairs reported but not expected. */
  extraIndicators: string[];
}

/** Compare `actual` with `expected` (both in `{client, indicators}` form; order does not matter). */
export function diffAnswers(expected: readonly ExpectedClient[], actual: readonly ExpectedClient[]): AnswerDiff {
  const pairs = (list: readonly ExpectedClient[]): Set<string> => new Set(list.flatMap((c) => c.indicators.map((i) => `${c.client} ${i}`)));
  const e = pairs(expected);
  const a = pairs(actual);
  const eClients = new Set(expected.map((c) => c.client));
  const aClients = new Set(actual.map((c) => c.client));
  const missingIndicators = [...e].filter((p) => !a.has(p)).sort(byCodeUnit);
  const extraIndicators = [...a].filter((p) => !e.has(p)).sort(byCodeUnit);
  const missingClients = [...eClients].filter((c) => !aClients.has(c)).sort(byCodeUnit);
  const extraClients = [...aClients].filter((c) => !eClients.has(c)).sort(byCodeUnit);
  return {
    exact: missingIndicators.length === 0 && extraIndicators.length === 0 && missingClients.length === 0 && extraClients.length === 0,
    foundClients: eClients.size - missingClients.length,
    expectedClients: eClients.size,
    missingClients,
    extraClients,
    missingIndicators,
    extraIndicators,
  };
}
