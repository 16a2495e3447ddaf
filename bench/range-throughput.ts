/**
 * In-process throughput of the per-range scan (one thread, no pool): how fast
 * the byte-level parser + matcher chew through a file. Usage:
 *   node dist/bench/range-throughput.js FILE PATTERNS.txt [runs]
 * PATTERNS.txt holds one indicator domain a line. Prints MB/s per run.
 */
import { readFileSync, statSync } from 'node:fs';
import { buildMatcher, NameMatcher } from '../src/match/index.js';
import { scanFileRange } from '../src/scan/index.js';

const [file, patterns, runsText] = process.argv.slice(2);
if (!file || !patterns) {
  process.stderr.write('usage: node dist/bench/range-throughput.js FILE PATTERNS.txt [runs]\n');
  process.exit(2);
}
const names = readFileSync(patterns, 'utf8').split('\n').map((s) => s.trim()).filter((s) => s.length > 0);
const matcher = new NameMatcher(buildMatcher(names, ['home.arpa']), true);
const size = statSync(file).size;
const runs = Number(runsText ?? 3);
for (let i = 0; i < runs; i++) {
  const t = process.hrtime.bigint();
  const r = scanFileRange({ kind: 'scan-range', path: file, fileIndex: 0, rangeIndex: 0, start: 0, end: size, lookahead: 0, maxSamples: 5 }, matcher);
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  process.stdout.write(`run ${i + 1}: ${s.toFixed(2)} s, ${(size / s / 1e6).toFixed(0)} MB/s, ${r.counters.lines} lines, ${r.hits.length} hits\n`);
}
