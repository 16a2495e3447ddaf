/**
 * A progress bar on stderr — only when stderr is a terminal and not --quiet —
 * redrawn at most a few times a second: bytes, MB/s, ETA.
 */
import { formatBytes } from './output.js';

const REDRAW_MS = 200;
const BAR_WIDTH = 30;

/** Draws and clears the bar; a no-op when disabled. */
export class ProgressBar {
  private last = 0;
  private readonly started = Date.now();
  private drawn = false;
  constructor(private readonly stream: NodeJS.WriteStream, private readonly enabled: boolean) {}

  /** Report progress; redraws when enough time passed or when done. */
  update(done: number, total: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < REDRAW_MS && done < total) return;
    this.last = now;
    const secs = Math.max((now - this.started) / 1000, 0.001);
    const rate = done / secs;
    const frac = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(frac * BAR_WIDTH);
    const eta = rate > 0 ? Math.max(0, (total - done) / rate) : 0;
    const line = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${formatBytes(done)}/${formatBytes(total)} ${(rate / 1e6).toFixed(0)} MB/s ETA ${formatEta(eta)}`;
    this.stream.write(`\r${line}\u001b[K`);
    this.drawn = true;
  }

  /** Erase the bar so the report starts on a clean line. */
  clear(): void {
    if (this.drawn) this.stream.write('\r\u001b[K');
    this.drawn = false;
  }
}

function formatEta(s: number): string {
  const m = Math.floor(s / 60);
  const r = Math.round(s % 60);
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m` : `${m}:${String(r).padStart(2, '0')}`;
}
