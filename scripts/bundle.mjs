// Bundle the compiled CLI and the scan worker (dist/, from tsc) into bundle/,
// which is what `dnshunt` runs: one file to load instead of some fifty modules
// cuts about 0.14 s off every start (BENCHMARKS.md, "Start-up").
//
// Layout mirrors dist/ at the same depth below the repository root, so the
// paths the code computes from import.meta.url (package.json, data/, the
// worker next to the CLI) resolve the same from either. Chunks of the lazily
// loaded commands stay beside main.js for the same reason. piscina stays
// external: it finds its own worker harness next to its files.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}bundle`;
rmSync(out, { recursive: true, force: true });

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['piscina'],
  sourcemap: 'linked',
  logLevel: 'warning',
  // CommonJS dependencies bundled into an ES module still call require().
  banner: { js: "import { createRequire as __dnshuntRequire } from 'node:module'; const require = __dnshuntRequire(import.meta.url);" },
};

await build({
  ...common,
  entryPoints: [`${root}dist/src/cli/main.js`],
  outdir: `${out}/src/cli`,
  splitting: true,
  chunkNames: '[name]-[hash]',
});
await build({
  ...common,
  entryPoints: [`${root}dist/workers/scan.worker.js`],
  outdir: `${out}/workers`,
});
