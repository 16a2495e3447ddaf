/**
 * The durable outbox: one JSON file per message, written before the message is
 * sent and moved aside once the SMTP server has accepted it.
 *
 * ```
 * <stateDir>/outbox/
 *   pending/<id>.json   written (temp + fsync + rename) before the first send attempt
 *   sent/<id>.json      { sentAt, response, message } once accepted; the last `keepSent` are kept
 *   bad/<name>          pending files that could not be read back, kept for inspection
 * ```
 *
 * Marking sent writes `sent/<id>.json` first and then deletes the pending file,
 * so a crash in between leaves both, which the next open reads as sent. A crash
 * between the server's acceptance and the marking leaves only the pending file:
 * the message is sent again with the same Message-ID (at-least-once, recognisable).
 */
import { mkdir, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { DnshuntError, ErrorCode } from '../core/index.js';
import { isAlertMessage, type AlertMessage } from './alert-model.js';
import { fsyncDir, TMP_SUFFIX, writeFileAtomic } from '../core/index.js';

/** A message waiting to be sent, with its in-memory retry bookkeeping (a new process retries at once). */
export interface OutboxEntry {
  readonly message: AlertMessage;
  /** Failed attempts so far in this process. */
  attempts: number;
  /** Injected-clock ms before which this entry is not tried again. */
  nextAttemptAt: number;
}

/** What `sent/<id>.json` holds. */
export interface SentRecord {
  sentAt: number;
  /** The SMTP server's final reply, e.g. `250 OK: queued as …`. */
  response: string;
  /** Recipients the server refused while accepting the message for others. */
  rejected: string[];
  message: AlertMessage;
}

const JSON_EXT = '.json';

/** Durable, crash-safe queue of {@link AlertMessage}s keyed by their id. One process per directory (the state lock sees to it). */
export class Outbox {
  private readonly pendingDir: string;
  private readonly sentDir: string;
  private readonly badDir: string;
  private readonly keepSent: number;
  private readonly entries: Map<string, OutboxEntry>;
  /** Ids in sent/, oldest first. */
  private readonly sentIds: string[];
  private readonly sentSet: Set<string>;

  private constructor(dir: string, keepSent: number) {
    this.pendingDir = join(dir, 'pending');
    this.sentDir = join(dir, 'sent');
    this.badDir = join(dir, 'bad');
    this.keepSent = keepSent;
    this.entries = new Map();
    this.sentIds = [];
    this.sentSet = new Set();
  }

  /**
   * Open (creating) the outbox in `dir` and load what is pending and sent.
   * Unreadable pending files are moved to bad/ and reported through `log`;
   * stale temporary files are deleted.
   * @throws DnshuntError STATE when the directories cannot be created or listed.
   */
  static async open(dir: string, keepSent: number, log: (line: string) => void): Promise<Outbox> {
    const box = new Outbox(dir, keepSent);
    try {
      for (const d of [box.pendingDir, box.sentDir]) await mkdir(d, { recursive: true, mode: 0o700 });
      await box.loadSent();
      await box.loadPending(log);
      await box.pruneSent();
    } catch (e) {
      if (e instanceof DnshuntError) throw e;
      throw new DnshuntError(ErrorCode.STATE, `outbox ${dir}: ${(e as Error).message}`, e);
    }
    return box;
  }

  /** True when a message with this id is pending or among the kept sent ones. */
  knows(id: string): boolean {
    return this.entries.has(id) || this.sentSet.has(id);
  }

  /**
   * Make `message` durable as pending. Resolves true once it is on disk (fsynced);
   * false without writing when the id is already pending or recently sent.
   */
  async put(message: AlertMessage): Promise<boolean> {
    if (this.knows(message.id)) return false;
    await writeFileAtomic(join(this.pendingDir, message.id + JSON_EXT), JSON.stringify(message) + '\n');
    this.entries.set(message.id, { message, attempts: 0, nextAttemptAt: 0 });
    return true;
  }

  /** Pending entries, oldest first (by creation time, then id). */
  pending(): OutboxEntry[] {
    return [...this.entries.values()].sort((a, b) => a.message.createdAt - b.message.createdAt || (a.message.id < b.message.id ? -1 : 1));
  }

  /** Number of pending messages. */
  pendingCount(): number {
    return this.entries.size;
  }

  /** The oldest pending entry whose retry time has come at `now`, or null. */
  nextDue(now: number): OutboxEntry | null {
    let best: OutboxEntry | null = null;
    for (const e of this.entries.values()) {
      if (e.nextAttemptAt > now) continue;
      if (best === null || e.message.createdAt < best.message.createdAt || (e.message.createdAt === best.message.createdAt && e.message.id < best.message.id)) best = e;
    }
    return best;
  }

  /** Record that the server accepted message `id`: write sent/<id>.json, delete the pending file, prune sent/ to `keepSent`. */
  async markSent(id: string, receipt: { sentAt: number; response: string; rejected: string[] }): Promise<void> {
    const entry = this.entries.get(id);
    if (entry === undefined) return;
    const record: SentRecord = { sentAt: receipt.sentAt, response: receipt.response, rejected: receipt.rejected, message: entry.message };
    await writeFileAtomic(join(this.sentDir, id + JSON_EXT), JSON.stringify(record) + '\n');
    this.entries.delete(id);
    this.noteSent(id);
    await unlink(join(this.pendingDir, id + JSON_EXT)).catch(ignoreMissing);
    await fsyncDir(this.pendingDir);
    await this.pruneSent();
  }

  private noteSent(id: string): void {
    if (this.sentSet.has(id)) return;
    this.sentSet.add(id);
    this.sentIds.push(id);
  }

  private async loadSent(): Promise<void> {
    const withTimes: { id: string; mtime: number }[] = [];
    for (const name of await readdir(this.sentDir)) {
      if (name.endsWith(TMP_SUFFIX)) {
        await unlink(join(this.sentDir, name)).catch(ignoreMissing);
        continue;
      }
      if (!name.endsWith(JSON_EXT)) continue;
      const s = await stat(join(this.sentDir, name));
      withTimes.push({ id: name.slice(0, -JSON_EXT.length), mtime: s.mtimeMs });
    }
    withTimes.sort((a, b) => a.mtime - b.mtime || (a.id < b.id ? -1 : 1));
    for (const w of withTimes) this.noteSent(w.id);
  }

  private async loadPending(log: (line: string) => void): Promise<void> {
    for (const name of await readdir(this.pendingDir)) {
      const path = join(this.pendingDir, name);
      if (name.endsWith(TMP_SUFFIX)) {
        // A write that crashed before its rename: the message was never acknowledged as durable.
        await unlink(path).catch(ignoreMissing);
        continue;
      }
      if (!name.endsWith(JSON_EXT)) continue;
      const id = name.slice(0, -JSON_EXT.length);
      if (this.sentSet.has(id)) {
        // Crashed between writing sent/ and deleting pending/: it was sent.
        await unlink(path).catch(ignoreMissing);
        continue;
      }
      let message: unknown;
      try {
        message = JSON.parse(await readFile(path, 'utf8'));
      } catch {
        message = undefined;
      }
      if (!isAlertMessage(message) || message.id !== id) {
        await mkdir(this.badDir, { recursive: true, mode: 0o700 });
        await rename(path, join(this.badDir, name));
        log(`alert outbox: ${name} is not a readable alert; moved to ${this.badDir}`);
        continue;
      }
      this.entries.set(id, { message, attempts: 0, nextAttemptAt: 0 });
    }
  }

  private async pruneSent(): Promise<void> {
    while (this.sentIds.length > this.keepSent) {
      const id = this.sentIds.shift() as string;
      this.sentSet.delete(id);
      await unlink(join(this.sentDir, id + JSON_EXT)).catch(ignoreMissing);
    }
  }
}

function ignoreMissing(e: unknown): void {
  if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
}
