/**
 * `src/dga` is pure (style.md): it imports only itself and `src/core`, does no
 * I/O and reads no clock. Read the sources and fail on a forbidden edge.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from './helpers.js';

const DGA_DIR = join(REPO_ROOT, 'src', 'dga');
const IMPORT_RE = /(?:^|\n)\s*(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;
const FORBIDDEN_CALLS = [/\bDate\s*\.\s*now\b/, /\bnew\s+Date\b/, /\bperformance\s*\.\s*now\b/, /\bprocess\s*\./, /\bMath\s*\.\s*random\b/, /\brequire\s*\(/];

function sources(): { file: string; text: string }[] {
  return readdirSync(DGA_DIR)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ file: f, text: readFileSync(join(DGA_DIR, f), 'utf8') }));
}

describe('src/dga purity', () => {
  it('has sources to check', () => {
    assert.ok(sources().length >= 5);
  });

  it('imports only ./ siblings and ../core/index.js', () => {
    let edges = 0;
    for (const { file, text } of sources()) {
      for (const m of text.matchAll(IMPORT_RE)) {
        const spec = m[1] ?? m[2] ?? '';
        edges++;
        assert.ok(/^\.\/[a-z0-9-]+\.js$/.test(spec) || spec === '../core/index.js', `${file} imports ${spec}`);
      }
    }
    // If the pattern stopped matching, this test would pass vacuously.
    assert.ok(edges >= 10, `only ${edges} imports found`);
  });

  it('reads no clock, no process state, no randomness', () => {
    for (const { file, text } of sources()) {
      for (const re of FORBIDDEN_CALLS) assert.ok(!re.test(text), `${file} matches ${re}`);
    }
  });
});
