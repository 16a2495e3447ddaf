/**
 * In-memory throughput of one thread's scan with the skim (no reads): the
 * file is copied once into a skimmer's read buffer and scanned PASSES times
 * by a RangeScanner with that skimmer. Usage:
 *   node dist/bench/skim-throughput.js FILE NAMES.txt [passes=8]
 * Prints each pass's time and GB/s, and how many lines the skim took. Run two
 * at once to see how two threads share this machine's cores.
 */
import { readFileSync } from 'node:fs';
import { NameMatcher, buildMatcher } from '../src/match/index.js';
import { RangeScanner, Skimmer } from '../src/scan/index.js';

const [file, namesFile, passesText] = process.argv.slice(2);
if (!file || !namesFile) {
  process.stderr.write('usage: node dist/bench/skim-throughput.js FILE NAMES.txt [passes]\n');
  process.exit(2);
}
const names = readFileSync(namesFile, 'utf8').split('\n').map((s) => s.trim()).filter((s) => s.length > 0);
const matcher = new NameMatcher(buildMatcher(names, ['home.arpa']), true);
const log = readFileSync(file);
const skimmer = new Skimmer(log.length);
skimmer.useImage(matcher.image);
log.copy(skimmer.buffer);
const passes = Number(passesText ?? 8);
for (let i = 0; i < passes; i++) {
  const before = skimmer.linesTaken;
  const t = performance.now();
  const s = new RangeScanner(matcher, 5, skimmer);
  s.feedLines(skimmer.buffer, 0, log.length);
  const ms = performance.now() - t;
  process.stdout.write(`pass ${i + 1}: ${ms.toFixed(1)} ms, ${(log.length / ms / 1e6).toFixed(2)} GB/s, ${s.counters.lines} lines, ${skimmer.linesTaken - before} taken by the skim, ${s.hits.length} hits\n`);
}
