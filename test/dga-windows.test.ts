/**
 * Civil-date arithmetic and Locky two-day windows: fixed edge cases (month
 * starts, Feb 28/29 in leap and non-leap years, year change, day 31) and
 * property tests against naive oracles.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { CivilDate } from '../src/core/index.js';
import { ErrorCode } from '../src/core/index.js';
import {
  addDays,
  compareCivilDates,
  daysInMonth,
  formatCivilDate,
  isValidCivilDate,
  lockyDomain,
  parseCivilDate,
  windowOf,
  windowsInRange,
} from '../src/dga/index.js';

const d = parseCivilDate;
const fmt = formatCivilDate;

/** Any real calendar day between 1900 and 2100 (covers the non-leap 1900 and 2100, leap 2000). */
const arbDate = fc
  .record({ year: fc.integer({ min: 1900, max: 2100 }), month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 31 }) })
  .map(({ year, month, day }): CivilDate => ({ year, month, day: Math.min(day, daysInMonth(year, month)) }));

/** Oracle for day stepping: the platform's UTC calendar. */
function oracleAddDays(x: CivilDate, n: number): CivilDate {
  const t = new Date(Date.UTC(2000, 0, 1));
  t.setUTCFullYear(x.year, x.month - 1, x.day + n);
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/** Oracle for windows: walk back while the previous day is in the same month and has the same day >> 1. */
function oracleWindowOf(x: CivilDate): CivilDate {
  let day = x.day;
  while (day > 1 && (day - 1) >> 1 === x.day >> 1) day--;
  return { year: x.year, month: x.month, day };
}

/** Oracle for windowsInRange: every day from `from` to `to`, mapped to its window, consecutive repeats removed. */
function oracleWindowsInRange(from: CivilDate, to: CivilDate): string[] {
  const out: string[] = [];
  for (let x = from; compareCivilDates(x, to) <= 0; x = oracleAddDays(x, 1)) {
    const w = fmt(oracleWindowOf(x));
    if (out[out.length - 1] !== w) out.push(w);
  }
  return out;
}

describe('parseCivilDate / formatCivilDate', () => {
  it('round-trips real days', () => {
    for (const s of ['2016-02-29', '2017-12-31', '2000-02-29', '0999-01-01']) assert.equal(fmt(d(s)), s);
  });

  it('rejects malformed text and impossible days with USAGE', () => {
    for (const s of ['', '2016-2-29', '2017-02-29', '1900-02-29', '2016-13-01', '2016-00-10', '2016-04-31', '2016-01-00', ' 2016-01-01', '2016-01-01T00:00', '20160101', 'yesterday']) {
      assert.throws(() => d(s), (e: unknown) => (e as { code?: string }).code === ErrorCode.USAGE, s);
    }
  });
});

describe('addDays', () => {
  it('crosses month, leap-day and year boundaries', () => {
    assert.equal(fmt(addDays(d('2016-02-28'), 1)), '2016-02-29');
    assert.equal(fmt(addDays(d('2017-02-28'), 1)), '2017-03-01');
    assert.equal(fmt(addDays(d('2016-12-31'), 1)), '2017-01-01');
    assert.equal(fmt(addDays(d('2017-01-01'), -1)), '2016-12-31');
    assert.equal(fmt(addDays(d('2016-03-01'), -4)), '2016-02-26');
    assert.equal(fmt(addDays(d('2016-01-01'), 366)), '2017-01-01');
  });

  it('matches the UTC calendar for any date and offset (property)', () => {
    fc.assert(
      fc.property(arbDate, fc.integer({ min: -50_000, max: 50_000 }), (x, n) => {
        assert.deepEqual(addDays(x, n), oracleAddDays(x, n));
      }),
    );
  });

  it('rejects an invalid date or a fractional count with USAGE', () => {
    assert.throws(() => addDays({ year: 2017, month: 2, day: 29 }, 1), { code: ErrorCode.USAGE });
    assert.throws(() => addDays(d('2017-02-01'), 1.5), { code: ErrorCode.USAGE });
  });
});

describe('compareCivilDates', () => {
  it('orders like the formatted strings (property)', () => {
    fc.assert(
      fc.property(arbDate, arbDate, (a, b) => {
        const c = compareCivilDates(a, b);
        const s = fmt(a) < fmt(b) ? -1 : fmt(a) > fmt(b) ? 1 : 0;
        assert.equal(Math.sign(c), s);
      }),
    );
  });
});

describe('windowOf', () => {
  const cases: readonly (readonly [string, string])[] = [
    ['2016-03-01', '2016-03-01'], // the 1st is always alone
    ['2016-03-02', '2016-03-02'],
    ['2016-03-03', '2016-03-02'],
    ['2016-02-28', '2016-02-28'], // leap year: 28/29 share
    ['2016-02-29', '2016-02-28'],
    ['2017-02-28', '2017-02-28'], // non-leap: 28 alone
    ['2016-12-30', '2016-12-30'],
    ['2016-12-31', '2016-12-30'], // day 31
    ['2017-01-01', '2017-01-01'],
    ['2016-04-30', '2016-04-30'], // 30-day month: 30 alone
    ['2016-07-31', '2016-07-30'],
  ];
  for (const [date, start] of cases) {
    it(`${date} → ${start}`, () => assert.equal(fmt(windowOf(d(date))), start));
  }

  it('matches the day>>1 oracle for every date (property)', () => {
    fc.assert(fc.property(arbDate, (x) => assert.deepEqual(windowOf(x), oracleWindowOf(x))));
  });

  it('rejects an impossible date with USAGE', () => {
    assert.throws(() => windowOf({ year: 2017, month: 2, day: 29 }), { code: ErrorCode.USAGE });
    assert.throws(() => windowOf({ year: 2016, month: 13, day: 1 }), { code: ErrorCode.USAGE });
  });
});

describe('names follow the windows', () => {
  const seedsFor = { v1: null, v2: 7, v3: 7077 } as const;
  for (const v of ['v1', 'v2', 'v3'] as const) {
    it(`${v}: both days of a window share names; neighbouring windows differ`, () => {
      const same: readonly (readonly [string, string])[] = [
        ['2016-02-28', '2016-02-29'],
        ['2016-12-30', '2016-12-31'],
        ['2016-03-30', '2016-03-31'],
        ['2016-02-02', '2016-02-03'],
      ];
      const differ: readonly (readonly [string, string])[] = [
        ['2016-02-29', '2016-03-01'],
        ['2017-02-28', '2017-03-01'],
        ['2016-12-31', '2017-01-01'],
        ['2016-03-01', '2016-03-02'],
        ['2017-02-27', '2017-02-28'],
        ['2016-03-31', '2016-04-01'],
      ];
      for (const [a, b] of same) assert.equal(lockyDomain(v, seedsFor[v], d(a), 0), lockyDomain(v, seedsFor[v], d(b), 0), `${a} ${b}`);
      for (const [a, b] of differ) {
        const na = [0, 1, 2, 3, 4, 5].map((i) => lockyDomain(v, seedsFor[v], d(a), i)).join();
        const nb = [0, 1, 2, 3, 4, 5].map((i) => lockyDomain(v, seedsFor[v], d(b), i)).join();
        assert.notEqual(na, nb, `${a} ${b}`);
      }
    });
  }

  it('any date gives the names of its window start (property)', () => {
    fc.assert(
      fc.property(arbDate, fc.integer({ min: 0, max: 11 }), fc.constantFrom('v1', 'v2', 'v3'), (x, i, v) => {
        const seed = v === 'v1' ? null : 1234;
        assert.equal(lockyDomain(v, seed, x, i), lockyDomain(v, seed, windowOf(x), i));
      }),
    );
  });
});

describe('windowsInRange', () => {
  it('lists the window starts of Feb–Mar 2016 and 2017', () => {
    assert.deepEqual(windowsInRange(d('2016-02-26'), d('2016-03-02')).map(fmt), ['2016-02-26', '2016-02-28', '2016-03-01', '2016-03-02']);
    assert.deepEqual(windowsInRange(d('2017-02-27'), d('2017-03-01')).map(fmt), ['2017-02-26', '2017-02-28', '2017-03-01']);
    assert.deepEqual(windowsInRange(d('2016-12-31'), d('2017-01-02')).map(fmt), ['2016-12-30', '2017-01-01', '2017-01-02']);
  });

  it('one day gives its own window; reversed range gives none', () => {
    assert.deepEqual(windowsInRange(d('2016-02-29'), d('2016-02-29')).map(fmt), ['2016-02-28']);
    assert.deepEqual(windowsInRange(d('2016-03-02'), d('2016-03-01')), []);
  });

  it('a year has 191 windows in 2016 and 2017 (16 per month, 15 in February)', () => {
    assert.equal(windowsInRange(d('2016-01-01'), d('2016-12-31')).length, 11 * 16 + 15);
    assert.equal(windowsInRange(d('2017-01-01'), d('2017-12-31')).length, 11 * 16 + 15);
  });

  it('matches a day-by-day oracle (property)', () => {
    fc.assert(
      fc.property(arbDate, fc.integer({ min: 0, max: 120 }), (from, span) => {
        const to = oracleAddDays(from, span);
        assert.deepEqual(windowsInRange(from, to).map(fmt), oracleWindowsInRange(from, to));
      }),
      { numRuns: 300 },
    );
  });

  it('returns valid, strictly ascending window starts (property)', () => {
    fc.assert(
      fc.property(arbDate, fc.integer({ min: 0, max: 400 }), (from, span) => {
        const ws = windowsInRange(from, addDays(from, span));
        for (let i = 0; i < ws.length; i++) {
          const w = ws[i] as CivilDate;
          assert.ok(isValidCivilDate(w));
          assert.deepEqual(windowOf(w), w);
          if (i > 0) assert.ok(compareCivilDates(ws[i - 1] as CivilDate, w) < 0);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('rejects an impossible date with USAGE', () => {
    assert.throws(() => windowsInRange({ year: 2017, month: 2, day: 30 }, d('2017-03-01')), { code: ErrorCode.USAGE });
  });
});
