/** Public surface of `src/ioc`: read, normalise and lint feeds; the bundled list; the run's indicator set. */
export { normalizeIndicator, refang } from './normalize.js';
export type { Normalized } from './normalize.js';
export { FEED_READ_BYTES, FEED_WHOLE_BYTES, MAX_FEED_BYTES, MAX_PROBLEM_SAMPLES, FeedParser, FeedResult, parseFeed, readFeed } from './feed.js';
export type { Indicator, FeedColumns, FeedProblem, FeedSnapshot } from './feed.js';
export { loadBuiltinIndicators, BUILTIN_LIST_PATH, BUILTIN_LIST_NAME } from './builtin.js';
export { IndicatorSet, buildIndicatorSet } from './indicator-set.js';
export type { IndicatorEntry, DgaProvenance, GeneratedName } from './indicator-set.js';
