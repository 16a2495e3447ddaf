/**
 * Conformance over the real sample logs in ../shared/samples/windows-dns-debug
 * (skipped when ../shared is absent): zero unparsed lines, the record counts
 * the format doc states (en-US: 436 PACKET lines, 2 EVENT lines, one blank
 * line after each PACKET line), counts equal to a naive line classifier for
 * every sample, the same with CRLF line ends, no infected client with the
 * default indicators, and the samples' own client queries found exactly when
 * a feed names their lab domains.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { NameMatcher, buildMatcher } from '../src/match/index.js';
import { scanFileRange } from '../src/scan/index.js';
import { SHARED, runCli, tempDir } from './helpers.js';

const DIR = SHARED === null ? null : join(SHARED, 'samples', 'windows-dns-debug');
const skip = DIR === null || !existsSync(DIR) ? 'no ../shared/samples/windows-dns-debug' : false;
const SAMPLES = skip ? [] : readdirSync(DIR!).filter((f) => f.endsWith('.txt') && !f.startsWith('LICENSE')).sort();
const T = { timeout: 120_000 };
const tmp = tempDir('dnshunt-conformance-');
after(() => tmp.cleanup());

/** Naive classification by regular expressions, written from the format doc, independent of the parser. */
function naive(text: string) {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const rx = {
    packet: /^\S+(?: \S+){1,2} [0-9A-F]{3,4} PACKET /,
    event: /^\S+(?: \S+){1,2} [0-9A-F]{3,4} (?:EVENT|Note:) /,
    clientQuery: / PACKET +\S+ (?:UDP|TCP) Rcv +\S+ +[0-9a-f]{4} +Q \[/,
  };
  return {
    lines: lines.length,
    packets: lines.filter((l) => rx.packet.test(l)).length,
    events: lines.filter((l) => rx.event.test(l)).length,
    blanks: lines.filter((l) => l.replace(/\r$/, '') === '').length,
    clientQueries: lines.filter((l) => rx.packet.test(l) && rx.clientQuery.test(l)).length,
    lineList: lines,
  };
}

function inProcess(path: string) {
  const size = readFileSync(path).length;
  const m = new NameMatcher(buildMatcher(['never-in-a-sample.example.com']), true);
  return scanFileRange({ kind: 'scan-range', path, fileIndex: 0, rangeIndex: 0, start: 0, end: size, lookahead: 0, maxSamples: 10 }, m).counters;
}

describe('../shared sample logs', { skip }, () => {
  it('are all there', () => {
    assert.deepEqual(SAMPLES, ['dns-Locale-de-AT-Windows2008r2.txt', 'dns-Locale-de-DE-WindowsUnknown.txt', 'dns-Locale-sv-SE-Windows2012r2.txt', 'dns-Locale_en-US-Windows2012.txt']);
  });

  it('en-US 2012 sample: 436 PACKET records, 2 EVENT lines, a blank line after each record, nothing unparsed (the doc\'s counts)', T, () => {
    const c = inProcess(join(DIR!, 'dns-Locale_en-US-Windows2012.txt'));
    assert.equal(c.records, 436);
    assert.equal(c.events, 2);
    assert.equal(c.unparsed, 0);
    const n = naive(readFileSync(join(DIR!, 'dns-Locale_en-US-Windows2012.txt'), 'latin1'));
    // 436 blank lines after records + the header's own blank lines
    assert.ok(n.blanks >= 436);
    assert.equal(c.skipped, n.lines - 436 - 2);
    assert.equal(c.lines, n.lines);
  });

  for (const name of SAMPLES) {
    it(`${name}: counts equal the naive classifier, LF and CRLF alike`, T, () => {
      const path = join(DIR!, name);
      const text = readFileSync(path, 'latin1');
      const n = naive(text);
      const crlfPath = join(tmp.dir, name.replace(/\.txt$/, '.crlf.log'));
      writeFileSync(crlfPath, text.replace(/\n/g, '\r\n'), 'latin1');
      for (const p of [path, crlfPath]) {
        const c = inProcess(p);
        assert.equal(c.unparsed, 0, p);
        assert.equal(c.records, n.packets, p);
        assert.equal(c.events, n.events, p);
        assert.equal(c.clientQueries, n.clientQueries, p);
        assert.equal(c.lines, n.lines, p);
        assert.equal(c.records + c.events + c.skipped + c.unparsed, c.lines, p);
      }
    });

    it(`${name}: the CLI reports no infected client, nothing unparsed, and the record count`, T, async () => {
      const r = await runCli(['scan', '--quiet', '--format', 'json', join(DIR!, name)]);
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(r.stdout) as { clients: unknown[]; stats: { records: number; unparsed: number; lines: number } };
      assert.deepEqual(report.clients, []);
      assert.equal(report.stats.unparsed, 0);
      assert.equal(report.stats.records, naive(readFileSync(join(DIR!, name), 'latin1')).packets);
    });
  }

  it('the samples\' own client queries for their lab domains are found, and only those (no forwarder, no Snd line)', T, async () => {
    const feed = join(tmp.dir, 'lab.txt');
    writeFileSync(feed, 'virot.eu\nvirot.de\nfile.local\n');
    const r = await runCli(['scan', '--quiet', '--no-builtin', '--dga', 'none', '--no-strip-private-suffixes', '--ioc', feed, '--format', 'jsonl', ...SAMPLES.map((s) => join(DIR!, s))]);
    assert.equal(r.code, 1, r.stderr);
    const got = r.stdout.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as { client: string; qname: string; file: string; line: number });
    // Oracle: every Rcv line with a blank QR slot and opcode Q whose name ends in a lab domain.
    const want: string[] = [];
    for (const s of SAMPLES) {
      const n = naive(readFileSync(join(DIR!, s), 'latin1'));
      n.lineList.forEach((l, i) => {
        const m = / PACKET +\S+ (?:UDP|TCP) Rcv +(\S+) +[0-9a-f]{4} +Q \[[^\]]*\] +\S+ +(\S+?)\r?$/.exec(l);
        if (!m) return;
        const labels = m[2]!.match(/\((\d+)\)([^(]*)/g)?.map((x) => x.replace(/^\(\d+\)/, '').toLowerCase()).filter((x) => x.length > 0) ?? [];
        const qname = labels.join('.');
        if (/(?:^|\.)(?:virot\.eu|virot\.de|file\.local)$/.test(qname)) want.push(`${join(DIR!, s)}:${i + 1} ${m[1]} ${qname}`);
      });
    }
    assert.ok(want.length >= 10, `oracle found only ${want.length} lab queries`);
    assert.deepEqual(got.map((h) => `${h.file}:${h.line} ${h.client} ${h.qname}`), want);
  });
});
