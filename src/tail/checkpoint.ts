/**
 * The tail checkpoint: which file (identity) and how far (offset, line count)
 * a follower has processed. One small JSON file per followed log in the state
 * directory, rewritten atomically after every processed batch and on exit, so
 * a restart resumes exactly where the last durable batch ended.
 *
 * ```
 * <stateDir>/tail-<sha256(path)[0..16]>.json
 *   { version: 1, path, dev, ino, birthtime, size, offset, firstLineHash, lineNo, savedAt }
 * ```
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { DnshuntError, ErrorCode, writeFileAtomic } from '../core/index.js';

/** Checkpoint file format version; a file with another version is refused, not guessed at. */
export const CHECKPOINT_VERSION = 1;
/** Hex digits of the path hash in the checkpoint file name: enough to never collide in one state dir. */
const NAME_HASH_HEX = 16;

/**
 * Where a follower stands in one log file. Identity fields are decimal strings
 * because inode numbers (and Windows file ids) exceed 2^53.
 */
export interface Checkpoint {
  /** The followed path as given (absolute). */
  path: string;
  /** Device (volume serial on Windows) of the file the offset belongs to. */
  dev: string;
  /** Inode (NTFS file id on Windows). */
  ino: string;
  /** Creation time in ns where the platform keeps a reliable one (Windows, macOS), else "0" (unknown). */
  birthtime: string;
  /** File size when last looked at; a smaller size later means the file was truncated. */
  size: number;
  /** Byte offset of the first line not yet processed: always 0 or right after an LF. */
  offset: number;
  /** Fingerprint of the file's first line (see file-probe.ts); null while no complete first line was seen. */
  firstLineHash: string | null;
  /** Lines before `offset`: a hit's absolute line is lineNo + its line in the batch. */
  lineNo: number;
}

/** Path of the checkpoint file for `logPath` in `stateDir` (case-folded on Windows, where paths are). */
export function checkpointPathFor(stateDir: string, logPath: string): string {
  const abs = resolve(logPath);
  const key = process.platform === 'win32' ? abs.toLowerCase() : abs;
  const hash = createHash('sha256').update(key).digest('hex').slice(0, NAME_HASH_HEX);
  return join(stateDir, `tail-${hash}.json`);
}

/**
 * Read a checkpoint; null when there is none (a first run).
 * @throws DnshuntError STATE when the file exists but is unreadable or not a valid checkpoint:
 *   guessing would either skip lines or alert them twice.
 */
export async function loadCheckpoint(file: string): Promise<Checkpoint | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new DnshuntError(ErrorCode.STATE, `tail checkpoint ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, e);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new DnshuntError(ErrorCode.STATE, `tail checkpoint ${file}: not JSON (delete it to start again, see --from-start/--from-end)`, e);
  }
  const cp = parseCheckpoint(v);
  if (cp === null) throw new DnshuntError(ErrorCode.STATE, `tail checkpoint ${file}: not a version ${CHECKPOINT_VERSION} checkpoint (delete it to start again)`);
  return cp;
}

function isDecimal(v: unknown): v is string {
  return typeof v === 'string' && /^\d+$/.test(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Validate a parsed checkpoint document; null when any field is missing or malformed. */
export function parseCheckpoint(v: unknown): Checkpoint | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (o['version'] !== CHECKPOINT_VERSION) return null;
  const { path, dev, ino, birthtime, size, offset, firstLineHash, lineNo } = o;
  if (typeof path !== 'string' || !isDecimal(dev) || !isDecimal(ino) || !isDecimal(birthtime)) return null;
  if (!isCount(size) || !isCount(offset) || !isCount(lineNo)) return null;
  if (firstLineHash !== null && (typeof firstLineHash !== 'string' || !/^[0-9a-f]+$/.test(firstLineHash))) return null;
  return { path, dev, ino, birthtime, size, offset, firstLineHash, lineNo };
}

/**
 * Save `cp` atomically and durably: temporary file in the same directory,
 * fsync, rename over the old one, fsync the directory. A crash leaves either
 * the old checkpoint or the new one, never a torn file.
 * @throws DnshuntError STATE when the state directory cannot be written.
 */
export async function saveCheckpoint(file: string, cp: Checkpoint, now: number = Date.now()): Promise<void> {
  const doc = `${JSON.stringify({ version: CHECKPOINT_VERSION, ...cp, savedAt: new Date(now).toISOString() }, null, 2)}\n`;
  try {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    await writeFileAtomic(file, doc);
  } catch (e) {
    throw new DnshuntError(ErrorCode.STATE, `tail checkpoint ${file}: cannot write it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, e);
  }
}
