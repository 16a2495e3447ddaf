/**
 * Question names in the log's length-prefixed form (format doc §6):
 * `www.google.com` ⇄ `(3)www(6)google(3)com(0)`.
 */
import type { Prng } from './prng.js';

/** `(3)www(6)google(3)com(0)` for `www.google.com`; `(0)` for the root (empty string). Case is kept. */
export function toWire(dotted: string): string {
  if (dotted.length === 0) return '(0)';
  let out = '';
  for (const label of dotted.split('.')) out += `(${label.length})${label}`;
  return `${out}(0)`;
}

/** Inverse of `toWire` for well-formed input (no validation: the test oracle checks form separately). */
export function fromWire(wire: string): string {
  const labels: string[] = [];
  let i = 0;
  while (i < wire.length) {
    const close = wire.indexOf(')', i);
    const len = Number(wire.slice(i + 1, close));
    if (len === 0) break;
    labels.push(wire.slice(close + 1, close + 1 + len));
    i = close + 1 + len;
  }
  return labels.join('.');
}

/**
 * A mixed-case spelling of `dotted` as clients sometimes send it: one of
 * whole-name upper case, first label upper case, or a few random letters flipped.
 * Never returns the input unchanged when it has a letter.
 */
export function mixCase(dotted: string, rng: Prng): string {
  const style = rng.int(3);
  let out: string;
  if (style === 0) out = dotted.toUpperCase();
  else if (style === 1) {
    const dot = dotted.indexOf('.');
    out = dot < 0 ? dotted.toUpperCase() : dotted.slice(0, dot).toUpperCase() + dotted.slice(dot);
  } else {
    const chars = dotted.split('');
    for (let i = 0; i < chars.length; i++) if (rng.chance(0.3)) chars[i] = chars[i]!.toUpperCase();
    out = chars.join('');
  }
  // Names without letters in the chosen part (e.g. a numeric first label) fall back to full upper case.
  if (out === dotted) out = dotted.toUpperCase();
  return out;
}
