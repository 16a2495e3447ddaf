/**
 * Arithmetic and text of the whole-process benchmark report: medians,
 * throughput, ratios and the table printed for people. Pure.
 */

/** Median of a non-empty list (mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** One competitor's measured result. */
export interface ToolResult {
  /** Short name (`dnshunt`, `dnshunt --threads 1`, `grep -F -c`, `naive node`). */
  name: string;
  /** The command line run (argv joined with spaces). */
  command: string;
  /** Wall-clock seconds of each timed run, in run order. */
  seconds: number[];
  median: number;
  min: number;
  max: number;
  /** Input megabytes (10^6 bytes) per second at the median. */
  mbPerSecond: number;
  /** This tool's median time divided by dnshunt's (default threads): 2.0 = twice as slow. Null when dnshunt did not run. */
  timeVsDnshunt: number | null;
  /** Largest peak resident set over the runs, MiB; null when it could not be measured. */
  peakRssMiB: number | null;
  /** Whether it found the planted clients, in words (`yes, exact`, `n/a (count only)` …). */
  found: string;
  /** True / false when an exact comparison with the expected answer was possible, else null. */
  exact: boolean | null;
  /** Exit status of the last run. */
  exitCode: number | null;
}

/** Fill the derived fields of a result from its raw run times. */
export function summarize(name: string, command: string, seconds: number[], bytes: number, peakRssKiB: number | null, found: string, exact: boolean | null, exitCode: number | null): ToolResult {
  const med = median(seconds);
  return {
    name,
    command,
    seconds,
    median: med,
    min: Math.min(...seconds),
    max: Math.max(...seconds),
    mbPerSecond: bytes / 1e6 / med,
    timeVsDnshunt: null,
    peakRssMiB: peakRssKiB === null ? null : peakRssKiB / 1024,
    found,
    exact,
    exitCode,
  };
}

/** Set every result's `timeVsDnshunt` relative to the result named `reference`. */
export function addRatios(results: ToolResult[], reference: string): void {
  const ref = results.find((r) => r.name === reference);
  for (const r of results) r.timeVsDnshunt = ref === undefined ? null : r.median / ref.median;
}

function pad(s: string, w: number, right = false): string {
  return right ? s.padStart(w) : s.padEnd(w);
}

/** The results as an aligned text table (one header line, one line per tool). */
export function formatTable(results: readonly ToolResult[]): string {
  const rows = results.map((r) => [
    r.name,
    `${r.median.toFixed(2)} s`,
    `${r.min.toFixed(2)}–${r.max.toFixed(2)}`,
    r.mbPerSecond.toFixed(0),
    r.timeVsDnshunt === null ? '–' : `${r.timeVsDnshunt.toFixed(2)}×`,
    r.peakRssMiB === null ? 'n/a' : `${r.peakRssMiB.toFixed(0)} MiB`,
    r.found,
  ]);
  const head = ['tool', 'median', 'min–max', 'MB/s', 'time vs dnshunt', 'peak RSS', 'found the planted clients'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const right = [false, true, true, true, true, true, false];
  const line = (cells: readonly string[]): string => cells.map((c, i) => pad(c, widths[i]!, right[i])).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}
