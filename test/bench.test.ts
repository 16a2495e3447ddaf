/**
 * The benchmark harness's own logic: statistics, the competitors' inputs
 * (grep patterns must hit the same lines a JS reading of the log does), the
 * naive baseline's answer, and one tiny end-to-end `runBench`. No timing
 * assertions: only that numbers are computed from what was measured.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { addRatios, competitorIndicators, diffAnswers, formatTable, grepPatternsText, median, parseStart, summarize, clientsOfScanOutput } from '../src/gen/index.js';
import type { ExpectedAnswer } from '../src/gen/index.js';
import { lockyDomain } from '../src/dga/index.js';
import { writeGeneratedLog } from '../src/cli/gen-command.js';
import { runBench } from '../src/cli/bench-command.js';
import { CLI, runCli, tempDir } from './helpers.js';

const NAIVE = fileURLToPath(new URL('../bench/naive-baseline.js', import.meta.url));
const SCAN_SKIP = existsSync(CLI) && (await runCli(['scan', '--help'])).code === 0 ? false : 'dist/src/cli/main.js scan is not available yet';

describe('bench statistics', () => {
  it('median of odd and even counts', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
  });

  it('summaries, MB/s and ratios come from the measured times', () => {
    const a = summarize('dnshunt', 'x', [2, 1, 3], 10_000_000, 2048, 'yes', true, 1);
    const b = summarize('grep -F -c', 'y', [4, 6, 5], 10_000_000, null, 'n/a', null, 0);
    const rs = [a, b];
    addRatios(rs, 'dnshunt');
    assert.equal(a.median, 2);
    assert.equal(a.min, 1);
    assert.equal(a.max, 3);
    assert.equal(a.mbPerSecond, 5);
    assert.equal(a.peakRssMiB, 2);
    assert.equal(b.timeVsDnshunt, 2.5);
    assert.equal(a.timeVsDnshunt, 1);
    const table = formatTable(rs);
    assert.match(table, /grep -F -c +5\.00 s +4\.00–6\.00 +2 +2\.50×/);
    assert.match(table, /n\/a/);
  });
});

describe('competitor inputs', () => {
  it('include the DGA names of the log dates and encode them as the log does', () => {
    const names = competitorIndicators(['Evil.example.com'], { year: 2016, month: 2, day: 16 }, { year: 2016, month: 2, day: 17 });
    assert.ok(names.includes('evil.example.com'));
    assert.ok(names.includes(lockyDomain('v1', null, { year: 2016, month: 2, day: 16 }, 0)));
    assert.ok(names.includes('fnarsipfqe.pw'));
    assert.equal(grepPatternsText(['fnarsipfqe.pw', 'a.bc']), '(10)fnarsipfqe(2)pw(0)\n(1)a(2)bc(0)\n');
  });

  const t = tempDir('dnshunt-bench-test-');
  after(t.cleanup);

  it('grep -F counts exactly the lines a JS reading finds, and the naive baseline finds the planted clients', async () => {
    const log = join(t.dir, 'b.log');
    const g = await writeGeneratedLog(log, { size: 800_000, seed: 21, locale: 'en-US', infected: 4, startMs: parseStart('2016-02-16T08:00:00'), iocs: 200 });
    const feed = readFileSync(g.iocFile, 'utf8').split('\n').filter((l) => l.length > 0 && !l.startsWith('#'));
    const names = competitorIndicators(feed, { year: 2016, month: 2, day: 16 }, { year: 2016, month: 2, day: 16 });
    const patterns = grepPatternsText(names).trim().split('\n');
    const lines = readFileSync(log, 'latin1').split('\r\n');
    const jsCount = lines.filter((l) => patterns.some((p) => l.includes(p))).length;
    assert.ok(jsCount > 0, 'planted names are in the log in wire form');
    const pf = join(t.dir, 'p.txt');
    writeFileSync(pf, patterns.join('\n') + '\n');
    const grep = spawnSync('grep', ['-F', '-c', '-f', pf, log], { encoding: 'utf8' });
    if (grep.error === undefined) assert.equal(Number(grep.stdout.trim()), jsCount);

    if (!existsSync(NAIVE)) return;
    const dotted = join(t.dir, 'n.txt');
    writeFileSync(dotted, `${names.join('\n')}\n`);
    const naive = spawnSync(process.execPath, [NAIVE, '--indicators', dotted, log], { encoding: 'utf8' });
    assert.equal(naive.status, 0, naive.stderr);
    const found = clientsOfScanOutput(JSON.parse(naive.stdout));
    assert.ok(found !== null);
    const diff = diffAnswers(g.expected.clients, found);
    // The naive script knows no search suffixes, so it may miss a suffixed name; it must never invent a client.
    assert.deepEqual(diff.extraClients, []);
    assert.deepEqual(diff.extraIndicators, []);
    assert.ok(diff.foundClients >= 3, JSON.stringify(diff));
  });
});

describe('runBench end to end (tiny log, one run)', () => {
  const t = tempDir('dnshunt-runbench-');
  after(t.cleanup);

  it('generates, checks answers first, then times every competitor', { skip: SCAN_SKIP }, async () => {
    const report = await runBench(undefined, { size: '600KB', runs: 1, iocs: 100, seed: 3, infected: 3, locale: 'sv-SE', json: true, outDir: t.dir, allowMismatch: false }, () => {});
    assert.equal(report.correct, true, JSON.stringify(report.mismatch));
    assert.equal(report.generated, true);
    const names = report.tools.map((x) => x.name);
    assert.ok(names.includes('dnshunt') && names.includes('dnshunt --threads 1') && names.includes('dnshunt --no-cache'));
    for (const x of report.tools) {
      assert.equal(x.seconds.length, 1);
      assert.ok(x.median > 0);
    }
    assert.equal(report.tools.find((x) => x.name === 'dnshunt')!.timeVsDnshunt, 1);
    // Cached on the second call: same file, not regenerated.
    const again = await runBench(undefined, { size: '600KB', runs: 1, iocs: 100, seed: 3, infected: 3, locale: 'sv-SE', json: true, outDir: t.dir, allowMismatch: false }, () => {});
    assert.equal(again.file, report.file);
    const e = JSON.parse(readFileSync(`${report.file}.expected.json`, 'utf8')) as ExpectedAnswer;
    assert.equal(e.clients.length, 3);
  });

  it('a wrong expected answer is caught: no timings, correct=false', { skip: SCAN_SKIP }, async () => {
    const log = join(t.dir, 'tampered.log');
    const g = await writeGeneratedLog(log, { size: 400_000, seed: 8, locale: 'en-US', infected: 2, startMs: parseStart('2016-02-16T08:00:00'), iocs: 50 });
    const e = { ...g.expected, clients: [...g.expected.clients, { client: '10.9.9.9', indicators: ['nothing.example'] }] };
    writeFileSync(g.expectedFile, JSON.stringify(e));
    const report = await runBench(log, { size: '1GB', runs: 1, iocs: 50, seed: 8, infected: 2, locale: 'en-US', json: true, outDir: t.dir, allowMismatch: false }, () => {});
    assert.equal(report.correct, false);
    assert.deepEqual(report.mismatch?.missingClients, ['10.9.9.9']);
    assert.deepEqual(report.tools, []);
  });
});
