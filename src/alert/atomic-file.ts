/**
 * Crash-safe small-file writes: a reader (or the next process after a crash or
 * power loss) sees either the old file or the complete new one, never a torn one.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

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
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fsyncDir(dirname(path));
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
