/**
 * Crash-safe small-file writes: a reader (or the next process after a crash or
 * power loss) sees either the old file or the complete new one, never a torn one.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A rename refused for a moment (Windows: a virus scanner or indexer holding the file) is tried this often. */
const RENAME_RETRIES = 5;
/** Pause between those tries, in ms. */
const RENAME_RETRY_MS = 50;

/** Suffix of the temporary files this module writes; a stale one is safe to delete at startup. */
export const TMP_SUFFIX = '.tmp';

/**
 * Write `data` to `path` atomically and durably: write a temporary file in the
 * same directory, fsync it, rename it over `path`, fsync the directory.
 * On failure the temporary file is removed and the error rethrown (node's own).
 */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}${TMP_SUFFIX}`);
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(data, 'utf8');
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fh.close();
  try {
    await renameWithRetry(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fsyncDir(dirname(path));
}

/** rename, retried a few times on the transient EPERM/EACCES/EBUSY Windows gives while another process holds the target. */
async function renameWithRetry(from: string, to: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (attempt >= RENAME_RETRIES || (code !== 'EPERM' && code !== 'EACCES' && code !== 'EBUSY')) throw e;
      await new Promise((r) => setTimeout(r, RENAME_RETRY_MS));
    }
  }
}

/**
 * fsync a directory so a rename or unlink in it survives power loss. Best
 * effort: platforms that cannot open a directory for sync (Windows) skip it.
 */
export async function fsyncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
  } catch {
    return;
  }
  try {
    await fh.sync();
  } catch {
    // EINVAL/EPERM/EISDIR on file systems and platforms without directory fsync.
  } finally {
    await fh.close();
  }
}
