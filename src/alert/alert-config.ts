/**
 * The alert settings: what a config file or the command line may say, and the
 * validated, defaulted form every other alert module reads.
 *
 * The SMTP password is never part of either: the config names where it is
 * (`smtpPassEnv` or `smtpPassFile`) and only the SMTP sink reads it, at the
 * moment it builds a transport. Nothing here can print it.
 */
import { DnshuntError, ErrorCode } from '../core/index.js';
import { formatDuration, parseDuration } from './duration.js';

/** How the SMTP connection is secured: TLS from the first byte (465), STARTTLS required (587), or plain text (25). */
export type SmtpTlsMode = 'implicit' | 'starttls' | 'none';

/** What one alert stands for: a client and an indicator (default), or a client whatever it looked up. */
export type AlertKeyMode = 'client+indicator' | 'client';

/** Validated alert settings. Produced only by {@link validateAlertConfig}; durations are milliseconds. */
export interface AlertConfig {
  /** SMTP server host; null when no mail is sent (JSON lines only). */
  readonly smtpHost: string | null;
  readonly smtpPort: number;
  readonly smtpTls: SmtpTlsMode;
  /** SMTP user; null for an unauthenticated relay. */
  readonly smtpUser: string | null;
  /** Name of the environment variable holding the password (never the password). */
  readonly smtpPassEnv: string | null;
  /** Path of a file holding the password (never the password). */
  readonly smtpPassFile: string | null;
  /** PEM file of the CA (or self-signed certificate) to trust for the server, on top of the system store. */
  readonly smtpCaFile: string | null;
  /** Connection, greeting and socket inactivity timeout, in ms. */
  readonly smtpTimeoutMs: number;
  readonly mailFrom: string | null;
  /** Recipients, de-duplicated (case-insensitively), in the order given; empty when no mail is sent. */
  readonly mailTo: readonly string[];
  /** JSON lines destination: a file path (appended to) or `-` for standard output; null for none. */
  readonly jsonl: string | null;
  /** Directory of the durable outbox and suppression state; required when mail is sent. */
  readonly stateDir: string | null;
  /** Repeats of an alert key inside this window after its alert go to the digest, in ms. */
  readonly suppressMs: number;
  /** A digest is sent this long after the first hit folded into it, in ms. */
  readonly digestMs: number;
  /** Immediate alert mails allowed in any sliding hour; beyond it new alerts go to the digest. */
  readonly maxMailsPerHour: number;
  readonly alertKey: AlertKeyMode;
}

/** Every key the alert section of a config file may hold, with what it takes. */
export const ALERT_CONFIG_KEYS = {
  smtpHost: 'host name or IP of the SMTP server',
  smtpPort: 'TCP port, 1-65535 (default 465 for implicit TLS, 587 for starttls, 25 for none)',
  smtpTls: "'implicit', 'starttls' (default) or 'none'",
  smtpUser: 'SMTP user name; leave out for an unauthenticated relay',
  smtpPassEnv: 'name of the environment variable that holds the SMTP password',
  smtpPassFile: 'path of a file that holds the SMTP password',
  smtpCaFile: 'PEM file of a private CA or self-signed server certificate to trust',
  smtpTimeout: 'connection and reply timeout, a duration (default 10s)',
  mailFrom: 'sender address',
  mailTo: 'recipient address, a list of them, or a comma-separated string',
  jsonl: "file to append one JSON line per hit to, or '-' for standard output",
  stateDir: 'directory for the durable outbox and suppression state (required for mail)',
  suppress: 'suppression window, a duration (default 1h)',
  digest: 'digest interval, a duration (default 1h)',
  maxMailsPerHour: 'cap on immediate alert mails per hour, a whole number (default 20)',
  alertKey: "'client+indicator' (default) or 'client'",
} as const;

/** Raw alert settings as read from YAML/JSON or assembled from command-line options; see {@link ALERT_CONFIG_KEYS}. */
export type AlertConfigInput = { readonly [K in keyof typeof ALERT_CONFIG_KEYS]?: unknown };

const DEFAULT_PORT: Readonly<Record<SmtpTlsMode, number>> = { implicit: 465, starttls: 587, none: 25 };
const DEFAULT_TIMEOUT = '10s';
const DEFAULT_SUPPRESS = '1h';
const DEFAULT_DIGEST = '1h';
const DEFAULT_MAX_MAILS_PER_HOUR = 20;
/** Upper bound of `maxMailsPerHour`: past it the cap is no protection against a flood. */
const MAX_MAILS_PER_HOUR_LIMIT = 1000;
/** Longest SMTP timeout: longer ones stall `close()` and test mails for no gain. */
const MAX_SMTP_TIMEOUT_MS = 10 * 60_000;
const MAX_RECIPIENTS = 100;

/** Keys that only make sense when mail is sent. */
const MAIL_ONLY_KEYS = ['smtpPort', 'smtpTls', 'smtpUser', 'smtpPassEnv', 'smtpPassFile', 'smtpCaFile', 'smtpTimeout', 'mailFrom', 'mailTo'] as const;

// A bare address, nothing a header parser could take for a display name, group or second address.
const ADDRESS_RE = /^[^\s@<>()[\]",;:\\]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;
const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\x00-\x1f\x7f]/;

/**
 * Check and default raw alert settings.
 *
 * Contract: returns a complete {@link AlertConfig} or throws DnshuntError
 * BAD_CONFIG whose message starts with the offending key (`smtpPort: …`).
 * Unknown keys are errors (a typo must not silently switch mail off). At least
 * one of `smtpHost` and `jsonl` must be set; with `smtpHost`, `mailFrom`,
 * `mailTo` and `stateDir` are required; a password source requires `smtpUser`
 * and `smtpUser` requires exactly one password source. Does no I/O: whether
 * files and environment variables exist is checked when they are used.
 */
export function validateAlertConfig(input: unknown): AlertConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw bad('alert', 'the alert settings must be a mapping of keys to values');
  }
  const raw = input as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!Object.hasOwn(ALERT_CONFIG_KEYS, key)) {
      throw bad(key, `unknown key; known keys are ${Object.keys(ALERT_CONFIG_KEYS).join(', ')}`);
    }
  }
  const given = (key: string): boolean => raw[key] !== undefined && raw[key] !== null;

  const smtpHost = optString(raw, 'smtpHost');
  if (smtpHost !== null && /\s/.test(smtpHost)) throw bad('smtpHost', 'must not contain spaces or control characters');
  const jsonl = optString(raw, 'jsonl');
  if (smtpHost === null) {
    for (const key of MAIL_ONLY_KEYS) if (given(key)) throw bad(key, 'has no effect without smtpHost; set smtpHost or remove it');
    if (jsonl === null) throw bad('smtpHost', 'nothing to alert to: set smtpHost (mail) or jsonl (JSON lines), or both');
  }

  const smtpTls = oneOf(raw, 'smtpTls', ['implicit', 'starttls', 'none'] as const, 'starttls');
  const smtpPort = optPort(raw, 'smtpPort') ?? DEFAULT_PORT[smtpTls];

  const smtpUser = optString(raw, 'smtpUser');
  const smtpPassEnv = optString(raw, 'smtpPassEnv');
  const smtpPassFile = optString(raw, 'smtpPassFile');
  if (smtpPassEnv !== null && !ENV_NAME_RE.test(smtpPassEnv)) {
    throw bad('smtpPassEnv', 'must be the NAME of an environment variable (letters, digits, _), not the password');
  }
  if (smtpPassEnv !== null && smtpPassFile !== null) throw bad('smtpPassEnv', 'set smtpPassEnv or smtpPassFile, not both');
  if (smtpUser === null) {
    if (smtpPassEnv !== null) throw bad('smtpPassEnv', 'a password needs smtpUser too');
    if (smtpPassFile !== null) throw bad('smtpPassFile', 'a password needs smtpUser too');
  } else if (smtpPassEnv === null && smtpPassFile === null) {
    throw bad('smtpUser', 'needs a password source: set smtpPassEnv or smtpPassFile');
  }
  const smtpCaFile = optString(raw, 'smtpCaFile');
  if (smtpCaFile !== null && smtpTls === 'none') throw bad('smtpCaFile', "has no effect with smtpTls 'none'");
  const smtpTimeoutMs = optDuration(raw, 'smtpTimeout', DEFAULT_TIMEOUT);
  if (smtpTimeoutMs > MAX_SMTP_TIMEOUT_MS) throw bad('smtpTimeout', `must be at most ${formatDuration(MAX_SMTP_TIMEOUT_MS)}`);

  const mailFrom = optString(raw, 'mailFrom');
  if (mailFrom !== null && !ADDRESS_RE.test(mailFrom)) throw bad('mailFrom', `'${shown(mailFrom)}' is not a bare e-mail address (user@example.org)`);
  const mailTo = addressList(raw, 'mailTo');
  const stateDir = optString(raw, 'stateDir');
  if (smtpHost !== null) {
    if (mailFrom === null) throw bad('mailFrom', 'required when smtpHost is set');
    if (mailTo.length === 0) throw bad('mailTo', 'required when smtpHost is set: at least one recipient');
    if (stateDir === null) throw bad('stateDir', 'required when smtpHost is set (the outbox and suppression state live there)');
  }

  const maxMailsPerHour = optInteger(raw, 'maxMailsPerHour', 1, MAX_MAILS_PER_HOUR_LIMIT) ?? DEFAULT_MAX_MAILS_PER_HOUR;
  return {
    smtpHost,
    smtpPort,
    smtpTls,
    smtpUser,
    smtpPassEnv,
    smtpPassFile,
    smtpCaFile,
    smtpTimeoutMs,
    mailFrom,
    mailTo,
    jsonl,
    stateDir,
    suppressMs: optDuration(raw, 'suppress', DEFAULT_SUPPRESS),
    digestMs: optDuration(raw, 'digest', DEFAULT_DIGEST),
    maxMailsPerHour,
    alertKey: oneOf(raw, 'alertKey', ['client+indicator', 'client'] as const, 'client+indicator'),
  };
}

/**
 * The settings as `key: value` lines for `--verbose` output and the test mail.
 * Contract: never contains a password; shows only where the password comes from.
 */
export function describeAlertConfig(config: AlertConfig): string[] {
  const lines: string[] = [];
  if (config.smtpHost !== null) {
    lines.push(`smtp: ${config.smtpHost}:${config.smtpPort} tls=${config.smtpTls} timeout=${formatDuration(config.smtpTimeoutMs)}`);
    if (config.smtpUser === null) lines.push('auth: none (unauthenticated relay)');
    else {
      const from = config.smtpPassEnv !== null ? `environment variable ${config.smtpPassEnv}` : `file ${config.smtpPassFile ?? ''}`;
      lines.push(`auth: user ${config.smtpUser}, password from ${from}`);
    }
    if (config.smtpCaFile !== null) lines.push(`trusted CA: ${config.smtpCaFile}`);
    lines.push(`from: ${config.mailFrom ?? ''}`, `to: ${config.mailTo.join(', ')}`);
    lines.push(
      `suppress: ${formatDuration(config.suppressMs)}, digest: ${formatDuration(config.digestMs)}, ` +
        `max ${config.maxMailsPerHour} mails/hour, key: ${config.alertKey}`,
    );
    lines.push(`state: ${config.stateDir ?? ''}`);
  }
  if (config.jsonl !== null) lines.push(`jsonl: ${config.jsonl === '-' ? 'standard output' : config.jsonl}`);
  return lines;
}

function bad(key: string, message: string): DnshuntError {
  return new DnshuntError(ErrorCode.BAD_CONFIG, `${key}: ${message}`);
}

function shown(value: string): string {
  return value.replace(new RegExp(CONTROL_RE.source, 'g'), '?').slice(0, 60);
}

function optString(raw: Record<string, unknown>, key: string): string | null {
  const v = raw[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw bad(key, `must be a string, got ${typeof v}`);
  const s = v.trim();
  if (s === '') throw bad(key, 'must not be empty');
  if (CONTROL_RE.test(s)) throw bad(key, 'must not contain control characters (CR, LF, tab …)');
  return s;
}

function optInteger(raw: Record<string, unknown>, key: string, min: number, max: number): number | null {
  const v = raw[key];
  if (v === undefined || v === null) return null;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw bad(key, `must be a whole number from ${min} to ${max}, got '${shown(String(v))}'`);
  return n;
}

function optPort(raw: Record<string, unknown>, key: string): number | null {
  return optInteger(raw, key, 1, 65535);
}

function optDuration(raw: Record<string, unknown>, key: string, fallback: string): number {
  const v = raw[key];
  if (v === undefined || v === null) return parseDuration(fallback, key);
  if (typeof v === 'number') throw bad(key, `give a unit, e.g. '${v}s' or '${v}m' (a bare number is ambiguous)`);
  if (typeof v !== 'string') throw bad(key, `must be a duration such as 30s, 15m, 1h or 1d`);
  return parseDuration(v, key);
}

function oneOf<T extends string>(raw: Record<string, unknown>, key: string, allowed: readonly T[], fallback: T): T {
  const v = raw[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  throw bad(key, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got '${shown(String(v))}'`);
}

function addressList(raw: Record<string, unknown>, key: string): string[] {
  const v = raw[key];
  if (v === undefined || v === null) return [];
  let items: unknown[];
  if (typeof v === 'string') items = v.split(',');
  else if (Array.isArray(v)) items = v;
  else throw bad(key, 'must be an address, a list of addresses or a comma-separated string');
  const out: string[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    if (typeof item !== 'string') throw bad(key, `every recipient must be a string, got ${typeof item}`);
    const a = item.trim();
    if (!ADDRESS_RE.test(a)) throw bad(key, `'${shown(a)}' is not a bare e-mail address (user@example.org)`);
    // The same recipient twice would get the same mail twice.
    const folded = a.toLowerCase();
    if (seen.has(folded)) continue;
    seen.add(folded);
    out.push(a);
  }
  if (out.length > MAX_RECIPIENTS) throw bad(key, `at most ${MAX_RECIPIENTS} recipients`);
  return out;
}
