/**
 * Read a file's head and tail (never the whole file) to learn its timestamp
 * texts: enough to decide the date layout and the dates the log covers, which
 * the DGA needs before the matcher is compiled.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { LF, type CivilDate, type DateOrder } from '../core/index.js';
import {
  DIR_RCV,
  LineKind,
  OPCODE_QUERY,
  PacketFields,
  decodeName,
  detectDateOrder,
  labelsToString,
  newLabelArray,
  parseTimestamp,
  parseWindowsLine,
} from '../parse/index.js';
import type { DateOrderEvidence } from '../parse/index.js';

/** Bytes read at each end of a file. */
export const SAMPLE_BYTES = 256 * 1024;
const HEADER_PREFIX = 'DNS Server log file creation at ';
const WRAP_PREFIX = 'Log file wrap at ';

/** The timestamp texts found at both ends of a file, in file order, and the AD domains its clients asked about. */
export interface FileSample {
  head: string[];
  tail: string[];
  /**
   * Active Directory domains seen in client queries of the head (the labels after
   * `_msdcs`, as in `_ldap._tcp.dc._msdcs.contoso.local`), with their counts:
   * the search suffix clients append is almost always one of them.
   */
  adDomains: Map<string, number>;
}

const MSDCS = '_msdcs';

function timestampsIn(buf: Buffer, n: number, skipFirstPartial: boolean, adDomains: Map<string, number> | null): string[] {
  const out: string[] = [];
  const f = new PacketFields();
  const labels = newLabelArray();
  let p = 0;
  if (skipFirstPartial) {
    const nl = buf.indexOf(LF);
    if (nl < 0 || nl >= n) return out;
    p = nl + 1;
  }
  while (p < n) {
    let nl = buf.indexOf(LF, p);
    if (nl < 0 || nl >= n) nl = n;
    const kind = parseWindowsLine(buf, p, nl, f);
    if (kind === LineKind.PACKET || kind === LineKind.EVENT) {
      out.push(buf.toString('latin1', f.timeStart, f.timeEnd));
      if (adDomains && kind === LineKind.PACKET && f.dir === DIR_RCV && !f.isResponse && f.opcode === OPCODE_QUERY) {
        const count = decodeName(buf, f.nameStart, f.nameEnd, labels);
        const name = count > 1 ? labelsToString(buf, labels, 0, count) : '';
        const at = name.lastIndexOf(`${MSDCS}.`);
        if (at >= 0 && (at === 0 || name[at - 1] === '.')) {
          const domain = name.slice(at + MSDCS.length + 1);
          if (domain.includes('.')) adDomains.set(domain, (adDomains.get(domain) ?? 0) + 1);
        }
      }
    } else {
      const line = buf.toString('latin1', p, Math.min(nl, p + 120)).replace(/\r$/, '');
      if (line.startsWith(HEADER_PREFIX)) out.push(line.slice(HEADER_PREFIX.length).trim());
      else if (line.startsWith(WRAP_PREFIX)) out.push(line.slice(WRAP_PREFIX.length).trim());
    }
    p = nl + 1;
  }
  return out;
}

/** Sample the first and last SAMPLE_BYTES of `path` (up to `size`). */
export function sampleFile(path: string, size: number): FileSample {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(Math.min(SAMPLE_BYTES, Math.max(size, 1)));
    const n = readSync(fd, buf, 0, Math.min(buf.length, size), 0);
    const adDomains = new Map<string, number>();
    const head = timestampsIn(buf, n, false, adDomains);
    let tail: string[] = [];
    if (size > SAMPLE_BYTES) {
      const from = size - SAMPLE_BYTES;
      const m = readSync(fd, buf, 0, SAMPLE_BYTES, from);
      tail = timestampsIn(buf, m, true, null);
    }
    return { head, tail, adDomains };
  } finally {
    closeSync(fd);
  }
}

/** The date layout and the covered dates of a set of samples. */
export interface DateSummary {
  evidence: DateOrderEvidence;
  /** Earliest and latest dates parsed from the samples, or null when none parsed. */
  from: CivilDate | null;
  to: CivilDate | null;
}

function cmp(a: CivilDate, b: CivilDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** Decide the date order (unless forced) and the date range covered by the samples. */
export function summarizeDates(samples: readonly FileSample[], forced: DateOrder | null): DateSummary {
  const texts = samples.flatMap((s) => [...s.head, ...s.tail]);
  const evidence = forced ? { order: forced, ambiguous: false, conflicting: false } : detectDateOrder(texts);
  let from: CivilDate | null = null;
  let to: CivilDate | null = null;
  for (const t of texts) {
    const p = parseTimestamp(t, evidence.order);
    if (!p) continue;
    if (!from || cmp(p.date, from) < 0) from = p.date;
    if (!to || cmp(p.date, to) > 0) to = p.date;
  }
  return { evidence, from, to };
}
