/**
 * `dnshunt dga`: print the names a DGA generates for a date range, for
 * firewall and DNS blocklists or to check a suspicious name by hand.
 *
 *     dnshunt dga --from 2016-02-16 --to 2016-02-29 --variant v2 --seed 7
 *     dnshunt dga --from 2026-03-15 --names-only > locky-blocklist.txt
 *
 * All logic is in `dgaCommandOutput` (pure, testable); the action only writes
 * its result to stdout. Errors are DnshuntError USAGE / BAD_DGA_SPEC; the
 * caller maps them to the exit status.
 */
import type { Command } from 'commander';
import { DnshuntError, ErrorCode } from '../core/index.js';
import {
  DGA_FAMILIES,
  configFor,
  configLabel,
  findFamily,
  formatCivilDate,
  generateNames,
  parseCivilDate,
  parseSeed,
  DEFAULT_MARGIN_BACK_DAYS,
  DEFAULT_MARGIN_FORWARD_DAYS,
} from '../dga/index.js';
import type { DgaConfig, DgaName } from '../dga/index.js';

/** Output formats of `dnshunt dga`. */
export const DGA_FORMATS = ['text', 'json', 'csv'] as const;
/** One of DGA_FORMATS. */
export type DgaFormat = (typeof DGA_FORMATS)[number];

/** Options of `dnshunt dga` as commander hands them over (strings as typed, booleans for flags). */
export interface DgaCommandOptions {
  family?: string;
  variant?: string;
  seed?: string;
  from?: string;
  to?: string;
  format?: string;
  namesOnly?: boolean;
  marginBack?: string;
  marginForward?: string;
}

const DAYS_RE = /^[0-9]{1,5}$/;
const DEFAULT_FAMILY = 'locky';
/** Printed in the seed column for unseeded variants (text format). */
const NO_SEED = '-';

function usage(message: string): DnshuntError {
  return new DnshuntError(ErrorCode.USAGE, `dga: ${message}`);
}

function parseDays(text: string | undefined, option: string): number {
  if (text === undefined) return 0;
  if (!DAYS_RE.test(text)) throw usage(`${option} must be a whole number of days, got ${JSON.stringify(text)}`);
  return Number(text);
}

function isFormat(s: string): s is DgaFormat {
  return (DGA_FORMATS as readonly string[]).includes(s);
}

/** The configurations the options select: one seed, every known seed of a variant, or every known configuration of the family. */
function selectConfigs(opts: DgaCommandOptions): DgaConfig[] {
  const familyName = (opts.family ?? DEFAULT_FAMILY).toLowerCase();
  const family = findFamily(familyName);
  if (family === null) throw new DnshuntError(ErrorCode.BAD_DGA_SPEC, `dga: unknown --family ${JSON.stringify(opts.family)}; known: ${DGA_FAMILIES.map((f) => f.name).join(', ')}`);
  const variants = family.variants.map((v) => v.name);
  if (opts.variant === undefined) {
    if (opts.seed !== undefined) throw usage(`--seed needs --variant (${family.variants.filter((v) => v.seeded).map((v) => v.name).join(' or ')})`);
    return family.knownConfigs.slice();
  }
  const variant = family.variants.find((v) => v.name === opts.variant?.toLowerCase());
  if (variant === undefined) throw new DnshuntError(ErrorCode.BAD_DGA_SPEC, `dga: unknown --variant ${JSON.stringify(opts.variant)}; expected ${variants.join(', ')}`);
  if (opts.seed === undefined) return family.knownConfigs.filter((c) => c.variant === variant.name);
  if (!variant.seeded) throw new DnshuntError(ErrorCode.BAD_DGA_SPEC, `dga: ${family.name}-${variant.name} takes no --seed`);
  const seed = parseSeed(opts.seed);
  if (seed === null) throw new DnshuntError(ErrorCode.BAD_DGA_SPEC, `dga: --seed ${JSON.stringify(opts.seed)} is not a uint32 (decimal or 0x hex)`);
  return [configFor(family.name, variant.name, seed, `dga --seed ${opts.seed}`)];
}

/** RFC 4180 field: quoted only when it has a comma, quote or line break. */
function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function jsonRecord(n: DgaName): string {
  return JSON.stringify({
    name: n.name,
    family: n.config.family,
    variant: n.config.variant,
    seed: n.config.seed,
    window: formatCivilDate(n.window),
    index: n.index,
    inferred: n.config.inferred,
    source: n.config.source,
  });
}

function render(names: readonly DgaName[], format: DgaFormat, namesOnly: boolean): string {
  const lines: string[] = [];
  if (namesOnly) {
    // A blocklist wants each name once, whichever configuration or window produced it.
    const seen = new Set<string>();
    for (const n of names) {
      if (seen.has(n.name)) continue;
      seen.add(n.name);
      lines.push(n.name);
    }
  } else if (format === 'text') {
    for (const n of names) lines.push(`${n.name}\t${configLabel(n.config)}\t${n.config.seed ?? NO_SEED}\t${formatCivilDate(n.window)}\t${n.index}`);
  } else if (format === 'csv') {
    lines.push('name,family,variant,seed,window,index,inferred,source');
    for (const n of names) {
      const c = n.config;
      lines.push([n.name, c.family, c.variant, c.seed ?? '', formatCivilDate(n.window), n.index, c.inferred, csvField(c.source)].join(','));
    }
  } else {
    // One object per line: greppable, and still one JSON document.
    return names.length === 0 ? '[]\n' : `[\n${names.map(jsonRecord).join(',\n')}\n]\n`;
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/**
 * Everything `dnshunt dga` prints for `opts`, as one string.
 *
 * - text (default): `name<TAB>family-variant<TAB>seed|-<TAB>window<TAB>index`, one name a line;
 *   with `--names-only`, just the names, each once (paste into a blocklist).
 * - csv: header `name,family,variant,seed,window,index,inferred,source`.
 * - json: an array of `{name, family, variant, seed, window, index, inferred, source}`.
 *
 * Windows are every window overlapping [from − marginBack, to + marginForward]
 * (margins default to 0 here: the scan's defaults are printed in the help).
 * Throws DnshuntError USAGE for missing/bad dates, formats and margins,
 * BAD_DGA_SPEC for a bad family, variant or seed.
 */
export function dgaCommandOutput(opts: DgaCommandOptions): string {
  const format = (opts.format ?? 'text').toLowerCase();
  if (!isFormat(format)) throw usage(`--format must be one of ${DGA_FORMATS.join(', ')}, got ${JSON.stringify(opts.format)}`);
  const namesOnly = opts.namesOnly === true;
  if (namesOnly && format !== 'text') throw usage('--names-only goes with --format text');
  if (opts.from === undefined) throw usage('--from DATE is required (YYYY-MM-DD)');
  const from = parseCivilDate(opts.from);
  const to = opts.to === undefined ? from : parseCivilDate(opts.to);
  const back = parseDays(opts.marginBack, '--margin-back');
  const forward = parseDays(opts.marginForward, '--margin-forward');
  const configs = selectConfigs(opts);
  return render(generateNames(configs, from, to, back, forward), format, namesOnly);
}

/** Add the `dga` command to `program`. The action writes to stdout; errors propagate out of `parse`/`parseAsync`. */
export function registerDgaCommand(program: Command): void {
  program
    .command('dga')
    .description('print the domain names a DGA generates for a date range (for blocklists and manual checks)')
    .option('--family <name>', 'DGA family', DEFAULT_FAMILY)
    .option('--variant <variant>', 'Locky variant: v1, v2 or v3 (default: every variant)')
    .option('--seed <n>', 'seed of a v2/v3 configuration, decimal or 0x hex (default: every known seed)')
    .option('--from <date>', 'first date, YYYY-MM-DD (required)')
    .option('--to <date>', 'last date, YYYY-MM-DD (default: --from)')
    .option('--format <format>', `output format: ${DGA_FORMATS.join(', ')}`, 'text')
    .option('--names-only', 'text format: only the names, each once, one a line (blocklist)')
    .option('--margin-back <days>', `extra days before --from (a scan uses ${DEFAULT_MARGIN_BACK_DAYS}: malware may use earlier windows)`, '0')
    .option('--margin-forward <days>', `extra days after --to (a scan uses ${DEFAULT_MARGIN_FORWARD_DAYS}: clock skew)`, '0')
    .action((opts: DgaCommandOptions) => {
      process.stdout.write(dgaCommandOutput(opts));
    });
}
