/**
 * Public surface of `src/dga`: domain generation algorithms as pure functions
 * of (configuration, date, index). No I/O, no clock. Other folders import only
 * from here.
 */
export type { DgaConfig, DgaName, DgaFamily, DgaVariantInfo } from './family.js';
export type { LockyVariant, LockyParams, LockyTrace } from './locky.js';
export { lockyDomain, lockyTrace, LOCKY_FAMILY, LOCKY_VARIANTS, LOCKY_VARIANT_LIST, isLockyVariant } from './locky.js';
export { KNOWN_CONFIGS, DGA_FAMILIES, LOCKY, findFamily, configFor } from './registry.js';
export { parseDgaSpecs, parseSeed, NO_DGA_SPEC } from './specs.js';
export {
  DEFAULT_MARGIN_BACK_DAYS,
  DEFAULT_MARGIN_FORWARD_DAYS,
  namesForDate,
  generateNames,
  describeName,
  describeConfig,
  configLabel,
} from './generate.js';
export {
  formatCivilDate,
  parseCivilDate,
  addDays,
  compareCivilDates,
  windowOf,
  windowsInRange,
  isValidCivilDate,
  daysInMonth,
} from './civil-date.js';
