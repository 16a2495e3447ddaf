/**
 * One follower per log and state directory. Two tails of the same file with
 * the same checkpoint (a scheduled `--once` that overlaps the previous run, a
 * service and a task) would both process the same lines and race on the
 * checkpoint; the second is refused instead.
 *
 * ```
 * <stateDir>/tail-<hash>.lock   { pid, hostname, startedAt }   created with O_EXCL
 * ```
 * A lock whose process no longer runs on this host is stale and taken over.
 */
import { hostname } from 'node:os';
import { open, readFile, unlink } from 'node:fs/promises';
import { DnshuntError, ErrorCode } from '../core/index.js';

/** What a lock file holds. */
interface LockOwner {
  pid: number;
  hostname: string;
  startedAt: string;
}

/** A held lock; {@link TailLock.release} removes it. */
export class TailLock {
  private released = false;
  private constructor(readonly file: string) {}

  /**
   * Take the lock `file` (a path next to the checkpoint).
   * @throws DnshuntError STATE when a live process holds it, or the state directory is unusable.
   */
  static async acquire(file: string, what: string): Promise<TailLock> {
    const me: LockOwner = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString() };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fh = await open(file, 'wx', 0o600);
        try {
          await fh.writeFile(`${JSON.stringify(me)}\n`, 'utf8');
        } finally {
          await fh.close();
        }
        return new TailLock(file);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST') throw new DnshuntError(ErrorCode.STATE, `state directory: cannot create ${file} (${code ?? (e as Error).message})`, e);
      }
      const owner = await readOwner(file);
      if (owner !== null && isAlive(owner)) {
        throw new DnshuntError(
          ErrorCode.STATE,
          `${what} is already followed by process ${owner.pid} on ${owner.hostname} (since ${owner.startedAt}); stop it, or give this one another --state-dir`,
        );
      }
      // Stale (its process is gone) or unreadable (torn by a crash mid-write): take it over.
      await unlink(file).catch(() => undefined);
    }
    throw new DnshuntError(ErrorCode.STATE, `state directory: ${file} keeps reappearing; another process is taking it`);
  }

  /** Remove the lock file (idempotent). */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await unlink(this.file).catch(() => undefined);
  }
}

async function readOwner(file: string): Promise<LockOwner | null> {
  try {
    const v = JSON.parse(await readFile(file, 'utf8')) as Partial<LockOwner>;
    if (typeof v.pid === 'number' && typeof v.hostname === 'string' && typeof v.startedAt === 'string') return v as LockOwner;
  } catch {
    // missing or torn
  }
  return null;
}

function isAlive(owner: LockOwner): boolean {
  // Another host sharing the directory (a network share) cannot be checked: assume it runs.
  if (owner.hostname !== hostname()) return true;
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
