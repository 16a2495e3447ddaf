/**
 * The generator's own pseudo-random numbers: splitmix32, a 32-bit state that
 * advances by a Weyl constant and is then scrambled. Tiny, fast, and — unlike
 * `Math.random` — reproducible from a seed, which is the whole point: the same
 * seed must give the same log byte for byte on every machine and Node version.
 * Not cryptographic, and it does not need to be.
 */

/** Weyl increment of splitmix32 (2^32 / golden ratio, odd). */
const WEYL = 0x9e3779b9;
/** Scrambling multipliers of the finaliser (MurmurHash3's fmix32). */
const MIX_1 = 0x85ebca6b;
const MIX_2 = 0xc2b2ae35;
/** 2^32 as a float: turns a uint32 into [0, 1). */
const TWO_POW_32 = 4_294_967_296;

/** A seeded splitmix32 stream. Every method consumes exactly one step except where noted. */
export class Prng {
  private state: number;

  /** `seed` is reduced to an unsigned 32-bit integer; equal seeds give equal streams. */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Next unsigned 32-bit value. */
  next(): number {
    this.state = (this.state + WEYL) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), MIX_1);
    z = Math.imul(z ^ (z >>> 13), MIX_2);
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** Uniform float in [0, 1). */
  float(): number {
    return this.next() / TWO_POW_32;
  }

  /** Uniform integer in [0, n) for 1 ≤ n ≤ 2^32 (the tiny modulo bias is irrelevant here). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [lo, hi] (both inclusive). */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  /**
   * Index in [0, n) skewed towards 0: `floor(n · u^skew)`. With skew ≈ 2–3 the
   * first few percent of a popularity-ordered table take most draws, which is
   * the shape of real DNS traffic (a few names dominate, a long tail is rare).
   */
  skewed(n: number, skew: number): number {
    return Math.floor(n * Math.pow(this.float(), skew));
  }

  /** A derived, independent stream (for sub-generators that must not shift the main sequence). */
  fork(salt: number): Prng {
    return new Prng((this.next() ^ Math.imul(salt | 0, WEYL)) >>> 0);
  }

  /** `n` lowercase hex digits. Consumes one step per 8 digits. */
  hex(n: number): string {
    let s = '';
    while (s.length < n) s += this.next().toString(16).padStart(8, '0');
    return s.slice(0, n);
  }

  /** A string of `n` characters drawn from `alphabet`. Consumes `n` steps. */
  chars(n: number, alphabet: string): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[this.int(alphabet.length)];
    return s;
  }

  /** Fisher–Yates shuffle in place; returns `items`. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i] as T;
      items[i] = items[j] as T;
      items[j] = t;
    }
    return items;
  }
}
