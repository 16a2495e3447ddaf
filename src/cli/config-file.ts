/**
 * The `--config FILE` of `tail` and `alert test`: JSON or YAML, one flat
 * mapping whose keys are the long flag names in camelCase (`--smtp-pass-env`
 * is `smtpPassEnv`, `--no-builtin` is `builtin: false`). Flags given on the
 * command line override the file (a repeatable flag replaces the file's list).
 * Relative paths in the file are relative to the file's own folder, so a
 * scheduled task works whatever its working directory.
 *
 * Every error is a DnshuntError BAD_CONFIG whose message names the file and
 * the key; the alert keys are checked by the alert module's own validator.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { parseDocument } from 'yaml';
import { DnshuntError, ErrorCode, type DateOrder } from '../core/index.js';
import { ALERT_CONFIG_KEYS, parseDuration, validateAlertConfig, type AlertConfig, type AlertConfigInput } from '../alert/index.js';
import type { StartAt } from '../tail/index.js';
import type { ScanOptions } from './scan-command.js';

/** Raw settings: from a config file, from flags, or both merged (flags win). */
export type ConfigValues = Record<string, unknown>;

/** The keys a config file may hold besides the alert keys, with what each takes. */
export const TAIL_CONFIG_KEYS = {
  file: 'the DNS debug log to follow',
  poll: 'time between looks at the log, a duration (default 1s)',
  once: 'true: process what was appended since the last run, send what is due, exit',
  fromStart: 'true: a first run (no checkpoint yet) reads the log from its start',
  fromEnd: 'true: a first run starts at the end of the log (the default)',
  flushTimeout: 'how long to wait for pending mails when stopping, a duration (default 10s)',
  resolveHosts: 'true: put the reverse-DNS name of the client into alert mails',
  quiet: 'true: only warnings and errors on standard error',
  ioc: 'indicator feed file, or a list of them',
  builtin: 'false: do not use the bundled Locky C&C and payment-site list',
  suffix: 'DNS search suffix your clients append, or a list of them',
  stripPrivateSuffixes: 'false: do not try names with trailing non-public labels removed',
  learnSuffixes: "false: do not use the AD domains of the log's _msdcs lookups as search suffixes",
  dga: "DGA spec or list of specs ('locky', 'locky-v1', 'locky-v3:SEED', 'none')",
  dgaMargin: 'days before and after a DGA window its names still match, a whole number',
  dateOrder: "'mdy', 'dmy' or 'ymd' when the log's dates cannot tell",
  threads: 'worker threads, a whole number (default 1)',
  cache: 'false: parse and compile the indicators afresh on each compile, and keep nothing',
  cacheDir: 'where parsed feeds and compiled indicator sets are kept between runs',
} as const;

/** Keys whose value is a path to resolve against the config file's folder. */
const PATH_KEYS: ReadonlySet<string> = new Set(['file', 'ioc', 'cacheDir', 'stateDir', 'smtpPassFile', 'smtpCaFile', 'jsonl']);
/** Keys whose value may be one string or a list of them (repeatable flags). */
const LIST_KEYS: ReadonlySet<string> = new Set(['ioc', 'suffix', 'dga', 'mailTo']);
const BOOLEAN_KEYS = ['once', 'fromStart', 'fromEnd', 'resolveHosts', 'quiet', 'builtin', 'stripPrivateSuffixes', 'learnSuffixes', 'cache'] as const;
const DATE_ORDERS: readonly DateOrder[] = ['mdy', 'dmy', 'ymd'];

/** Default time between polls: the target is an alert within 2 s of the line being written. */
export const DEFAULT_POLL = '1s';
/** Default wait for pending mails on exit. */
export const DEFAULT_FLUSH_TIMEOUT = '10s';
/** Shortest poll interval: below it a tail spins for nothing. */
const MIN_POLL_MS = 50;
const MAX_THREADS = 64;
const MAX_DGA_MARGIN_DAYS = 365;

function bad(where: string, key: string, message: string): DnshuntError {
  return new DnshuntError(ErrorCode.BAD_CONFIG, `${where}${key}: ${message}`);
}

/**
 * Read and check a config file. JSON when the name ends in `.json`, YAML
 * otherwise (YAML also reads JSON). Returns the values with relative paths
 * made absolute; types of the tail keys are checked here, the alert keys later
 * by {@link resolveTailSettings} / {@link alertConfigFrom}.
 * @throws DnshuntError BAD_CONFIG naming the file (and line, for syntax errors) or the key.
 */
export function loadConfigFile(path: string): ConfigValues {
  const where = `config ${path}: `;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new DnshuntError(ErrorCode.BAD_CONFIG, `config ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, e);
  }
  let doc: unknown;
  if (/\.json$/i.test(path)) {
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new DnshuntError(ErrorCode.BAD_CONFIG, `${where}not valid JSON: ${(e as Error).message}`, e);
    }
  } else {
    const parsed = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
    const err = parsed.errors[0];
    if (err !== undefined) {
      const line = err.linePos?.[0]?.line;
      throw new DnshuntError(ErrorCode.BAD_CONFIG, `${where}${line !== undefined ? `line ${line}: ` : ''}not valid YAML: ${err.message.split('\n')[0] ?? ''}`);
    }
    doc = parsed.toJS();
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new DnshuntError(ErrorCode.BAD_CONFIG, `${where}must be a mapping of keys to values (key: value lines)`);
  const values: ConfigValues = {};
  const base = dirname(resolve(path));
  for (const [key, raw] of Object.entries(doc as Record<string, unknown>)) {
    if (!Object.hasOwn(TAIL_CONFIG_KEYS, key) && !Object.hasOwn(ALERT_CONFIG_KEYS, key)) {
      throw bad(where, key, `unknown key; known keys are ${[...Object.keys(TAIL_CONFIG_KEYS), ...Object.keys(ALERT_CONFIG_KEYS)].join(', ')}`);
    }
    if (raw === null || raw === undefined) continue;
    values[key] = PATH_KEYS.has(key) ? resolvePaths(where, key, raw, base) : raw;
  }
  checkTailTypes(values, where);
  return values;
}

function resolvePaths(where: string, key: string, raw: unknown, base: string): unknown {
  const one = (v: unknown): unknown => {
    if (typeof v !== 'string' || v.trim() === '') throw bad(where, key, 'must be a path (a non-empty string)');
    if (key === 'jsonl' && v === '-') return v;
    return isAbsolute(v) ? v : join(base, v);
  };
  return LIST_KEYS.has(key) && Array.isArray(raw) ? raw.map(one) : one(raw);
}

/** Check the types of the tail keys (the alert validator checks its own). */
function checkTailTypes(values: ConfigValues, where: string): void {
  for (const key of BOOLEAN_KEYS) {
    const v = values[key];
    if (v !== undefined && typeof v !== 'boolean') throw bad(where, key, `must be true or false, got ${JSON.stringify(v)}`);
  }
  for (const key of ['ioc', 'suffix', 'dga']) {
    const v = values[key];
    if (v === undefined) continue;
    const list = Array.isArray(v) ? v : [v];
    if (!list.every((x) => typeof x === 'string' && x.trim() !== '')) throw bad(where, key, 'must be a string or a list of strings');
  }
  for (const key of ['file', 'cacheDir', 'poll', 'flushTimeout']) {
    const v = values[key];
    if (v !== undefined && typeof v !== 'string') throw bad(where, key, key === 'file' || key === 'cacheDir' ? 'must be a path' : `must be a duration such as 500ms, 2s or 1m${typeof v === 'number' ? ` (give a unit: '${v}s')` : ''}`);
  }
  if (values['dateOrder'] !== undefined && !DATE_ORDERS.includes(values['dateOrder'] as DateOrder)) {
    throw bad(where, 'dateOrder', `must be one of ${DATE_ORDERS.map((o) => `'${o}'`).join(', ')}`);
  }
  wholeNumber(values, where, 'threads', 1, MAX_THREADS);
  wholeNumber(values, where, 'dgaMargin', 0, MAX_DGA_MARGIN_DAYS);
}

function wholeNumber(values: ConfigValues, where: string, key: string, min: number, max: number): number | undefined {
  const v = values[key];
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw bad(where, key, `must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return n;
}

/**
 * The values of the options the user actually typed on `cmd`'s command line
 * (commander's defaults are left out, so they do not override a config file).
 * Option attribute names are the config keys.
 */
export function explicitOptions(cmd: Command): ConfigValues {
  const out: ConfigValues = {};
  const opts = cmd.opts<Record<string, unknown>>();
  for (const key of Object.keys(opts)) {
    if (key === 'config') continue;
    if (cmd.getOptionValueSource(key) === 'cli') out[key] = opts[key];
  }
  return out;
}

/**
 * The per-user default state directory: `%LOCALAPPDATA%\dnshunt` on Windows,
 * `$XDG_STATE_HOME/dnshunt` or `~/.local/state/dnshunt` elsewhere.
 */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  if (platform === 'win32') {
    const local = env['LOCALAPPDATA'];
    return local ? join(local, 'dnshunt') : join(home, 'AppData', 'Local', 'dnshunt');
  }
  const xdg = env['XDG_STATE_HOME'];
  // XDG: a relative value is invalid and must be ignored.
  return xdg && isAbsolute(xdg) ? join(xdg, 'dnshunt') : join(home, '.local', 'state', 'dnshunt');
}

/** The alert settings of `values` (alert keys only; `stateDir` defaulted), validated by the alert module. */
export function alertConfigFrom(values: ConfigValues, stateDir: string): AlertConfig {
  const input: Record<string, unknown> = {};
  for (const key of Object.keys(ALERT_CONFIG_KEYS)) if (values[key] !== undefined) input[key] = values[key];
  input['stateDir'] = stateDir;
  return validateAlertConfig(input as AlertConfigInput);
}

/** How tail matches: the same options as `scan`. */
export type MatchingSettings = Pick<ScanOptions, 'ioc' | 'builtin' | 'suffix' | 'stripPrivateSuffixes' | 'learnSuffixes' | 'dga' | 'dgaMargin' | 'dateOrder' | 'threads' | 'cache' | 'cacheDir'>;

/** Everything `tail` needs, checked and defaulted. Durations in ms. */
export interface TailSettings {
  file: string;
  stateDir: string;
  alert: AlertConfig;
  pollMs: number;
  flushTimeoutMs: number;
  once: boolean;
  startAt: StartAt;
  resolveHosts: boolean;
  quiet: boolean;
  matching: MatchingSettings;
}

function list(v: unknown): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

/**
 * Merge file values and flag values (flags win), check, apply defaults.
 * A first run starts at the END of the log unless `fromStart` (live and
 * `--once` alike: history is what `scan` is for).
 * @throws DnshuntError BAD_CONFIG naming the key; USAGE when no log file is named.
 */
export function resolveTailSettings(fromFile: ConfigValues, fromFlags: ConfigValues, env: NodeJS.ProcessEnv = process.env): TailSettings {
  const v: ConfigValues = { ...fromFile, ...fromFlags };
  checkTailTypes(v, '');
  const file = v['file'];
  if (typeof file !== 'string' || file === '') throw new DnshuntError(ErrorCode.USAGE, 'tail: name the log file to follow (argument, or `file` in the config file)');
  if (v['fromStart'] === true && v['fromEnd'] === true) {
    // One from the file and one from a flag: the flag wins; both from one place is a contradiction.
    if (fromFlags['fromStart'] === true && fromFlags['fromEnd'] === true) throw new DnshuntError(ErrorCode.USAGE, '--from-start and --from-end contradict each other: give one');
    if (fromFlags['fromStart'] === true) v['fromEnd'] = false;
    else if (fromFlags['fromEnd'] === true) v['fromStart'] = false;
    else throw bad('', 'fromStart', 'and fromEnd are both true: set one');
  }
  const stateDir = typeof v['stateDir'] === 'string' ? (v['stateDir'] as string) : defaultStateDir(env);
  const pollMs = parseDuration(typeof v['poll'] === 'string' ? (v['poll'] as string) : DEFAULT_POLL, 'poll');
  if (pollMs < MIN_POLL_MS) throw bad('', 'poll', `must be at least ${MIN_POLL_MS}ms`);
  const matching: MatchingSettings = {
    ioc: list(v['ioc']),
    builtin: v['builtin'] !== false,
    suffix: list(v['suffix']),
    stripPrivateSuffixes: v['stripPrivateSuffixes'] !== false,
    learnSuffixes: v['learnSuffixes'] !== false,
    dga: list(v['dga']),
    threads: wholeNumber(v, '', 'threads', 1, MAX_THREADS) ?? 1,
    cache: v['cache'] !== false,
  };
  if (typeof v['cacheDir'] === 'string') matching.cacheDir = v['cacheDir'] as string;
  const margin = wholeNumber(v, '', 'dgaMargin', 0, MAX_DGA_MARGIN_DAYS);
  if (margin !== undefined) matching.dgaMargin = margin;
  if (v['dateOrder'] !== undefined) matching.dateOrder = v['dateOrder'] as DateOrder;
  return {
    file,
    stateDir,
    alert: alertConfigFrom(v, stateDir),
    pollMs,
    flushTimeoutMs: parseDuration(typeof v['flushTimeout'] === 'string' ? (v['flushTimeout'] as string) : DEFAULT_FLUSH_TIMEOUT, 'flushTimeout'),
    once: v['once'] === true,
    startAt: v['fromStart'] === true ? 'start' : 'end',
    resolveHosts: v['resolveHosts'] === true,
    quiet: v['quiet'] === true,
    matching,
  };
}
