/**
 * The alert model: what an alert and a digest are, how they are named (stable
 * ids and Message-IDs), and how they are read back from disk. Every sink and
 * the outbox work on these records; rendering them is mail-render's job.
 */
import { createHash } from 'node:crypto';
import type { HitRecord } from '../core/index.js';
import type { AlertKeyMode } from './alert-config.js';

/**
 * Why a hit went to the digest instead of its own mail:
 * - `repeat`: its alert key was already alerted inside the suppression window;
 * - `grouped`: `alertKey: 'client'` and the client was already alerted (for another indicator);
 * - `cap`: new, but `maxMailsPerHour` was reached;
 * - `untracked`: new, but the suppression table was full (a flood of distinct keys).
 */
export type FoldReason = 'repeat' | 'grouped' | 'cap' | 'untracked';

/** One row of a digest: the hits of one client and indicator that were not mailed one by one. */
export interface DigestRow {
  client: string;
  indicator: string;
  /** Hits folded into this row (the alerted hit itself is not counted). */
  count: number;
  /** Earliest and latest `HitRecord.time` of the folded hits (ISO local text, compared as text). */
  first: string;
  last: string;
  /** The most telling reason among the folded hits (`untracked` > `cap` > `grouped` > `repeat`). */
  reason: FoldReason;
}

/** An immediate alert: the first hit of an alert key, mailed at once. */
export interface ImmediateAlert {
  kind: 'alert';
  /** 32 hex digits, stable for the same alert (see {@link alertIdFor}); also the outbox file name. */
  id: string;
  /** The mail's Message-ID header, `<id@domain>`. */
  messageId: string;
  /** Injected-clock time (ms) when the alert was decided; the mail's Date. */
  createdAt: number;
  hit: HitRecord;
  /** Reverse-DNS name of the client when resolved, else null. */
  hostName: string | null;
  alertKey: AlertKeyMode;
  /** The windows in force when the alert was made, quoted in the mail. */
  suppressMs: number;
  digestMs: number;
}

/** A digest: every hit folded since the previous digest, counted per client and indicator. */
export interface DigestAlert {
  kind: 'digest';
  id: string;
  messageId: string;
  createdAt: number;
  /** Injected-clock time (ms) of the first folded hit; the digest covers [periodStart, createdAt]. */
  periodStart: number;
  /** Sorted by count (descending), then client, then indicator. */
  rows: DigestRow[];
  /** Folded hits that did not get a row because the row table was full. */
  overflowHits: number;
}

/** Anything that becomes exactly one mail. */
export type AlertMessage = ImmediateAlert | DigestAlert;

/** The HitRecord fields, in the order the JSON line writes them. */
export const HIT_FIELDS = ['time', 'client', 'qname', 'qtype', 'rcode', 'indicator', 'source', 'file', 'line', 'suffixStripped'] as const;

/** Length of ids in hex digits (128 bits of SHA-256). */
const ID_HEX_LENGTH = 32;

/**
 * The stable id of an immediate alert: a hash of the alert key mode, client,
 * indicator and the hit's logged time. The same log line alerted twice (a
 * replay after a crash, a tailer re-reading from an old checkpoint) gets the
 * same id, so the outbox recognises it and the resent mail has the same Message-ID.
 */
export function alertIdFor(alertKey: AlertKeyMode, hit: Pick<HitRecord, 'client' | 'indicator' | 'time'>): string {
  return hashId(['alert', alertKey, hit.client, hit.indicator, hit.time]);
}

/** The stable id of a digest: a hash of when its period started and its first row. */
export function digestIdFor(periodStart: number, rows: readonly DigestRow[]): string {
  const r = rows[0];
  return hashId(['digest', String(periodStart), r?.client ?? '', r?.indicator ?? '', r?.first ?? '']);
}

/** `<id@domain>` with the domain of `mailFrom` (or `dnshunt.invalid` without one). */
export function messageIdFor(id: string, mailFrom: string | null): string {
  const at = mailFrom === null ? -1 : mailFrom.lastIndexOf('@');
  const domain = mailFrom !== null && at >= 0 ? mailFrom.slice(at + 1).replace(/[^A-Za-z0-9.-]/g, '') : '';
  return `<${id}@${domain === '' ? 'dnshunt.invalid' : domain}>`;
}

/** A copy of `hit` with exactly the HitRecord fields (extra properties dropped), in {@link HIT_FIELDS} order. */
export function pickHitFields(hit: HitRecord): HitRecord {
  return {
    time: hit.time,
    client: hit.client,
    qname: hit.qname,
    qtype: hit.qtype,
    rcode: hit.rcode,
    indicator: hit.indicator,
    source: hit.source,
    file: hit.file,
    line: hit.line,
    suffixStripped: hit.suffixStripped,
  };
}

/** True when `v` has every HitRecord field with the right type (used on data read back from disk). */
export function isHitRecord(v: unknown): v is HitRecord {
  if (typeof v !== 'object' || v === null) return false;
  const h = v as Record<string, unknown>;
  return (
    typeof h['time'] === 'string' &&
    typeof h['client'] === 'string' &&
    typeof h['qname'] === 'string' &&
    typeof h['qtype'] === 'string' &&
    (h['rcode'] === null || typeof h['rcode'] === 'string') &&
    typeof h['indicator'] === 'string' &&
    typeof h['source'] === 'string' &&
    typeof h['file'] === 'string' &&
    typeof h['line'] === 'number' &&
    (h['suffixStripped'] === null || typeof h['suffixStripped'] === 'string')
  );
}

/** True when `v` is a well-formed {@link AlertMessage} (fail closed on anything read from the outbox). */
export function isAlertMessage(v: unknown): v is AlertMessage {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Record<string, unknown>;
  if (typeof m['id'] !== 'string' || !/^[0-9a-f]{32}$/.test(m['id'])) return false;
  if (typeof m['messageId'] !== 'string' || typeof m['createdAt'] !== 'number') return false;
  if (m['kind'] === 'alert') {
    return (
      isHitRecord(m['hit']) &&
      (m['hostName'] === null || typeof m['hostName'] === 'string') &&
      (m['alertKey'] === 'client' || m['alertKey'] === 'client+indicator') &&
      typeof m['suppressMs'] === 'number' &&
      typeof m['digestMs'] === 'number'
    );
  }
  if (m['kind'] === 'digest') {
    return typeof m['periodStart'] === 'number' && typeof m['overflowHits'] === 'number' && Array.isArray(m['rows']) && m['rows'].every(isDigestRow);
  }
  return false;
}

/** True when `v` is a well-formed {@link DigestRow}. */
export function isDigestRow(v: unknown): v is DigestRow {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r['client'] === 'string' &&
    typeof r['indicator'] === 'string' &&
    typeof r['count'] === 'number' &&
    typeof r['first'] === 'string' &&
    typeof r['last'] === 'string' &&
    (r['reason'] === 'repeat' || r['reason'] === 'grouped' || r['reason'] === 'cap' || r['reason'] === 'untracked')
  );
}

function hashId(parts: readonly string[]): string {
  // Length-prefixed so no choice of part contents can make two different lists hash alike.
  const h = createHash('sha256');
  for (const p of parts) h.update(`${p.length}:${p};`, 'utf8');
  return h.digest('hex').slice(0, ID_HEX_LENGTH);
}
