/**
 * Suppression: which hits become an immediate mail and which are folded into
 * the next digest. Pure logic: the clock is a parameter of every call, there
 * is no I/O, and the whole state is a JSON-safe snapshot that restores exactly.
 *
 * Rules (per alert key: client+indicator, or client with `alertKey: 'client'`):
 * 1. The first hit of a key is alerted at once and opens a fixed window of
 *    `suppressMs` from that moment; hits of the key inside the window are folded.
 *    The first hit at or after the window's end is alerted again (a reminder
 *    that the machine is still beaconing) and opens a new window.
 * 2. At most `maxMailsPerHour` immediate alerts in any sliding hour. A new key
 *    past the cap is folded (reason `cap`) and its window opens anyway, so it
 *    does not produce a late mail of its own inside the window.
 * 3. Bounded memory: at most `maxTrackedKeys` open windows. A new key when the
 *    table is full of open windows is folded (reason `untracked`) and not
 *    tracked; at most `maxDigestRows` digest rows, further folded hits are only
 *    counted (`overflowHits`). Digest mails are not counted against the cap.
 * 4. The digest is due `digestMs` after the first hit folded into it; a digest
 *    is never empty. Counting: a folded hit is counted once in one digest; the
 *    alerted hit is not counted in any digest, so for one key
 *    alerts + digest counts = hits (10,000 hits of one key in one window give
 *    one alert and a digest row with count 9,999).
 */
import { DnshuntError, ErrorCode } from '../core/index.js';
import type { AlertKeyMode } from './alert-config.js';
import { isDigestRow, type DigestRow, type FoldReason } from './alert-model.js';

/** Sliding window of the mail cap, in ms. */
const HOUR_MS = 3_600_000;

/** Limits on memory, independent of the user's alert settings. */
export interface SuppressorLimits {
  /** Most alert keys with an open suppression window held at once. */
  maxTrackedKeys: number;
  /** Most (client, indicator) rows in one digest. */
  maxDigestRows: number;
}

/** Default memory limits: 10,000 open windows (≈ 2 MB of state) and 1,000 digest rows (a readable mail). */
export const DEFAULT_SUPPRESSOR_LIMITS: Readonly<SuppressorLimits> = { maxTrackedKeys: 10_000, maxDigestRows: 1_000 };

/** Everything the suppressor decides by. Durations in ms. */
export interface SuppressorSettings extends SuppressorLimits {
  suppressMs: number;
  digestMs: number;
  maxMailsPerHour: number;
  alertKey: AlertKeyMode;
}

/** The part of a hit suppression looks at. */
export interface SuppressorHit {
  client: string;
  indicator: string;
  /** The hit's logged time, only used for the digest's first/last columns. */
  time: string;
}

/** What to do with one hit. */
export type HitDecision = { kind: 'alert' } | { kind: 'folded'; reason: FoldReason };

/** A digest taken out of the suppressor: rows sorted by count desc, client, indicator. */
export interface DigestDraft {
  periodStart: number;
  rows: DigestRow[];
  overflowHits: number;
}

/** One open suppression window. */
export interface TrackedKey {
  client: string;
  /** The indicator of the hit that opened the window. */
  indicator: string;
  /** Window end (exclusive), injected-clock ms. */
  until: number;
  /** False when the window was opened by a hit folded for the cap (no mail was sent for it). */
  mailed: boolean;
}

/** The suppressor's complete state, JSON-safe. */
export interface SuppressorState {
  version: 1;
  /** Open windows, oldest first. */
  tracked: TrackedKey[];
  /** Times of the immediate alerts of the last hour, ascending. */
  mailTimes: number[];
  digest: { periodStart: number; dueAt: number; rows: DigestRow[]; overflowHits: number } | null;
}

const REASON_RANK: Readonly<Record<FoldReason, number>> = { repeat: 0, grouped: 1, cap: 2, untracked: 3 };

/** Decides, for each hit and each tick, what is mailed now and what waits for the digest. See the file comment for the rules. */
export class Suppressor {
  private readonly settings: SuppressorSettings;
  /** Key → open window, in the order the windows were opened (oldest first, so expiry pops from the front). */
  private readonly tracked: Map<string, TrackedKey>;
  private readonly mailTimes: number[];
  private digestStart: number;
  private digestDueAt: number;
  /** Row key → row of the digest being accumulated; empty with digestStart = -1 when there is none. */
  private readonly rows: Map<string, DigestRow>;
  private overflowHits: number;

  /** A suppressor with `settings`, empty or restored from a {@link Suppressor.snapshot} (which may come from other settings). */
  constructor(settings: SuppressorSettings, state?: SuppressorState) {
    this.settings = settings;
    this.tracked = new Map();
    this.mailTimes = [];
    this.digestStart = -1;
    this.digestDueAt = -1;
    this.rows = new Map();
    this.overflowHits = 0;
    if (state !== undefined) {
      for (const t of state.tracked) this.tracked.set(this.keyOf(t.client, t.indicator), { ...t });
      this.mailTimes.push(...state.mailTimes);
      if (state.digest !== null) {
        this.digestStart = state.digest.periodStart;
        this.digestDueAt = state.digest.dueAt;
        for (const r of state.digest.rows) this.rows.set(rowKey(r.client, r.indicator), { ...r });
        this.overflowHits = state.digest.overflowHits;
      }
    }
  }

  /**
   * Decide one hit at clock time `now` (ms) and update the state: `alert` means
   * "mail this hit now" (and counts against the cap), `folded` means it was
   * added to the digest.
   */
  offer(hit: SuppressorHit, now: number): HitDecision {
    this.expire(now);
    const key = this.keyOf(hit.client, hit.indicator);
    const open = this.tracked.get(key);
    if (open !== undefined && now < open.until) {
      let reason: FoldReason = 'repeat';
      if (!open.mailed) reason = 'cap';
      else if (open.indicator !== hit.indicator) reason = 'grouped';
      this.fold(hit, reason, now);
      return { kind: 'folded', reason };
    }
    if (open !== undefined) this.tracked.delete(key);
    if (this.tracked.size >= this.settings.maxTrackedKeys) {
      this.fold(hit, 'untracked', now);
      return { kind: 'folded', reason: 'untracked' };
    }
    const entry: TrackedKey = { client: hit.client, indicator: hit.indicator, until: now + this.settings.suppressMs, mailed: true };
    if (this.mailTimes.length >= this.settings.maxMailsPerHour) {
      entry.mailed = false;
      this.tracked.set(key, entry);
      this.fold(hit, 'cap', now);
      return { kind: 'folded', reason: 'cap' };
    }
    this.tracked.set(key, entry);
    this.mailTimes.push(now);
    return { kind: 'alert' };
  }

  /** When the pending digest is due (clock ms), or null when nothing is folded. */
  nextDigestAt(): number | null {
    return this.digestStart < 0 ? null : this.digestDueAt;
  }

  /** Hits folded since the last digest (rows and overflow). */
  foldedCount(): number {
    let n = this.overflowHits;
    for (const r of this.rows.values()) n += r.count;
    return n;
  }

  /** Number of open suppression windows. */
  trackedCount(): number {
    return this.tracked.size;
  }

  /** Take the digest out if it is due at `now` (it is then reset), else null. */
  takeDigest(now: number): DigestDraft | null {
    if (this.digestStart < 0 || now < this.digestDueAt) return null;
    const rows = [...this.rows.values()].sort(compareRows);
    const draft: DigestDraft = { periodStart: this.digestStart, rows, overflowHits: this.overflowHits };
    this.rows.clear();
    this.overflowHits = 0;
    this.digestStart = -1;
    this.digestDueAt = -1;
    return draft;
  }

  /** The whole state as plain JSON-safe data (a copy: later calls do not change it). */
  snapshot(): SuppressorState {
    return {
      version: 1,
      tracked: [...this.tracked.values()].map((t) => ({ ...t })),
      mailTimes: [...this.mailTimes],
      digest:
        this.digestStart < 0
          ? null
          : { periodStart: this.digestStart, dueAt: this.digestDueAt, rows: [...this.rows.values()].map((r) => ({ ...r })), overflowHits: this.overflowHits },
    };
  }

  private keyOf(client: string, indicator: string): string {
    return this.settings.alertKey === 'client' ? client : rowKey(client, indicator);
  }

  private expire(now: number): void {
    // Windows open in clock order and all last suppressMs, so the oldest ends first.
    // A clock step back or a changed suppressMs only makes this lazier, never wrong:
    // offer() checks the one window it reads.
    for (const [key, t] of this.tracked) {
      if (t.until > now) break;
      this.tracked.delete(key);
    }
    let drop = 0;
    while (drop < this.mailTimes.length && (this.mailTimes[drop] as number) <= now - HOUR_MS) drop++;
    if (drop > 0) this.mailTimes.splice(0, drop);
  }

  private fold(hit: SuppressorHit, reason: FoldReason, now: number): void {
    if (this.digestStart < 0) {
      this.digestStart = now;
      this.digestDueAt = now + this.settings.digestMs;
    }
    const k = rowKey(hit.client, hit.indicator);
    const row = this.rows.get(k);
    if (row !== undefined) {
      row.count++;
      if (hit.time < row.first) row.first = hit.time;
      if (hit.time > row.last) row.last = hit.time;
      if (REASON_RANK[reason] > REASON_RANK[row.reason]) row.reason = reason;
      return;
    }
    if (this.rows.size >= this.settings.maxDigestRows) {
      this.overflowHits++;
      return;
    }
    this.rows.set(k, { client: hit.client, indicator: hit.indicator, count: 1, first: hit.time, last: hit.time, reason });
  }
}

/**
 * Check data read back from disk and return it typed.
 * @throws DnshuntError STATE naming `where` when it is not a version-1 suppressor state.
 */
export function parseSuppressorState(v: unknown, where: string): SuppressorState {
  const fail = (what: string): never => {
    throw new DnshuntError(ErrorCode.STATE, `${where}: not a dnshunt alert state (${what}); move it away to start afresh`);
  };
  if (typeof v !== 'object' || v === null) return fail('not an object');
  const s = v as Record<string, unknown>;
  if (s['version'] !== 1) return fail('unknown version');
  const tracked = s['tracked'];
  if (!Array.isArray(tracked) || !tracked.every(isTrackedKey)) return fail('bad tracked list');
  const mailTimes = s['mailTimes'];
  if (!Array.isArray(mailTimes) || !mailTimes.every((t) => typeof t === 'number')) return fail('bad mail times');
  const d = s['digest'];
  if (d !== null) {
    if (typeof d !== 'object' || d === undefined) return fail('bad digest');
    const dg = d as Record<string, unknown>;
    if (typeof dg['periodStart'] !== 'number' || typeof dg['dueAt'] !== 'number' || typeof dg['overflowHits'] !== 'number') return fail('bad digest times');
    if (!Array.isArray(dg['rows']) || !dg['rows'].every(isDigestRow)) return fail('bad digest rows');
  }
  return v as SuppressorState;
}

function isTrackedKey(v: unknown): v is TrackedKey {
  if (typeof v !== 'object' || v === null) return false;
  const t = v as Record<string, unknown>;
  return typeof t['client'] === 'string' && typeof t['indicator'] === 'string' && typeof t['until'] === 'number' && typeof t['mailed'] === 'boolean';
}

function rowKey(client: string, indicator: string): string {
  return JSON.stringify([client, indicator]);
}

function compareRows(a: DigestRow, b: DigestRow): number {
  if (a.count !== b.count) return b.count - a.count;
  if (a.client !== b.client) return a.client < b.client ? -1 : 1;
  return a.indicator < b.indicator ? -1 : a.indicator > b.indicator ? 1 : 0;
}
