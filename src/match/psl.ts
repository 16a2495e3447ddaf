/**
 * The Public Suffix List (the `tldts` package), loaded on first use. Loading
 * it builds the list's tables (~14 ms on the shared machine); a scan whose
 * feeds, DGA names and compiled set come from the indicator cache never asks
 * the list anything on its main thread, so it never pays for it there.
 */
import { createRequire } from 'node:module';

type Tldts = typeof import('tldts');

let loaded: Tldts | null = null;

/** The `tldts` module, loaded on the first call. */
export function psl(): Tldts {
  loaded ??= createRequire(import.meta.url)('tldts') as Tldts;
  return loaded;
}
