/**
 * Shared data types: what a worker finds, what the report and the alert sinks consume.
 */

/** A calendar date without a zone, as logged (month 1–12, day 1–31). */
export interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** Order of the numeric date fields in a log's timestamps. */
export type DateOrder = 'mdy' | 'dmy' | 'ymd';

/**
 * One matching client query as found by a worker, before the main thread
 * resolves the indicator and the absolute line number.
 */
export interface RawHit {
  /** 1-based line number counted from the start of the worker's byte range. */
  rangeLine: number;
  /** The date/time text exactly as logged (`6/20/2017 5:36:59 AM`). */
  timeText: string;
  /** Remote IP of the query as logged (the client). */
  client: string;
  /** Question name, dotted and lower-cased, without the trailing dot. */
  qname: string;
  /** Question type as logged (`A`, `AAAA`, `65`). */
  qtype: string;
  /** Response code the server sent back to the client, when the response was found. */
  rcode: string | null;
  /** Transaction id as logged (lower-case hex). */
  xid: string;
  /** `UDP` or `TCP`. */
  protocol: string;
  /** Index of the matched indicator in the compiled matcher's indicator table. */
  indicatorId: number;
  /** The search suffix that was removed before the name matched, or null. */
  suffixStripped: string | null;
}

/**
 * One matching client query, fully resolved: the `jsonl` output line, the CSV row
 * and the input of every alert sink. Field names are a stable contract.
 */
export interface HitRecord {
  /** ISO 8601 local time as logged, no zone (`2016-02-16T22:05:00`); the raw text when it could not be parsed. */
  time: string;
  client: string;
  qname: string;
  qtype: string;
  rcode: string | null;
  /** The indicator that matched (a domain; the query is it or a subdomain of it). */
  indicator: string;
  /** Where the indicator came from: `builtin:locky-static line 42 [C2] …`, `feed:/path line 3`, `locky-v2 seed=7 window=2016-02-24`. */
  source: string;
  file: string;
  /** 1-based line number in `file`. */
  line: number;
  suffixStripped: string | null;
}

/** One line that did not parse, kept as a sample for the report. */
export interface UnparsedSample {
  file: string;
  line: number;
  /** The line's text (latin1), cut to a bounded length. */
  text: string;
}

/** Counters every scan of a byte range returns; they add up across ranges. */
export interface ScanCounters {
  bytes: number;
  lines: number;
  /** PACKET summary lines parsed. */
  records: number;
  /** Client queries: `Rcv`, blank QR slot, opcode `Q`. */
  clientQueries: number;
  /** Lines that should have been records but did not parse. */
  unparsed: number;
  /** EVENT, Note and other non-PACKET context lines. */
  events: number;
  /** Header block lines, blank lines and Details-mode continuation lines. */
  skipped: number;
}

/** A fresh all-zero counters object. */
export function emptyCounters(): ScanCounters {
  return { bytes: 0, lines: 0, records: 0, clientQueries: 0, unparsed: 0, events: 0, skipped: 0 };
}

/** Add `b` into `a` (mutates `a`). */
export function addCounters(a: ScanCounters, b: ScanCounters): void {
  a.bytes += b.bytes;
  a.lines += b.lines;
  a.records += b.records;
  a.clientQueries += b.clientQueries;
  a.unparsed += b.unparsed;
  a.events += b.events;
  a.skipped += b.skipped;
}
