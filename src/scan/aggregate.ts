/**
 * Per-client aggregation of resolved hits: the answer to "which machines are
 * infected", with first/last seen, counts, and which indicator matched and why.
 * Memory grows with distinct (client, indicator, name) triples, not with hits.
 */
import type { HitRecord } from '../core/index.js';

/** One indicator a client looked up. */
export interface ClientIndicator {
  indicator: string;
  /** The query name as logged (lower case): the indicator itself or a subdomain, maybe with a search suffix. */
  queried: string;
  source: string;
  count: number;
  suffixStripped: string | null;
}

/** One infected client. */
export interface ClientSummary {
  client: string;
  /** Matching client queries. */
  queries: number;
  first: string;
  last: string;
  indicators: ClientIndicator[];
}

/** Accumulates hits; `clients()` gives the sorted summary. */
export class ClientAggregator {
  private readonly byClient = new Map<string, { summary: ClientSummary; byKey: Map<string, ClientIndicator> }>();

  /** Count one hit. */
  add(h: HitRecord): void {
    let c = this.byClient.get(h.client);
    if (!c) {
      c = { summary: { client: h.client, queries: 0, first: h.time, last: h.time, indicators: [] }, byKey: new Map() };
      this.byClient.set(h.client, c);
    }
    const s = c.summary;
    s.queries++;
    if (h.time < s.first) s.first = h.time;
    if (h.time > s.last) s.last = h.time;
    const key = `${h.indicator}\u0000${h.qname}`;
    let ind = c.byKey.get(key);
    if (!ind) {
      ind = { indicator: h.indicator, queried: h.qname, source: h.source, count: 0, suffixStripped: h.suffixStripped };
      c.byKey.set(key, ind);
      s.indicators.push(ind);
    }
    ind.count++;
  }

  /** Number of distinct clients so far. */
  get size(): number {
    return this.byClient.size;
  }

  /** Clients, most matching queries first (ties by address); each client's indicators most counted first. */
  clients(): ClientSummary[] {
    const out = [...this.byClient.values()].map((c) => c.summary);
    for (const c of out) c.indicators.sort((a, b) => b.count - a.count || cmpStr(a.indicator, b.indicator) || cmpStr(a.queried, b.queried));
    out.sort((a, b) => b.queries - a.queries || cmpStr(a.client, b.client));
    return out;
  }
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
