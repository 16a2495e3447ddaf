/**
 * `npm run bench` entry: the same command as `dnshunt bench`, e.g.
 *
 *     npm run bench                       # 1 GB generated log, 3 runs
 *     npm run bench -- --size 200MB --runs 5 --json > bench/out/results.json
 *     npm run bench -- /path/to/dns.log   # a real log: how long a full scan takes
 */
import { Command, CommanderError } from 'commander';
import { exitCodeFor, isDnshuntError } from '../src/core/index.js';
import { registerBenchCommand } from '../src/cli/bench-command.js';

const program = new Command('npm run bench').exitOverride();
let exit = 0;
registerBenchCommand(program, (c) => (exit = c));
try {
  await program.parseAsync(['bench', ...process.argv.slice(2)], { from: 'user' });
} catch (e) {
  if (e instanceof CommanderError) exit = e.exitCode === 0 ? 0 : 2;
  else if (isDnshuntError(e)) {
    process.stderr.write(`dnshunt bench: ${e.message}\n`);
    exit = exitCodeFor(e.code);
  } else throw e;
}
process.exitCode = exit;
