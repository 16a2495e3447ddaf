/**
 * Is the file at the followed path still the one the checkpoint's offset
 * belongs to? The rules of docs §10: a different file (inode, device or
 * creation time), a file that shrank, or a file that starts with a different
 * first line (a wrap writes a new `DNS Server log file creation at …` header)
 * all mean "read it again from offset 0".
 */
import type { Checkpoint } from './checkpoint.js';
import type { FileIdentity } from './file-probe.js';

/** Why reading restarts at offset 0. */
export type RestartReason = 'replaced' | 'truncated' | 'new-header';

/** Identity value meaning "the platform does not tell". */
const UNKNOWN = '0';

/** The reason to restart at 0, or null when `now` is the same file, possibly grown. */
export function restartReason(cp: Checkpoint, now: FileIdentity): RestartReason | null {
  if (cp.dev !== now.dev) return 'replaced';
  if (cp.ino !== UNKNOWN && now.ino !== UNKNOWN && cp.ino !== now.ino) return 'replaced';
  if (cp.birthtime !== UNKNOWN && now.birthtime !== UNKNOWN && cp.birthtime !== now.birthtime) return 'replaced';
  // A log only grows; smaller than what was already seen means it was cut and restarted.
  if (now.size < cp.offset || now.size < cp.size) return 'truncated';
  // Compared only once a complete first line was seen; then a missing or different one is a new file.
  if (cp.firstLineHash !== null && now.firstLineHash !== cp.firstLineHash) return 'new-header';
  return null;
}

/** Human words for a restart reason, for the one log line that says it happened. */
export function describeRestart(reason: RestartReason): string {
  switch (reason) {
    case 'replaced':
      return 'was replaced by a new file';
    case 'truncated':
      return 'was truncated (wrapped at its size limit or restarted)';
    case 'new-header':
      return 'starts with a new header (wrapped or restarted)';
  }
}
