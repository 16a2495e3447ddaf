/**
 * Names for a date range across many configurations: what `ioc/` feeds to the
 * matcher for a scan, and what the `dga` command prints.
 */
import { DnshuntError, ErrorCode } from '../core/index.js';
import type { CivilDate } from '../core/index.js';
import { addDays, assertCivilDate, compareCivilDates, formatCivilDate } from './civil-date.js';
import type { DgaConfig, DgaFamily, DgaName } from './family.js';
import { familyOf } from './registry.js';

/**
 * Days added before the first log date: two Locky windows back, because
 * published lists put names up to two days (one window) before the date the
 * malware reportedly ran (doc A1), plus a window for clock skew / local time
 * vs UTC (doc A2).
 */
export const DEFAULT_MARGIN_BACK_DAYS = 4;
/** Days added after the last log date: one window forward for clock skew / time zones (doc A1, A2). */
export const DEFAULT_MARGIN_FORWARD_DAYS = 2;

/** Every name (index 0 first) of `config` for the window holding `date`. Throws BAD_DGA_SPEC on a bad config, USAGE on a bad date. */
export function namesForDate(config: DgaConfig, date: CivilDate): string[] {
  return familyOf(config).generate(config, date);
}

function checkMargin(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new DnshuntError(ErrorCode.USAGE, `invalid ${what} ${String(n)}: expected a whole number of days ≥ 0`);
}

/**
 * Every name of every window overlapping [from − marginBackDays, to + marginForwardDays]
 * for every configuration. Nothing is deduplicated (the caller groups). Order:
 * configurations as given, then windows ascending, then index ascending.
 * Throws USAGE when a date is invalid, `from` is after `to` or a margin is not
 * a non-negative integer; BAD_DGA_SPEC for an invalid configuration (checked
 * before any name is generated).
 */
export function generateNames(
  configs: readonly DgaConfig[],
  from: CivilDate,
  to: CivilDate,
  marginBackDays: number = DEFAULT_MARGIN_BACK_DAYS,
  marginForwardDays: number = DEFAULT_MARGIN_FORWARD_DAYS,
): DgaName[] {
  assertCivilDate(from, 'start date');
  assertCivilDate(to, 'end date');
  if (compareCivilDates(from, to) > 0) {
    throw new DnshuntError(ErrorCode.USAGE, `start date ${formatCivilDate(from)} is after end date ${formatCivilDate(to)}`);
  }
  checkMargin(marginBackDays, 'back margin');
  checkMargin(marginForwardDays, 'forward margin');
  const first = addDays(from, -marginBackDays);
  const last = addDays(to, marginForwardDays);
  const families = configs.map((c) => {
    const f = familyOf(c);
    f.validate(c);
    return f;
  });
  // Every configuration of a family shares the same window list (and window objects).
  const windowsByFamily = new Map<DgaFamily, CivilDate[]>();
  const out: DgaName[] = [];
  for (let ci = 0; ci < configs.length; ci++) {
    const config = configs[ci] as DgaConfig;
    const family = families[ci] as DgaFamily;
    let windows = windowsByFamily.get(family);
    if (windows === undefined) {
      windows = family.windowsInRange(first, last);
      windowsByFamily.set(family, windows);
    }
    for (const window of windows) {
      const names = family.generate(config, window);
      for (let index = 0; index < names.length; index++) out.push({ name: names[index] as string, config, window, index });
    }
  }
  return out;
}

/** `family-variant`, e.g. `locky-v2`. */
export function configLabel(config: DgaConfig): string {
  return `${config.family}-${config.variant}`;
}

/** `locky-v2 seed=7` / `locky-v1`: a configuration in one token-ish phrase, as used in reports. */
export function describeConfig(config: DgaConfig): string {
  return config.seed === null ? configLabel(config) : `${configLabel(config)} seed=${config.seed}`;
}

/**
 * One-line provenance of a generated name: `locky-v2 seed=7 window=2016-02-24 index=3`;
 * unseeded variants omit the seed: `locky-v1 window=2016-02-16 index=0`.
 */
export function describeName(n: DgaName): string {
  return `${describeConfig(n.config)} window=${formatCivilDate(n.window)} index=${n.index}`;
}
