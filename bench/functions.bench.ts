/**
 * Micro-benchmarks of the hot functions, each beside the alternatives we
 * considered; every group first checks that its alternatives agree, then times
 * them with tinybench. Usage (after `npm run build`):
 *
 *   node dist/bench/functions.bench.js [LOG] [NAMES]
 *
 * LOG defaults to the bundled fixture; NAMES (one indicator domain a line)
 * defaults to the DGA names for the fixture's dates plus the bundled list.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { TrieMap } from 'mnemonist';
import { Bench } from 'tinybench';
import { LF } from '../src/core/index.js';
import { KNOWN_CONFIGS, generateNames } from '../src/dga/index.js';
import { loadBuiltinIndicators } from '../src/ioc/index.js';
import { buildMatcher, labelHash } from '../src/match/index.js';
import { DIR_RCV, LineKind, OPCODE_QUERY, PacketFields, decodeName, labelsToString, newLabelArray, parseWindowsLine } from '../src/parse/index.js';

const BENCH_TIME_MS = 400;
const logPath = process.argv[2] ?? new URL('../../fixtures/sample-dns.log', import.meta.url).pathname;
const namesPath = process.argv[3];
const log = readFileSync(logPath);

const indicators = namesPath
  ? readFileSync(namesPath, 'utf8').split('\n').map((s) => s.trim()).filter((s) => s.length > 0)
  : [
      ...new Set([
        ...generateNames(KNOWN_CONFIGS, { year: 2016, month: 2, day: 16 }, { year: 2016, month: 2, day: 17 }).map((n) => n.name),
        ...loadBuiltinIndicators().filter((i) => i.kind === 'domain').map((i) => i.value),
      ]),
    ];

// ---- line framing -----------------------------------------------------------

function framesIndexOf(buf: Buffer): number {
  let n = 0;
  let p = 0;
  while (p < buf.length) {
    let nl = buf.indexOf(LF, p);
    if (nl < 0) nl = buf.length;
    n++;
    p = nl + 1;
  }
  return n;
}

function framesByteLoop(buf: Buffer): number {
  let n = 0;
  let p = 0;
  const len = buf.length;
  while (p < len) {
    while (p < len && buf[p] !== LF) p++;
    n++;
    p++;
  }
  return n;
}

function framesSplit(buf: Buffer): number {
  const lines = buf.toString('latin1').split('\n');
  return lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
}

// ---- record parsing ---------------------------------------------------------

const lineRanges: Array<[number, number]> = [];
for (let p = 0; p < log.length; ) {
  let nl = log.indexOf(LF, p);
  if (nl < 0) nl = log.length;
  lineRanges.push([p, nl]);
  p = nl + 1;
}
const fields = new PacketFields();
const labels = newLabelArray();

function clientQueriesBytes(): string[] {
  const out: string[] = [];
  for (const [s, e] of lineRanges) {
    if (parseWindowsLine(log, s, e, fields) !== LineKind.PACKET) continue;
    if (fields.dir !== DIR_RCV || fields.isResponse || fields.opcode !== OPCODE_QUERY) continue;
    const n = decodeName(log, fields.nameStart, fields.nameEnd, labels);
    out.push(labelsToString(log, labels, 0, n));
  }
  return out;
}

// The obvious regex a script would use (one per line).
const PACKET_RE = /^\S+(?: \S+){1,3} [0-9A-F]{3,4} PACKET +\S+ (UDP|TCP) (Snd|Rcv) (\S+) +([0-9a-f]+) (R| ) (.) \[[^\]]*\] +(\S+) +(\S+)\s*$/;
const logText = log.toString('latin1').split('\n');
function clientQueriesRegex(): string[] {
  const out: string[] = [];
  for (const line of logText) {
    const m = PACKET_RE.exec(line);
    if (!m || m[2] !== 'Rcv' || m[5] !== ' ' || m[6] !== 'Q') continue;
    out.push(m[8]!.replace(/\(\d+\)/g, '.').replace(/^\.|\.$/g, '').toLowerCase());
  }
  return out;
}

// ---- matching ---------------------------------------------------------------

const queries = clientQueriesBytes();
const queryBuf = Buffer.from(queries.map((q) => q.split('.').map((l) => `(${l.length})${l}`).join('') + '(0)').join('\n'), 'latin1');
const queryRanges: Array<[number, number]> = [];
for (let p = 0; p < queryBuf.length; ) {
  let nl = queryBuf.indexOf(LF, p);
  if (nl < 0) nl = queryBuf.length;
  queryRanges.push([p, nl]);
  p = nl + 1;
}
const image = buildMatcher(indicators, []);
const set = new Set(indicators);
const trie = new TrieMap<string[], number>(Array as unknown as new () => string[]);
indicators.forEach((d, i) => trie.set(d.split('.').reverse(), i));

function matchCompiled(): number {
  let hits = 0;
  for (const [s, e] of queryRanges) {
    const n = decodeName(queryBuf, s, e, labels);
    if (n > 0 && image.matchLabels(queryBuf, labels, n - 1) >= 0) hits++;
  }
  return hits;
}

function matchMnemonist(): number {
  let hits = 0;
  for (const [s, e] of queryRanges) {
    const n = decodeName(queryBuf, s, e, labels);
    const rev: string[] = [];
    for (let i = n - 1; i >= 0; i--) rev.push(queryBuf.toString('latin1', labels[i * 2]!, labels[i * 2 + 1]!).toLowerCase());
    for (let k = 1; k <= rev.length; k++) {
      if (trie.has(rev.slice(0, k))) {
        hits++;
        break;
      }
    }
  }
  return hits;
}

function matchSet(): number {
  let hits = 0;
  for (const [s, e] of queryRanges) {
    const n = decodeName(queryBuf, s, e, labels);
    const name = labelsToString(queryBuf, labels, 0, n);
    for (let at = 0; at >= 0; at = name.indexOf('.', at) < 0 ? -1 : name.indexOf('.', at) + 1) {
      if (set.has(name.slice(at))) {
        hits++;
        break;
      }
    }
  }
  return hits;
}

// ---- label hashing ----------------------------------------------------------

function hashAllLabels(): number {
  let x = 0;
  for (const [s, e] of queryRanges) {
    const n = decodeName(queryBuf, s, e, labels);
    for (let i = 0; i < n; i++) x ^= labelHash(0, queryBuf, labels[i * 2]!, labels[i * 2 + 1]!);
  }
  return x;
}

function hashAllLabelsViaString(): number {
  let x = 0;
  for (const [s, e] of queryRanges) {
    const n = decodeName(queryBuf, s, e, labels);
    for (let i = 0; i < n; i++) {
      const str = queryBuf.toString('latin1', labels[i * 2]!, labels[i * 2 + 1]!).toLowerCase();
      let h = 0x811c9dc5;
      for (let j = 0; j < str.length; j++) h = Math.imul(h ^ str.charCodeAt(j), 0x01000193);
      x ^= h >>> 0;
    }
  }
  return x;
}

// ---- agree first, then time -------------------------------------------------

assert.equal(framesByteLoop(log), framesIndexOf(log), 'framing alternatives disagree');
assert.equal(framesSplit(log), framesIndexOf(log), 'framing alternatives disagree');
assert.deepEqual(clientQueriesRegex(), clientQueriesBytes(), 'parsing alternatives disagree');
const expectedHits = matchSet();
assert.equal(matchCompiled(), expectedHits, 'compiled matcher disagrees with the Set oracle');
assert.equal(matchMnemonist(), expectedHits, 'mnemonist TrieMap disagrees with the Set oracle');

const groups: Array<[string, Array<[string, () => unknown]>]> = [
  ['line framing', [['Buffer.indexOf(LF) (used)', () => framesIndexOf(log)], ['JS byte loop', () => framesByteLoop(log)], ['toString + split', () => framesSplit(log)]]],
  ['record parsing (client queries)', [['byte-level parser (used)', clientQueriesBytes], ['one regex a line', clientQueriesRegex]]],
  ['label hashing', [['FNV-1a on bytes (used)', hashAllLabels], ['string per label, then hash', hashAllLabelsViaString]]],
  [`name matching (${queries.length} names, ${indicators.length} indicators)`, [['typed-array trie on bytes (used)', matchCompiled], ['mnemonist TrieMap, reversed labels', matchMnemonist], ['Set of domains, every suffix', matchSet]]],
];

process.stdout.write(`input: ${logPath} (${log.length} bytes, ${lineRanges.length} lines, ${queries.length} client queries, ${expectedHits} matching)\n`);
for (const [title, fns] of groups) {
  const bench = new Bench({ time: BENCH_TIME_MS });
  for (const [name, fn] of fns) bench.add(name, fn);
  await bench.run();
  process.stdout.write(`\n${title}\n`);
  const meanOf = (r: unknown): number => (r as { state?: string; latency?: { mean: number } }).state === 'completed' ? (r as { latency: { mean: number } }).latency.mean : NaN;
  const base = meanOf(bench.tasks[0]?.result);
  for (const t of bench.tasks) {
    const mean = meanOf(t.result);
    process.stdout.write(`  ${t.name.padEnd(40)} ${mean.toFixed(3).padStart(9)} ms/op  x${(mean / base).toFixed(2)} vs used\n`);
  }
}
