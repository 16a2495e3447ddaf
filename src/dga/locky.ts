/**
 * Locky domain generation, variants v1 (original), v2 (seeded) and v3
 * (seven-round), written from docs/locky-dga.md (§1–§4; the section numbers
 * below refer to it).
 *
 * Every value is an unsigned 32-bit integer held in a JS number: products go
 * through `Math.imul` (a plain `*` loses bits beyond 2^53) and every `+`, `−`,
 * `^` result is brought back with `>>> 0`, so `%` always sees the unsigned
 * value the original C code sees (doc A6: skipping one mask gives a wrong TLD
 * or length for ~15 % of names).
 *
 * Name assembly is allocation-light: letters and the TLD are written into one
 * module-level byte buffer and turned into a string once per name through a
 * pre-made view of the right length.
 *
 *     NAME_BYTES: | l0 l1 … l(L−1) | '.' | t0 … t(k−1) |   (at most 17 + 1 + 5 bytes)
 */
import { DnshuntError, ErrorCode, LOWER_A } from '../core/index.js';
import type { CivilDate } from '../core/index.js';
import { assertCivilDate, windowOf } from './civil-date.js';
import type { DgaConfig, DgaVariantInfo } from './family.js';

/** Locky variant names as used in this project (doc §0). */
export type LockyVariant = 'v1' | 'v2' | 'v3';

/** Family name of every Locky configuration. */
export const LOCKY_FAMILY = 'locky';

// ---- §1 constants (names as in the doc) -------------------------------------

/** Multiplier of the mixing step. */
export const M = 0xb11924e1;
/** Additive constant applied after nearly every mixing step. */
export const A = 0x27100001;
/** Added to the year. */
export const Y0 = 0x1bf5;
/** Added with the month (v1/v2). */
export const C_M = 0x2709a354;
/** v3 day step constant, equal to −A mod 2^32. */
export const C_S = 0xd8efffff;
/** v3 month step constant (subtracted), equal to A − C_M. */
export const C_D = 0x65cad;

/** Rotation of the seed before it joins the index term (v2, v3). */
const SEED_ROTATE = 17;
/** Rotation of the index before it joins the state. */
const INDEX_ROTATE = 21;
/** Label length is `r mod LABEL_LENGTH_SPAN + minLabelLength`. */
const LABEL_LENGTH_SPAN = 11;
/** Letters are `'a' + r mod LETTER_COUNT`: a–y, never z. */
const LETTER_COUNT = 25;
/** v3 mixes the date seven times, with year Y … Y+6. */
const V3_ROUNDS = 7;
/** Bits in the state word (rotations are modulo this). */
const WORD_BITS = 32;
/** Largest uint32, the largest seed or index. */
const UINT32_MAX = 0xffffffff;

/** T14, exact order (doc §3). */
const T14: readonly string[] = Object.freeze(['ru', 'pw', 'eu', 'in', 'yt', 'pm', 'us', 'fr', 'de', 'it', 'be', 'uk', 'nl', 'tf']);
/** T10, exact order (doc §4). */
const T10: readonly string[] = Object.freeze(['ru', 'info', 'biz', 'click', 'su', 'work', 'pl', 'org', 'pw', 'xyz']);

/** Everything that differs between the variants. */
export interface LockyParams extends DgaVariantInfo {
  readonly name: LockyVariant;
  /** Right-rotation `S` of `mix_S` (5 for v1, 7 for v2/v3). */
  readonly rotate: number;
  /** The index is reduced mod this before use (v1 6, v2 8); 0 means no reduction (v3). */
  readonly indexModulus: number;
}

function params(p: Omit<LockyParams, 'maxLabelLength'>): LockyParams {
  return Object.freeze({ ...p, maxLabelLength: p.minLabelLength + LABEL_LENGTH_SPAN - 1 });
}

/** Parameters of each Locky variant (doc §2–§4, §6). Frozen. */
export const LOCKY_VARIANTS: Readonly<Record<LockyVariant, LockyParams>> = Object.freeze({
  v1: params({ name: 'v1', seeded: false, rotate: 5, namesPerWindow: 6, indexModulus: 6, minLabelLength: 5, tlds: T14 }),
  v2: params({ name: 'v2', seeded: true, rotate: 7, namesPerWindow: 8, indexModulus: 8, minLabelLength: 5, tlds: T14 }),
  v3: params({ name: 'v3', seeded: true, rotate: 7, namesPerWindow: 12, indexModulus: 0, minLabelLength: 7, tlds: T10 }),
});

/** The variants in their stable order. */
export const LOCKY_VARIANT_LIST: readonly LockyParams[] = Object.freeze([LOCKY_VARIANTS.v1, LOCKY_VARIANTS.v2, LOCKY_VARIANTS.v3]);

/** True when `v` names a Locky variant. */
export function isLockyVariant(v: string): v is LockyVariant {
  return v === 'v1' || v === 'v2' || v === 'v3';
}

// ---- name buffer -------------------------------------------------------------

/** Longest possible name: the longest label plus `.` plus the longest TLD of any table. */
const MAX_NAME_LENGTH = Math.max(...LOCKY_VARIANT_LIST.map((p) => p.maxLabelLength + 1 + Math.max(...p.tlds.map((t) => t.length))));
const NAME_BYTES = new Uint8Array(MAX_NAME_LENGTH);
/** `NAME_VIEWS[n]` is the first n bytes of NAME_BYTES, made once so no view is allocated per name. */
const NAME_VIEWS: readonly Uint8Array[] = Array.from({ length: MAX_NAME_LENGTH + 1 }, (_, n) => NAME_BYTES.subarray(0, n));
/** `.tld` as bytes per table entry, so the TLD is copied, not re-encoded. */
function tldBytes(table: readonly string[]): readonly Uint8Array[] {
  return table.map((t) => Uint8Array.from(`.${t}`, (ch) => ch.charCodeAt(0)));
}
const T14_BYTES = tldBytes(T14);
const T10_BYTES = tldBytes(T10);
const EMPTY_VIEW = new Uint8Array(0);

// ---- §1 primitives -----------------------------------------------------------

/** 32-bit right rotation; n in 0…31. */
export function rotr(x: number, n: number): number {
  // JS masks shift counts to 5 bits, so n = 0 would shift left by 32 ≡ 0: keep it explicit.
  return n === 0 ? x >>> 0 : ((x >>> n) | (x << (WORD_BITS - n))) >>> 0;
}

/** 32-bit left rotation; n in 0…31. */
export function rotl(x: number, n: number): number {
  return n === 0 ? x >>> 0 : ((x << n) | (x >>> (WORD_BITS - n))) >>> 0;
}

/** `mix_S(x) = rotr(M·x mod 2^32, S)`. */
export function mix(x: number, s: number): number {
  return rotr(Math.imul(M, x) >>> 0, s);
}

// ---- the generator -------------------------------------------------------------

/**
 * Intermediate values of one name, for debugging against doc §8. Fields that
 * a variant does not have stay null / empty.
 */
export interface LockyTrace {
  /** v1/v2: `mix(Y + Y0)`. */
  a: number | null;
  /** v2: after the seed step. */
  aSeed: number | null;
  /** v1/v2: after the day step. */
  b: number | null;
  /** v1/v2: after the month step. */
  c: number | null;
  /** v3: `k` after each of the seven rounds. */
  rounds: number[];
  /** State before the letter loop (v1/v2 `r0`; v3 `k` after round 7). */
  r0: number;
  /** Label length. */
  length: number;
  /** State after the last letter. */
  rLast: number;
  /** TLD value after the final `+A`. */
  x: number;
  /** Index into the TLD table. */
  tldIndex: number;
  /** The generated name. */
  name: string;
}

function newTrace(): LockyTrace {
  return { a: null, aSeed: null, b: null, c: null, rounds: [], r0: 0, length: 0, rLast: 0, x: 0, tldIndex: 0, name: '' };
}

/**
 * v1/v2 steps 1–4 (doc §2/§3): the window value `c`, which does not depend on
 * the index, so a whole window shares it.
 */
function windowValueV12(p: LockyParams, seed: number, year: number, month: number, day: number, trace: LockyTrace | null): number {
  const s = p.rotate;
  let a = mix((year + Y0) >>> 0, s);
  if (trace !== null) trace.a = a;
  // v1 has no seed step at all (doc A4: not "v2 with seed 0").
  if (p.seeded) {
    a = mix((a + seed + A) >>> 0, s);
    if (trace !== null) trace.aSeed = a;
  }
  const b = mix((a + (day >> 1) + A) >>> 0, s);
  const c = mix((b + month + C_M) >>> 0, s);
  if (trace !== null) {
    trace.b = b;
    trace.c = c;
  }
  return c;
}

/** v1/v2 step 5: the state before the letter loop; `seedTerm` is `rotl(seed, 17)` (0 for v1). */
function startV12(p: LockyParams, c: number, seedTerm: number, index: number): number {
  const i = index % p.indexModulus;
  return (mix((rotl(i, INDEX_ROTATE) + c + seedTerm + A) >>> 0, p.rotate) + A) >>> 0;
}

/** v3 steps 1–5 (doc §4): seven rounds over Y … Y+6, the state before the letter loop. */
function startV3(seed: number, year: number, month: number, day: number, index: number, trace: LockyTrace | null): number {
  const s = LOCKY_VARIANTS.v3.rotate;
  // ss + ns is the same in every round.
  const seedIndex = (rotl(seed, SEED_ROTATE) + rotl(index, INDEX_ROTATE)) >>> 0;
  const half = day >> 1;
  let k = 0;
  for (let n = 0; n < V3_ROUNDS; n++) {
    const t1 = ((mix((year + n + k + Y0) >>> 0, s) + A) ^ k) >>> 0;
    // The seed is added without A here, unlike v2.
    const t3 = ((mix((t1 + seed) >>> 0, s) + A) ^ t1) >>> 0;
    const t5 = (C_S - mix((half + t3) >>> 0, s) + t3) >>> 0;
    const t7 = (t5 + mix((month + t5 - C_D) >>> 0, s) + A) >>> 0;
    k = ((mix((t7 + seedIndex) >>> 0, s) + A) ^ t7) >>> 0;
    if (trace !== null) trace.rounds.push(k);
  }
  return k;
}

/** Letter loop and TLD step shared by all variants (doc §1), from the start state `r0`. */
function emitName(p: LockyParams, tlds: readonly Uint8Array[], r0: number, trace: LockyTrace | null): string {
  const s = p.rotate;
  const length = (r0 % LABEL_LENGTH_SPAN) + p.minLabelLength;
  let r = r0;
  for (let j = 0; j < length; j++) {
    r = (mix(rotl(r, j), s) + A) >>> 0;
    NAME_BYTES[j] = LOWER_A + (r % LETTER_COUNT);
  }
  const x = (mix(r, s) + A) >>> 0;
  const tldIndex = x % tlds.length;
  const tld = tlds[tldIndex] ?? EMPTY_VIEW;
  NAME_BYTES.set(tld, length);
  const view = NAME_VIEWS[length + tld.length] ?? EMPTY_VIEW;
  // apply() takes any array-like; TS only types it for number[].
  const name = String.fromCharCode.apply(null, view as unknown as number[]);
  if (trace !== null) {
    trace.r0 = r0;
    trace.length = length;
    trace.rLast = r;
    trace.x = x;
    trace.tldIndex = tldIndex;
    trace.name = name;
  }
  return name;
}

function badSpec(message: string): DnshuntError {
  return new DnshuntError(ErrorCode.BAD_DGA_SPEC, message);
}

function isUint32(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= UINT32_MAX;
}

/** Throw BAD_DGA_SPEC unless `variant`/`seed` form a valid Locky configuration; returns the variant's parameters. */
function checkVariantSeed(variant: string, seed: number | null): LockyParams {
  if (!isLockyVariant(variant)) throw badSpec(`unknown Locky variant ${JSON.stringify(variant)}: expected v1, v2 or v3`);
  const p = LOCKY_VARIANTS[variant];
  if (p.seeded) {
    if (seed === null || !isUint32(seed)) throw badSpec(`Locky ${variant} needs a uint32 seed, got ${String(seed)}`);
  } else if (seed !== null) {
    throw badSpec(`Locky ${variant} takes no seed, got ${String(seed)}`);
  }
  return p;
}

function tldTable(p: LockyParams): readonly Uint8Array[] {
  return p.tlds === T10 ? T10_BYTES : T14_BYTES;
}

function computeName(p: LockyParams, seed: number, date: CivilDate, index: number, trace: LockyTrace | null): string {
  const r0 =
    p.name === 'v3'
      ? startV3(seed, date.year, date.month, date.day, index, trace)
      : startV12(p, windowValueV12(p, seed, date.year, date.month, date.day, trace), p.seeded ? rotl(seed, SEED_ROTATE) : 0, index);
  return emitName(p, tldTable(p), r0, trace);
}

function checkIndex(index: number): void {
  if (!isUint32(index)) throw new DnshuntError(ErrorCode.USAGE, `invalid DGA index ${String(index)}: expected an integer 0…${UINT32_MAX}`);
}

/**
 * The Locky name for `variant`, `seed` (null exactly for v1), the date and the
 * domain index. Any index 0…2^32−1 is accepted (v1 repeats every 6, v2 every 8;
 * the malware itself uses 0…namesPerWindow−1). Both days of a window give the
 * same name. Throws BAD_DGA_SPEC for a bad variant/seed, USAGE for a bad date or index.
 */
export function lockyDomain(variant: LockyVariant, seed: number | null, date: CivilDate, index: number): string {
  const p = checkVariantSeed(variant, seed);
  assertCivilDate(date);
  checkIndex(index);
  return computeName(p, seed ?? 0, date, index, null);
}

/** Like `lockyDomain`, also returning the intermediate values (doc §8) — a debugging aid, not for bulk use. */
export function lockyTrace(variant: LockyVariant, seed: number | null, date: CivilDate, index: number): LockyTrace {
  const p = checkVariantSeed(variant, seed);
  assertCivilDate(date);
  checkIndex(index);
  const trace = newTrace();
  computeName(p, seed ?? 0, date, index, trace);
  return trace;
}

/** Throw BAD_DGA_SPEC unless `config` is a valid Locky configuration. */
export function validateLockyConfig(config: DgaConfig): void {
  if (config.family !== LOCKY_FAMILY) throw badSpec(`not a Locky configuration: family ${JSON.stringify(config.family)}`);
  checkVariantSeed(config.variant, config.seed);
}

/**
 * All `namesPerWindow` names (index 0 first) of the window holding `date`.
 * v1/v2 share the index-independent part across the window.
 */
export function lockyNamesForDate(config: DgaConfig, date: CivilDate): string[] {
  validateLockyConfig(config);
  const p = LOCKY_VARIANTS[config.variant as LockyVariant];
  // Use the window start so the result is visibly the window's (the malware only sees day >> 1 anyway).
  const w = windowOf(date);
  const seed = config.seed ?? 0;
  const n = p.namesPerWindow;
  const out = new Array<string>(n);
  const tlds = tldTable(p);
  if (p.name === 'v3') {
    for (let i = 0; i < n; i++) out[i] = emitName(p, tlds, startV3(seed, w.year, w.month, w.day, i, null), null);
  } else {
    const c = windowValueV12(p, seed, w.year, w.month, w.day, null);
    const seedTerm = p.seeded ? rotl(seed, SEED_ROTATE) : 0;
    for (let i = 0; i < n; i++) out[i] = emitName(p, tlds, startV12(p, c, seedTerm, i), null);
  }
  return out;
}
