/**
 * Report writers for `scan`: table (people), json (one document), jsonl and csv
 * (one line per matching query). Field names and order are a documented,
 * stable contract (README "Output contract").
 */
import type { HitRecord, UnparsedSample } from '../core/index.js';
import type { ClientSummary } from '../scan/index.js';

/** Output formats of `scan`. */
export const SCAN_FORMATS = ['table', 'json', 'jsonl', 'csv'] as const;
export type ScanFormat = (typeof SCAN_FORMATS)[number];

/** The `stats` object of the JSON report. */
export interface ReportStats {
  files: number;
  bytes: number;
  lines: number;
  records: number;
  clientQueries: number;
  unparsed: number;
  unparsedSamples: UnparsedSample[];
  seconds: number;
}

/** Column order of jsonl objects and csv columns. */
export const HIT_FIELDS = ['time', 'client', 'qname', 'qtype', 'rcode', 'indicator', 'source', 'file', 'line', 'suffixStripped'] as const;

/** One jsonl line (with its newline). */
export function hitToJsonl(h: HitRecord): string {
  return `${JSON.stringify({
    time: h.time,
    client: h.client,
    qname: h.qname,
    qtype: h.qtype,
    rcode: h.rcode,
    indicator: h.indicator,
    source: h.source,
    file: h.file,
    line: h.line,
    suffixStripped: h.suffixStripped,
  })}\n`;
}

function csvField(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  // Quote when needed; a leading formula character is neutralised for spreadsheet users (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) || safe !== s ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The csv header line. */
export function csvHeader(): string {
  return `${HIT_FIELDS.join(',')}\n`;
}

/** One csv row. */
export function hitToCsv(h: HitRecord): string {
  return `${HIT_FIELDS.map((f) => csvField(h[f])).join(',')}\n`;
}

/** The JSON report document. */
export function jsonReport(clients: readonly ClientSummary[], stats: ReportStats, warnings: readonly string[]): string {
  return `${JSON.stringify({ clients, stats, warnings }, null, 2)}\n`;
}

function pad(s: string, w: number): string {
  return s.length >= w ? s : s + ' '.repeat(w - s.length);
}

/** The human table: one row per infected client, most queries first, then a summary line. */
export function tableReport(clients: readonly ClientSummary[], stats: ReportStats, warnings: readonly string[]): string {
  const lines: string[] = [];
  if (clients.length === 0) {
    lines.push('No infected client found.');
  } else {
    const rows = clients.map((c) => {
      const inds = c.indicators.map((i) => (i.suffixStripped ? `${i.queried} (suffix ${i.suffixStripped})` : i.queried));
      const more = inds.length > 3 ? ` +${inds.length - 3} more` : '';
      return [c.client, String(c.queries), c.first, c.last, inds.slice(0, 3).join(', ') + more];
    });
    const head = ['CLIENT', 'QUERIES', 'FIRST SEEN', 'LAST SEEN', 'LOOKED UP'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const fmt = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : pad(c, widths[i]!))).join('  ');
    lines.push(fmt(head));
    for (const r of rows) lines.push(fmt(r));
    lines.push('');
    lines.push(`${clients.length} infected client${clients.length === 1 ? '' : 's'}. Why each matched:`);
    for (const c of clients) {
      for (const i of c.indicators) lines.push(`  ${c.client}  ${i.queried} -> ${i.indicator} x${i.count}: ${i.source}`);
    }
  }
  lines.push('');
  lines.push(
    `Scanned ${stats.files} file${stats.files === 1 ? '' : 's'}, ${formatBytes(stats.bytes)}, ${stats.lines} lines, ${stats.clientQueries} client queries in ${stats.seconds.toFixed(1)} s; ${stats.unparsed} unparsed line${stats.unparsed === 1 ? '' : 's'}.`,
  );
  for (const s of stats.unparsedSamples) lines.push(`  unparsed ${s.file}:${s.line}: ${s.text}`);
  for (const w of warnings) lines.push(`warning: ${w}`);
  return `${lines.join('\n')}\n`;
}

/** `1.5 GB`-style size. */
export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}
