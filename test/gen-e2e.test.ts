/**
 * End to end: generate ~2 MB with the gen command's writer, run the built CLI
 * `scan` on it, and require exactly the expected answer. Skipped with a reason
 * while `dist/src/cli/main.js scan` (or `gen`) is not available.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { clientsOfScanOutput, diffAnswers, parseStart } from '../src/gen/index.js';
import type { ExpectedAnswer } from '../src/gen/index.js';
import { writeGeneratedLog } from '../src/cli/gen-command.js';
import { CLI, runCli, tempDir } from './helpers.js';

async function commandAvailable(name: string): Promise<boolean> {
  if (!existsSync(CLI)) return false;
  const r = await runCli([name, '--help']);
  return r.code === 0;
}

const scanAvailable = await commandAvailable('scan');
const genAvailable = await commandAvailable('gen');
const SCAN_SKIP = scanAvailable ? false : 'dist/src/cli/main.js scan is not available yet';

describe('generate → scan → compare with expected.json', () => {
  const t = tempDir('dnshunt-gen-e2e-');
  after(t.cleanup);

  for (const [locale, seed, start] of [
    ['en-US', 11, '2016-02-16T08:00:00'],
    ['de-DE', 12, '2016-03-24T21:30:00'],
    ['zh-CN', 13, '2017-04-24T10:00:00'],
  ] as const) {
    it(`${locale}, seed ${seed}, from ${start}: the scan reports exactly the planted clients`, { skip: SCAN_SKIP }, async () => {
      const log = join(t.dir, `${locale}.log`);
      const g = await writeGeneratedLog(log, { size: 2_000_000, seed, locale, infected: 8, startMs: parseStart(start), iocs: 1000, wrapEveryBytes: 700_000 });
      assert.equal(statSync(log).size, g.bytes);
      const expected = JSON.parse(readFileSync(g.expectedFile, 'utf8')) as ExpectedAnswer;
      assert.equal(expected.iocFile, `${locale}.log.ioc.txt`);
      const r = await runCli(['scan', '--quiet', '--ioc', join(t.dir, expected.iocFile), '--format', 'json', log]);
      assert.equal(r.code, 1, `exit 1 = infected found (stderr: ${r.stderr})`);
      const actual = clientsOfScanOutput(JSON.parse(r.stdout));
      assert.ok(actual !== null, 'scan JSON has clients');
      const diff = diffAnswers(expected.clients, actual);
      assert.ok(diff.exact, JSON.stringify(diff, null, 2));
    });
  }

  it('a clean generated log (--infected 0) exits 0 with no clients', { skip: SCAN_SKIP }, async () => {
    const log = join(t.dir, 'clean.log');
    const g = await writeGeneratedLog(log, { size: 500_000, seed: 5, locale: 'sv-SE', infected: 0, startMs: parseStart('2016-02-16T08:00:00'), iocs: 100 });
    const r = await runCli(['scan', '--quiet', '--ioc', g.iocFile, '--format', 'json', log]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(clientsOfScanOutput(JSON.parse(r.stdout)), []);
  });
});

describe('dnshunt gen (CLI)', () => {
  const t = tempDir('dnshunt-gen-cli-');
  let out = '';
  before(() => {
    out = join(t.dir, 'sub', 'cli.log');
  });
  after(t.cleanup);

  it('writes the log, FILE.ioc.txt and FILE.expected.json', { skip: genAvailable ? false : 'gen is not wired into dist/src/cli/main.js yet' }, async () => {
    const r = await runCli(['gen', '--size', '300KB', '--out', out, '--seed', '9', '--locale', 'en-GB', '--infected', '2', '--iocs', '50']);
    assert.equal(r.code, 0, r.stderr);
    const e = JSON.parse(readFileSync(`${out}.expected.json`, 'utf8')) as ExpectedAnswer;
    assert.equal(e.clients.length, 2);
    assert.equal(e.locale, 'en-GB');
    assert.equal(e.seed, 9);
    assert.equal(statSync(out).size, e.bytes);
    assert.equal(readFileSync(`${out}.ioc.txt`, 'utf8').split('\n').filter((l) => l.length > 0 && !l.startsWith('#')).length, 50);
  });

  it('a bad option is a usage error (exit 2)', { skip: genAvailable ? false : 'gen is not wired into dist/src/cli/main.js yet' }, async () => {
    const r = await runCli(['gen', '--size', 'lots', '--out', out]);
    assert.equal(r.code, 2);
    const l = await runCli(['gen', '--size', '1MB', '--out', out, '--locale', 'fr-FR']);
    assert.equal(l.code, 2);
  });
});
