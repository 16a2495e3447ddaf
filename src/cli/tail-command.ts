/**
 * `dnshunt tail`: follow a live DNS debug log and alert on matching queries,
 * continuously or once per run (`--once`, for Task Scheduler and cron).
 *
 * Wiring: Tailer (src/tail) ─ batch ─► RollingPool workers ─ raw hits ─►
 * HitResolver ─ HitRecord ─► AlertService (jsonl, suppression, outbox, SMTP).
 * Shutdown order (practice 11): stop polling, write the checkpoint, let the
 * alert service flush with a timeout, stop the workers.
 */
import { existsSync, statSync } from 'node:fs';
import { reverse } from 'node:dns/promises';
import type { Writable } from 'node:stream';
import { Option, type Command } from 'commander';
import { DnshuntError, ErrorCode, ExitCode, type DateOrder } from '../core/index.js';
import { AlertService, formatDuration } from '../alert/index.js';
import { sampleFile, summarizeDates } from '../scan/index.js';
import { RollingPool, Tailer, type DateRange, type TailBatch, type TailLogger } from '../tail/index.js';
import { addAlertOptions, configValuesOf } from './alert-command.js';
import { learnedSuffixes } from './scan-command.js';
import { explicitOptions, resolveTailSettings, type MatchingSettings, type TailSettings } from './config-file.js';
import { openIndicatorCache } from './indicator-cache.js';
import { prepareIndicators } from './indicators.js';
import { HitResolver } from './resolve-hits.js';

/** Where `tail` writes: JSON lines (`--jsonl -`) to stdout, everything else to stderr. */
export interface TailIo {
  stdout: Writable;
  stderr: Writable;
}

/** Lines read with no client query in them before tail says packet logging looks incomplete. */
const NO_QUERY_WARN_LINES = 10_000;
/** Feed problems quoted at start-up; the rest are counted. */
const FEED_PROBLEMS_SHOWN = 5;
/** Signals that stop a tail cleanly (SIGBREAK: Ctrl+Break on Windows consoles). */
const STOP_SIGNALS: readonly NodeJS.Signals[] = process.platform === 'win32' ? ['SIGINT', 'SIGTERM', 'SIGBREAK'] : ['SIGINT', 'SIGTERM'];

/** What a compile hands to the hit resolution of the batches scanned with it. */
interface CompileContext {
  resolver: HitResolver;
}

/** A stderr logger: timestamped lines; info suppressed by `--quiet`. */
function makeLogger(stderr: Writable, quiet: boolean): TailLogger {
  const line = (kind: string, m: string): void => {
    stderr.write(`${new Date().toISOString()} dnshunt: ${kind}${m}\n`);
  };
  return { info: (m) => (quiet ? undefined : line('', m)), warn: (m) => line('warning: ', m) };
}

/**
 * The day/month readings of the log's dates: one when the log (or --date-order)
 * decides, both when it cannot tell, so DGA names are generated for either.
 * The first is the one hit times are reported in.
 */
/** What tail learns from the log's head and tail before it starts (as `scan` does per file). */
interface LogSample {
  orders: DateOrder[];
  /** The newest time text in the file (empty when none): the first compile is for its date. */
  latest: string[];
  /** AD domains from the clients' `_msdcs` lookups, used as search suffixes like `scan` does. */
  learned: string[];
}

function sampleLog(path: string, m: MatchingSettings, log: TailLogger): LogSample {
  if (!existsSync(path)) {
    if (m.dateOrder !== undefined) return { orders: [m.dateOrder], latest: [], learned: [] };
    log.warn(`${path} does not exist yet, so its date layout is unknown: reading dates month-first and day-first (set --date-order)`);
    return { orders: ['mdy', 'dmy'], latest: [], learned: [] };
  }
  const sample = sampleFile(path, statSync(path).size);
  const newest = sample.tail[sample.tail.length - 1] ?? sample.head[sample.head.length - 1];
  const latest = newest === undefined ? [] : [newest];
  const learned = m.learnSuffixes ? learnedSuffixes(sample.adDomains, m.suffix) : [];
  if (learned.length > 0) log.info(`search suffix${learned.length === 1 ? '' : 'es'} learned from the domain controllers' _msdcs lookups: ${learned.join(', ')} (--no-learn-suffixes turns this off)`);
  if (m.dateOrder !== undefined) return { orders: [m.dateOrder], latest, learned };
  const s = summarizeDates([sample], null);
  if (!s.evidence.ambiguous) return { orders: [s.evidence.order], latest, learned };
  const other: DateOrder = s.evidence.order === 'mdy' ? 'dmy' : 'mdy';
  log.warn(`${path}: no date seen so far has a day above 12; reading dates as ${s.evidence.order}, DGA names generated for both readings (set --date-order ${other} if that is wrong)`);
  return { orders: [s.evidence.order, other], latest, learned };
}

/** The compile function of the rolling pool: the same indicator set `scan` builds, for the log's current dates. */
function compiler(m: MatchingSettings, learned: readonly string[], primary: DateOrder, log: TailLogger): (range: DateRange | null) => { image: ReturnType<typeof prepareIndicators>['image']; context: CompileContext } {
  let first = true;
  const cache = openIndicatorCache(m);
  let cacheSaid = false;
  return (range) => {
    const p = prepareIndicators({
      cache,
      builtin: m.builtin,
      iocFiles: m.ioc,
      dgaSpecs: m.dga,
      from: range?.from ?? null,
      to: range?.to ?? null,
      ...(m.dgaMargin !== undefined ? { marginBackDays: m.dgaMargin, marginForwardDays: m.dgaMargin } : {}),
      suffixes: [...m.suffix, ...learned],
    });
    if (first) {
      // Feeds are re-read on every recompile; their problems are told once.
      first = false;
      for (const w of p.warnings) log.warn(w);
      for (const q of p.problems.slice(0, FEED_PROBLEMS_SHOWN)) log.warn(`${q.file}:${q.line}: skipped "${q.text}": ${q.reason}`);
      if (p.problemCount > FEED_PROBLEMS_SHOWN) log.warn(`… and ${p.problemCount - FEED_PROBLEMS_SHOWN} more skipped feed lines`);
      log.info(`matching ${p.set.listedPositions} listed domains (bundled and feeds, repeats included) and ${p.dgaNames} DGA names`);
    }
    // A compile stops the tail's work anyway; what it made anew is written at once.
    const cacheWarning = cache?.writeWarning(cache.flush()) ?? null;
    if (cacheWarning !== null && !cacheSaid) {
      cacheSaid = true;
      log.warn(cacheWarning);
    }
    return { image: p.image, context: { resolver: new HitResolver(p.set, primary, p.marginBackDays, p.marginForwardDays) } };
  };
}

/**
 * Run `tail` with checked settings until `signal` is aborted (or, with
 * `once`, until the appended lines are processed). Returns the exit status:
 * 0, or 3 when a `--once` run leaves mails undelivered (they stay in the outbox).
 */
export async function runTailCommand(s: TailSettings, io: TailIo, signal: AbortSignal): Promise<number> {
  const log = makeLogger(io.stderr, s.quiet);
  const { orders, latest, learned } = sampleLog(s.file, s.matching, log);
  const engine = new RollingPool<CompileContext>({
    compile: compiler(s.matching, learned, orders[0]!, log),
    threads: s.matching.threads,
    stripPrivateSuffixes: s.matching.stripPrivateSuffixes,
    dateOrders: orders,
    log: (m) => log.info(m),
  });
  let alerts: AlertService | null = null;
  let unparsedSaid = false;
  let noQuerySaid = false;
  const sink = {
    onBatch: async (b: TailBatch): Promise<void> => {
      const { resolver } = engine.context;
      const sends: Promise<void>[] = [];
      for (const raw of b.result.hits) {
        const hit = resolver.resolve(raw, s.file, b.startLine + raw.rangeLine);
        // The service applies calls in order; waiting for all at once keeps its disk writes batched.
        if (hit) sends.push(alerts!.onHit(hit));
      }
      const failed = (await Promise.allSettled(sends)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      const sample = b.result.samples[0];
      if (sample && !unparsedSaid) {
        unparsedSaid = true;
        log.warn(`unparsed line ${b.startLine + sample.rangeLine} of ${s.file} (further ones are only counted): ${sample.text}`);
      }
    },
  };
  const tailer = await Tailer.open({ path: s.file, stateDir: s.stateDir, startAt: s.startAt, engine, sink, log, batchesPerPoll: s.matching.threads });
  let code: number = ExitCode.CLEAN;
  try {
    alerts = await AlertService.open(s.alert, {
      now: Date.now,
      log: (m) => log.info(m),
      stdout: io.stdout,
      ...(s.resolveHosts ? { resolveHost: async (ip: string) => (await reverse(ip))[0] ?? null } : {}),
    });
    const service = alerts;
    // Compile and start the workers now, not when the first new line arrives: that line's alert
    // would otherwise wait for them (a second or so).
    if (latest.length > 0 && !s.once) await engine.prepare(latest);
    const tick = async (): Promise<void> => {
      await service.tick();
      const c = tailer.stats.counters;
      if (!noQuerySaid && c.lines >= NO_QUERY_WARN_LINES && c.clientQueries === 0) {
        noQuerySaid = true;
        log.warn(`${c.lines} lines read and not one client query (Rcv, opcode Q): is packet logging of incoming queries enabled on the DNS server? (see docs/tail.md)`);
      }
    };
    if (s.once) {
      const first = await tailer.poll();
      if (first.status === 'missing' && !tailer.resumed) throw new DnshuntError(ErrorCode.NO_SUCH_PATH, `${s.file}: no such file`);
      // A scheduled run has no later poll to wait for: a file it cannot open is an error now.
      if (first.status === 'unreadable') throw new DnshuntError(ErrorCode.UNREADABLE, `${s.file}: cannot open it (permissions? run as an account that can read the DNS log)`);
      if (first.more) await tailer.drain(signal);
      await tick();
    } else {
      log.info(`following ${s.file} every ${formatDuration(s.pollMs)}; state in ${s.stateDir}`);
      await tailer.run({ signal, pollMs: s.pollMs, tick });
    }
  } finally {
    // Practice 11: checkpoint, then flush alerts with a timeout, then stop the workers.
    await tailer.close();
    if (alerts !== null) {
      const r = await alerts.close({ timeoutMs: s.flushTimeoutMs });
      if (r.pending > 0) {
        log.warn(`${r.pending} alert mail(s) not delivered yet; they stay in the outbox in ${s.stateDir} and are sent by the next run`);
        if (s.once) code = ExitCode.FAILURE;
      }
    }
    await engine.close();
  }
  const st = tailer.stats;
  log.info(
    `read ${st.counters.lines} lines (${st.counters.clientQueries} client queries, ${st.counters.unparsed} unparsed) in ${st.batches} batch(es); ` +
      `${st.hits} matching quer${st.hits === 1 ? 'y' : 'ies'}; ${st.restarts} restart(s) of the file; checkpoint at line ${tailer.checkpoint?.lineNo ?? 0}`,
  );
  return code;
}

function collect(v: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), v];
}

/** Add `tail` to the program. */
export function registerTailCommand(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command('tail')
    .description('follow a live DNS debug log and alert (mail, JSON lines) on clients that look up C&C names')
    .argument('[file]', 'the DNS debug log (e.g. C:\\Windows\\System32\\dns\\dns.log); or `file` in --config');
  addAlertOptions(cmd)
    .option('--poll <duration>', 'time between looks at the log (default 1s)')
    .option('--once', 'process what was appended since the last run, send what is due, exit (for Task Scheduler / cron)')
    .option('--from-start', 'first run only (no checkpoint yet): read the log from its start')
    .option('--from-end', 'first run only: start at the end of the log, alerting only new lines (the default)')
    .option('--flush-timeout <duration>', 'on exit, wait this long for pending mails to be sent (default 10s)')
    .option('--resolve-hosts', "put the client's reverse-DNS name into alert mails")
    .option('--quiet', 'only warnings and errors on standard error')
    .option('--ioc <file>', 'indicator feed: one domain a line (repeatable)', collect)
    .option('--no-builtin', 'do not use the bundled Locky C&C and payment-site list')
    .option('--suffix <suffix>', 'DNS search suffix your clients append, stripped before matching (repeatable)', collect)
    .option('--no-strip-private-suffixes', 'do not try names with trailing non-public labels (.local, .lan …) removed')
    .option('--no-learn-suffixes', "do not use the AD domains seen in the log's _msdcs lookups as search suffixes")
    .option('--dga <spec>', "DGA names to look for: 'locky', 'locky-v1', 'locky-v3:SEED', 'none' (repeatable; default every known Locky seed)", collect)
    .option('--dga-margin <days>', 'match DGA names this many days before and after their window (default 4 back, 2 forward)')
    .addOption(new Option('--date-order <order>', 'day/month order of the log dates when the log cannot tell').choices(['mdy', 'dmy', 'ymd']))
    .option('--threads <n>', 'worker threads; more than 1 only speeds up catching up on a large backlog (default 1)')
    .option('--cache-dir <dir>', 'where parsed feeds and compiled indicator sets are kept between runs (default: $DNSHUNT_CACHE_DIR, else the per-user cache folder)')
    .option('--no-cache', 'parse and compile the indicators afresh on each compile, and keep nothing')
    .addHelpText(
      'after',
      `
A first run (no checkpoint in the state directory) starts at the end of the log
unless --from-start; later runs resume exactly where the last one stopped.
Exit status: 0 stopped cleanly (SIGINT/SIGTERM, or --once done), 2 bad settings
or no such file, 3 failure (or --once left mails undelivered: they are retried).

Examples:
  dnshunt tail --smtp-host mail.example.org --mail-from dnshunt@example.org --mail-to soc@example.org C:\\Windows\\System32\\dns\\dns.log
  dnshunt tail --once --config C:\\ProgramData\\dnshunt\\tail.yaml
  dnshunt tail --jsonl - --from-start /var/log/dns/dns.log`,
    )
    .action(async (file: string | undefined) => {
      const flags = explicitOptions(cmd);
      if (file !== undefined) flags['file'] = file;
      const settings = resolveTailSettings(configValuesOf(cmd), flags);
      const ac = new AbortController();
      let signals = 0;
      const onSignal = (sig: NodeJS.Signals): void => {
        signals++;
        if (signals === 1) {
          process.stderr.write(`${new Date().toISOString()} dnshunt: ${sig}: stopping: saving the checkpoint, flushing alerts (up to ${formatDuration(settings.flushTimeoutMs)})\n`);
          ac.abort();
        } else {
          // The checkpoint only lags behind durable alerts, so stopping hard loses nothing.
          process.stderr.write(`${new Date().toISOString()} dnshunt: ${sig} again: exiting now\n`);
          process.exit(ExitCode.FAILURE);
        }
      };
      for (const s of STOP_SIGNALS) process.on(s, onSignal);
      try {
        setExit(await runTailCommand(settings, { stdout: process.stdout, stderr: process.stderr }, ac.signal));
      } finally {
        for (const s of STOP_SIGNALS) process.off(s, onSignal);
      }
    });
}
