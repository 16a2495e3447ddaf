/**
 * Loading and compiling a big indicator feed, as a scan does it: read and
 * normalise the feed, build the set (bundled list + feed + the DGA names of
 * five days), compile the matcher. Prints the time of each step and the memory
 * the result holds. Usage:
 *   node dist/bench/indicators-load.js FEED
 * Run it in a fresh process per measurement: the first load is the one a scan pays.
 */
import { readFeed } from '../src/ioc/index.js';
import { prepareIndicators } from '../src/cli/indicators.js';

const feed = process.argv[2];
if (!feed) {
  process.stderr.write('usage: node dist/bench/indicators-load.js FEED\n');
  process.exit(2);
}
const rss0 = process.memoryUsage().rss;
const t0 = process.hrtime.bigint();
const p = prepareIndicators({
  builtin: true,
  iocFiles: [feed],
  dgaSpecs: [],
  from: { year: 2016, month: 2, day: 16 },
  to: { year: 2016, month: 2, day: 20 },
  suffixes: [],
});
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const peak = process.resourceUsage().maxRSS * 1024;
globalThis.gc?.();
const held = process.memoryUsage();
process.stdout.write(
  `${p.set.size} indicator positions (${p.set.listedPositions} listed, ${p.dgaNames} DGA) loaded and compiled in ${seconds.toFixed(2)} s; ` +
    `image ${(p.image.byteLength / 1e6).toFixed(1)} MB; peak RSS ${(peak / 1e6).toFixed(0)} MB (${((peak - rss0) / 1e6).toFixed(0)} MB above the process before loading)` +
    `${globalThis.gc ? `; held after GC: heap ${(held.heapUsed / 1e6).toFixed(0)} MB + shared image ${(held.arrayBuffers / 1e6).toFixed(0)} MB` : ''}\n`,
);
