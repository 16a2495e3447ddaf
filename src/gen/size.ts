/**
 * Sizes on the command line: `1GB`, `500MB`, `2MiB`, `123456`.
 * Decimal units (KB, MB, GB, TB = powers of 1000) as disks and `ls -h --si`
 * count, binary units (KiB, MiB, GiB, TiB = powers of 1024) when spelled so.
 */
import { DnshuntError, ErrorCode } from '../core/index.js';

const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  k: 1e3,
  m: 1e6,
  g: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};
const SIZE_RE = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i;

/** Bytes for a size text; throws DnshuntError USAGE when it is not one. */
export function parseSize(text: string): number {
  const m = SIZE_RE.exec(text.trim());
  const unit = m === null ? undefined : UNITS[m[2]!.toLowerCase()];
  if (m === null || unit === undefined) throw new DnshuntError(ErrorCode.USAGE, `bad size ${JSON.stringify(text)}: expected a number with an optional unit (B, KB, MB, GB, KiB, MiB, GiB)`);
  const bytes = Math.round(Number(m[1]) * unit);
  if (!Number.isSafeInteger(bytes)) throw new DnshuntError(ErrorCode.USAGE, `size ${JSON.stringify(text)} is too large`);
  return bytes;
}

/** A short human size in decimal units (`1.00 GB`, `2.1 MB`, `512 B`). */
export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} KB`;
  return `${n} B`;
}
