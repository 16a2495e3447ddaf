#!/usr/bin/env node
/**
 * dnshunt command-line entry point. For `scan`, the worker threads are
 * started before anything else is loaded (see early-pool.ts); then the
 * program is loaded and run.
 */
import { firstWord } from './argv.js';

const argv = process.argv;
const early = firstWord(argv) === 'scan' ? (await import('./early-pool.js')).EarlyScanPool.start(argv) : null;
const { main } = await import('./program.js');
process.exitCode = await main(argv, early);
