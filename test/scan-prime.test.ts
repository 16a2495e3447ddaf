/**
 * The worker's priming scan (src/scan/prime.ts): it must walk the rare paths
 * it exists for — hits as logged, with a search suffix stripped, upper case, on
 * an IPv6 line and on collapsed and unterminated names — and run once per thread.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { READ_CHUNK_BYTES, Skimmer } from '../src/scan/index.js';
import { primeScanner, scanPrimingLog } from '../src/scan/prime.js';

describe('primeScanner', () => {
  it('finds the hits planted in each of its three copies, then does nothing on later calls', () => {
    assert.equal(primeScanner(), 15);
    assert.equal(primeScanner(), 0);
  });

  it('through a skimmer it finds the same hits, and the skim takes lines of it', () => {
    const skimmer = new Skimmer(READ_CHUNK_BYTES);
    assert.equal(scanPrimingLog(3, skimmer), scanPrimingLog(3, null));
    assert.ok(skimmer.linesTaken > 0, `the skim took ${skimmer.linesTaken} lines`);
  });
});
