#!/usr/bin/env node
/**
 * dnshunt command-line entry point: the only place everything is wired
 * together. Maps error codes to exit statuses and prints one clear line.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ExitCode, exitCodeFor, isDnshuntError } from '../core/index.js';
import { registerDgaCommand } from './dga-command.js';
import { registerGenCommand } from './gen-command.js';
import { registerBenchCommand } from './bench-command.js';
import { registerTailCommand } from './tail-command.js';
import { registerAlertCommand } from './alert-command.js';
import { registerScanCommand } from './scan-command.js';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Build the program; `setExit` records the status a command wants. */
export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command();
  program
    .name('dnshunt')
    .description('Find the machines that looked up malware command-and-control names (Locky and others) in DNS server logs.')
    .version(pkg.version)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
  registerScanCommand(program, io, setExit);
  registerDgaCommand(program);
  registerGenCommand(program);
  registerBenchCommand(program, setExit);
  registerTailCommand(program, setExit);
  registerAlertCommand(program, setExit);
  return program;
}

async function main(argv: string[]): Promise<number> {
  let exit: number = ExitCode.CLEAN;
  const program = buildProgram((c) => {
    exit = c;
  });
  // A closed pipe (`dnshunt scan … | head`) is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(exit);
    throw e;
  });
  try {
    await program.parseAsync(argv);
    return exit;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return ExitCode.CLEAN;
      return ExitCode.INPUT; // commander already printed its one line
    }
    if (isDnshuntError(e)) {
      process.stderr.write(`dnshunt: ${e.message}\n`);
      return exitCodeFor(e.code);
    }
    process.stderr.write(`dnshunt: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return ExitCode.FAILURE;
  }
}

process.exitCode = await main(process.argv);
