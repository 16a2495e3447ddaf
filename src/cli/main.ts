#!/usr/bin/env node
/**
 * dnshunt command-line entry point. For `scan`, the worker threads are
 * started before anything else is loaded (see early-pool.ts); then the
 * program is loaded and run.
 */
import module from 'node:module';
import { firstWord } from './argv.js';

// Node 22.1 and later keep V8's compiled code of the modules loaded from here
// on between runs (in os.tmpdir()/node-compile-cache, or $NODE_COMPILE_CACHE);
// Node 20 has no such cache and skips this.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const argv = process.argv;
const early = firstWord(argv) === 'scan' ? (await import('./early-pool.js')).EarlyScanPool.start(argv) : null;
const { main } = await import('./program.js');
process.exitCode = await main(argv, early);
