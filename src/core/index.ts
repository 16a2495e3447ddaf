/** Public surface of `src/core`: byte tables, shared types, worker messages, the error catalog. */
export * from './bytes.js';
export * from './errors.js';
export * from './types.js';
export * from './messages.js';
export { writeFileAtomic, fsyncDir, TMP_SUFFIX } from './atomic-file.js';
