/**
 * Suppression logic, pure and with an injected clock: the rules one by one,
 * the 10,000-hit flood, the mail cap, bounded memory, and a property test
 * against a naive oracle (including snapshot/restore at a random point).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Suppressor, type DigestDraft, type HitDecision, type SuppressorHit, type SuppressorSettings } from '../src/alert/suppressor.js';
import type { DigestRow, FoldReason } from '../src/alert/index.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2016, 1, 16, 21, 0, 0);

function settings(over: Partial<SuppressorSettings> = {}): SuppressorSettings {
  return { suppressMs: HOUR, digestMs: HOUR, maxMailsPerHour: 20, alertKey: 'client+indicator', maxTrackedKeys: 10_000, maxDigestRows: 1_000, ...over };
}

function hit(client: string, indicator = 'fnarsipfqe.pw', time = '2016-02-16T22:05:00'): SuppressorHit {
  return { client, indicator, time };
}

test('first hit is alerted, repeats inside the window are folded, the digest comes digestMs after the first fold', () => {
  const s = new Suppressor(settings());
  assert.deepEqual(s.offer(hit('10.0.0.1'), T0), { kind: 'alert' });
  assert.deepEqual(s.offer(hit('10.0.0.1', undefined, '2016-02-16T22:06:00'), T0 + MIN), { kind: 'folded', reason: 'repeat' });
  assert.deepEqual(s.offer(hit('10.0.0.1', undefined, '2016-02-16T22:07:00'), T0 + 2 * MIN), { kind: 'folded', reason: 'repeat' });
  assert.equal(s.nextDigestAt(), T0 + MIN + HOUR);
  assert.equal(s.takeDigest(T0 + MIN + HOUR - 1), null);
  const d = s.takeDigest(T0 + MIN + HOUR);
  assert.deepEqual(d, {
    periodStart: T0 + MIN,
    overflowHits: 0,
    rows: [{ client: '10.0.0.1', indicator: 'fnarsipfqe.pw', count: 2, first: '2016-02-16T22:06:00', last: '2016-02-16T22:07:00', reason: 'repeat' }],
  });
  assert.equal(s.takeDigest(T0 + 10 * HOUR), null, 'a digest is never empty');
});

test('a new client, and a new indicator for a known client, are alerted at once', () => {
  const s = new Suppressor(settings());
  assert.equal(s.offer(hit('10.0.0.1', 'a.pw'), T0).kind, 'alert');
  assert.equal(s.offer(hit('10.0.0.2', 'a.pw'), T0 + 1).kind, 'alert');
  assert.equal(s.offer(hit('10.0.0.1', 'b.pw'), T0 + 2).kind, 'alert');
  assert.equal(s.offer(hit('10.0.0.1', 'a.pw'), T0 + 3).kind, 'folded');
});

test("alertKey 'client' groups per client: another indicator of an alerted client is folded as 'grouped'", () => {
  const s = new Suppressor(settings({ alertKey: 'client' }));
  assert.equal(s.offer(hit('10.0.0.1', 'a.pw'), T0).kind, 'alert');
  assert.deepEqual(s.offer(hit('10.0.0.1', 'b.pw'), T0 + 1), { kind: 'folded', reason: 'grouped' });
  assert.equal(s.offer(hit('10.0.0.2', 'b.pw'), T0 + 2).kind, 'alert');
});

test('the window is fixed from the alert: the first hit after it is alerted again', () => {
  const s = new Suppressor(settings({ suppressMs: 10 * MIN }));
  assert.equal(s.offer(hit('10.0.0.1'), T0).kind, 'alert');
  assert.equal(s.offer(hit('10.0.0.1'), T0 + 10 * MIN - 1).kind, 'folded');
  assert.equal(s.offer(hit('10.0.0.1'), T0 + 10 * MIN).kind, 'alert');
  assert.equal(s.offer(hit('10.0.0.1'), T0 + 11 * MIN).kind, 'folded');
});

test('flood: 10,000 hits of one client within a minute give one alert and one digest row counting 9,999', () => {
  const s = new Suppressor(settings());
  let alerts = 0;
  for (let i = 0; i < 10_000; i++) {
    const d = s.offer(hit('10.1.2.3', 'fnarsipfqe.pw', `2016-02-16T22:05:${String(Math.floor(i / 200)).padStart(2, '0')}`), T0 + i * 6);
    if (d.kind === 'alert') alerts++;
  }
  assert.equal(alerts, 1);
  assert.equal(s.takeDigest(T0 + 30 * MIN), null, 'not due yet');
  const digest = s.takeDigest(T0 + 6 + HOUR) as DigestDraft;
  assert.equal(digest.rows.length, 1);
  assert.equal(digest.rows[0]?.count, 9_999);
  assert.equal(digest.rows[0]?.first, '2016-02-16T22:05:00');
  assert.equal(digest.rows[0]?.last, '2016-02-16T22:05:49');
});

test('cap: 25 new keys in an hour give 20 alerts; the other 5 are digest rows marked cap and stay quiet in their window', () => {
  const s = new Suppressor(settings());
  const decisions: HitDecision[] = [];
  for (let i = 0; i < 25; i++) decisions.push(s.offer(hit(`10.0.0.${i + 1}`), T0 + i * MIN));
  assert.equal(decisions.filter((d) => d.kind === 'alert').length, 20);
  assert.deepEqual(decisions.slice(20), Array(5).fill({ kind: 'folded', reason: 'cap' }));
  // A capped client hitting again later in its window is still folded, not mailed late.
  assert.deepEqual(s.offer(hit('10.0.0.21'), T0 + 59 * MIN), { kind: 'folded', reason: 'cap' });
  const d = s.takeDigest(T0 + 20 * MIN + HOUR) as DigestDraft;
  assert.deepEqual(
    d.rows.map((r) => [r.client, r.count, r.reason]),
    [['10.0.0.21', 2, 'cap'], ['10.0.0.22', 1, 'cap'], ['10.0.0.23', 1, 'cap'], ['10.0.0.24', 1, 'cap'], ['10.0.0.25', 1, 'cap']],
  );
  // The cap slides: an hour after the first alert there is room again.
  assert.equal(s.offer(hit('10.9.9.9'), T0 + HOUR).kind, 'alert');
});

test('bounded memory: a flood of distinct clients keeps at most maxTrackedKeys windows and maxDigestRows rows, and counts every hit', () => {
  const s = new Suppressor(settings({ maxTrackedKeys: 100, maxDigestRows: 50, maxMailsPerHour: 1000 }));
  let alerts = 0;
  for (let i = 0; i < 5_000; i++) {
    if (s.offer(hit(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`), T0 + i).kind === 'alert') alerts++;
    assert.ok(s.trackedCount() <= 100);
  }
  assert.equal(alerts, 100);
  const d = s.takeDigest(T0 + 2 * HOUR) as DigestDraft;
  assert.equal(d.rows.length, 50);
  assert.ok(d.rows.every((r) => r.reason === 'untracked'));
  assert.equal(d.overflowHits, 4_850);
  assert.equal(alerts + d.rows.reduce((n, r) => n + r.count, 0) + d.overflowHits, 5_000);
  assert.ok(JSON.stringify(s.snapshot()).length < 100 * 200, 'the snapshot stays small');
});

test('a row keeps its most telling reason: a repeat row becomes a cap row when the key is later capped', () => {
  const s = new Suppressor(settings({ suppressMs: 10 * MIN, maxMailsPerHour: 1 }));
  assert.equal(s.offer(hit('10.0.0.1'), T0).kind, 'alert');
  assert.deepEqual(s.offer(hit('10.0.0.1'), T0 + 1), { kind: 'folded', reason: 'repeat' });
  // The window is over but the one mail of this hour is spent.
  assert.deepEqual(s.offer(hit('10.0.0.1'), T0 + 11 * MIN), { kind: 'folded', reason: 'cap' });
  assert.deepEqual(s.offer(hit('10.0.0.1'), T0 + 12 * MIN), { kind: 'folded', reason: 'cap' });
  const d = s.takeDigest(T0 + 2 * HOUR) as DigestDraft;
  assert.deepEqual(d.rows.map((r) => [r.count, r.reason]), [[3, 'cap']]);
});

// ---- property test against a naive oracle ----

/** The rules written the obvious way: arrays, linear search, purge everything expired on every call. */
class Oracle {
  opens: { key: string; indicator: string; until: number; mailed: boolean }[] = [];
  mails: number[] = [];
  rows: DigestRow[] = [];
  overflow = 0;
  start = -1;
  constructor(readonly st: SuppressorSettings) {}
  offer(h: SuppressorHit, now: number): HitDecision {
    this.opens = this.opens.filter((o) => o.until > now);
    this.mails = this.mails.filter((t) => t > now - HOUR);
    const key = this.st.alertKey === 'client' ? h.client : `${h.client}|${h.indicator}`;
    const open = this.opens.find((o) => o.key === key);
    if (open !== undefined) {
      const reason: FoldReason = !open.mailed ? 'cap' : open.indicator !== h.indicator ? 'grouped' : 'repeat';
      this.fold(h, reason, now);
      return { kind: 'folded', reason };
    }
    if (this.opens.length >= this.st.maxTrackedKeys) {
      this.fold(h, 'untracked', now);
      return { kind: 'folded', reason: 'untracked' };
    }
    const capped = this.mails.length >= this.st.maxMailsPerHour;
    this.opens.push({ key, indicator: h.indicator, until: now + this.st.suppressMs, mailed: !capped });
    if (capped) {
      this.fold(h, 'cap', now);
      return { kind: 'folded', reason: 'cap' };
    }
    this.mails.push(now);
    return { kind: 'alert' };
  }
  fold(h: SuppressorHit, reason: FoldReason, now: number): void {
    const rank = { repeat: 0, grouped: 1, cap: 2, untracked: 3 };
    if (this.start < 0) this.start = now;
    const row = this.rows.find((r) => r.client === h.client && r.indicator === h.indicator);
    if (row !== undefined) {
      row.count++;
      if (h.time < row.first) row.first = h.time;
      if (h.time > row.last) row.last = h.time;
      if (rank[reason] > rank[row.reason]) row.reason = reason;
    } else if (this.rows.length >= this.st.maxDigestRows) this.overflow++;
    else this.rows.push({ client: h.client, indicator: h.indicator, count: 1, first: h.time, last: h.time, reason });
  }
  take(now: number): DigestDraft | null {
    if (this.start < 0 || now < this.start + this.st.digestMs) return null;
    const rows = [...this.rows].sort((a, b) => b.count - a.count || (a.client < b.client ? -1 : a.client > b.client ? 1 : a.indicator < b.indicator ? -1 : 1));
    const d = { periodStart: this.start, rows, overflowHits: this.overflow };
    this.rows = [];
    this.overflow = 0;
    this.start = -1;
    return d;
  }
}

type Op = { t: 'hit'; dt: number; client: number; indicator: number } | { t: 'tick'; dt: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant('hit' as const), dt: fc.constantFrom(0, 1_000, 5 * MIN, 20 * MIN, 61 * MIN), client: fc.nat(5), indicator: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('tick' as const), dt: fc.constantFrom(0, 10 * MIN, 2 * HOUR) }) },
);

const settingsArb: fc.Arbitrary<SuppressorSettings> = fc.record({
  suppressMs: fc.constantFrom(10 * MIN, HOUR),
  digestMs: fc.constantFrom(30 * MIN, HOUR),
  maxMailsPerHour: fc.integer({ min: 1, max: 4 }),
  alertKey: fc.constantFrom('client+indicator' as const, 'client' as const),
  maxTrackedKeys: fc.constantFrom(2, 100),
  maxDigestRows: fc.constantFrom(2, 100),
});

test('property: the suppressor decides exactly like the naive oracle, survives snapshot/restore anywhere, and accounts for every hit once', () => {
  fc.assert(
    fc.property(settingsArb, fc.array(opArb, { maxLength: 120 }), fc.nat(120), (st, ops, cut) => {
      let s = new Suppressor(st);
      const o = new Oracle(st);
      let now = T0;
      let hits = 0;
      let alerts = 0;
      let digested = 0;
      ops.forEach((op, i) => {
        if (i === cut) s = new Suppressor(st, JSON.parse(JSON.stringify(s.snapshot())));
        now += op.dt;
        if (op.t === 'hit') {
          const h = hit(`10.0.0.${op.client}`, `ind${op.indicator}.pw`, new Date(now).toISOString().slice(0, 19));
          const got = s.offer(h, now);
          assert.deepEqual(got, o.offer(h, now));
          hits++;
          if (got.kind === 'alert') alerts++;
        } else {
          const got = s.takeDigest(now);
          assert.deepEqual(got, o.take(now));
          if (got !== null) {
            assert.ok(got.rows.length > 0 || got.overflowHits > 0);
            digested += got.rows.reduce((n, r) => n + r.count, 0) + got.overflowHits;
          }
        }
        assert.ok(s.trackedCount() <= st.maxTrackedKeys);
      });
      assert.equal(alerts + digested + s.foldedCount(), hits);
    }),
    { numRuns: 300 },
  );
});
