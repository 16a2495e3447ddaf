/**
 * Locky DGA against known answers: every row of ../shared/data/locky/dga-vectors.tsv
 * (reference implementation + published lists), our committed fixture, and the
 * intermediate values worked in docs/locky-dga.md §8.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  KNOWN_CONFIGS,
  LOCKY_VARIANTS,
  configFor,
  formatCivilDate,
  isLockyVariant,
  lockyDomain,
  lockyTrace,
  namesForDate,
  parseCivilDate,
  windowOf,
} from '../src/dga/index.js';
import type { LockyVariant } from '../src/dga/index.js';
import { FIXTURES, SHARED } from './helpers.js';

interface VectorRow {
  line: number;
  variant: LockyVariant;
  seed: number | null;
  date: string;
  index: number;
  domain: string;
}

/** Read a vectors TSV (header row, `#` comments); fails loudly on a malformed row so a broken file cannot pass as empty. */
function readVectors(path: string): VectorRow[] {
  const rows: VectorRow[] = [];
  const lines = readFileSync(path, 'utf8').split('\n');
  let headerSeen = false;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] ?? '';
    if (text === '' || text.startsWith('#')) continue;
    if (!headerSeen) {
      assert.match(text, /^variant\tseed\tdate\tindex\tdomain\t/, `${path}: header`);
      headerSeen = true;
      continue;
    }
    const [variant = '', seed = '', date = '', index = '', domain = ''] = text.split('\t');
    assert.ok(isLockyVariant(variant), `${path}:${i + 1}: variant ${variant}`);
    assert.match(seed, /^(none|\d+)$/, `${path}:${i + 1}: seed`);
    assert.match(index, /^\d+$/, `${path}:${i + 1}: index`);
    rows.push({ line: i + 1, variant, seed: seed === 'none' ? null : Number(seed), date, index: Number(index), domain });
  }
  return rows;
}

function windowKey(r: VectorRow): string {
  return `${r.variant}/${String(r.seed)}/${formatCivilDate(windowOf(parseCivilDate(r.date)))}/${r.index}`;
}

const SHARED_VECTORS = SHARED === null ? null : join(SHARED, 'data', 'locky', 'dga-vectors.tsv');
const FIXTURE_VECTORS = join(FIXTURES, 'locky-dga-vectors.tsv');

describe('shared reference vectors', { skip: SHARED === null && 'no ../shared' }, () => {
  it('reproduces every row of ../shared/data/locky/dga-vectors.tsv', () => {
    const rows = readVectors(SHARED_VECTORS as string);
    // The file holds 470 rows today; a truncated read must not pass quietly.
    assert.ok(rows.length >= 400, `only ${rows.length} rows read`);
    const wrong: string[] = [];
    for (const r of rows) {
      const got = lockyDomain(r.variant, r.seed, parseCivilDate(r.date), r.index);
      if (got !== r.domain) wrong.push(`line ${r.line}: ${r.variant} ${String(r.seed)} ${r.date} #${r.index}: want ${r.domain}, got ${got}`);
    }
    assert.deepEqual(wrong, []);
  });

  it('namesForDate gives the same names at the same positions', () => {
    const wrong: string[] = [];
    for (const r of readVectors(SHARED_VECTORS as string)) {
      if (r.index >= LOCKY_VARIANTS[r.variant].namesPerWindow) continue;
      const names = namesForDate(configFor('locky', r.variant, r.seed, 'test'), parseCivilDate(r.date));
      if (names[r.index] !== r.domain) wrong.push(`line ${r.line}: want ${r.domain}, got ${String(names[r.index])}`);
    }
    assert.deepEqual(wrong, []);
  });

  it('every shared seed is a known configuration', () => {
    for (const r of readVectors(SHARED_VECTORS as string)) {
      assert.ok(
        KNOWN_CONFIGS.some((c) => c.variant === r.variant && c.seed === r.seed),
        `line ${r.line}: ${r.variant} seed ${String(r.seed)} missing from KNOWN_CONFIGS`,
      );
    }
  });
});

describe('committed fixture vectors', () => {
  const rows = readVectors(FIXTURE_VECTORS);

  it('spans v1, v2 and v3 with a few dozen rows', () => {
    assert.ok(rows.length >= 36, `only ${rows.length} rows`);
    for (const v of ['v1', 'v2', 'v3'] as const) assert.ok(rows.some((r) => r.variant === v), v);
  });

  it('reproduces every fixture row with lockyDomain and namesForDate', () => {
    for (const r of rows) {
      const date = parseCivilDate(r.date);
      assert.equal(lockyDomain(r.variant, r.seed, date, r.index), r.domain, `line ${r.line}`);
      assert.equal(namesForDate(configFor('locky', r.variant, r.seed, 'test'), date)[r.index], r.domain, `line ${r.line}`);
    }
  });

  it('agrees with itself: rows of the same window, seed and index name the same domain', () => {
    const byKey = new Map<string, string>();
    for (const r of rows) {
      const prev = byKey.get(windowKey(r));
      if (prev !== undefined) assert.equal(r.domain, prev, `line ${r.line}`);
      byKey.set(windowKey(r), r.domain);
    }
  });

  it('agrees with every overlapping row of the shared vectors', { skip: SHARED === null && 'no ../shared' }, () => {
    const shared = new Map<string, string>();
    for (const r of readVectors(SHARED_VECTORS as string)) shared.set(windowKey(r), r.domain);
    let overlap = 0;
    for (const r of rows) {
      const want = shared.get(windowKey(r));
      if (want === undefined) continue;
      overlap++;
      assert.equal(r.domain, want, `fixture line ${r.line}`);
    }
    // The fixture is built to overlap the reference in many rows; fewer means the check lost its teeth.
    assert.ok(overlap >= 15, `only ${overlap} overlapping rows`);
  });
});

describe('doc §8 worked intermediate values', () => {
  it('v1, 2016-02-16, index 0', () => {
    const t = lockyTrace('v1', null, parseCivilDate('2016-02-16'), 0);
    assert.equal(t.a, 0xae4fb391);
    assert.equal(t.aSeed, null);
    assert.equal(t.b, 0xd0134412);
    assert.equal(t.c, 0x4610d013);
    assert.equal(t.r0, 0xcc786d8d);
    assert.equal(t.length, 10);
    assert.equal(t.rLast, 0x2550d6ad);
    assert.equal(t.x, 0x95011011);
    assert.equal(t.tldIndex, 1);
    assert.equal(t.name, 'fnarsipfqe.pw');
  });

  it('v2 seed 7, 2016-02-24, index 0', () => {
    const t = lockyTrace('v2', 7, parseCivilDate('2016-02-24'), 0);
    assert.equal(t.a, 0x6b93ece4);
    assert.equal(t.aSeed, 0xd87ce0d6);
    assert.equal(t.b, 0x06a73927);
    assert.equal(t.c, 0xbbf950bb);
    assert.equal(t.r0, 0xa08a68cb);
    assert.equal(t.length, 10);
    assert.equal(t.rLast, 0xcd00ce27);
    assert.equal(t.x, 0xb5d70359);
    assert.equal(t.tldIndex, 5);
    assert.equal(t.name, 'bkadufmdyf.pm');
  });

  it('v3 seed 7077, 2016-03-24, index 0', () => {
    const t = lockyTrace('v3', 7077, parseCivilDate('2016-03-24'), 0);
    assert.deepEqual(t.rounds, [0x23c6f68c, 0xb4778256, 0x69a42312, 0x7e6e2c33, 0x5b4d74f5, 0xc3bf92f2, 0x95ace601]);
    assert.equal(t.r0, 0x95ace601);
    assert.equal(t.length, 10);
    assert.equal(t.rLast, 0xa25c5476);
    assert.equal(t.x, 0x941919a8);
    assert.equal(t.tldIndex, 6);
    assert.equal(t.name, 'dhdmnjilyb.pl');
  });

  it('v3 seed 556677, 2017-04-24, index 0', () => {
    const t = lockyTrace('v3', 556677, parseCivilDate('2017-04-24'), 0);
    assert.deepEqual(t.rounds, [0x9d179df1, 0x3b210a95, 0xb1f9ac46, 0x378126c0, 0x4f55abe3, 0xb3fa8505, 0x6e99ee6a]);
    assert.equal(t.length, 15);
    assert.equal(t.rLast, 0xda196b9a);
    assert.equal(t.x, 0xdb8f0675);
    assert.equal(t.tldIndex, 5);
    assert.equal(t.name, 'oxoqgrfkgjqehoj.work');
  });

  it('lockyTrace and lockyDomain agree', () => {
    const date = parseCivilDate('2016-07-05');
    for (const [v, seed] of [['v1', null], ['v2', 9], ['v3', 9056]] as const) {
      for (let i = 0; i < 12; i++) assert.equal(lockyTrace(v, seed, date, i).name, lockyDomain(v, seed, date, i));
    }
  });
});
