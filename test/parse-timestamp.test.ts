/**
 * Timestamps of the debug log: every date layout of the format doc (§5),
 * 12 AM / 12 PM, impossible dates, ISO output, and the day/month order
 * detection (a day above 12 decides; otherwise the file is flagged ambiguous).
 * Round-trip properties use an oracle that formats with the platform calendar.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { DateOrder } from '../src/core/index.js';
import { detectDateOrder, formatIsoLocal, parseTimestamp } from '../src/parse/index.js';

function iso(text: string, order: DateOrder): string | null {
  const t = parseTimestamp(text, order);
  return t === null ? null : formatIsoLocal(t);
}

describe('parseTimestamp: every layout seen in real logs', () => {
  const cases: [string, DateOrder, string][] = [
    ['6/20/2017 5:36:59 AM', 'mdy', '2017-06-20T05:36:59'], // en-US
    ['4/11/2026 8:34:00 PM', 'mdy', '2026-04-11T20:34:00'],
    ['2017-05-21 19:46:11', 'mdy', '2017-05-21T19:46:11'], // sv-SE ISO: the order argument is irrelevant
    ['2017-05-21 19:46:11', 'dmy', '2017-05-21T19:46:11'],
    ['24.01.2016 18:17:42', 'mdy', '2016-01-24T18:17:42'], // de-DE: dotted is always day-first
    ['06.03.2020 17:15:40', 'mdy', '2020-03-06T17:15:40'],
    ['30/09/2015 12:04:28', 'dmy', '2015-09-30T12:04:28'], // en-GB / fr / it
    ['05/03/2019 16:05:31', 'dmy', '2019-03-05T16:05:31'],
    ['05/03/2019 16:05:31', 'mdy', '2019-05-03T16:05:31'],
    ['2022/3/8 10:38:29', 'dmy', '2022-03-08T10:38:29'], // zh-CN
    ['2024/12/2 15:51:54', 'mdy', '2024-12-02T15:51:54'],
    ['20140816 16:08:57', 'dmy', '2014-08-16T16:08:57'], // Windows 2000/2003
    ['20140816 16:08:57', 'mdy', '2014-08-16T16:08:57'],
    ['  6/20/2017   5:36:59   AM  ', 'mdy', '2017-06-20T05:36:59'], // extra blanks
    ['6/20/2017 5:36:59 am', 'mdy', '2017-06-20T05:36:59'],
  ];
  for (const [text, order, want] of cases) {
    it(`${JSON.stringify(text)} (${order}) -> ${want}`, () => assert.equal(iso(text, order), want));
  }

  it('12 AM is midnight and 12 PM is noon', () => {
    assert.equal(iso('1/1/2020 12:00:00 AM', 'mdy'), '2020-01-01T00:00:00');
    assert.equal(iso('1/1/2020 12:30:15 AM', 'mdy'), '2020-01-01T00:30:15');
    assert.equal(iso('1/1/2020 12:59:59 AM', 'mdy'), '2020-01-01T00:59:59');
    assert.equal(iso('1/1/2020 1:00:00 AM', 'mdy'), '2020-01-01T01:00:00');
    assert.equal(iso('1/1/2020 11:59:59 AM', 'mdy'), '2020-01-01T11:59:59');
    assert.equal(iso('1/1/2020 12:00:00 PM', 'mdy'), '2020-01-01T12:00:00');
    assert.equal(iso('1/1/2020 12:59:59 PM', 'mdy'), '2020-01-01T12:59:59');
    assert.equal(iso('1/1/2020 1:00:00 PM', 'mdy'), '2020-01-01T13:00:00');
    assert.equal(iso('12/31/2019 11:59:59 PM', 'mdy'), '2019-12-31T23:59:59');
  });

  it('seconds since midnight are exact', () => {
    assert.equal(parseTimestamp('1/1/2020 12:00:00 AM', 'mdy')?.seconds, 0);
    assert.equal(parseTimestamp('1/1/2020 12:00:00 PM', 'mdy')?.seconds, 12 * 3600);
    assert.equal(parseTimestamp('2017-05-21 23:59:59', 'ymd')?.seconds, 86399);
  });

  it('returns null for impossible clocks and dates instead of inventing a time', () => {
    for (const [text, order] of [
      ['1/1/2020 0:00:00 AM', 'mdy'],
      ['1/1/2020 13:00:00 PM', 'mdy'],
      ['1/1/2020 24:00:00', 'mdy'],
      ['1/1/2020 10:60:00', 'mdy'],
      ['1/1/2020 10:00:60', 'mdy'],
      ['2/30/2020 1:00:00 AM', 'mdy'],
      ['2/29/2019 1:00:00 AM', 'mdy'],
      ['13/13/2020 10:00:00', 'dmy'],
      ['30/09/2015 12:04:28', 'mdy'], // month 30
      ['2017-13-01 10:00:00', 'ymd'],
      ['2017-02-29 10:00:00', 'ymd'],
      ['31.04.2020 10:00:00', 'dmy'],
      ['20141316 16:08:57', 'ymd'],
      ['', 'mdy'],
      ['garbage', 'mdy'],
      ['6/20/2017', 'mdy'], // no clock
      ['6/20/2017 5:36', 'mdy'],
      ['0E24 PACKET', 'mdy'],
    ] as [string, DateOrder][]) {
      assert.equal(parseTimestamp(text, order), null, `${text} (${order})`);
    }
  });

  it('accepts 29 February in leap years only (2000 yes, 1900 and 2100 no)', () => {
    assert.equal(iso('2/29/2000 1:00:00 AM', 'mdy'), '2000-02-29T01:00:00');
    assert.equal(iso('29.02.2016 01:00:00', 'dmy'), '2016-02-29T01:00:00');
    assert.equal(parseTimestamp('2/29/2100 1:00:00 AM', 'mdy'), null);
    assert.equal(parseTimestamp('1900-02-29 01:00:00', 'ymd'), null);
  });
});

/** A random real calendar moment (no zone), and its expected ISO text computed with the platform calendar. */
const arbMoment = fc
  .record({
    days: fc.integer({ min: 0, max: 365 * 150 }),
    seconds: fc.integer({ min: 0, max: 86399 }),
  })
  .map(({ days, seconds }) => {
    const d = new Date(Date.UTC(1950, 0, 1) + days * 86_400_000);
    return { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: Math.floor(seconds / 3600), mi: Math.floor(seconds / 60) % 60, s: seconds % 60 };
  });

const p2 = (n: number): string => String(n).padStart(2, '0');

function expectedIso(m: { y: number; mo: number; d: number; h: number; mi: number; s: number }): string {
  return `${m.y}-${p2(m.mo)}-${p2(m.d)}T${p2(m.h)}:${p2(m.mi)}:${p2(m.s)}`;
}

describe('parseTimestamp: round trip through every layout (property)', () => {
  const layouts: [string, DateOrder, (m: { y: number; mo: number; d: number; h: number; mi: number; s: number }) => string][] = [
    ['M/d/yyyy h:mm:ss tt', 'mdy', (m) => `${m.mo}/${m.d}/${m.y} ${m.h % 12 === 0 ? 12 : m.h % 12}:${p2(m.mi)}:${p2(m.s)} ${m.h < 12 ? 'AM' : 'PM'}`],
    ['yyyy-MM-dd HH:mm:ss', 'dmy', (m) => `${m.y}-${p2(m.mo)}-${p2(m.d)} ${p2(m.h)}:${p2(m.mi)}:${p2(m.s)}`],
    ['dd.MM.yyyy HH:mm:ss', 'mdy', (m) => `${p2(m.d)}.${p2(m.mo)}.${m.y} ${p2(m.h)}:${p2(m.mi)}:${p2(m.s)}`],
    ['dd/MM/yyyy HH:mm:ss', 'dmy', (m) => `${p2(m.d)}/${p2(m.mo)}/${m.y} ${p2(m.h)}:${p2(m.mi)}:${p2(m.s)}`],
    ['yyyy/M/d H:mm:ss', 'mdy', (m) => `${m.y}/${m.mo}/${m.d} ${m.h}:${p2(m.mi)}:${p2(m.s)}`],
    ['yyyyMMdd HH:mm:ss', 'dmy', (m) => `${m.y}${p2(m.mo)}${p2(m.d)} ${p2(m.h)}:${p2(m.mi)}:${p2(m.s)}`],
  ];
  for (const [name, order, format] of layouts) {
    it(name, () => {
      fc.assert(
        fc.property(arbMoment, (m) => {
          assert.equal(iso(format(m), order), expectedIso(m));
        }),
        { numRuns: 300 },
      );
    });
  }
});

describe('detectDateOrder', () => {
  it('a first field above 12 decides day-first', () => {
    assert.deepEqual(detectDateOrder(['05/03/2019 16:05:31', '13/03/2019 16:05:31']), { order: 'dmy', ambiguous: false, conflicting: false });
    assert.deepEqual(detectDateOrder(['30/09/2015 12:04:28']), { order: 'dmy', ambiguous: false, conflicting: false });
  });

  it('a second field above 12 decides month-first', () => {
    assert.deepEqual(detectDateOrder(['3/13/2019 4:05:31 PM']), { order: 'mdy', ambiguous: false, conflicting: false });
    assert.deepEqual(detectDateOrder(['6/20/2017 5:36:58 AM', '6/20/2017 5:36:59 AM']), { order: 'mdy', ambiguous: false, conflicting: false });
  });

  it('all fields 12 or less: ambiguous, and flagged as such', () => {
    const dmy = detectDateOrder(['05/03/2019 16:05:31', '06/03/2019 16:05:31']);
    assert.equal(dmy.ambiguous, true);
    const ampm = detectDateOrder(['5/3/2019 4:05:31 PM', '5/4/2019 4:05:31 AM']);
    assert.equal(ampm.ambiguous, true);
    assert.equal(ampm.order, 'mdy', 'AM/PM hints the en-US order');
  });

  it('year-first, 8-digit and dotted layouts decide by themselves', () => {
    assert.deepEqual(detectDateOrder(['2017-05-21 19:46:11']), { order: 'ymd', ambiguous: false, conflicting: false });
    assert.deepEqual(detectDateOrder(['2022/3/8 10:38:29']), { order: 'ymd', ambiguous: false, conflicting: false });
    assert.deepEqual(detectDateOrder(['20140816 16:08:57']), { order: 'ymd', ambiguous: false, conflicting: false });
    assert.deepEqual(detectDateOrder(['06.03.2020 17:15:40']), { order: 'dmy', ambiguous: false, conflicting: false });
  });

  it('contradicting samples are flagged as conflicting', () => {
    const e = detectDateOrder(['13/03/2019 16:05:31', '3/13/2019 16:05:31']);
    assert.equal(e.conflicting, true);
    assert.equal(e.ambiguous, false);
  });

  it('ignores texts that are not dates', () => {
    assert.deepEqual(detectDateOrder(['garbage', '', '13/03/2019 16:05:31']), { order: 'dmy', ambiguous: false, conflicting: false });
  });

  it('property: slash dates: any day above 12 decides dmy, none above 12 is ambiguous', () => {
    const arbDay = fc.record({ d: fc.integer({ min: 1, max: 28 }), m: fc.integer({ min: 1, max: 12 }), y: fc.integer({ min: 2000, max: 2030 }) });
    fc.assert(
      fc.property(fc.array(arbDay, { minLength: 1, maxLength: 20 }), (days) => {
        const texts = days.map(({ d, m, y }) => `${p2(d)}/${p2(m)}/${y} 10:00:00`);
        const e = detectDateOrder(texts);
        if (days.some(({ d }) => d > 12)) {
          assert.equal(e.order, 'dmy');
          assert.equal(e.ambiguous, false);
          assert.equal(e.conflicting, false);
        } else {
          assert.equal(e.ambiguous, true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('property: en-US dates: any day above 12 decides mdy, none above 12 is ambiguous', () => {
    const arbDay = fc.record({ d: fc.integer({ min: 1, max: 28 }), m: fc.integer({ min: 1, max: 12 }), y: fc.integer({ min: 2000, max: 2030 }) });
    fc.assert(
      fc.property(fc.array(arbDay, { minLength: 1, maxLength: 20 }), (days) => {
        const e = detectDateOrder(days.map(({ d, m, y }) => `${m}/${d}/${y} 1:00:00 PM`));
        assert.equal(e.order, 'mdy');
        assert.equal(e.ambiguous, !days.some(({ d }) => d > 12));
      }),
      { numRuns: 300 },
    );
  });
});
