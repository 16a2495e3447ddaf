/** src/alert may import only src/core (through its index), node built-ins and npm packages: checked on the sources. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './helpers.js';

const ALERT_DIR = join(REPO_ROOT, 'src', 'alert');
const SPECIFIER_RE = /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]|(?:^|\n)\s*import\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

test('src/alert imports nothing but ./, ../core/index.js, node: built-ins and packages', () => {
  const files = readdirSync(ALERT_DIR).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length >= 10, 'found the sources');
  const bad: string[] = [];
  let seen = 0;
  for (const f of files) {
    const text = readFileSync(join(ALERT_DIR, f), 'utf8');
    for (const m of text.matchAll(SPECIFIER_RE)) {
      const spec = (m[1] ?? m[2] ?? m[3]) as string;
      seen++;
      const ok =
        (spec.startsWith('./') && !spec.slice(2).includes('/')) ||
        spec === '../core/index.js' ||
        spec.startsWith('node:') ||
        (!spec.startsWith('.') && !spec.startsWith('/'));
      if (!ok) bad.push(`${f}: ${spec}`);
    }
  }
  assert.ok(seen > 20, 'the import scanner sees imports');
  assert.deepEqual(bad, []);
});
