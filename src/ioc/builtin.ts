/**
 * The bundled Locky static indicator list (`data/locky-static-ioc.tsv`): C&C
 * (C2) and payment-site (PAY) indicators, each with the public report that listed it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Indicator } from './feed.js';
import { normalizeIndicator } from './normalize.js';

/** Where the bundled list lives (the package's data folder; this file runs from dist/src/ioc). */
export const BUILTIN_LIST_PATH = fileURLToPath(new URL('../../../data/locky-static-ioc.tsv', import.meta.url));
/** Name of the bundled list in sources. */
export const BUILTIN_LIST_NAME = 'builtin:locky-static';

/** Load the bundled list. IP entries are included (kind 'ip'); they never match names. */
export function loadBuiltinIndicators(): Indicator[] {
  const text = readFileSync(BUILTIN_LIST_PATH, 'utf8');
  const out: Indicator[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trimEnd();
    if (line.length === 0 || line.startsWith('#')) continue;
    const [value, , group, source] = line.split('\t');
    // The bundled file is ours and tested (every row passes the full check,
    // public suffixes included); a bad row is a bug, not user input.
    const n = normalizeIndicator(value ?? '', false);
    if (!n.ok) throw new Error(`bundled indicator list, line ${i + 1}: ${n.reason}`);
    out.push({ value: n.value, kind: n.kind, group: group ?? 'UNK', source: `${BUILTIN_LIST_NAME} line ${i + 1} [${group ?? 'UNK'}] ${source ?? ''}`.trimEnd() });
  }
  return out;
}
