/**
 * Type feedback for the scan's rare paths, given once per worker thread
 * before its first task. V8 compiles the hot loop from what it has seen run:
 * a line shape first met after that (the first hit, the first response to
 * pair, the first IPv6 address or collapsed line, the first EVENT or damaged
 * line) has no feedback, so the optimised code is thrown away there and the
 * thread runs slowly until it is rebuilt. Scanning three copies of a stretch
 * of synthetic log with every such shape takes a few milliseconds and spared
 * ~35 ms per worker over the first 100 MB of the 1 GB benchmark log
 * (BENCHMARKS.md). The result is thrown away.
 *
 * The same copies then go through the thread's skimmer (`src/scan/skim.ts`):
 * that compiles the WebAssembly module, makes the skimmer's memory and
 * touches the pages of its read buffer, all before the first range instead
 * of inside it (the first MiB of a range took 36–67 ms without, 1–5 ms for
 * each later one).
 */
import { buildMatcher, NameMatcher } from '../match/index.js';
import { RangeScanner } from './range-scanner.js';
import { READ_CHUNK_BYTES } from './read-range.js';
import { skimmerFor, type Skimmer } from './skim.js';

/** Every line shape the scanner treats differently; `@` is a digit that varies per copy. */
const TEMPLATE: readonly string[] = [
  'DNS Server log file creation at 2/16/2016 9:58:02 PM', '', '\tField #  Information         Values',
  '2/16/2016 9:58:03 PM 0DF4 EVENT   The DNS server has started.',
  '2/16/2016 9:58:04 PM 5C8 Note: got GQCS failure on a dead socket context status=995',
  '2/16/2016 9:58:05 PM 0DF4 Lookup  something else',
  '2/16/2016 10:00:09 PM 0E24 PACKET  000000502BCE1672 UDP Rcv 10.10.1.31      2fb@   Q [0001   D   NOERROR] A      (5)ctldl(13)windowsupdate(3)com(0)', '',
  '2/16/2016 10:00:09 PM 0E24 PACKET  00000090CD6A3620 UDP Snd 10.10.1.31      2fb@ R Q [8081   DR  NOERROR] A      (5)ctldl(13)windowsupdate(3)com(0)', '',
  '2/16/2016 10:00:11 PM 0E24 PACKET  0000005075F95ED6 UDP Rcv 10.10.1.28      2cf@   Q [0001   D   NOERROR] A      (7)host-@(4)warm(2)pw(0)', '',
  '2/16/2016 10:00:11 PM 0E24 PACKET  000000B8B99712F2 UDP Snd 10.10.1.28      2cf@ R Q [8081   DR  NXDOMAIN] A      (7)host-@(4)warm(2)pw(0)', '',
  '2/16/2016 10:00:12 PM 0E24 PACKET  0000005075F95ED7 UDP Rcv fe80::1c2d:3e4f:5a6b:7c8d 9a0@   Q [0001   D   NOERROR] AAAA   (4)warm(2)pw(4)corp(5)local(0)', '',
  '2/16/2016 10:00:12 PM 0E24 PACKET  0000005075F95ED8 UDP Snd fe80::1c2d:3e4f:5a6b:7c8d 9a0@ R Q [8081   DR  NOERROR] AAAA   (4)warm(2)pw(4)corp(5)local(0)', '',
  '2/16/2016 10:00:13 PM 0E24 PACKET  0000005075F95ED9 UDP Rcv 10.10.1.29      77a@   Q [0001   D   NOERROR] A      (6)client(4)warm(3)com(4)test(3)lan(0)', '',
  '2/16/2016 10:00:14 PM 1A2B PACKET  0000005075F95EDA UDP Rcv 10.10.1.30      77b@   Q [0001   D   NOERROR] PTR    (2)31(1)1(2)10(2)10(7)in-addr(4)arpa(0)', '',
  '2/16/2016 10:00:16 PM 1A2B PACKET 0000005075F95EDC UDP Rcv 10.10.1.30 77d@ Q [0001 D NOERROR] A (3)www(7)example(3)org(0)', '',
  '2/16/2016 10:00:17 PM 1A2B PACKET  0000005075F95EDD UDP Rcv 10.10.1.30      77e@   Q [0001   D   NOERROR] A      (3)www(7)example(3)org', '',
  '2/16/2016 10:00:18 PM 1A2B PACKET  0000005075F95EDE UDP Rcv 10.10.1.30      garbled', '',
  '2/16/2016 10:00:19 PM 1A2B PACKET  0000005075F95EDF UDP Rcv 10.10.1.30      77f@   Q [0001   D   NOERROR] A      (3)WWW(4)Warm(2)PW(0)', '',
  '2/16/2016 10:00:20 PM 1A2B PACKET  0000005075F95EE0 UDP Rcv 10.10.1.30      780@   U [0001   D   NOERROR] SOA    (7)example(5)local(0)', '',
  '2/16/2016 10:00:21 PM 1A2B PACKET  0000005075F95EE1 TCP Rcv 10.10.1.30      781@   Q [0001   D   NOERROR] A      (1)a(1)b(1)c(1)d(1)e(3)com(0)', '',
  '2/16/2016 10:00:22 PM 1A2B PACKET  0000005075F95EE2 UDP Rcv 10.10.1.30      782@   Q [0001   D   NOERROR] A      (0)', '',
  'not a log line at all', '',
];

/** Copies scanned: each rare path runs a few times, far too few to be worth optimising on its own. */
const COPIES = 3;

let done = false;

/**
 * Scan the synthetic log once per thread, by the JavaScript path and through
 * the thread's skimmer (later calls do nothing); returns the hits the
 * JavaScript path found (for tests).
 */
export function primeScanner(): number {
  if (done) return 0;
  done = true;
  const hits = scanPrimingLog(COPIES, null);
  primeSkim(COPIES);
  return hits;
}

/**
 * Make this thread's skimmer for full-size reads, touch its read buffer and
 * scan `copies` copies of the synthetic log through it (nothing when the
 * skim is off).
 */
export function primeSkim(copies: number): void {
  const matcher = primingMatcher();
  const skimmer = skimmerFor(matcher.image, READ_CHUNK_BYTES);
  if (skimmer === null) return;
  skimmer.buffer.fill(0); // the pages of the read buffer, touched now rather than by the first read
  scanPrimingLog(copies, skimmer, matcher);
}

function primingMatcher(): NameMatcher {
  return new NameMatcher(buildMatcher(['warm.pw', 'example.org'], ['test.lan']), true);
}

/**
 * Scan `copies` copies of the synthetic log (`bench/cold-start.js` compares
 * counts), through `skimmer` when given (the log is copied into its read
 * buffer, which must hold it), with the priming indicators (`matcher`, made
 * here when not given); returns the hits found.
 */
export function scanPrimingLog(copies: number, skimmer: Skimmer | null, matcher = primingMatcher()): number {
  const parts: string[] = [];
  for (let i = 0; i < copies; i++) parts.push(TEMPLATE.join('\r\n').replaceAll('@', String(i % 10)), '');
  let log: Buffer = Buffer.from(parts.join('\r\n'), 'latin1');
  if (skimmer !== null) {
    skimmer.useImage(matcher.image);
    log = skimmer.buffer.subarray(0, log.copy(skimmer.buffer));
  }
  const scanner = new RangeScanner(matcher, 4, skimmer);
  scanner.feedLines(log, 0, log.length);
  return scanner.hits.length;
}
