/**
 * `dnshunt scan`: the bulk forensic scan of historical logs.
 */
import { availableParallelism } from 'node:os';
import { Option, type Command } from 'commander';
import {
  DnshuntError,
  ErrorCode,
  ExitCode,
  type CivilDate,
  type DateOrder,
  type UnparsedSample,
} from '../core/index.js';
import { compareCivilDates } from '../dga/index.js';
import { parseTimestamp } from '../parse/index.js';
import { ClientAggregator, InputSet, ScanPool, runScan, sampleFile, summarizeDates } from '../scan/index.js';
import type { EarlyScanPool } from './early-pool.js';
import { openIndicatorCache, type IndicatorCache } from './indicator-cache.js';
import { prepareIndicators } from './indicators.js';
import { SCAN_FORMATS, csvHeader, hitToCsv, hitToJsonl, jsonReport, tableReport, type ReportStats, type ScanFormat } from './output.js';
import { ProgressBar } from './progress.js';
import { HitResolver } from './resolve-hits.js';

/** Options of `scan` (as commander parses them). */
export interface ScanOptions {
  ioc: string[];
  builtin: boolean;
  suffix: string[];
  stripPrivateSuffixes: boolean;
  learnSuffixes: boolean;
  dga: string[];
  dgaMargin?: number;
  dateOrder?: DateOrder;
  threads: number;
  format: ScanFormat;
  quiet: boolean;
  chunkSize?: number;
  maxSamples: number;
  cache: boolean;
  cacheDir?: string;
}

/** Where `scan` writes. */
export interface ScanIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
  stdin: NodeJS.ReadableStream;
  /** Worker threads started before the program was loaded (taken when their count is the one asked for). */
  earlyPool?: EarlyScanPool;
  /** Called once the first matching query is known (before the report is complete). */
  noteFound?: () => void;
}

/** Samples of unparsed lines kept for the whole report. */
const REPORT_SAMPLES = 20;

/** Run a scan and write the report; returns the exit status (0 clean, 1 infected clients found). */
export async function runScanCommand(paths: readonly string[], o: ScanOptions, io: ScanIo): Promise<number> {
  const started = process.hrtime.bigint();
  // Workers load their code while this thread samples the logs and compiles the
  // matcher: started at process start (early pool) or, failing that, now.
  const pool = (await io.earlyPool?.take(o.threads)) ?? new ScanPool(null, { threads: o.threads, stripPrivateSuffixes: o.stripPrivateSuffixes });
  let inputs: InputSet;
  try {
    inputs = await InputSet.resolve(paths, io.stdin);
  } catch (e) {
    await pool.close();
    throw e;
  }
  let cache: IndicatorCache | null = null;
  try {
    const warnings: string[] = [];
    // Per-file date layout, and the dates the logs cover (for the DGA).
    const orders: DateOrder[] = [];
    let from: CivilDate | null = null;
    let to: CivilDate | null = null;
    const widen = (d: CivilDate | null): void => {
      if (!d) return;
      if (!from || compareCivilDates(d, from) < 0) from = d;
      if (!to || compareCivilDates(d, to) > 0) to = d;
    };
    const adDomains = new Map<string, number>();
    for (const input of inputs.inputs) {
      const sample = sampleFile(input.readPath, input.size);
      for (const [d, n] of sample.adDomains) adDomains.set(d, (adDomains.get(d) ?? 0) + n);
      const s = summarizeDates([sample], o.dateOrder ?? null);
      orders.push(s.evidence.order);
      widen(s.from);
      widen(s.to);
      if (s.evidence.ambiguous) {
        const other: DateOrder = s.evidence.order === 'mdy' ? 'dmy' : 'mdy';
        warnings.push(`${input.name}: no date in the sample has a day above 12, so day and month order is ambiguous; read as ${s.evidence.order === 'mdy' ? 'month-first' : 'day-first'} (set --date-order ${other} if that is wrong)`);
        // Generate DGA names for both readings so nothing is missed either way.
        const alt = summarizeDates([sample], other);
        widen(alt.from);
        widen(alt.to);
      }
      if (s.evidence.conflicting) warnings.push(`${input.name}: dates disagree on day/month order (mixed layouts?); read as ${s.evidence.order}; set --date-order to force one`);
    }

    const learned = o.learnSuffixes ? learnedSuffixes(adDomains, o.suffix) : [];
    if (learned.length > 0) warnings.push(`search suffix${learned.length === 1 ? '' : 'es'} learned from the domain controllers' _msdcs lookups: ${learned.join(', ')} (stripped before matching; --no-learn-suffixes turns this off)`);
    cache = openIndicatorCache(o, true);
    const prepared = prepareIndicators({
      cache,
      builtin: o.builtin,
      iocFiles: o.ioc,
      dgaSpecs: o.dga,
      from,
      to,
      ...(o.dgaMargin !== undefined ? { marginBackDays: o.dgaMargin, marginForwardDays: o.dgaMargin } : {}),
      suffixes: [...o.suffix, ...learned],
    });
    warnings.push(...prepared.warnings);
    for (const p of prepared.problems.slice(0, REPORT_SAMPLES)) warnings.push(`${p.file}:${p.line}: skipped "${p.text}": ${p.reason}`);
    if (prepared.problemCount > REPORT_SAMPLES) warnings.push(`… and ${prepared.problemCount - REPORT_SAMPLES} more skipped feed lines`);

    const resolvers = orders.map((order) => new HitResolver(prepared.set, order, prepared.marginBackDays, prepared.marginForwardDays));
    const agg = new ClientAggregator();
    const samples: UnparsedSample[] = [];
    const streaming = o.format === 'jsonl' || o.format === 'csv';
    if (o.format === 'csv') io.stdout.write(csvHeader());
    const progress = new ProgressBar(io.stderr, !o.quiet && io.stderr.isTTY === true);
    pool.setMatcher(prepared.image, o.stripPrivateSuffixes);
    // What this run parsed or compiled anew is written to the cache while the workers scan.
    const writer = cache;
    const cacheWritten = writer ? new Promise<string | null>((resolve) => setImmediate(() => resolve(writer.flushAsync()))) : null;
    let counters;
    try {
      counters = await runScan(inputs.inputs, pool, {
        ...(o.chunkSize !== undefined ? { rangeBytes: o.chunkSize } : {}),
        maxSamples: o.maxSamples,
        onProgress: (d, t) => progress.update(d, t),
        onResult: ({ input, fileIndex, result, lineOffset }) => {
          for (const s of result.samples) if (samples.length < o.maxSamples) samples.push({ file: input.name, line: lineOffset + s.rangeLine, text: s.text });
          let out = '';
          for (const raw of result.hits) {
            const hit = resolvers[fileIndex]!.resolve(raw, input.name, lineOffset + raw.rangeLine);
            if (!hit) continue;
            // Known now: if the reader goes away (EPIPE), the exit status must already say "found".
            if (agg.size === 0) io.noteFound?.();
            agg.add(hit);
            if (o.format === 'jsonl') out += hitToJsonl(hit);
            else if (o.format === 'csv') out += hitToCsv(hit);
          }
          if (streaming && out.length > 0) io.stdout.write(out);
        },
      });
    } finally {
      progress.clear();
    }
    const cacheWarning = cache?.writeWarning(await cacheWritten) ?? null;
    if (cacheWarning !== null) warnings.push(cacheWarning);
    const outOfWindow = resolvers.reduce((s, r) => s + r.outOfWindow, 0);
    if (outOfWindow > 0) warnings.push(`${outOfWindow} quer${outOfWindow === 1 ? 'y' : 'ies'} for Locky DGA names far from their dates were not counted (see --dga-margin)`);
    if (counters.clientQueries === 0 && counters.lines > 0) warnings.push('no client query (Rcv, opcode Q) was found: is packet logging of incoming queries enabled on the DNS server?');
    const stats: ReportStats = {
      files: inputs.inputs.length,
      bytes: counters.bytes,
      lines: counters.lines,
      records: counters.records,
      clientQueries: counters.clientQueries,
      unparsed: counters.unparsed,
      unparsedSamples: samples,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
    };
    const clients = agg.clients();
    if (o.format === 'json') io.stdout.write(jsonReport(clients, stats, warnings));
    else if (o.format === 'table') io.stdout.write(tableReport(clients, stats, warnings));
    else if (!o.quiet) for (const w of warnings) io.stderr.write(`dnshunt: warning: ${w}\n`);
    return clients.length > 0 ? ExitCode.FOUND : ExitCode.CLEAN;
  } finally {
    cache?.close();
    inputs.cleanup();
    await pool.close();
  }
}

/** An AD domain must be seen this often in the head sample before it is used as a search suffix. */
const MIN_AD_DOMAIN_SIGHTINGS = 2;
/** At most this many learned suffixes (a log sees a handful of AD domains at most). */
const MAX_LEARNED_SUFFIXES = 8;

/** The AD domains worth stripping as search suffixes: seen often enough, not already configured, most seen first. */
export function learnedSuffixes(adDomains: ReadonlyMap<string, number>, configured: readonly string[]): string[] {
  const have = new Set(configured.map((s) => s.toLowerCase().replace(/^\.+|\.+$/g, '')));
  return [...adDomains]
    // a usable --suffix value (labels of 1 to 63 characters): a damaged log must not make one prepareIndicators refuses
    .filter(([d, n]) => n >= MIN_AD_DOMAIN_SIGHTINGS && !have.has(d) && /^[a-z0-9_-]{1,63}(\.[a-z0-9_-]{1,63})+$/.test(d))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, MAX_LEARNED_SUFFIXES)
    .map(([d]) => d);
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

function positiveInt(name: string, min: number) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < min) throw new DnshuntError(ErrorCode.USAGE, `${name} ${v}: expected a whole number >= ${min}`);
    return Number(v);
  };
}

/** Parse sizes such as `16MB`, `512KiB`, `1GB`, `4096`. */
export function parseSize(v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?$/i.exec(v.trim());
  if (!m) throw new DnshuntError(ErrorCode.USAGE, `size ${v}: expected a number with an optional unit (KB, MB, GB, KiB, MiB, GiB)`);
  const unit = (m[2] ?? 'b').toLowerCase();
  const mult: Record<string, number> = { b: 1, kb: 1e3, kib: 1024, mb: 1e6, mib: 1024 ** 2, gb: 1e9, gib: 1024 ** 3 };
  const n = Math.floor(Number(m[1]) * mult[unit]!);
  if (n < 1) throw new DnshuntError(ErrorCode.USAGE, `size ${v}: must be at least 1 byte`);
  return n;
}

/** Add `scan` to the program. */
export function registerScanCommand(program: Command, io: ScanIo, setExit: (code: number) => void): void {
  program
    .command('scan')
    .description('scan DNS server debug logs and list the clients that looked up C&C names')
    .argument('<paths...>', 'log files, directories (searched for *.log and rotated names), .gz files, or - for standard input')
    .option('--ioc <file>', 'indicator feed: one domain a line, # comments, hosts-file lines and URLs accepted (repeatable)', collect, [])
    .option('--no-builtin', 'do not use the bundled Locky C&C and payment-site list')
    .option('--suffix <suffix>', 'DNS search suffix your clients append (e.g. corp.local); stripped before matching (repeatable)', collect, [])
    .option('--no-strip-private-suffixes', 'do not try names with trailing non-public labels (.local, .lan, .corp …) removed')
    .option('--no-learn-suffixes', "do not use the AD domains seen in the log's _msdcs lookups as search suffixes")
    .option('--dga <spec>', "DGA names to look for: 'locky', 'locky-v1', 'locky-v2:SEED', 'locky-v3:SEED' (added to the known seeds), or 'none' (repeatable; default: every known Locky seed)", collect, [])
    .option('--dga-margin <days>', 'match DGA names this many days before and after their window (default: 4 days back, 2 forward)', positiveInt('--dga-margin', 0))
    .addOption(new Option('--date-order <order>', 'day/month order of the log dates when the log cannot tell').choices(['mdy', 'dmy', 'ymd']))
    .option('--threads <n>', 'worker threads', positiveInt('--threads', 1), availableParallelism())
    .addOption(new Option('--format <format>', 'output format').choices([...SCAN_FORMATS]).default('table'))
    .option('--quiet', 'no progress bar and no warnings on stderr', false)
    .option('--chunk-size <size>', 'bytes per work unit handed to a thread (e.g. 16MB)', parseSize)
    .option('--cache-dir <dir>', 'where parsed feeds and compiled indicator sets are kept between runs (default: $DNSHUNT_CACHE_DIR, else the per-user cache folder)')
    .option('--no-cache', 'parse and compile the indicators afresh, and keep nothing')
    .option('--max-samples <n>', 'unparsed lines quoted in the report', positiveInt('--max-samples', 0), REPORT_SAMPLES)
    .addHelpText('after', `
Exit status: 0 no infected client, 1 infected clients found, 2 usage or input error, 3 internal failure.

Examples:
  dnshunt scan C:\\Windows\\System32\\dns\\dns.log
  dnshunt scan --suffix corp.local --ioc feeds/extra.txt --format json logs/ > report.json
  gzip -dc old.log.gz | dnshunt scan --format jsonl -`)
    .action(async (paths: string[], opts: ScanOptions) => {
      setExit(await runScanCommand(paths, opts, { ...io, noteFound: () => setExit(ExitCode.FOUND) }));
    });
}
