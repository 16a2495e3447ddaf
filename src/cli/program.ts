/**
 * The dnshunt program: the only place everything is wired together. Maps
 * error codes to exit statuses and prints one clear line. `main.ts` is the
 * entry point that runs it.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ExitCode, exitCodeFor, isDnshuntError } from '../core/index.js';
import { firstWord } from './argv.js';
import type { EarlyScanPool } from './early-pool.js';
const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

type SetExit = (code: number) => void;
type Io = { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream; stdin: NodeJS.ReadStream; earlyPool?: EarlyScanPool };

/**
 * Each command's module is loaded only when that command runs (or for help):
 * `tail` pulls in the mail stack, `scan` the worker pool, and an admin waiting
 * on a scan should not pay for the other's start-up.
 */
const COMMANDS: Record<string, (program: Command, io: Io, setExit: SetExit) => Promise<void>> = {
  scan: async (p, io, x) => (await import('./scan-command.js')).registerScanCommand(p, io, x),
  dga: async (p) => (await import('./dga-command.js')).registerDgaCommand(p),
  gen: async (p) => {
    (await import('./gen-command.js')).registerGenCommand(p);
  },
  bench: async (p, _io, x) => {
    (await import('./bench-command.js')).registerBenchCommand(p, x);
  },
  tail: async (p, _io, x) => (await import('./tail-command.js')).registerTailCommand(p, x),
  alert: async (p, _io, x) => (await import('./alert-command.js')).registerAlertCommand(p, x),
};

/** The command word of `argv`, if it names a command. */
function commandOf(argv: readonly string[]): string | null {
  const word = firstWord(argv);
  return word !== null && Object.hasOwn(COMMANDS, word) ? word : null;
}

/** Build the program with the commands `argv` needs (all of them for help); `setExit` records the status a command wants. */
export async function buildProgram(setExit: SetExit, argv: readonly string[] = process.argv, earlyPool?: EarlyScanPool): Promise<Command> {
  const program = new Command();
  program
    .name('dnshunt')
    .description('Find the machines that looked up malware command-and-control names (Locky and others) in DNS server logs.')
    .version(pkg.version)
    .exitOverride();
  const io: Io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, ...(earlyPool ? { earlyPool } : {}) };
  const only = commandOf(argv);
  for (const [name, register] of Object.entries(COMMANDS)) if (only === null || only === name) await register(program, io, setExit);
  return program;
}

/** Run the program on `argv`; returns the exit status. An early scan pool is closed here if `scan` did not take it. */
export async function main(argv: string[], earlyPool: EarlyScanPool | null = null): Promise<number> {
  try {
    return await runProgram(argv, earlyPool);
  } finally {
    await earlyPool?.close();
  }
}

async function runProgram(argv: string[], earlyPool: EarlyScanPool | null): Promise<number> {
  let exit: number = ExitCode.CLEAN;
  const program = await buildProgram((c) => {
    exit = c;
  }, argv, earlyPool ?? undefined);
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

