/**
 * The DGA families dnshunt knows, and the union of their known configurations.
 * To add a family: write its module exporting a `DgaFamily` and list it here.
 */
import { DnshuntError, ErrorCode } from '../core/index.js';
import type { CivilDate } from '../core/index.js';
import { windowsInRange } from './civil-date.js';
import type { DgaConfig, DgaFamily } from './family.js';
import { LOCKY_FAMILY, LOCKY_VARIANT_LIST, lockyNamesForDate, validateLockyConfig } from './locky.js';
import { KNOWN_LOCKY_CONFIGS } from './locky-seeds.js';

/** Locky as a `DgaFamily`: calendar two-day windows (`day >> 1`), variants v1/v2/v3. */
export const LOCKY: DgaFamily = Object.freeze({
  name: LOCKY_FAMILY,
  variants: LOCKY_VARIANT_LIST,
  knownConfigs: KNOWN_LOCKY_CONFIGS,
  validate: validateLockyConfig,
  generate: lockyNamesForDate,
  windowsInRange: (from: CivilDate, to: CivilDate): CivilDate[] => windowsInRange(from, to),
});

/** Every family, in a stable order. */
export const DGA_FAMILIES: readonly DgaFamily[] = Object.freeze([LOCKY]);

/** The family named `name` (lower case), or null. */
export function findFamily(name: string): DgaFamily | null {
  for (const f of DGA_FAMILIES) if (f.name === name) return f;
  return null;
}

/** The family of `config`; throws BAD_DGA_SPEC when no family has that name. */
export function familyOf(config: DgaConfig): DgaFamily {
  const f = findFamily(config.family);
  if (f === null) throw new DnshuntError(ErrorCode.BAD_DGA_SPEC, `unknown DGA family ${JSON.stringify(config.family)}: known: ${DGA_FAMILIES.map((x) => x.name).join(', ')}`);
  return f;
}

/** Every known configuration of every family: the default DGA set of a scan. Frozen; order is stable. */
export const KNOWN_CONFIGS: readonly DgaConfig[] = Object.freeze(DGA_FAMILIES.flatMap((f) => f.knownConfigs));

/**
 * The known configuration for (family, variant, seed) when there is one, else a
 * new `user`-sourced configuration (validated; throws BAD_DGA_SPEC when the
 * family, variant or seed is not valid). `origin` is the text the user gave.
 */
export function configFor(family: string, variant: string, seed: number | null, origin: string): DgaConfig {
  for (const c of KNOWN_CONFIGS) if (c.family === family && c.variant === variant && c.seed === seed) return c;
  const config: DgaConfig = Object.freeze({ family, variant, seed, source: `user: ${origin}`, firstSeen: null, inferred: false });
  familyOf(config).validate(config);
  return config;
}
