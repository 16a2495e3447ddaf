/**
 * Test helpers shared by every test file: where the repository and ../shared are,
 * temporary directories that clean up after themselves, and running the built CLI.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (tests run from dist/test, two levels below it). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Path of the CLI users run: the bundle (scripts/bundle.mjs) of the compiled code. */
export const CLI = join(REPO_ROOT, 'bundle', 'src', 'cli', 'main.js');

/** Path of the compiled, unbundled CLI entry point (what the bundle is made from). */
export const CLI_UNBUNDLED = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

/**
 * The CLI's indicator cache (parsed feeds, compiled sets) goes to a folder of
 * this test process's own, never to the user's cache: every CLI a test starts
 * inherits it. Removed when the process exits.
 */
export const TEST_CACHE_DIR: string = (() => {
  const dir = mkdtempSync(join(tmpdir(), 'dnshunt-test-cache-'));
  process.env.DNSHUNT_CACHE_DIR = dir;
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
})();

/** Path of the repository's fixtures folder. */
export const FIXTURES = join(REPO_ROOT, 'fixtures');

/**
 * The read-only ../shared folder (docs, data, samples) when present, else null.
 * Tests that need it skip cleanly without it: `{ skip: SHARED === null && 'no ../shared' }`.
 */
export const SHARED: string | null = (() => {
  const p = resolve(REPO_ROOT, '..', 'shared');
  return existsSync(p) ? p : null;
})();

/** Make a temporary directory; the returned function removes it. */
export function tempDir(prefix = 'dnshunt-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the built CLI (`opts.cli`, default the bundle) with `args`; resolves when it exits (stdin is closed unless `input` is given). */
export function runCli(args: readonly string[], opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; cli?: string } = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [opts.cli ?? CLI, ...args], {
      cwd: opts.cwd ?? REPO_ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}
