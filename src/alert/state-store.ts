/**
 * Durable suppression state: a snapshot plus a journal of what happened since,
 * and the lock that keeps a second process off the same state directory.
 *
 * ```
 * <stateDir>/
 *   alert.lock             { pid, hostname, startedAt } of the process using the directory
 *   alert-state.json       { version, generation: g, savedAt, suppressor }   (atomic rewrite)
 *   alert-journal-<g>.jsonl one record per line, appended after snapshot g was written
 * ```
 *
 * Recovery = restore snapshot g, then replay alert-journal-<g> through the same
 * pure suppressor (every record carries the clock value it was decided at).
 * Compaction writes snapshot g+1 first, then starts journal g+1, then deletes
 * journal g: a crash at any point leaves a snapshot whose own journal is
 * either complete or absent, so no record is applied twice or lost.
 * A torn last journal line (a crash mid-append) is ignored.
 */
import { hostname } from 'node:os';
import { mkdir, open, readdir, readFile, realpath, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { DnshuntError, ErrorCode, type HitRecord } from '../core/index.js';
import { isHitRecord } from './alert-model.js';
import { writeFileAtomic } from '../core/index.js';
import { parseSuppressorState, type SuppressorState } from './suppressor.js';

/** One journal line: a hit offered to the suppressor, or a digest taken out of it, at clock time `now`. */
export type JournalRecord = { t: 'hit'; now: number; hit: HitRecord } | { t: 'digest'; now: number };

/** What a state directory held when it was opened. */
export interface RecoveredState {
  /** The last snapshot, or null for a fresh directory. */
  snapshot: SuppressorState | null;
  /** Records to replay on top of the snapshot, in order. */
  journal: JournalRecord[];
  /** Journal lines that could not be read (a torn tail is not counted). */
  badLines: number;
}

const LOCK_FILE = 'alert.lock';
const SNAPSHOT_FILE = 'alert-state.json';
const JOURNAL_RE = /^alert-journal-(\d+)\.jsonl$/;

/** State directories held by this process (real paths), so a second open in the same process is refused too. */
const HELD = new Set<string>();

/** The snapshot + journal pair of one state directory, held under its lock. */
export class StateStore {
  private readonly dir: string;
  private readonly realDir: string;
  private generation: number;
  private journal: FileHandle | null;
  /** Records in the current journal. */
  private journalRecords: number;

  private constructor(dir: string, realDir: string, generation: number) {
    this.dir = dir;
    this.realDir = realDir;
    this.generation = generation;
    this.journal = null;
    this.journalRecords = 0;
  }

  /**
   * Create `dir` if needed, take its lock and read what it holds. The caller
   * replays the journal and then calls {@link StateStore.compact} before appending.
   * @throws DnshuntError STATE when the directory is unusable, locked by a live
   *   process (or already open in this one), or the snapshot is not readable.
   */
  static async open(dir: string): Promise<{ store: StateStore; recovered: RecoveredState }> {
    let realDir: string;
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      realDir = await realpath(dir);
    } catch (e) {
      throw new DnshuntError(ErrorCode.STATE, `stateDir ${dir}: cannot create or open it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, e);
    }
    await takeLock(dir, realDir);
    try {
      const { generation, snapshot } = await readSnapshot(dir);
      const store = new StateStore(dir, realDir, generation);
      const { journal, badLines } = await readJournal(join(dir, journalName(generation)));
      return { store, recovered: { snapshot, journal, badLines } };
    } catch (e) {
      await releaseLock(dir, realDir);
      throw e;
    }
  }

  /** Records appended since the last compaction. */
  journalLength(): number {
    return this.journalRecords;
  }

  /**
   * Append one record. With `durable` the call resolves after the record is
   * on stable storage (fdatasync); without it, after the OS has it (it survives
   * a crash of this process, not a power cut).
   */
  async append(record: JournalRecord, durable: boolean): Promise<void> {
    if (this.journal === null) throw new DnshuntError(ErrorCode.INTERNAL, 'alert state: append before compact');
    await this.journal.write(JSON.stringify(record) + '\n');
    this.journalRecords++;
    if (durable) await this.journal.datasync();
  }

  /** Write `state` as the next snapshot generation, start its empty journal and delete older journals. */
  async compact(state: SuppressorState, savedAt: number): Promise<void> {
    const next = this.generation + 1;
    await writeFileAtomic(join(this.dir, SNAPSHOT_FILE), JSON.stringify({ version: 1, generation: next, savedAt, suppressor: state }) + '\n');
    const old = this.journal;
    this.journal = await open(join(this.dir, journalName(next)), 'w', 0o600);
    this.generation = next;
    this.journalRecords = 0;
    if (old !== null) await old.close();
    for (const name of await readdir(this.dir)) {
      const m = JOURNAL_RE.exec(name);
      if (m !== null && Number(m[1]) !== next) await unlink(join(this.dir, name)).catch(() => undefined);
    }
  }

  /** Close the journal and release the lock. The caller compacts first if it wants a fresh snapshot. */
  async close(): Promise<void> {
    const j = this.journal;
    this.journal = null;
    if (j !== null) await j.close();
    await releaseLock(this.dir, this.realDir);
  }
}

function journalName(generation: number): string {
  return `alert-journal-${generation}.jsonl`;
}

async function readSnapshot(dir: string): Promise<{ generation: number; snapshot: SuppressorState | null }> {
  const path = join(dir, SNAPSHOT_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { generation: 0, snapshot: null };
    throw new DnshuntError(ErrorCode.STATE, `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? ''})`, e);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new DnshuntError(ErrorCode.STATE, `${path}: not valid JSON; move it away to start afresh`, e);
  }
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  const generation = o['generation'];
  if (o['version'] !== 1 || typeof generation !== 'number' || !Number.isInteger(generation) || generation < 0) {
    throw new DnshuntError(ErrorCode.STATE, `${path}: not a dnshunt alert state; move it away to start afresh`);
  }
  return { generation, snapshot: parseSuppressorState(o['suppressor'], path) };
}

async function readJournal(path: string): Promise<{ journal: JournalRecord[]; badLines: number }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { journal: [], badLines: 0 };
    throw new DnshuntError(ErrorCode.STATE, `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? ''})`, e);
  }
  const lines = text.split('\n');
  // The part after the last newline is a torn append (or empty): never a whole record.
  lines.pop();
  const journal: JournalRecord[] = [];
  let badLines = 0;
  for (const line of lines) {
    const rec = parseRecord(line);
    if (rec === null) badLines++;
    else journal.push(rec);
  }
  return { journal, badLines };
}

function parseRecord(line: string): JournalRecord | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const r = v as Record<string, unknown>;
  if (typeof r['now'] !== 'number') return null;
  if (r['t'] === 'digest') return { t: 'digest', now: r['now'] };
  if (r['t'] === 'hit' && isHitRecord(r['hit'])) return { t: 'hit', now: r['now'], hit: r['hit'] };
  return null;
}

async function takeLock(dir: string, realDir: string): Promise<void> {
  const path = join(dir, LOCK_FILE);
  if (HELD.has(realDir)) throw new DnshuntError(ErrorCode.STATE, `stateDir ${dir}: already in use by this process`);
  const mine = JSON.stringify({ pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString() }) + '\n';
  try {
    const fh = await open(path, 'wx', 0o600);
    await fh.writeFile(mine);
    await fh.close();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new DnshuntError(ErrorCode.STATE, `stateDir ${dir}: cannot create ${LOCK_FILE} (${(e as NodeJS.ErrnoException).code ?? ''})`, e);
    }
    const owner = await readLockOwner(path);
    if (owner !== null && owner.hostname !== hostname()) {
      // Shared storage: liveness of a process on another host cannot be checked.
      throw new DnshuntError(ErrorCode.STATE, `stateDir ${dir}: in use by process ${owner.pid} on ${owner.hostname}; stop it first (or remove ${path} if it is gone)`);
    }
    if (owner !== null && owner.pid !== process.pid && processAlive(owner.pid)) {
      throw new DnshuntError(ErrorCode.STATE, `stateDir ${dir}: in use by process ${owner.pid}; stop it first (or remove ${path} if it is gone)`);
    }
    // Stale: its process is gone (or it is ours from an instance that was never closed).
    await writeFileAtomic(path, mine);
  }
  HELD.add(realDir);
}

async function releaseLock(dir: string, realDir: string): Promise<void> {
  HELD.delete(realDir);
  await unlink(join(dir, LOCK_FILE)).catch(() => undefined);
}

async function readLockOwner(path: string): Promise<{ pid: number; hostname: string } | null> {
  try {
    const v = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    if (typeof v['pid'] === 'number' && typeof v['hostname'] === 'string') return { pid: v['pid'], hostname: v['hostname'] };
  } catch {
    // Unreadable lock: treat as stale.
  }
  return null;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
