/**
 * The worker's priming scan (src/scan/prime.ts): it must walk the rare paths
 * it exists for — hits as logged, with a search suffix stripped, upper case, on
 * an IPv6 line and on collapsed and unterminated names — and run once per thread.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { primeScanner } from '../src/scan/prime.js';

describe('primeScanner', () => {
  it('finds the hits planted in each of its three copies, then does nothing on later calls', () => {
    assert.equal(primeScanner(), 15);
    assert.equal(primeScanner(), 0);
  });
});
