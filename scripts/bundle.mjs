// Bundle the compiled CLI and the scan worker (dist/, from tsc) into bundle/,
// which is what `dnshunt` runs: one file to load instead of some fifty modules
// cuts about 0.14 s off every start (BENCHMARKS.md, "Start-up").
//
// Layout mirrors dist/ at the same depth below the repository root, so the
// paths the code computes from import.meta.url (package.json, data/, the
// worker next to the CLI) resolve the same from either. Chunks of the lazily
// loaded commands stay beside main.js for the same reason. piscina is bundled
// too (loading its fifteen files from node_modules took ~20 ms of every
// scan's start); the one place it finds a file by __dirname, its worker
// harness, is pointed at the installed package (piscinaHarness below).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}bundle`;
rmSync(out, { recursive: true, force: true });

// The build's identity, a SHA-256 of the compiled code and package.json: the
// indicator cache keys its entries by it, so a rebuilt parser or compiler never
// reads entries an older build wrote.
const id = createHash('sha256');
for (const dir of ['dist/src', 'dist/workers']) {
  for (const f of readdirSync(`${root}${dir}`, { recursive: true }).map(String).filter((f) => f.endsWith('.js')).sort()) {
    id.update(`${dir}/${f}\0`).update(readFileSync(`${root}${dir}/${f}`));
  }
}
id.update(readFileSync(`${root}package.json`));

/**
 * An esbuild plugin that replaces one exact piece of a dependency's file; the
 * build fails when the piece is not there (the package changed: look again).
 */
function replaceInPackage(name, filter, from, to) {
  return {
    name,
    setup(b) {
      b.onLoad({ filter }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes(from)) throw new Error(`${args.path}: no longer holds what the ${name} patch replaces; see scripts/bundle.mjs`);
        return { contents: text.replace(from, to), loader: 'js' };
      });
    },
  };
}

// piscina starts each worker on dist/worker.js beside its own index.js, found
// with __dirname, which a bundled ES module does not have: resolve the
// installed package instead (its exports map allows only the package itself).
const piscinaHarness = replaceInPackage(
  'piscina-harness',
  /[\\/]piscina[\\/]dist[\\/]index\.js$/,
  "(0, node_path_1.resolve)(__dirname, 'worker.js')",
  "(0, node_path_1.resolve)((0, node_path_1.dirname)(require.resolve('piscina')), 'worker.js')",
);

// commander loads child_process (and with it net and dgram, ~7 ms of every
// start) for executable subcommands, which dnshunt has none of: load it on
// first use instead.
const lazyChildProcess = replaceInPackage(
  'lazy-child-process',
  /[\\/]commander[\\/]lib[\\/]command\.js$/,
  "const childProcess = require('node:child_process');",
  "let childProcessModule; const childProcess = new Proxy({}, { get: (_, name) => (childProcessModule ??= require('node:child_process'))[name] });",
);

const common = {
  define: { __DNSHUNT_BUILD_ID__: JSON.stringify(id.digest('hex')) },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  // CommonJS dependencies bundled into an ES module still call require().
  banner: { js: "import { createRequire as __dnshuntRequire } from 'node:module'; const require = __dnshuntRequire(import.meta.url);" },
};

await build({
  ...common,
  entryPoints: [`${root}dist/src/cli/main.js`],
  define: { ...common.define, __DNSHUNT_WORKER_FILE__: JSON.stringify('scan.worker.cjs') },
  outdir: `${out}/src/cli`,
  plugins: [piscinaHarness, lazyChildProcess],
  splitting: true,
  chunkNames: '[name]-[hash]',
});
// The worker is CommonJS: piscina loads a worker with require() first, and a
// require() of an ES module (Node 20.19 and later) that is cut short by the
// pool's shutdown can abort the whole process ("FATAL ERROR" in
// importSyncForRequire); a CommonJS file also loads ~20 ms faster per worker.
await build({
  ...common,
  format: 'cjs',
  // import.meta.url has no CommonJS form: the file's own URL stands in for it
  // (src/match/psl.ts loads tldts through createRequire(import.meta.url)).
  define: { ...common.define, 'import.meta.url': '__dnshuntModuleUrl' },
  banner: { js: "const __dnshuntModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  entryPoints: [`${root}dist/workers/scan.worker.js`],
  outfile: `${out}/workers/scan.worker.cjs`,
});
