/**
 * `--dga` specifications → DGA configurations.
 *
 *     none                 no known configuration
 *     locky                every known Locky configuration
 *     locky-v1             the one v1 configuration
 *     locky-v2 | locky-v3  every known configuration of that variant
 *     locky-v3:SEED        that seed (uint32, decimal or 0x hex), ADDED to the selection
 */
import { DnshuntError, ErrorCode } from '../core/index.js';
import type { DgaConfig, DgaFamily } from './family.js';
import { DGA_FAMILIES, KNOWN_CONFIGS, configFor, findFamily } from './registry.js';

/** The spec that selects nothing. */
export const NO_DGA_SPEC = 'none';

const SPEC_RE = /^([a-z0-9]+)(?:-([a-z0-9]+)(?::(.*))?)?$/;
const DECIMAL_RE = /^[0-9]{1,10}$/;
const HEX_RE = /^0x[0-9a-f]{1,8}$/;
const UINT32_MAX = 0xffffffff;

/** One line listing every accepted form, built from the families so it stays true when one is added. */
function acceptedForms(): string {
  const forms: string[] = [NO_DGA_SPEC];
  for (const f of DGA_FAMILIES) {
    forms.push(f.name);
    for (const v of f.variants) forms.push(`${f.name}-${v.name}`);
    for (const v of f.variants) if (v.seeded) forms.push(`${f.name}-${v.name}:SEED`);
  }
  return `${forms.join(', ')} (SEED: uint32, decimal or 0x hex)`;
}

function bad(spec: string, why: string): DnshuntError {
  return new DnshuntError(ErrorCode.BAD_DGA_SPEC, `bad DGA spec ${JSON.stringify(spec)}: ${why}; accepted: ${acceptedForms()}`);
}

/** Parse a uint32 seed written in decimal or `0x` hex; null when it is neither or out of range. */
export function parseSeed(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (!DECIMAL_RE.test(t) && !HEX_RE.test(t)) return null;
  const n = Number(t);
  return Number.isInteger(n) && n >= 0 && n <= UINT32_MAX ? n : null;
}

function configKey(c: DgaConfig): string {
  return `${c.family}-${c.variant}:${String(c.seed)}`;
}

/**
 * Turn `--dga` specs into configurations (see the grammar above).
 *
 * - `[]` → every known configuration (a copy of KNOWN_CONFIGS).
 * - Selectors (`none`, `locky`, `locky-v2`, …) pick known configurations; when
 *   no selector is given, the selection is every known configuration, so
 *   `['locky-v3:12345']` means "the known set plus seed 12345" and
 *   `['none', 'locky-v3:12345']` means "only seed 12345".
 * - A seed spec naming a known seed yields the known configuration (with its
 *   provenance); an unknown seed yields a `user:` configuration.
 * - The result has no duplicates: known configurations in KNOWN_CONFIGS order,
 *   then new user seeds in the order given.
 *
 * Specs are trimmed and case-insensitive. Anything else throws DnshuntError
 * BAD_DGA_SPEC with one line naming the bad spec and the accepted forms.
 */
export function parseDgaSpecs(specs: readonly string[]): DgaConfig[] {
  if (specs.length === 0) return KNOWN_CONFIGS.slice();
  let selectorSeen = false;
  const selected = new Set<DgaConfig>();
  const added: DgaConfig[] = [];
  for (const raw of specs) {
    const spec = raw.trim().toLowerCase();
    if (spec === NO_DGA_SPEC) {
      selectorSeen = true;
      continue;
    }
    const m = SPEC_RE.exec(spec);
    if (m === null) throw bad(raw, 'not of the form FAMILY[-VARIANT[:SEED]]');
    const family: DgaFamily | null = findFamily(m[1] ?? '');
    if (family === null) throw bad(raw, `unknown family ${JSON.stringify(m[1])}`);
    const variantName = m[2];
    const seedText = m[3];
    if (variantName === undefined) {
      selectorSeen = true;
      for (const c of family.knownConfigs) selected.add(c);
      continue;
    }
    const variant = family.variants.find((v) => v.name === variantName);
    if (variant === undefined) throw bad(raw, `unknown ${family.name} variant ${JSON.stringify(variantName)}`);
    if (seedText === undefined) {
      selectorSeen = true;
      for (const c of family.knownConfigs) if (c.variant === variant.name) selected.add(c);
      continue;
    }
    if (!variant.seeded) throw bad(raw, `${family.name}-${variant.name} takes no seed`);
    const seed = parseSeed(seedText);
    if (seed === null) throw bad(raw, `seed ${JSON.stringify(seedText)} is not a uint32`);
    added.push(configFor(family.name, variant.name, seed, `--dga ${spec}`));
  }
  const base: ReadonlySet<DgaConfig> = selectorSeen ? selected : new Set(KNOWN_CONFIGS);
  const out: DgaConfig[] = [];
  const seen = new Set<string>();
  // Known configurations first, in registry order, whichever spec brought them in.
  for (const c of KNOWN_CONFIGS) {
    if (base.has(c) || added.includes(c)) {
      out.push(c);
      seen.add(configKey(c));
    }
  }
  for (const c of added) {
    const key = configKey(c);
    if (!seen.has(key)) {
      out.push(c);
      seen.add(key);
    }
  }
  return out;
}
