/**
 * How long generating a year of Locky names for every known configuration
 * takes (what a scan spanning a year of logs asks of src/dga), against a naive
 * one-call-per-name loop over lockyDomain. Both must produce the same names
 * before anything is timed.
 *
 *     npx tsc -p . && node dist/bench/dga.bench.js
 */
import assert from 'node:assert/strict';
import { Bench } from 'tinybench';
import {
  DEFAULT_MARGIN_BACK_DAYS,
  DEFAULT_MARGIN_FORWARD_DAYS,
  KNOWN_CONFIGS,
  LOCKY_VARIANTS,
  addDays,
  generateNames,
  isLockyVariant,
  lockyDomain,
  parseCivilDate,
  windowsInRange,
} from '../src/dga/index.js';
import type { DgaName } from '../src/dga/index.js';

const FROM = parseCivilDate('2016-01-01');
const TO = parseCivilDate('2016-12-31');
/** Minimum time per task; long enough for a stable mean on a noisy machine. */
const BENCH_TIME_MS = 500;

function viaGenerateNames(): DgaName[] {
  return generateNames(KNOWN_CONFIGS, FROM, TO);
}

/** The obvious alternative: one validated lockyDomain call per name, building the same records. */
function viaLockyDomain(): DgaName[] {
  const out: DgaName[] = [];
  const windows = windowsInRange(addDays(FROM, -DEFAULT_MARGIN_BACK_DAYS), addDays(TO, DEFAULT_MARGIN_FORWARD_DAYS));
  for (const c of KNOWN_CONFIGS) {
    if (!isLockyVariant(c.variant)) throw new Error(`not a Locky config: ${c.variant}`);
    const n = LOCKY_VARIANTS[c.variant].namesPerWindow;
    for (const w of windows) for (let i = 0; i < n; i++) out.push({ name: lockyDomain(c.variant, c.seed, w, i), config: c, window: w, index: i });
  }
  return out;
}

const reference = viaGenerateNames();
assert.deepEqual(viaLockyDomain(), reference);
console.log(`${KNOWN_CONFIGS.length} configurations, ${FROM.year} with default margins: ${reference.length} names per run`);

const b = new Bench({ time: BENCH_TIME_MS });
b.add('generateNames: 1 year × all known configs', () => {
  viaGenerateNames();
});
b.add('naive lockyDomain loop: same records', () => {
  viaLockyDomain();
});
await b.run();
console.table(b.table());
