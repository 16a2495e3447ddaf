/**
 * Delivery: takes due messages from the outbox and sends them, one at a time,
 * oldest first, with capped exponential backoff on the injected clock.
 *
 * A failure that concerns the server or the settings (no connection, TLS,
 * authentication, recipients, timeout) pauses all delivery until the backoff
 * passes: every message would fail the same way. A refusal of one message's
 * content (5xx after DATA) backs off that message only, and the next one is tried.
 */
import type { AlertMessage } from './alert-model.js';
import { formatDuration } from './duration.js';
import { headerSafe, renderMail } from './mail-render.js';
import type { Outbox } from './outbox.js';
import { SmtpFailure, type SmtpSink } from './smtp-sink.js';

/** The retry schedule, in ms: the n-th consecutive failure waits min(retryMaxMs, retryBaseMs · 2^(n-1)). */
export interface RetrySchedule {
  retryBaseMs: number;
  retryMaxMs: number;
}

/** Longest exponent of the backoff: 2^30 · base already exceeds any sane cap. */
const MAX_BACKOFF_EXPONENT = 30;

/** The single sender of one outbox. Never sends the same message twice at once; never runs two sends at once. */
export class Delivery {
  private readonly outbox: Outbox;
  private readonly sink: SmtpSink;
  private readonly now: () => number;
  private readonly log: (line: string) => void;
  private readonly schedule: RetrySchedule;
  private readonly aborter: AbortController;
  private running: Promise<void> | null;
  private again: boolean;
  private retryAt: number;
  private failures: number;
  private sent: number;

  /** A sender for `outbox` through `sink`; it does nothing until {@link Delivery.kick}. */
  constructor(outbox: Outbox, sink: SmtpSink, now: () => number, log: (line: string) => void, schedule: RetrySchedule) {
    this.outbox = outbox;
    this.sink = sink;
    this.now = now;
    this.log = log;
    this.schedule = schedule;
    this.aborter = new AbortController();
    this.running = null;
    this.again = false;
    this.retryAt = 0;
    this.failures = 0;
    this.sent = 0;
  }

  /** Start sending what is due, in the background; if a run is going, it looks again when it ends. Never throws. */
  kick(): void {
    if (this.aborter.signal.aborted) return;
    if (this.running !== null) {
      this.again = true;
      return;
    }
    this.running = this.run()
      .catch((e: unknown) => this.log(`alert delivery: ${(e as Error).message}`))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Resolves when no run is going (messages waiting for their backoff do not count). */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  /** Stop for good: the send in flight is aborted (its message stays pending) and kick() does nothing more. */
  abort(): void {
    this.aborter.abort();
  }

  /** Messages the server accepted through this instance. */
  sentCount(): number {
    return this.sent;
  }

  /** Clock ms before which nothing is tried because the server failed, or null. */
  retryTime(): number | null {
    return this.retryAt > 0 ? this.retryAt : null;
  }

  private async run(): Promise<void> {
    const signal = this.aborter.signal;
    for (;;) {
      if (signal.aborted) return;
      const now = this.now();
      if (now < this.retryAt) return;
      const entry = this.outbox.nextDue(now);
      if (entry === null) return;
      const msg = entry.message;
      let receipt;
      try {
        receipt = await this.sink.send({ messageId: msg.messageId, date: new Date(msg.createdAt), kind: msg.kind, content: renderMail(msg) }, signal);
      } catch (e) {
        if (signal.aborted) return;
        const line = e instanceof Error ? e.message : String(e);
        const after = this.now();
        if (e instanceof SmtpFailure && e.permanent) {
          entry.attempts++;
          const delay = this.backoff(entry.attempts);
          entry.nextAttemptAt = after + delay;
          this.log(`${describe(msg)} refused: ${line}; retry in ${formatDuration(delay)}`);
          continue;
        }
        this.failures++;
        const delay = this.backoff(this.failures);
        this.retryAt = after + delay;
        this.log(`${describe(msg)} not sent: ${line}; ${this.outbox.pendingCount()} pending, retry in ${formatDuration(delay)}`);
        return;
      }
      this.failures = 0;
      this.retryAt = 0;
      this.sent++;
      try {
        await this.outbox.markSent(msg.id, { sentAt: this.now(), response: receipt.response, rejected: receipt.rejected });
      } catch (e) {
        // Accepted but not marked: do not send it again in this process; a restart resends it (same Message-ID).
        entry.nextAttemptAt = Number.MAX_SAFE_INTEGER;
        this.log(`${describe(msg)} sent, but marking it sent failed: ${(e as Error).message}`);
        continue;
      }
      const rejected = receipt.rejected.length > 0 ? `; rejected: ${receipt.rejected.join(', ')}` : '';
      this.log(`${describe(msg)} sent to ${receipt.accepted.join(', ')}${rejected} (${receipt.response})`);
    }
  }

  private backoff(failures: number): number {
    const exp = Math.min(failures - 1, MAX_BACKOFF_EXPONENT);
    return Math.min(this.schedule.retryMaxMs, this.schedule.retryBaseMs * 2 ** exp);
  }
}

function describe(msg: AlertMessage): string {
  return msg.kind === 'alert' ? `alert mail ${msg.id} (${headerSafe(msg.hit.client)} ${headerSafe(msg.hit.indicator)})` : `digest mail ${msg.id}`;
}
