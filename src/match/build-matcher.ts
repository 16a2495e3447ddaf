/**
 * Compile a domain set and a search-suffix set into one shared matcher image.
 */
import { DOT } from '../core/index.js';
import { CompiledMatcher, INDICATOR_ROOT, SUFFIX_ROOT } from './compiled-matcher.js';

/** Slot table load factor ceiling: at most 3 slots in 4 used. */
const MAX_LOAD_NUM = 4;
const MAX_LOAD_DEN = 3;
const MIN_SLOTS = 16;

function nextPow2(n: number): number {
  let p = MIN_SLOTS;
  while (p < n) p *= 2;
  return p;
}

/**
 * Build the image. `domains[i]` must already be normalised (lower case, dotted,
 * no trailing dot, labels 1–63 bytes); indicator id `i` is stored at its node
 * (a repeated domain keeps its first id). `suffixes` are search suffixes in the
 * same form (`corp.local`). Throws only on a broken invariant.
 */
export function buildMatcher(domains: readonly string[], suffixes: readonly string[] = []): CompiledMatcher {
  // Upper bounds, so the image is allocated once and filled in place (no copy).
  let labelCount = 0;
  let poolBytes = 0;
  for (const list of [domains, suffixes]) {
    for (const d of list) {
      poolBytes += d.length;
      for (let i = 0; i < d.length; i++) if (d.charCodeAt(i) === 0x2e) labelCount++;
      labelCount++;
    }
  }
  const nodeCount = labelCount + 2;
  const slotCount = nextPow2(Math.ceil((nodeCount * MAX_LOAD_NUM) / MAX_LOAD_DEN));
  const m = CompiledMatcher.allocate({ nodeCount, slotCount, poolBytes: Math.max(poolBytes, 1) });
  const pool = { bytes: 0 };
  insertAll(m, domains, INDICATOR_ROOT, pool, true);
  insertAll(m, suffixes, SUFFIX_ROOT, pool, false);
  return m;
}

/** Longest domain text we accept (RFC 1035 names are at most 253 characters). */
const MAX_DOMAIN_CHARS = 1024;

function insertAll(m: CompiledMatcher, list: readonly string[], root: number, pool: { bytes: number }, withIds: boolean): void {
  // One scratch buffer for every domain: no string split or Buffer per label.
  const scratch = new Uint8Array(MAX_DOMAIN_CHARS);
  for (let id = 0; id < list.length; id++) {
    const d = list[id]!;
    const len = Math.min(d.length, MAX_DOMAIN_CHARS);
    for (let i = 0; i < len; i++) scratch[i] = d.charCodeAt(i) & 0xff;
    let node = root;
    let end = len;
    for (let i = len - 1; i >= -1; i--) {
      if (i === -1 || scratch[i] === DOT) {
        if (end > i + 1) node = m.addChild(node, scratch, i + 1, end, pool);
        end = i;
      }
    }
    if (node !== root && m.terminal[node]! < 0) m.terminal[node] = withIds ? id : 0;
  }
}
