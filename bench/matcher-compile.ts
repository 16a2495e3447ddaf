/**
 * How long compiling N indicators into the shared matcher image takes, and how
 * big the image is. Usage: node dist/bench/matcher-compile.js [N]
 * Names are random 6–14 letter labels under a handful of real TLDs (seeded, deterministic).
 */
import { buildMatcher } from '../src/match/index.js';

const n = Number(process.argv[2] ?? 1_000_000);
const tlds = ['com', 'net', 'org', 'ru', 'pw', 'info', 'biz', 'de', 'co.uk', 'xyz'];
let seed = 0x9e3779b9;
function rnd(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
}
const names: string[] = [];
for (let i = 0; i < n; i++) {
  const len = 6 + Math.floor(rnd() * 9);
  let label = '';
  for (let j = 0; j < len; j++) label += String.fromCharCode(97 + Math.floor(rnd() * 26));
  names.push(`${label}.${tlds[Math.floor(rnd() * tlds.length)]!}`);
}
const rssBefore = process.memoryUsage().rss;
const t = process.hrtime.bigint();
const image = buildMatcher(names, ['home.arpa']);
const s = Number(process.hrtime.bigint() - t) / 1e9;
const rssAfter = process.memoryUsage().rss;
process.stdout.write(`${n} indicators: compiled in ${s.toFixed(2)} s; image ${(image.byteLength / 1e6).toFixed(1)} MB; RSS +${((rssAfter - rssBefore) / 1e6).toFixed(0)} MB (names array excluded)\n`);
