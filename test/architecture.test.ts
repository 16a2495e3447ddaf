/**
 * The module map of style.md, enforced on the sources: every import (static,
 * `export … from`, dynamic `import()`, `require()`, `import('x').T` types) of
 * every file in src/ and workers/ is read with the TypeScript parser and
 * checked against the allowed edges; cross-folder imports must go through the
 * folder's index.ts; `parse`, `match` and `dga` do no I/O and read no clock.
 * The checker itself is tested on synthetic sources, so a checker that stopped
 * seeing imports would fail here rather than pass vacuously.
 */
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { REPO_ROOT } from './helpers.js';

/** Folders of src/ (plus "workers") and what they may import (internal folders; `core` is always allowed except where noted). */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  parse: ['core'],
  match: ['core'],
  dga: ['core'],
  ioc: ['core', 'match', 'dga'],
  scan: ['core', 'parse', 'match'],
  tail: ['core', 'parse', 'scan'],
  alert: ['core'],
  gen: ['core', 'dga', 'ioc', 'match'],
  // the early start of scan's workers loads the pool alone: scan/index would load the parser and matcher first
  cli: ['*', 'scan/pool.ts'],
  // the worker wires two pure pieces of scan: reading its range, and priming the JIT before its first task
  workers: ['core', 'parse', 'match', 'scan/read-range.ts', 'scan/prime.ts'],
};
/** Folders that do no I/O and read no clock. */
const PURE = new Set(['parse', 'match', 'dga']);
/** Built-ins that are I/O (or spawn it): forbidden in the pure folders. */
const IO_BUILTINS = new Set(['fs', 'fs/promises', 'net', 'child_process', 'http', 'https', 'http2', 'dgram', 'dns', 'dns/promises', 'tls', 'readline', 'worker_threads', 'cluster', 'inspector', 'os', 'process']);
/**
 * npm packages a folder may import. `core` takes built-ins only; the pure folders only data
 * packages (the Public Suffix List via tldts, which the issue requires for matching).
 */
const PACKAGES: Record<string, readonly string[] | '*'> = {
  core: [],
  parse: [],
  dga: [],
  match: ['tldts'],
};

interface Source {
  /** Path relative to the repository, with forward slashes (`src/scan/pool.ts`). */
  file: string;
  text: string;
}

interface Violation {
  file: string;
  what: string;
}

const BUILTINS = new Set(builtinModules.map((m) => m.replace(/^node:/, '')));

function folderOf(file: string): string | null {
  const parts = file.split('/');
  if (parts[0] === 'workers') return 'workers';
  if (parts[0] === 'src' && parts.length >= 3) return parts[1]!;
  return null;
}

/** Every module specifier in a source, with the kind of reference. */
function importsOf(file: string, text: string): { spec: string; typeOnly: boolean }[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const out: { spec: string; typeOnly: boolean }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push({ spec: node.moduleSpecifier.text, typeOnly: node.importClause?.isTypeOnly === true });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push({ spec: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      out.push({ spec: node.moduleReference.expression.text, typeOnly: false });
    } else if (ts.isCallExpression(node)) {
      const arg = node.arguments[0];
      const isImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === 'require';
      if ((isImport || isRequire) && arg) out.push({ spec: ts.isStringLiteralLike(arg) ? arg.text : '<computed>', typeOnly: false });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      out.push({ spec: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Clock reads in a source: `Date.now()`, `new Date()` without arguments, `Date()`, `performance.now()`, `process.hrtime`. */
function clockReadsOf(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Date' && (node.arguments === undefined || node.arguments.length === 0)) out.push('new Date()');
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Date') out.push('Date()');
    if (ts.isPropertyAccessExpression(node)) {
      const obj = node.expression.getText(sf);
      const name = node.name.text;
      if ((obj === 'Date' && name === 'now') || (obj === 'performance' && name === 'now') || (obj === 'process' && (name === 'hrtime' || name === 'uptime'))) out.push(`${obj}.${name}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Check a set of sources against the module map. */
function checkSources(sources: readonly Source[]): Violation[] {
  const violations: Violation[] = [];
  for (const { file, text } of sources) {
    const from = folderOf(file);
    if (from === null) continue;
    const allowed = ALLOWED[from];
    if (!allowed) {
      violations.push({ file, what: `folder "${from}" is not in the module map` });
      continue;
    }
    for (const { spec } of importsOf(file, text)) {
      if (spec === '<computed>') {
        violations.push({ file, what: 'computed import/require: cannot be checked' });
        continue;
      }
      if (spec.startsWith('.')) {
        const target = relative(REPO_ROOT, resolve(REPO_ROOT, dirname(file), spec)).split(sep).join('/').replace(/\.js$/, '.ts');
        const to = folderOf(target);
        if (to === null) {
          violations.push({ file, what: `imports ${spec}, outside src/ and workers/` });
          continue;
        }
        if (to === from) continue;
        if (to === 'cli') {
          violations.push({ file, what: `imports ${spec}: nothing imports cli` });
          continue;
        }
        const ok = allowed.includes('*') || allowed.includes(to) || (to === 'core' && from !== 'core') || allowed.includes(target.replace(/^src\//, ''));
        if (!ok) {
          violations.push({ file, what: `imports ${spec}: ${from} may not import ${to}` });
          continue;
        }
        const viaIndex = target === `src/${to}/index.ts` || allowed.includes(target.replace(/^src\//, ''));
        if (!viaIndex) violations.push({ file, what: `imports ${spec}: other folders are imported only through ${to}/index.ts` });
        continue;
      }
      const bare = spec.replace(/^node:/, '');
      if (spec.startsWith('node:') || BUILTINS.has(bare)) {
        if (!spec.startsWith('node:')) violations.push({ file, what: `imports built-in "${spec}" without the node: prefix` });
        if (PURE.has(from) && IO_BUILTINS.has(bare)) violations.push({ file, what: `imports ${spec}: ${from} does no I/O` });
        continue;
      }
      const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
      const pk = PACKAGES[from];
      if (pk !== undefined && pk !== '*' && !pk.includes(pkg)) violations.push({ file, what: `imports package ${spec}: ${from} may use ${pk.length === 0 ? 'no packages' : pk.join(', ')}` });
    }
    if (PURE.has(from)) for (const c of clockReadsOf(file, text)) violations.push({ file, what: `reads the clock (${c}): ${from} is pure` });
  }
  return violations;
}

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
}

function repoSources(): Source[] {
  const files: string[] = [];
  walk(join(REPO_ROOT, 'src'), files);
  walk(join(REPO_ROOT, 'workers'), files);
  return files.map((p) => ({ file: relative(REPO_ROOT, p).split(sep).join('/'), text: readFileSync(p, 'utf8') }));
}

describe('architecture: the checker itself', () => {
  const cases: [string, string, string, RegExp | null][] = [
    ['src/parse/x.ts', "import { readFileSync } from 'node:fs';", 'parse reading files', /does no I\/O/],
    ['src/match/x.ts', "import * as net from 'node:net';", 'match using the network', /does no I\/O/],
    ['src/dga/x.ts', "import { spawn } from 'node:child_process';", 'dga spawning', /does no I\/O/],
    ['src/dga/x.ts', 'export const t = () => Date.now();', 'dga reading the clock', /reads the clock \(Date\.now\)/],
    ['src/parse/x.ts', 'export const t = () => new Date();', 'parse reading the clock', /new Date\(\)/],
    ['src/match/x.ts', 'export const t = () => performance.now();', 'match timing itself', /performance\.now/],
    ['src/parse/x.ts', 'export const d = (y: number) => new Date(Date.UTC(y, 1, 0)).getUTCDate();', 'calendar arithmetic is not a clock read', null],
    ['src/parse/x.ts', '// Date.now() in a comment\nexport const s = "new Date()";', 'comments and strings are not code', null],
    ['src/match/x.ts', "import { x } from '../scan/index.js';", 'match importing scan', /match may not import scan/],
    ['src/scan/x.ts', "import { x } from '../cli/scan-command.js';", 'anything importing cli', /nothing imports cli/],
    ['src/alert/x.ts', "export { y } from '../parse/index.js';", 're-export across a forbidden edge', /alert may not import parse/],
    ['src/tail/x.ts', "import { y } from '../scan/range-scanner.js';", 'bypassing an index', /only through scan\/index\.ts/],
    ['src/tail/x.ts', "import { y } from '../scan/index.js';", 'allowed edge through the index', null],
    ['src/gen/x.ts', "import type { Y } from '../scan/index.js';", 'a type-only import is still an edge', /gen may not import scan/],
    ['src/ioc/x.ts', "const m = await import('../scan/index.js');", 'dynamic import', /ioc may not import scan/],
    ['src/ioc/x.ts', "const m = require('../tail/index.js');", 'require', /ioc may not import tail/],
    ['src/ioc/x.ts', "type T = import('../alert/index.js').Alert;", 'import type node', /ioc may not import alert/],
    ['src/core/x.ts', "import { Command } from 'commander';", 'core using a package', /core may use no packages/],
    ['src/core/x.ts', "import { x } from '../parse/index.js';", 'core importing parse', /core may not import parse/],
    ['src/scan/x.ts', "import { readFileSync } from 'fs';", 'built-in without node:', /without the node: prefix/],
    ['workers/w.ts', "import { scanFileRange } from '../src/scan/read-range.js';", 'the worker exception', null],
    ['workers/w.ts', "import { x } from '../src/scan/pool.js';", 'workers reaching further into scan', /workers may not import scan/],
    ['workers/w.ts', "import { x } from '../src/ioc/index.js';", 'workers importing ioc', /workers may not import ioc/],
    ['src/cli/x.ts', "import { x } from '../scan/range-scanner.js';", 'cli bypassing an index', /only through scan\/index\.ts/],
    ['src/cli/x.ts', "import { x } from '../tail/index.js';\nimport { y } from '../gen/index.js';", 'cli importing everything', null],
    ['src/match/x.ts', "import { x } from './y.js';", 'a sibling', null],
    ['src/match/x.ts', "import { x } from '../../bench/x.js';", 'outside src/', /outside src\/ and workers\//],
  ];
  for (const [file, text, what, expected] of cases) {
    it(what, () => {
      const v = checkSources([{ file, text }]);
      if (expected === null) assert.deepEqual(v, []);
      else assert.ok(v.some((x) => expected.test(x.what)), `${JSON.stringify(v)} does not match ${expected}`);
    });
  }

  it('finds multi-line imports', () => {
    const text = "import {\n  a,\n  b,\n} from '../scan/index.js';\nexport {\n  c,\n} from '../tail/index.js';";
    assert.equal(importsOf('src/match/x.ts', text).length, 2);
    assert.equal(checkSources([{ file: 'src/match/x.ts', text }]).length, 2);
  });
});

describe('architecture: the sources follow the module map', () => {
  const sources = repoSources();

  it('sees the sources and their imports (not vacuous)', () => {
    const folders = new Set(sources.map((s) => folderOf(s.file)));
    for (const f of ['core', 'parse', 'match', 'dga', 'ioc', 'scan', 'cli', 'workers']) assert.ok(folders.has(f), `no sources found in ${f}`);
    const edges = sources.reduce((n, s) => n + importsOf(s.file, s.text).length, 0);
    assert.ok(edges >= 100, `only ${edges} imports found`);
  });

  it('every folder is in the module map', () => {
    const unknown = [...new Set(sources.map((s) => folderOf(s.file)))].filter((f) => f !== null && !(f in ALLOWED));
    assert.deepEqual(unknown, []);
  });

  it('every folder imported by another folder has an index.ts', () => {
    const folders = new Set(sources.map((s) => folderOf(s.file)).filter((f): f is string => f !== null && f !== 'workers' && f !== 'cli'));
    for (const f of folders) assert.ok(sources.some((s) => s.file === `src/${f}/index.ts`), `src/${f}/index.ts missing`);
  });

  it('no forbidden edge, no index bypass, no I/O or clock in parse/match/dga', () => {
    const v = checkSources(sources);
    assert.deepEqual(v.map((x) => `${x.file}: ${x.what}`), []);
  });
});
