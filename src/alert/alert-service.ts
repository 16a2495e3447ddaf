/**
 * The facade the tailer drives: hits in, JSON lines and mails out.
 *
 * ```
 * onHit(hit) ─► jsonl sink (every hit)
 *            └► suppressor ─► alert ─► journal (fdatasync) ─► outbox/pending (fsync) ─► snapshot
 *                          └► folded ─► journal (appended)          │
 * tick()  ───► suppressor: digest due? ─► journal ─► outbox ─────────┤
 *                                                                   ▼
 *                                   delivery (one at a time, oldest first, backoff) ─► SMTP ─► outbox/sent
 * ```
 *
 * Every state change goes through one serial queue, so concurrent callers
 * cannot interleave a decision with its journal record. Delivery runs in the
 * background and never blocks onHit/tick; `idle()` waits for it.
 */
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { DnshuntError, ErrorCode, type HitRecord } from '../core/index.js';
import type { AlertConfig } from './alert-config.js';
import { alertIdFor, digestIdFor, messageIdFor, pickHitFields, type DigestAlert, type ImmediateAlert } from './alert-model.js';
import { JsonlSink } from './jsonl-sink.js';
import { headerSafe } from './mail-render.js';
import { Outbox } from './outbox.js';
import { SmtpSink } from './smtp-sink.js';
import { Delivery } from './delivery.js';
import { StateStore, type JournalRecord } from './state-store.js';
import { DEFAULT_SUPPRESSOR_LIMITS, Suppressor, type DigestDraft, type SuppressorLimits } from './suppressor.js';

/** Tuning that is not a user setting: memory bounds, retry schedule, housekeeping. All durations in ms. */
export interface AlertLimits extends SuppressorLimits {
  /** Sent messages kept in outbox/sent for inspection. */
  keepSent: number;
  /** First retry delay after a failed send; doubles per failure. */
  retryBaseMs: number;
  /** Longest retry delay. */
  retryMaxMs: number;
  /** Longest wait for a reverse-DNS answer before mailing without a host name. */
  resolveTimeoutMs: number;
  /** Journal records after which tick() rewrites the snapshot. */
  compactAfterRecords: number;
}

/** Defaults: 10,000 windows, 1,000 digest rows, keep 100 sent, retry 30 s doubling up to 30 min, 2 s reverse DNS, compact every 10,000 records. */
export const DEFAULT_ALERT_LIMITS: Readonly<AlertLimits> = {
  ...DEFAULT_SUPPRESSOR_LIMITS,
  keepSent: 100,
  retryBaseMs: 30_000,
  retryMaxMs: 30 * 60_000,
  resolveTimeoutMs: 2_000,
  compactAfterRecords: 10_000,
};

/** What the service needs from its caller. */
export interface AlertDeps {
  /** The clock (ms since the epoch): every suppression and retry decision reads it, nothing else. */
  now: () => number;
  /** Reverse DNS for immediate alerts; null or a rejection means "no name". Bounded by `limits.resolveTimeoutMs`. */
  resolveHost?: (ip: string) => Promise<string | null>;
  /** One line per event (queued, sent, failed, retry); never given the password. Default: standard error. */
  log?: (line: string) => void;
  /** Where `smtpPassEnv` is looked up (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Where `jsonl: '-'` writes (default process.stdout). */
  stdout?: Writable;
  limits?: Partial<AlertLimits>;
}

/** A point-in-time view for logs and tests. */
export interface AlertStats {
  /** Messages in the outbox waiting to be sent. */
  pending: number;
  /** Messages the SMTP server accepted in this process. */
  sent: number;
  /** Hits folded since the last digest. */
  folded: number;
  /** Open suppression windows. */
  tracked: number;
  /** Clock ms when the next digest is due, or null. */
  nextDigestAt: number | null;
  /** Clock ms before which no send is tried (SMTP failing), or null. */
  retryAt: number | null;
}

/** The outcome of {@link AlertService.close}. */
export interface CloseResult {
  /** True when delivery finished before the timeout (nothing was in flight or it completed). */
  drained: boolean;
  /** Messages left in the outbox for the next process. */
  pending: number;
}

/** Default drain timeout of close(), ms. */
const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;
/** After aborting a send on close, how long to wait for it to unwind, ms. */
const ABORT_GRACE_MS = 1_000;
/** Longest reverse-DNS name kept (the DNS limit). */
const MAX_HOST_NAME = 253;

interface MailParts {
  sink: SmtpSink;
  store: StateStore;
  outbox: Outbox;
  suppressor: Suppressor;
}

/**
 * Alerting for one run of the tailer. Create with {@link AlertService.open};
 * feed every hit to {@link AlertService.onHit}; call {@link AlertService.tick}
 * every poll; finish with {@link AlertService.close}.
 *
 * Guarantees: one mail per alert and per digest; an alert is durable before
 * onHit resolves and survives restarts and crashes until the server accepts
 * it; a crash between the server's acceptance and the outbox marking it sent
 * resends it once with the same Message-ID (at-least-once, recognisable).
 * One service per state directory (a lock file enforces it). The journal of
 * an unclean stop is replayed with the settings of the new run.
 */
export class AlertService {
  private readonly config: AlertConfig;
  private readonly now: () => number;
  private readonly resolveHost: ((ip: string) => Promise<string | null>) | null;
  private readonly log: (line: string) => void;
  private readonly limits: AlertLimits;
  private readonly jsonl: JsonlSink | null;
  private readonly mail: MailParts | null;
  private serial: Promise<void>;
  private closing: boolean;
  private readonly delivery: Delivery | null;
  private broken: Error | null;
  private closed: Promise<CloseResult> | null;

  private constructor(config: AlertConfig, deps: AlertDeps, limits: AlertLimits, jsonl: JsonlSink | null, mail: MailParts | null) {
    this.config = config;
    this.now = deps.now;
    this.resolveHost = deps.resolveHost ?? null;
    this.log = deps.log ?? stderrLog;
    this.limits = limits;
    this.jsonl = jsonl;
    this.mail = mail;
    this.serial = Promise.resolve();
    this.closing = false;
    this.delivery = mail === null ? null : new Delivery(mail.outbox, mail.sink, this.now, this.log, limits);
    this.broken = null;
    this.closed = null;
  }

  /**
   * Open the sinks for a validated config. With `smtpHost`: read the password,
   * lock `stateDir`, load the outbox and the suppression state, replay the
   * journal of an unclean stop (alerts it implies are queued if they are not
   * already), and start delivering what is pending.
   * @throws DnshuntError BAD_CONFIG (password or CA unreadable, jsonl unopenable),
   *   STATE (state dir unusable or in use by another process).
   */
  static async open(config: AlertConfig, deps: AlertDeps): Promise<AlertService> {
    const limits: AlertLimits = { ...DEFAULT_ALERT_LIMITS, ...deps.limits };
    let mail: MailParts | null = null;
    let replay: JournalRecord[] = [];
    if (config.smtpHost !== null) {
      if (config.stateDir === null) throw new DnshuntError(ErrorCode.BAD_CONFIG, 'stateDir: required when smtpHost is set');
      const sink = await SmtpSink.create(config, deps.env);
      const { store, recovered } = await StateStore.open(config.stateDir);
      try {
        const outbox = await Outbox.open(join(config.stateDir, 'outbox'), limits.keepSent, deps.log ?? stderrLog);
        const suppressor = new Suppressor(
          { ...limits, suppressMs: config.suppressMs, digestMs: config.digestMs, maxMailsPerHour: config.maxMailsPerHour, alertKey: config.alertKey },
          recovered.snapshot ?? undefined,
        );
        mail = { sink, store, outbox, suppressor };
        replay = recovered.journal;
        if (recovered.badLines > 0) (deps.log ?? stderrLog)(`alert state: ${recovered.badLines} unreadable journal line(s) skipped`);
      } catch (e) {
        await store.close();
        sink.close();
        throw e;
      }
    }
    let jsonl: JsonlSink | null = null;
    try {
      if (config.jsonl !== null) jsonl = await JsonlSink.open(config.jsonl, deps.stdout);
    } catch (e) {
      if (mail !== null) {
        await mail.store.close();
        mail.sink.close();
      }
      throw e;
    }
    const service = new AlertService(config, deps, limits, jsonl, mail);
    if (mail !== null) {
      try {
        await service.recover(mail, replay);
      } catch (e) {
        await mail.store.close();
        mail.sink.close();
        await jsonl?.close();
        throw e;
      }
      service.delivery?.kick();
    }
    return service;
  }

  /**
   * Handle one matching query. Writes its JSON line (every hit), then decides:
   * an immediate alert is in the outbox on stable storage before this resolves
   * and its delivery starts in the background; a folded hit is counted for the
   * digest (journaled: it survives a crash of the process). Calls are applied
   * in call order even when not awaited one by one.
   * @throws DnshuntError STATE after close() or when the state cannot be written.
   */
  onHit(hit: HitRecord): Promise<void> {
    return this.enqueue(async () => {
      if (this.jsonl !== null) await this.jsonl.write(hit);
      const m = this.mail;
      if (m === null) return;
      const now = this.now();
      const record = pickHitFields(hit);
      const decision = m.suppressor.offer(record, now);
      await this.durable(() => m.store.append({ t: 'hit', now, hit: record }, decision.kind === 'alert'));
      if (decision.kind === 'alert') {
        await this.queueAlert(m, record, now);
        await this.durable(() => m.store.compact(m.suppressor.snapshot(), now));
        this.delivery?.kick();
      }
    });
  }

  /**
   * Housekeeping, to call every poll: queue the digest when it is due, compact
   * the journal when it is long, and retry outbox messages whose backoff has
   * passed. Resolves when the state is durable; sending goes on in the background.
   * @throws DnshuntError STATE after close() or when the state cannot be written.
   */
  tick(): Promise<void> {
    return this.enqueue(async () => {
      const m = this.mail;
      if (m === null) return;
      const now = this.now();
      const draft = m.suppressor.takeDigest(now);
      if (draft !== null) {
        await this.durable(() => m.store.append({ t: 'digest', now }, true));
        await this.queueDigest(m, draft, now);
        await this.durable(() => m.store.compact(m.suppressor.snapshot(), now));
      } else if (m.store.journalLength() >= this.limits.compactAfterRecords) {
        await this.durable(() => m.store.compact(m.suppressor.snapshot(), now));
      }
      this.delivery?.kick();
    });
  }

  /** Resolves when queued calls are applied and no delivery is running (a blocked or backed-off outbox counts as idle). */
  async idle(): Promise<void> {
    await this.serial.catch(() => undefined);
    await this.delivery?.idle();
  }

  /** Counters for logs and tests. */
  stats(): AlertStats {
    const m = this.mail;
    return {
      pending: m?.outbox.pendingCount() ?? 0,
      sent: this.delivery?.sentCount() ?? 0,
      folded: m?.suppressor.foldedCount() ?? 0,
      tracked: m?.suppressor.trackedCount() ?? 0,
      nextDigestAt: m?.suppressor.nextDigestAt() ?? null,
      retryAt: this.delivery?.retryTime() ?? null,
    };
  }

  /**
   * Stop: refuse further calls, let delivery finish what is due for up to
   * `timeoutMs` (default 5000), then abort the send in flight (it stays pending),
   * write the final snapshot, close the files and release the state directory.
   * Idempotent: every call returns the first call's result.
   */
  close(opts: { timeoutMs?: number } = {}): Promise<CloseResult> {
    this.closed ??= this.shutdown(opts.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS);
    return this.closed;
  }

  private async shutdown(timeoutMs: number): Promise<CloseResult> {
    this.closing = true;
    await this.serial.catch(() => undefined);
    const drained = await waitFor(this.idle(), timeoutMs);
    if (!drained) {
      this.delivery?.abort();
      await waitFor(this.idle(), ABORT_GRACE_MS);
    }
    const m = this.mail;
    try {
      if (m !== null) {
        await m.store.compact(m.suppressor.snapshot(), this.now()).catch((e: unknown) => this.log(`alert state: final snapshot failed: ${(e as Error).message}`));
        await m.store.close();
        m.sink.close();
      }
    } finally {
      await this.jsonl?.close();
    }
    return { drained, pending: m?.outbox.pendingCount() ?? 0 };
  }

  /** Replay the journal of an unclean stop, then start a fresh snapshot generation. */
  private async recover(m: MailParts, journal: readonly JournalRecord[]): Promise<void> {
    for (const rec of journal) {
      if (rec.t === 'hit') {
        if (m.suppressor.offer(rec.hit, rec.now).kind === 'alert') await this.queueAlert(m, rec.hit, rec.now);
      } else {
        const draft = m.suppressor.takeDigest(rec.now);
        if (draft !== null) await this.queueDigest(m, draft, rec.now);
      }
    }
    if (journal.length > 0) this.log(`alert state: replayed ${journal.length} journal record(s) of an unclean stop`);
    await this.durable(() => m.store.compact(m.suppressor.snapshot(), this.now()));
  }

  private async queueAlert(m: MailParts, hit: HitRecord, now: number): Promise<void> {
    const id = alertIdFor(this.config.alertKey, hit);
    if (m.outbox.knows(id)) {
      this.log(`alert ${id} (${headerSafe(hit.client)} ${headerSafe(hit.indicator)}) is already in the outbox; not queued twice`);
      return;
    }
    const alert: ImmediateAlert = {
      kind: 'alert',
      id,
      messageId: messageIdFor(id, this.config.mailFrom),
      createdAt: now,
      hit,
      hostName: await this.reverse(hit.client),
      alertKey: this.config.alertKey,
      suppressMs: this.config.suppressMs,
      digestMs: this.config.digestMs,
    };
    await this.durable(() => m.outbox.put(alert));
    this.log(`alert queued: ${headerSafe(hit.client)} looked up ${headerSafe(hit.indicator)} (${id})`);
  }

  private async queueDigest(m: MailParts, draft: DigestDraft, now: number): Promise<void> {
    const id = digestIdFor(draft.periodStart, draft.rows);
    if (m.outbox.knows(id)) return;
    const digest: DigestAlert = {
      kind: 'digest',
      id,
      messageId: messageIdFor(id, this.config.mailFrom),
      createdAt: now,
      periodStart: draft.periodStart,
      rows: draft.rows,
      overflowHits: draft.overflowHits,
    };
    await this.durable(() => m.outbox.put(digest));
    this.log(`digest queued: ${draft.rows.length} row(s) (${id})`);
  }

  private async reverse(ip: string): Promise<string | null> {
    const resolve = this.resolveHost;
    if (resolve === null) return null;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((r) => {
      timer = setTimeout(() => r(null), this.limits.resolveTimeoutMs);
    });
    try {
      const name = await Promise.race([resolve(ip).catch(() => null), timeout]);
      return typeof name === 'string' && name !== '' ? name.slice(0, MAX_HOST_NAME) : null;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Run `op` after every earlier call. A failure leaves memory and disk possibly
   * out of step (a decision made, its outbox entry not written), so it breaks
   * the service: every later call rejects with the same error, and the next
   * process recovers from the journal.
   */
  private enqueue(op: () => Promise<void>): Promise<void> {
    if (this.closing) return Promise.reject(new DnshuntError(ErrorCode.STATE, 'alerts: already closed'));
    const run = this.serial.then(() => {
      if (this.broken !== null) throw this.broken;
      return op();
    });
    this.serial = run.catch((e: unknown) => {
      this.broken ??= e instanceof Error ? e : new Error(String(e));
    });
    return run;
  }

  /** Run a state write; node I/O errors become DnshuntError STATE naming the state dir. */
  private async durable<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (e) {
      if (e instanceof DnshuntError) throw e;
      throw new DnshuntError(ErrorCode.STATE, `stateDir ${this.config.stateDir ?? ''}: ${(e as Error).message}`, e);
    }
  }
}

function stderrLog(line: string): void {
  process.stderr.write(`dnshunt: ${line}\n`);
}

/** Resolve true when `p` settles within `ms` real milliseconds, false otherwise. */
async function waitFor(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((r) => {
    timer = setTimeout(() => r(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
