/**
 * JSON lines: one line per hit, exactly the HitRecord fields, every hit (no
 * suppression), to standard output or appended to a file.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { DnshuntError, ErrorCode, type HitRecord } from '../core/index.js';
import { pickHitFields } from './alert-model.js';

/**
 * The JSON line of a hit: `JSON.stringify` of exactly the HitRecord fields in
 * their documented order (extra properties dropped), no trailing newline.
 * JSON escapes control characters, so a hostile query name cannot break the line.
 */
export function hitToJsonLine(hit: HitRecord): string {
  return JSON.stringify(pickHitFields(hit));
}

/** A JSON lines destination. */
export class JsonlSink {
  private readonly out: Writable;
  private readonly owned: boolean;
  private failure: Error | null;

  private constructor(out: Writable, owned: boolean) {
    this.out = out;
    this.owned = owned;
    this.failure = null;
    out.on('error', (e: Error) => {
      this.failure = e;
    });
  }

  /**
   * Open `target`: `-` writes to `stdout` (process.stdout unless given, never
   * closed here); anything else is a file path opened for appending (created
   * with mode 0600 when missing).
   * @throws DnshuntError BAD_CONFIG naming `jsonl` when the file cannot be opened.
   */
  static async open(target: string, stdout: Writable = process.stdout): Promise<JsonlSink> {
    if (target === '-') return new JsonlSink(stdout, false);
    const stream = createWriteStream(target, { flags: 'a', mode: 0o600 });
    try {
      await once(stream, 'open');
    } catch (e) {
      throw new DnshuntError(ErrorCode.BAD_CONFIG, `jsonl: cannot open ${target} for appending (${(e as NodeJS.ErrnoException).code ?? ''})`, e);
    }
    return new JsonlSink(stream, true);
  }

  /**
   * Write one hit as one line. Resolves once the stream has taken it (waiting
   * for 'drain' when its buffer is full, so memory stays bounded).
   * @throws DnshuntError STATE when an earlier write failed (disk full, closed pipe).
   */
  async write(hit: HitRecord): Promise<void> {
    if (this.failure !== null) throw new DnshuntError(ErrorCode.STATE, `jsonl: write failed: ${this.failure.message}`, this.failure);
    if (!this.out.write(hitToJsonLine(hit) + '\n')) await once(this.out, 'drain');
  }

  /** Flush and close a file (standard output is left open). */
  async close(): Promise<void> {
    if (!this.owned) return;
    this.out.end();
    if (!this.out.writableFinished && this.failure === null) {
      await Promise.race([once(this.out, 'finish'), once(this.out, 'error')]).catch(() => undefined);
    }
  }
}
