/**
 * Turn a worker's raw hit into the stable HitRecord: absolute line, ISO time,
 * the indicator and why it matched. A name known only as a DGA output is kept
 * only when the query's own date falls in that name's window widened by the
 * margins, so a name from a window far from the query's date does not match.
 */
import type { DateOrder, HitRecord, RawHit } from '../core/index.js';
import { addDays, compareCivilDates } from '../dga/index.js';
import type { IndicatorSet } from '../ioc/index.js';
import { formatIsoLocal, parseTimestamp } from '../parse/index.js';

/** Resolves raw hits; counts the DGA hits it rejected as out of window. */
export class HitResolver {
  outOfWindow = 0;
  constructor(
    private readonly set: IndicatorSet,
    private readonly order: DateOrder,
    private readonly marginBackDays: number,
    private readonly marginForwardDays: number,
  ) {}

  /** The resolved record, or null when the hit is a DGA name outside its window. */
  resolve(raw: RawHit, file: string, line: number): HitRecord | null {
    const entry = this.set.entry(raw.indicatorId);
    const t = parseTimestamp(raw.timeText, this.order);
    const sources = [...entry.sources];
    if (entry.dga.length > 0) {
      // Window W covers W and W+1; the name may be looked up marginBack days later or marginForward days earlier.
      const valid = t === null ? entry.dga : entry.dga.filter((d) =>
        compareCivilDates(t.date, addDays(d.window, -this.marginForwardDays)) >= 0 &&
        compareCivilDates(t.date, addDays(d.window, 1 + this.marginBackDays)) <= 0);
      for (const d of valid) sources.push(d.description);
      if (sources.length === 0) {
        this.outOfWindow++;
        return null;
      }
    }
    return {
      time: t ? formatIsoLocal(t) : raw.timeText,
      client: raw.client,
      qname: raw.qname,
      qtype: raw.qtype,
      rcode: raw.rcode,
      indicator: entry.indicator,
      source: sources.join('; '),
      file,
      line,
      suffixStripped: raw.suffixStripped,
    };
  }
}
