/** Public surface of `src/tail`: follow a growing log across wraps and restarts, with durable checkpoints. */
export { Tailer, MAX_BATCH_BYTES, TAIL_LOOKAHEAD_BYTES } from './tailer.js';
export type { StartAt, TailLogger, TailBatch, TailSink, TailerOptions, PollOutcome, TailStats, RunOptions } from './tailer.js';
export { RollingPool, RECOMPILE_RETRY_MS } from './rolling-pool.js';
export type { TailEngine, CompiledIndicators, RollingPoolOptions, MatcherImage } from './rolling-pool.js';
export { checkpointPathFor, loadCheckpoint, saveCheckpoint, parseCheckpoint, CHECKPOINT_VERSION } from './checkpoint.js';
export type { Checkpoint } from './checkpoint.js';
export { LogHandle, fingerprintOf, FINGERPRINT_BYTES, PROBE_WINDOW_BYTES } from './file-probe.js';
export type { FileIdentity, BatchTimes } from './file-probe.js';
export { restartReason, describeRestart } from './identity.js';
export type { RestartReason } from './identity.js';
export { DateWindow, compareDates, shiftDate, formatDate, ROLL_AHEAD_DAYS } from './date-window.js';
export type { DateRange } from './date-window.js';
export { TailLock } from './tail-lock.js';
