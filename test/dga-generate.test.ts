/** Range generation across configurations, name provenance, and properties every Locky name has. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ErrorCode } from '../src/core/index.js';
import type { CivilDate } from '../src/core/index.js';
import {
  DEFAULT_MARGIN_BACK_DAYS,
  DEFAULT_MARGIN_FORWARD_DAYS,
  KNOWN_CONFIGS,
  LOCKY_VARIANTS,
  addDays,
  configFor,
  daysInMonth,
  describeName,
  formatCivilDate,
  generateNames,
  lockyDomain,
  namesForDate,
  parseCivilDate,
  windowsInRange,
} from '../src/dga/index.js';
import type { DgaConfig } from '../src/dga/index.js';

const d = parseCivilDate;
const v1 = configFor('locky', 'v1', null, 'test');
const v2s7 = configFor('locky', 'v2', 7, 'test');
const v3s7077 = configFor('locky', 'v3', 7077, 'test');

const arbDate = fc
  .record({ year: fc.integer({ min: 1990, max: 2040 }), month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 31 }) })
  .map(({ year, month, day }): CivilDate => ({ year, month, day: Math.min(day, daysInMonth(year, month)) }));

describe('namesForDate', () => {
  it('gives 6 / 8 / 12 names for v1 / v2 / v3', () => {
    assert.equal(namesForDate(v1, d('2016-02-16')).length, 6);
    assert.equal(namesForDate(v2s7, d('2016-02-16')).length, 8);
    assert.equal(namesForDate(v3s7077, d('2016-02-16')).length, 12);
  });

  it('is index i of lockyDomain at every position', () => {
    for (const c of [v1, v2s7, v3s7077]) {
      const names = namesForDate(c, d('2016-05-17'));
      names.forEach((n, i) => assert.equal(n, lockyDomain(c.variant as 'v1' | 'v2' | 'v3', c.seed, d('2016-05-17'), i)));
    }
  });

  it('gives distinct names within a window for every known configuration', () => {
    for (const c of KNOWN_CONFIGS) {
      const names = namesForDate(c, d('2016-06-10'));
      assert.equal(new Set(names).size, names.length, `${c.variant}:${String(c.seed)}`);
    }
  });

  it('rejects an invalid configuration with BAD_DGA_SPEC', () => {
    const bad = (over: Partial<DgaConfig>): DgaConfig => ({ ...v2s7, ...over });
    assert.throws(() => namesForDate(bad({ family: 'nope' }), d('2016-02-16')), { code: ErrorCode.BAD_DGA_SPEC });
    assert.throws(() => namesForDate(bad({ variant: 'v9' }), d('2016-02-16')), { code: ErrorCode.BAD_DGA_SPEC });
    assert.throws(() => namesForDate(bad({ seed: null }), d('2016-02-16')), { code: ErrorCode.BAD_DGA_SPEC });
    assert.throws(() => namesForDate(bad({ seed: 1.5 }), d('2016-02-16')), { code: ErrorCode.BAD_DGA_SPEC });
    assert.throws(() => namesForDate({ ...v1, seed: 0 }, d('2016-02-16')), { code: ErrorCode.BAD_DGA_SPEC });
  });
});

describe('lockyDomain properties', () => {
  const V12 = /^[a-y]{5,15}\.(ru|pw|eu|in|yt|pm|us|fr|de|it|be|uk|nl|tf)$/;
  const V3 = /^[a-y]{7,17}\.(ru|info|biz|click|su|work|pl|org|pw|xyz)$/;

  it('names have the shape of doc §6 (property)', () => {
    fc.assert(
      fc.property(arbDate, fc.nat(), fc.integer({ min: 0, max: 0xffffffff }), (date, index, seed) => {
        assert.match(lockyDomain('v1', null, date, index), V12);
        assert.match(lockyDomain('v2', seed, date, index), V12);
        assert.match(lockyDomain('v3', seed, date, index), V3);
      }),
      { numRuns: 300 },
    );
  });

  it('v1 repeats every 6 indices, v2 every 8; v3 does not repeat at 12 (property)', () => {
    fc.assert(
      fc.property(arbDate, fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 0xffffffff }), (date, i, seed) => {
        assert.equal(lockyDomain('v1', null, date, i), lockyDomain('v1', null, date, i + LOCKY_VARIANTS.v1.namesPerWindow));
        assert.equal(lockyDomain('v2', seed, date, i), lockyDomain('v2', seed, date, i + LOCKY_VARIANTS.v2.namesPerWindow));
      }),
    );
    assert.notEqual(lockyDomain('v3', 7077, d('2016-03-24'), 0), lockyDomain('v3', 7077, d('2016-03-24'), 12));
  });

  it('uses the full seed: seeds 2^31 apart differ', () => {
    assert.notEqual(lockyDomain('v2', 7, d('2016-02-24'), 0), lockyDomain('v2', 7 + 2 ** 31, d('2016-02-24'), 0));
    assert.notEqual(lockyDomain('v3', 7, d('2016-02-24'), 0), lockyDomain('v3', 7 + 2 ** 31, d('2016-02-24'), 0));
  });

  it('rejects bad arguments', () => {
    assert.throws(() => lockyDomain('v1', 5, d('2016-02-16'), 0), { code: ErrorCode.BAD_DGA_SPEC });
    assert.throws(() => lockyDomain('v2', null, d('2016-02-16'), 0), { code: ErrorCode.BAD_DGA_SPEC });
    assert.throws(() => lockyDomain('v4' as 'v1', null, d('2016-02-16'), 0), { code: ErrorCode.BAD_DGA_SPEC });
    assert.throws(() => lockyDomain('v1', null, d('2016-02-16'), -1), { code: ErrorCode.USAGE });
    assert.throws(() => lockyDomain('v1', null, d('2016-02-16'), 0.5), { code: ErrorCode.USAGE });
    assert.throws(() => lockyDomain('v1', null, { year: 2016, month: 2, day: 30 }, 0), { code: ErrorCode.USAGE });
  });
});

describe('generateNames', () => {
  it('default margins are two windows back and one forward', () => {
    assert.equal(DEFAULT_MARGIN_BACK_DAYS, 4);
    assert.equal(DEFAULT_MARGIN_FORWARD_DAYS, 2);
    const got = generateNames([v1], d('2016-02-16'), d('2016-02-16'));
    assert.deepEqual([...new Set(got.map((n) => formatCivilDate(n.window)))], ['2016-02-12', '2016-02-14', '2016-02-16', '2016-02-18']);
    assert.equal(got.length, 4 * 6);
  });

  it('without margins covers exactly the windows of [from, to]', () => {
    const got = generateNames([v2s7, v3s7077], d('2016-02-29'), d('2016-03-03'), 0, 0);
    const windows = ['2016-02-28', '2016-03-01', '2016-03-02'];
    assert.equal(got.length, windows.length * 8 + windows.length * 12);
    // Order: configuration, then window, then index.
    const expected = [v2s7, v3s7077].flatMap((c) => windows.flatMap((w) => namesForDate(c, d(w)).map((name, index) => `${name} ${w} ${index}`)));
    assert.deepEqual(got.map((n) => `${n.name} ${formatCivilDate(n.window)} ${n.index}`), expected);
    assert.ok(got.slice(0, 24).every((n) => n.config === v2s7));
  });

  it('equals a naive per-window, per-index generation (property)', () => {
    fc.assert(
      fc.property(arbDate, fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 }), (from, span, back, fwd) => {
        const to = addDays(from, span);
        const configs = [v1, v2s7, v3s7077];
        const naive: string[] = [];
        for (const c of configs) {
          for (const w of windowsInRange(addDays(from, -back), addDays(to, fwd))) {
            const n = LOCKY_VARIANTS[c.variant as 'v1' | 'v2' | 'v3'].namesPerWindow;
            for (let i = 0; i < n; i++) naive.push(lockyDomain(c.variant as 'v1' | 'v2' | 'v3', c.seed, w, i));
          }
        }
        assert.deepEqual(generateNames(configs, from, to, back, fwd).map((n) => n.name), naive);
      }),
      { numRuns: 100 },
    );
  });

  it('keeps names of the same window shared across a range boundary (no window is cut)', () => {
    // 2016-02-29 belongs to the window starting 02-28: a range starting on the 29th must include it.
    const got = generateNames([v1], d('2016-02-29'), d('2016-02-29'), 0, 0);
    assert.deepEqual(got.map((n) => formatCivilDate(n.window)), Array(6).fill('2016-02-28'));
  });

  it('a year for every known configuration', () => {
    const got = generateNames(KNOWN_CONFIGS, d('2016-01-01'), d('2016-12-31'), 0, 0);
    const perWindow = KNOWN_CONFIGS.reduce((s, c) => s + LOCKY_VARIANTS[c.variant as 'v1' | 'v2' | 'v3'].namesPerWindow, 0);
    assert.equal(got.length, perWindow * 191);
  });

  it('rejects reversed ranges, bad margins and bad configs up front', () => {
    assert.throws(() => generateNames([v1], d('2016-03-02'), d('2016-03-01')), { code: ErrorCode.USAGE });
    assert.throws(() => generateNames([v1], d('2016-03-01'), d('2016-03-01'), -1), { code: ErrorCode.USAGE });
    assert.throws(() => generateNames([v1], d('2016-03-01'), d('2016-03-01'), 0, 1.5), { code: ErrorCode.USAGE });
    assert.throws(() => generateNames([v1, { ...v2s7, seed: null }], d('2016-03-01'), d('2016-03-01')), { code: ErrorCode.BAD_DGA_SPEC });
    assert.throws(() => generateNames([v1], { year: 2016, month: 2, day: 30 }, d('2016-03-01')), { code: ErrorCode.USAGE });
  });

  it('no configurations, no names', () => {
    assert.deepEqual(generateNames([], d('2016-03-01'), d('2016-03-05')), []);
  });
});

describe('describeName', () => {
  it('formats seeded and unseeded names', () => {
    assert.equal(describeName({ name: 'x.ru', config: v2s7, window: d('2016-02-24'), index: 3 }), 'locky-v2 seed=7 window=2016-02-24 index=3');
    assert.equal(describeName({ name: 'fnarsipfqe.pw', config: v1, window: d('2016-02-16'), index: 0 }), 'locky-v1 window=2016-02-16 index=0');
  });
});
