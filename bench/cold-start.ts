/**
 * The cold start of a scan thread: how long the first MB of a log take while
 * V8 is still compiling the hot loop, after priming with some copies of the
 * synthetic log (src/scan/prime.ts: by the JavaScript path, then through the
 * thread's skimmer). Run one process per measurement:
 *   node dist/bench/cold-start.js LOG NAMES.txt [COPIES=3] [STEP_MB=4] [STEPS=25]
 * Prints the priming time, the total for the first STEPS×STEP_MB MB and each step.
 */
import { readFileSync } from 'node:fs';
import { buildMatcher, NameMatcher } from '../src/match/index.js';
import { scanFileRange } from '../src/scan/index.js';
import { primeSkim, scanPrimingLog } from '../src/scan/prime.js';

const [file, namesFile, copiesText, stepText, stepsText] = process.argv.slice(2);
if (!file || !namesFile) {
  process.stderr.write('usage: node dist/bench/cold-start.js LOG NAMES.txt [COPIES] [STEP_MB] [STEPS]\n');
  process.exit(2);
}
const copies = Number(copiesText ?? 3);
const step = Number(stepText ?? 4) * 1e6;
const steps = Number(stepsText ?? 25);
const t0 = performance.now();
if (copies > 0) {
  scanPrimingLog(copies, null);
  primeSkim(copies);
}
const priming = performance.now() - t0;
const names = readFileSync(namesFile, 'utf8').split('\n').map((s) => s.trim()).filter((s) => s.length > 0);
const matcher = new NameMatcher(buildMatcher(names, ['home.arpa']), true);
const times: number[] = [];
for (let r = 0; r < steps; r++) {
  const t = performance.now();
  scanFileRange({ kind: 'scan-range', path: file, fileIndex: 0, rangeIndex: 0, start: r * step, end: (r + 1) * step, lookahead: 0, maxSamples: 5 }, matcher);
  times.push(performance.now() - t);
}
const total = times.reduce((a, b) => a + b, 0);
process.stdout.write(`copies ${copies}: priming ${priming.toFixed(1)} ms, first ${((steps * step) / 1e6).toFixed(0)} MB ${total.toFixed(0)} ms; per step: ${times.map((t) => t.toFixed(0)).join(' ')}\n`);
