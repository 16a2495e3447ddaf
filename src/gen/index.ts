/**
 * Public surface of `src/gen`: the sample-log generator (pure: the caller
 * does the I/O), its expected answer and the comparison of a scan with it,
 * and the inputs other tools need to search the same log.
 */
export { LogGenerator, GENERATOR_VERSION, DEFAULT_QPS, DEFAULT_WRAP_EVERY_BYTES, MIN_FILL_BYTES } from './generator.js';
export type { GenOptions } from './generator.js';
export { GEN_LOCALES, LOCALE_LAYOUTS, isGenLocale, formatLogTime, parseStart, isoLocal } from './log-time.js';
export type { GenLocale } from './log-time.js';
export { parseSize, formatBytes } from './size.js';
export { sortExpectedClients, clientsOfScanOutput, diffAnswers } from './expected.js';
export type { ExpectedAnswer, ExpectedClient, PlantedQuery, DecoyQuery, AnswerDiff } from './expected.js';
export { toWire, fromWire } from './wire.js';
export { ipColumn, IP_COLUMN_WIDTH } from './hosts.js';
export { headerBlock, KEY_TABLE_LINES } from './header.js';
export { Prng } from './prng.js';
export { competitorIndicators, grepPatternsText, dateOfIso } from './bench-inputs.js';
export { median, summarize, addRatios, formatTable } from './bench-stats.js';
export type { ToolResult } from './bench-stats.js';
