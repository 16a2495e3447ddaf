/** Public surface of `src/scan`: inputs, sampling, range scanning, the pool, the run loop, aggregation. */
export { RangeScanner, PAIR_WINDOW_LINES, SAMPLE_TEXT_BYTES } from './range-scanner.js';
export { scanFileRange, READ_CHUNK_BYTES } from './read-range.js';
export { Skimmer, skimEnabled, skimmerFor } from './skim.js';
export { splitRanges, DEFAULT_RANGE_BYTES } from './split.js';
export type { ByteRange } from './split.js';
export { ScanPool } from './pool.js';
export { runScan } from './run-scan.js';
export type { RangeOutcome, RunScanOptions } from './run-scan.js';
export { InputSet } from './inputs.js';
export type { ScanInput } from './inputs.js';
export { sampleFile, summarizeDates, SAMPLE_BYTES } from './sample.js';
export type { FileSample, DateSummary } from './sample.js';
export { ClientAggregator } from './aggregate.js';
export type { ClientSummary, ClientIndicator } from './aggregate.js';
