/**
 * Durations in configuration: `500ms`, `30s`, `15m`, `1h`, `1d` → milliseconds.
 */
import { DnshuntError, ErrorCode } from '../core/index.js';

/** Milliseconds per unit. */
const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Longest duration accepted: 365 days, so `ms` values stay far inside Number.MAX_SAFE_INTEGER and timers. */
const MAX_DURATION_MS = 365 * 86_400_000;

const DURATION_RE = /^(\d{1,11})(ms|s|m|h|d)$/;

/**
 * Parse a duration: a whole number followed by one unit, no space, lower case
 * (`500ms`, `30s`, `15m`, `1h`, `1d`). Returns milliseconds (> 0).
 *
 * A bare number is rejected on purpose (is `3600` seconds or milliseconds?).
 * `key` names the setting in the error message.
 * @throws DnshuntError BAD_CONFIG naming `key` for anything else, for zero and for more than 365 days.
 */
export function parseDuration(text: string, key = 'duration'): number {
  const m = DURATION_RE.exec(text.trim());
  if (m === null) {
    throw new DnshuntError(
      ErrorCode.BAD_CONFIG,
      `${key}: '${printable(text)}' is not a duration; write a whole number and a unit: 500ms, 30s, 15m, 1h or 1d`,
    );
  }
  const ms = Number(m[1]) * (UNIT_MS[m[2] as string] as number);
  if (ms <= 0) throw new DnshuntError(ErrorCode.BAD_CONFIG, `${key}: must be longer than zero`);
  if (ms > MAX_DURATION_MS) throw new DnshuntError(ErrorCode.BAD_CONFIG, `${key}: '${printable(text)}' is longer than 365d`);
  return ms;
}

/**
 * Format milliseconds as the shortest exact duration text (`3600000` → `1h`,
 * `90000` → `90s`, `1500` → `1500ms`). `parseDuration(formatDuration(x)) === x` for x ≥ 1.
 */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit] as number;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** Cut and de-control a user value before echoing it in an error message. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f]/g, '?').slice(0, 40);
}
