/**
 * What every DGA family provides, and the records that flow out of `src/dga`.
 *
 * A family is one module (e.g. `locky.ts`) exporting a `DgaFamily`: its name,
 * its variants with their parameters, the configurations known from research,
 * and a pure `generate(config, date)`. Adding a family means writing that
 * module and listing it in `registry.ts`; spec parsing, range generation and
 * the CLI work through this interface only.
 */
import type { CivilDate } from '../core/index.js';

/**
 * One concrete DGA configuration: a family, a variant and (for seeded
 * variants) the seed, plus provenance.
 */
export interface DgaConfig {
  /** Family name, lower case (`'locky'`). */
  family: string;
  /** Variant name within the family (`'v1'`, `'v2'`, `'v3'` for Locky). */
  variant: string;
  /** Unsigned 32-bit seed, or null for an unseeded variant (Locky v1). */
  seed: number | null;
  /** Where this configuration comes from: research citation, or `user: …` for a seed given on the command line. */
  source: string;
  /** Earliest known sighting as `YYYY-MM-DD` (often an upper bound, see `source`), or null when unknown. */
  firstSeen: string | null;
  /** True when the seed was inferred by matching generated names against public lists rather than read from a sample. */
  inferred: boolean;
}

/** One generated name with everything needed to explain a match. */
export interface DgaName {
  /** The domain, dotted, lower case, no trailing dot (`fnarsipfqe.pw`). */
  name: string;
  /** The configuration that generated it (the same object for every name of that configuration). */
  config: DgaConfig;
  /** First day of the window the name is valid in (Locky: a 1- or 2-day window). */
  window: CivilDate;
  /** Position of the name in the window's list (0-based, the malware's contact order). */
  index: number;
}

/** Parameters of one variant of a family, as data (for help text, checks and other modules). */
export interface DgaVariantInfo {
  /** Variant name (`'v2'`). */
  readonly name: string;
  /** True when configurations of this variant carry a seed. */
  readonly seeded: boolean;
  /** Names generated per window (indices 0 … namesPerWindow − 1). */
  readonly namesPerWindow: number;
  /** Shortest and longest second-level label the variant can produce. */
  readonly minLabelLength: number;
  readonly maxLabelLength: number;
  /** Top-level domains in the variant's table order. */
  readonly tlds: readonly string[];
}

/** A DGA family module. Everything here is pure: no I/O, no clock. */
export interface DgaFamily {
  /** Family name as used in `--dga` specs (`locky`). */
  readonly name: string;
  /** Variants in a stable order. */
  readonly variants: readonly DgaVariantInfo[];
  /** Configurations known from research, in a stable order. */
  readonly knownConfigs: readonly DgaConfig[];
  /**
   * Throw DnshuntError BAD_DGA_SPEC unless `config` is usable with this family
   * (known variant; seed null exactly when the variant is unseeded; seed uint32).
   */
  validate(config: DgaConfig): void;
  /** Every name of the window holding `date`, index 0 first. Validates `config` and `date`. */
  generate(config: DgaConfig, date: CivilDate): string[];
  /** First days of the family's windows overlapping [from, to], ascending. */
  windowsInRange(from: CivilDate, to: CivilDate): CivilDate[];
}
