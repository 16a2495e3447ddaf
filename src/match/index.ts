/** Public surface of `src/match`: build, compile and query the reversed-label matcher. No I/O. */
export { CompiledMatcher, INDICATOR_ROOT, MATCHER_VERSION, SUFFIX_ROOT } from './compiled-matcher.js';
export { buildMatcher, domainListOf } from './build-matcher.js';
export type { DomainList } from './build-matcher.js';
export { NameMatcher, NameMatch } from './name-matcher.js';
export { PublicLabelMemo, isPublicTopLabel } from './public-suffix.js';
export { labelHash } from './label-hash.js';
export { psl } from './psl.js';
