/**
 * `dnshunt bench` / `npm run bench`: whole-process comparison on one log, in
 * one run, with the competitors alternating so that drift (thermal, page
 * cache, other load) hits them all alike:
 *
 *   dnshunt scan (default threads)   dnshunt scan --threads 1
 *   dnshunt scan --no-cache          feeds parsed and the set compiled afresh each run
 *   grep -F -c -f PATTERNS           the fastest general tool a user would try
 *   naive Node baseline              readline + regex + Set (bench/naive-baseline.ts)
 *
 * Without FILE a log is generated (`dnshunt gen`) and cached in the output
 * folder by its parameters. With an expected answer (`FILE.expected.json`)
 * every tool's output is checked first, in an untimed run that also warms the
 * page cache; dnshunt must match exactly or no speed is reported (exit 1;
 * `--allow-mismatch` times it anyway). On a user's own log (no expected
 * answer) only dnshunt runs and the report says how long a full scan takes.
 *
 * Peak RSS comes from GNU `/usr/bin/time -f %M` when it works here, else from
 * polling `/proc/PID/status` VmHWM, else it is reported as n/a.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { DnshuntError, ErrorCode, ExitCode } from '../core/index.js';
import { GENERATOR_VERSION, addRatios, clientsOfScanOutput, competitorIndicators, dateOfIso, diffAnswers, formatBytes, formatTable, grepPatternsText, summarize } from '../gen/index.js';
import type { AnswerDiff, ExpectedAnswer, ToolResult } from '../gen/index.js';
import { loadBuiltinIndicators, readFeed } from '../ioc/index.js';
import { GEN_DEFAULTS, companionPaths, genOptionsFrom, wholeNumber, writeGeneratedLog } from './gen-command.js';

/** The CLI this module is part of (the bundle when `dnshunt bench` runs from it, as `npm run bench` does). */
const CLI = fileURLToPath(new URL('./main.js', import.meta.url));
/** Repository root in a source checkout (dist/ and bundle/ sit at the same depth below it). */
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
/** The naive baseline, present in a source checkout after `tsc` (not shipped in the package). */
const NAIVE = join(REPO, 'dist', 'bench', 'naive-baseline.js');
/** How often the /proc fallback samples VmHWM. */
const RSS_POLL_MS = 20;
/** Output kept per run (scan JSON and the baseline's answer are small). */
const MAX_STDOUT_BYTES = 64 * 1024 * 1024;
/** Name of the reference competitor for ratios. */
const DNSHUNT = 'dnshunt';

/** Options of `bench`. */
export interface BenchOptions {
  size: string;
  runs: number;
  iocs: number;
  seed: number;
  infected: number;
  locale: string;
  json: boolean;
  outDir?: string;
  allowMismatch: boolean;
}

/** The whole result, also what `--json` prints (for BENCHMARKS.md). */
export interface BenchReport {
  file: string;
  bytes: number;
  generated: boolean;
  expectedFile: string | null;
  runs: number;
  rssMethod: RssMethod;
  machine: { cpu: string; cpus: number; parallelism: number; memoryGiB: number; node: string; platform: string };
  /** True when dnshunt matched the expected answer exactly (null without one). */
  correct: boolean | null;
  /** dnshunt's differences from the expected answer, when any. */
  mismatch: AnswerDiff | null;
  tools: ToolResult[];
  notes: string[];
}

type RssMethod = 'gnu-time' | 'proc' | 'none';

interface Competitor {
  name: string;
  argv: string[];
  /** Judge one run's output: words for the report and exactness. */
  judge(stdout: string, code: number | null): { found: string; exact: boolean | null; diff: AnswerDiff | null };
}

interface Measurement {
  seconds: number;
  rssKiB: number | null;
  code: number | null;
  stdout: string;
  stderr: string;
}

function detectRss(dir: string): RssMethod {
  const out = join(dir, 'probe.time');
  const r = spawnSync('/usr/bin/time', ['-f', '%M', '-o', out, 'true'], { stdio: 'ignore' });
  if (r.status === 0 && existsSync(out) && /^\d+\s*$/.test(readFileSync(out, 'utf8'))) return 'gnu-time';
  return existsSync('/proc/self/status') ? 'proc' : 'none';
}

function readVmHwm(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? null : Number(m[1]);
  } catch {
    return null; // the process has already exited
  }
}

/** Run argv to completion, timing it (wall clock) and measuring its peak RSS with `rss`. */
function measure(argv: readonly string[], rss: RssMethod, timeFile: string): Promise<Measurement> {
  return new Promise((resolvePromise, reject) => {
    const full = rss === 'gnu-time' ? ['/usr/bin/time', '-f', '%M', '-o', timeFile, ...argv] : [...argv];
    const t0 = process.hrtime.bigint();
    const child = spawn(full[0]!, full.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let hwm: number | null = null;
    const poll = rss === 'proc' ? setInterval(() => {
      const v = child.pid === undefined ? null : readVmHwm(child.pid);
      if (v !== null) hwm = Math.max(hwm ?? 0, v);
    }, RSS_POLL_MS) : null;
    child.stdout.on('data', (d: Buffer) => {
      outBytes += d.length;
      if (outBytes <= MAX_STDOUT_BYTES) out.push(d);
    });
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (poll !== null) clearInterval(poll);
      let rssKiB: number | null = hwm;
      if (rss === 'gnu-time') {
        // GNU time writes "Command exited with non-zero status N" before the value when the command fails.
        const lines = existsSync(timeFile) ? readFileSync(timeFile, 'utf8').trim().split('\n') : [];
        const v = Number(lines[lines.length - 1]);
        rssKiB = Number.isFinite(v) && v > 0 ? v : null;
      }
      resolvePromise({ seconds, rssKiB, code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8').slice(0, 2000) });
    });
  });
}

function describeDiff(d: AnswerDiff): string {
  if (d.exact) return `yes, exact (${d.expectedClients} clients)`;
  const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
  const parts = [`${d.foundClients}/${d.expectedClients} clients`];
  if (d.extraClients.length > 0) parts.push(`${count(d.extraClients.length, 'false client')}`);
  if (d.missingIndicators.length > 0) parts.push(`${count(d.missingIndicators.length, 'indicator')} missed`);
  if (d.extraIndicators.length > 0) parts.push(`${count(d.extraIndicators.length, 'wrong indicator')}`);
  return `NO: ${parts.join(', ')}`;
}

function answerJudge(expected: ExpectedAnswer | null): Competitor['judge'] {
  return (stdout, code) => {
    if (code !== 0 && code !== 1) return { found: `failed (exit ${String(code)})`, exact: false, diff: null };
    let clients = null;
    try {
      clients = clientsOfScanOutput(JSON.parse(stdout));
    } catch {
      clients = null;
    }
    if (clients === null) return { found: 'failed (output is not the expected JSON)', exact: false, diff: null };
    if (expected === null) return { found: `n/a (no expected answer; reported ${clients.length} clients)`, exact: null, diff: null };
    const diff = diffAnswers(expected.clients, clients);
    return { found: describeDiff(diff), exact: diff.exact, diff };
  };
}

function grepJudge(stdout: string, code: number | null): { found: string; exact: null; diff: null } {
  if (code !== 0 && code !== 1) return { found: `failed (exit ${String(code)})`, exact: null, diff: null };
  return { found: `n/a (count only: ${stdout.trim()} lines)`, exact: null, diff: null };
}

function defaultOutDir(): string {
  return existsSync(join(REPO, 'bench')) && existsSync(join(REPO, 'package.json')) ? join(REPO, 'bench', 'out') : join(tmpdir(), 'dnshunt-bench');
}

function readExpected(path: string): ExpectedAnswer | null {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ExpectedAnswer;
  } catch (e) {
    throw new DnshuntError(ErrorCode.UNREADABLE, `cannot read ${path}: ${(e as Error).message}`, e);
  }
}

/** A generated log for these options, reused when a complete one of the same generator version is cached. */
async function generatedInput(o: BenchOptions, outDir: string, log: (s: string) => void): Promise<string> {
  const file = join(outDir, `gen-${o.size}-seed${o.seed}-inf${o.infected}-iocs${o.iocs}-${o.locale}.log`);
  const cached = readExpected(companionPaths(file).expectedFile);
  if (cached !== null && cached.generator === GENERATOR_VERSION && existsSync(file) && statSync(file).size === cached.bytes && existsSync(join(outDir, cached.iocFile))) {
    log(`using cached ${file}\n`);
    return file;
  }
  log(`generating ${file} …\n`);
  const r = await writeGeneratedLog(file, genOptionsFrom({ ...GEN_DEFAULTS, size: o.size, out: file, seed: o.seed, infected: o.infected, iocs: o.iocs, locale: o.locale }));
  log(`generated ${formatBytes(r.bytes)} in ${r.seconds.toFixed(1)} s (${(r.bytes / 1e6 / r.seconds).toFixed(0)} MB/s)\n`);
  return file;
}

/** Run the benchmark on `file` (generated when undefined); progress lines go to `log`. */
export async function runBench(fileArg: string | undefined, o: BenchOptions, log: (s: string) => void): Promise<BenchReport> {
  if (!Number.isSafeInteger(o.runs) || o.runs < 1) throw new DnshuntError(ErrorCode.USAGE, `--runs ${o.runs}: expected a whole number >= 1`);
  const outDir = resolve(o.outDir ?? defaultOutDir());
  const file = fileArg === undefined ? await generatedInput(o, outDir, log) : resolve(fileArg);
  if (!existsSync(file)) throw new DnshuntError(ErrorCode.NO_SUCH_PATH, `no such file: ${file}`);
  const bytes = statSync(file).size;
  const expectedFile = companionPaths(file).expectedFile;
  const expected = readExpected(expectedFile);
  const iocFile = expected === null ? null : join(dirname(file), expected.iocFile);
  if (!existsSync(CLI)) throw new DnshuntError(ErrorCode.INTERNAL, `dnshunt CLI not built at ${CLI}`);
  const notes: string[] = [];
  const work = mkdtempSync(join(tmpdir(), 'dnshunt-bench-'));
  // A cache of the bench's own: the untimed run fills it, as a user's first scan with a feed would.
  const scanArgs = [process.execPath, CLI, 'scan', '--quiet', ...(iocFile === null ? [] : ['--ioc', iocFile]), '--format', 'json', '--cache-dir', join(work, 'cache')];
  const competitors: Competitor[] = [
    { name: DNSHUNT, argv: [...scanArgs, file], judge: answerJudge(expected) },
    { name: 'dnshunt --threads 1', argv: [...scanArgs, '--threads', '1', file], judge: answerJudge(expected) },
    { name: 'dnshunt --no-cache', argv: [...scanArgs, '--no-cache', file], judge: answerJudge(expected) },
  ];
  /** Rows that are dnshunt (their answers must all be exact). */
  const dnshuntRows = competitors.length;
  try {
    if (expected !== null && iocFile !== null) {
      // Competitors search for exactly what dnshunt searches for: bundled + feed + DGA names of the log's dates.
      const domains = [...loadBuiltinIndicators().filter((i) => i.kind === 'domain').map((i) => i.value), ...readFeed(iocFile).domains];
      const names = competitorIndicators(domains, dateOfIso(expected.from), dateOfIso(expected.to));
      const patterns = join(work, 'patterns.txt');
      const dotted = join(work, 'indicators.txt');
      writeFileSync(patterns, grepPatternsText(names));
      writeFileSync(dotted, `${names.join('\n')}\n`);
      if (spawnSync('grep', ['--version'], { stdio: 'ignore' }).status === 0) competitors.push({ name: 'grep -F -c', argv: ['grep', '-F', '-c', '-f', patterns, file], judge: grepJudge });
      else notes.push('grep not found: skipped');
      if (existsSync(NAIVE)) competitors.push({ name: 'naive node', argv: [process.execPath, NAIVE, '--indicators', dotted, file], judge: answerJudge(expected) });
      else notes.push(`naive baseline not built (${NAIVE}): skipped`);
      notes.push(`grep and the naive baseline search for the same ${names.length} names dnshunt does (bundled, feed, DGA for ${expected.from.slice(0, 10)} … ${expected.to.slice(0, 10)}).`);
    } else {
      notes.push(`no ${basename(expectedFile)}: only dnshunt runs (how long a full scan of this log takes on this machine).`);
    }
    const rssMethod = detectRss(work);
    const timeFile = join(work, 'run.time');
    log(`checking answers (untimed run, also warms the page cache) …\n`);
    const verdicts: ReturnType<Competitor['judge']>[] = [];
    for (const c of competitors) {
      const m = await measure(c.argv, rssMethod, timeFile);
      verdicts.push(c.judge(m.stdout, m.code));
      if (m.code !== 0 && m.code !== 1) notes.push(`${c.name} exited ${String(m.code)}: ${m.stderr.trim().split('\n')[0] ?? ''}`);
    }
    const mismatch = verdicts[0]!.diff !== null && !verdicts[0]!.diff.exact ? verdicts[0]!.diff : null;
    const correct = expected === null ? null : verdicts.slice(0, dnshuntRows).every((v) => v.exact === true);
    const machine = { cpu: cpus()[0]?.model ?? 'unknown', cpus: cpus().length, parallelism: availableParallelism(), memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform}-${process.arch}` };
    const report: BenchReport = { file, bytes, generated: fileArg === undefined, expectedFile: expected === null ? null : expectedFile, runs: o.runs, rssMethod, machine, correct, mismatch, tools: [], notes };
    if (correct === false && !o.allowMismatch) {
      notes.push('dnshunt did not produce the expected answer: no timings reported (use --allow-mismatch to time it anyway).');
      return report;
    }
    const times: number[][] = competitors.map(() => []);
    const rss: (number | null)[] = competitors.map(() => null);
    const codes: (number | null)[] = competitors.map(() => null);
    for (let r = 0; r < o.runs; r++) {
      // Rotate the order every run so no competitor always runs right after the same one.
      for (let j = 0; j < competitors.length; j++) {
        const k = (j + r) % competitors.length;
        const c = competitors[k]!;
        log(`run ${r + 1}/${o.runs}: ${c.name} …`);
        const m = await measure(c.argv, rssMethod, timeFile);
        log(` ${m.seconds.toFixed(2)} s\n`);
        times[k]!.push(m.seconds);
        codes[k] = m.code;
        if (m.rssKiB !== null) rss[k] = Math.max(rss[k] ?? 0, m.rssKiB);
      }
    }
    report.tools = competitors.map((c, k) => summarize(c.name, c.argv.join(' '), times[k]!, bytes, rss[k]!, verdicts[k]!.found, verdicts[k]!.exact, codes[k]!));
    addRatios(report.tools, DNSHUNT);
    return report;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The report for people. */
export function formatReport(r: BenchReport): string {
  let s = `dnshunt bench: ${r.file} (${formatBytes(r.bytes)}${r.generated ? ', generated' : ''}), ${r.runs} timed run(s) per tool, alternating, warm page cache\n`;
  s += `machine: ${r.machine.cpu}, ${r.machine.parallelism} threads available, ${r.machine.memoryGiB} GiB, node ${r.machine.node}, ${r.machine.platform}; peak RSS via ${r.rssMethod}\n\n`;
  if (r.tools.length > 0) s += formatTable(r.tools);
  if (r.mismatch !== null) {
    const d = r.mismatch;
    s += `\ndnshunt differs from ${r.expectedFile}:\n`;
    for (const [label, list] of [['missing clients', d.missingClients], ['false clients', d.extraClients], ['missed', d.missingIndicators], ['not expected', d.extraIndicators]] as const) {
      if (list.length > 0) s += `  ${label}: ${list.slice(0, 20).join(', ')}${list.length > 20 ? ` … (${list.length})` : ''}\n`;
    }
  }
  for (const n of r.notes) s += `\nnote: ${n}`;
  return `${s}\n`;
}

/** Add `bench` to the program; `setExit` receives 1 when dnshunt's answer was wrong (default: `process.exitCode`). */
export function registerBenchCommand(program: Command, setExit: (code: number) => void = (c) => (process.exitCode = c)): Command {
  return program
    .command('bench')
    .description('time dnshunt against grep -F and a naive Node script on one log (generated when no FILE), checking answers first')
    .argument('[file]', 'log to scan; without it one is generated and cached')
    .option('--size <size>', 'size of the generated log', '1GB')
    .option('--runs <n>', 'timed runs per tool', wholeNumber('--runs', 1), 3)
    .option('--iocs <n>', 'indicators in the generated user feed', wholeNumber('--iocs'), GEN_DEFAULTS.iocs)
    .option('--seed <n>', 'seed of the generated log', wholeNumber('--seed'), GEN_DEFAULTS.seed)
    .option('--infected <n>', 'infected clients in the generated log', wholeNumber('--infected'), GEN_DEFAULTS.infected)
    .option('--locale <locale>', 'date layout of the generated log', GEN_DEFAULTS.locale)
    .option('--out-dir <dir>', 'where generated logs are cached (default: bench/out in a source checkout)')
    .option('--json', 'print the results as JSON (for BENCHMARKS.md)', false)
    .option('--allow-mismatch', 'time dnshunt even when its answer differs from the expected one', false)
    .action(async (file: string | undefined, o: BenchOptions) => {
      const report = await runBench(file, o, (s) => process.stderr.write(s));
      process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
      setExit(report.correct === false ? ExitCode.FOUND : ExitCode.CLEAN);
    });
}
