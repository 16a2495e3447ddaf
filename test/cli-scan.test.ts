/**
 * `dnshunt scan` end to end through the built CLI: the bundled sample against
 * a golden JSON report and, independently of it, against the planted infected
 * clients and decoys; jsonl/csv line contracts (each line checked against the
 * log line it names); exit codes; feeds instead of the built-in list; stdin,
 * .gz and directory inputs; thread and chunk-size independence; search
 * suffixes; the ambiguous date-order warning.
 *
 * Set DNSHUNT_UPDATE_GOLDEN=1 to rewrite fixtures/golden/sample-dns.json
 * (then review the diff: the golden is a contract).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { CLI, CLI_UNBUNDLED, FIXTURES, REPO_ROOT, runCli, tempDir, type CliResult } from './helpers.js';

const SAMPLE_REL = 'fixtures/sample-dns.log';
const SAMPLE = join(FIXTURES, 'sample-dns.log');
const GOLDEN = join(FIXTURES, 'golden', 'sample-dns.json');
const FEED_REL = 'fixtures/logs/feed.txt';
const SET_REL = 'fixtures/logs/set';
const T = { timeout: 120_000 };
const HIT_FIELDS = ['time', 'client', 'qname', 'qtype', 'rcode', 'indicator', 'source', 'file', 'line', 'suffixStripped'];

interface Report {
  clients: { client: string; queries: number; first: string; last: string; indicators: { indicator: string; queried: string; source: string; count: number; suffixStripped: string | null }[] }[];
  stats: { files: number; bytes: number; lines: number; records: number; clientQueries: number; unparsed: number; unparsedSamples: { file: string; line: number; text: string }[]; seconds?: number };
  warnings: string[];
}

interface HitLine {
  time: string;
  client: string;
  qname: string;
  qtype: string;
  rcode: string | null;
  indicator: string;
  source: string;
  file: string;
  line: number;
  suffixStripped: string | null;
}

function json(r: CliResult): Report {
  assert.ok(r.stdout.length > 0, `no output; stderr: ${r.stderr}`);
  return JSON.parse(r.stdout) as Report;
}

function jsonl(r: CliResult): HitLine[] {
  return r.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as HitLine);
}

/** A small RFC 4180 reader (quotes, doubled quotes, commas and newlines inside quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (c !== '\r') field += c;
  }
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** The planted infected clients of fixtures/sample-dns.log (see the fixture's commit). */
const PLANTED: Record<string, { queries: number; indicator: string; queried: string; suffixStripped: string | null; rcode: string }> = {
  '10.10.1.23': { queries: 2, indicator: 'fnarsipfqe.pw', queried: 'fnarsipfqe.pw', suffixStripped: null, rcode: 'NXDOMAIN' },
  '10.10.3.99': { queries: 2, indicator: 'serxrhtpf.uk', queried: 'serxrhtpf.uk', suffixStripped: null, rcode: 'NXDOMAIN' },
  '10.10.1.57': { queries: 1, indicator: '6dtxgqam4crv6rr6.tor2web.org', queried: '6dtxgqam4crv6rr6.tor2web.org', suffixStripped: null, rcode: 'NOERROR' },
  '10.10.2.8': { queries: 1, indicator: 'jqqwwhkejlxace.work', queried: 'jqqwwhkejlxace.work', suffixStripped: null, rcode: 'NXDOMAIN' },
  '10.10.3.14': { queries: 1, indicator: 'fnarsipfqe.pw', queried: 'fnarsipfqe.pw.corp.local', suffixStripped: 'corp.local', rcode: 'NXDOMAIN' },
  'fd00:10:10:1::45': { queries: 1, indicator: 'vgmexksbecmqwl.eu', queried: 'vgmexksbecmqwl.eu', suffixStripped: null, rcode: 'NXDOMAIN' },
};
const DECOYS = ['10.10.4.4', '10.10.4.5', '192.168.0.1'];

const tmp = tempDir('dnshunt-cli-scan-');
after(() => tmp.cleanup());

// The default scan of the sample is used by several tests; run it once per format.
let sampleJson: CliResult;
let sampleJsonl: CliResult;
before(async () => {
  [sampleJson, sampleJsonl] = await Promise.all([runCli(['scan', '--quiet', '--format', 'json', SAMPLE_REL]), runCli(['scan', '--quiet', '--format', 'jsonl', SAMPLE_REL])]);
});

describe('scan fixtures/sample-dns.log', () => {
  it('matches the golden JSON report (stats.seconds excluded)', T, () => {
    assert.equal(sampleJson.code, 1, sampleJson.stderr);
    const report = json(sampleJson);
    assert.equal(typeof report.stats.seconds, 'number');
    delete report.stats.seconds;
    if (process.env.DNSHUNT_UPDATE_GOLDEN === '1') {
      mkdirSync(join(FIXTURES, 'golden'), { recursive: true });
      writeFileSync(GOLDEN, `${JSON.stringify(report, null, 2)}\n`);
    }
    const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Report;
    assert.deepEqual(report, golden);
  });

  it('the unbundled compiled CLI (dist/) gives the same report as the bundle users run', T, async () => {
    const unbundled = await runCli(['scan', '--quiet', '--format', 'json', SAMPLE_REL], { cli: CLI_UNBUNDLED });
    assert.equal(unbundled.code, sampleJson.code, unbundled.stderr);
    const a = json(unbundled);
    const b = json(sampleJson);
    delete a.stats.seconds;
    delete b.stats.seconds;
    assert.deepEqual(a, b);
  });

  it('reports exactly the planted infected clients, with their indicators, counts and stripped suffixes', T, () => {
    const report = json(sampleJson);
    assert.deepEqual(report.clients.map((c) => c.client).sort(), Object.keys(PLANTED).sort());
    for (const c of report.clients) {
      const want = PLANTED[c.client]!;
      assert.equal(c.queries, want.queries, c.client);
      assert.deepEqual(c.indicators.map((i) => [i.indicator, i.queried, i.count, i.suffixStripped]), [[want.indicator, want.queried, want.queries, want.suffixStripped]], c.client);
      assert.match(c.first, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
      assert.ok(c.first <= c.last);
    }
    // most queries first
    const q = report.clients.map((c) => c.queries);
    assert.deepEqual(q, [...q].sort((a, b) => b - a));
    assert.equal(report.stats.unparsed, 0);
    assert.equal(report.stats.files, 1);
    assert.equal(report.stats.bytes, readFileSync(SAMPLE).length);
  });

  it('reports no decoy, no update sender and no forwarder', T, () => {
    const all = `${sampleJson.stdout}\n${sampleJsonl.stdout}`;
    for (const d of DECOYS) assert.ok(!all.includes(`"${d}"`), `${d} reported`);
    for (const n of ['notfnarsipfqe.pw', 'fnarsipfqe.pw.com', 'edvbasadibh.yt']) assert.ok(!all.includes(n), `${n} reported`);
  });

  it('jsonl: one line per matching client query, fields in contract order, each naming a real query line of the log', T, () => {
    assert.equal(sampleJsonl.code, 1);
    const rows = jsonl(sampleJsonl);
    const total = Object.values(PLANTED).reduce((s, p) => s + p.queries, 0);
    assert.equal(rows.length, total);
    const logLines = readFileSync(SAMPLE, 'latin1').split('\n');
    for (const line of sampleJsonl.stdout.split('\n').filter((l) => l.length > 0)) assert.deepEqual(Object.keys(JSON.parse(line) as object), HIT_FIELDS);
    for (const r of rows) {
      const want = PLANTED[r.client];
      assert.ok(want, `unexpected client ${r.client}`);
      assert.equal(r.file, SAMPLE_REL);
      assert.equal(r.indicator, want.indicator);
      assert.equal(r.qname, want.queried);
      assert.equal(r.rcode, want.rcode, `${r.client} rcode`);
      assert.equal(r.suffixStripped, want.suffixStripped);
      assert.ok(r.source.length > 0);
      const logged = logLines[r.line - 1]!;
      assert.match(logged, / PACKET .* (?:UDP|TCP) Rcv /, `line ${r.line} is not a received packet: ${logged}`);
      assert.ok(logged.includes(` ${r.client} `), `line ${r.line} is not from ${r.client}: ${logged}`);
      assert.match(logged, /\s{2,}Q \[/, `line ${r.line} is not a query`);
      assert.ok(logged.toLowerCase().includes(r.qname.split('.').map((l) => `(${l.length})${l}`).join('')), `line ${r.line} does not ask for ${r.qname}`);
    }
    // the upper-case query is reported lower-cased, the TCP one is there
    assert.ok(rows.some((r) => r.client === '10.10.1.57' && r.qname === '6dtxgqam4crv6rr6.tor2web.org'));
    assert.ok(logLines[rows.find((r) => r.client === '10.10.2.8')!.line - 1]!.includes(' TCP Rcv '));
  });

  it('csv: a header, then the jsonl fields as columns, one row per matching query', T, async () => {
    const r = await runCli(['scan', '--quiet', '--format', 'csv', SAMPLE_REL]);
    assert.equal(r.code, 1, r.stderr);
    const rows = parseCsv(r.stdout);
    assert.deepEqual(rows[0], HIT_FIELDS);
    const body = rows.slice(1);
    const want = jsonl(sampleJsonl);
    assert.equal(body.length, want.length);
    body.forEach((row, i) => {
      const w = want[i]!;
      assert.deepEqual(row, HIT_FIELDS.map((f) => {
        const v = w[f as keyof HitLine];
        return v === null ? '' : String(v);
      }));
    });
  });

  it('table: one row per infected client and a summary', T, async () => {
    const r = await runCli(['scan', '--quiet', SAMPLE_REL]);
    assert.equal(r.code, 1, r.stderr);
    const rows = r.stdout.split('\n');
    for (const c of Object.keys(PLANTED)) assert.equal(rows.filter((l) => l.startsWith(`${c} `)).length, 1, c);
    assert.match(r.stdout, /6 infected clients/);
    for (const d of DECOYS) assert.ok(!r.stdout.includes(d), d);
  });

  it('the same results with 1 or 2 threads and tiny work units', T, async () => {
    const base = sampleJsonl.stdout;
    for (const args of [['--threads', '1'], ['--threads', '2', '--chunk-size', '4KiB'], ['--threads', '2', '--chunk-size', '100']]) {
      const r = await runCli(['scan', '--quiet', '--format', 'jsonl', ...args, SAMPLE_REL]);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stdout, base, args.join(' '));
    }
  });
});

describe('scan inputs', () => {
  it('"-" reads standard input', T, async () => {
    const r = await runCli(['scan', '--quiet', '--format', 'jsonl', '-'], { input: readFileSync(SAMPLE) });
    assert.equal(r.code, 1, r.stderr);
    const want = jsonl(sampleJsonl).map((h) => ({ ...h, file: '-' }));
    assert.deepEqual(jsonl(r), want);
  });

  it('a .gz log is read like the plain one', T, async () => {
    const gz = join(tmp.dir, 'dns.log.gz');
    writeFileSync(gz, gzipSync(readFileSync(SAMPLE)));
    const r = await runCli(['scan', '--quiet', '--format', 'jsonl', gz]);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(jsonl(r), jsonl(sampleJsonl).map((h) => ({ ...h, file: gz })));
  });

  it('a directory is searched recursively for log files', T, async () => {
    const dir = join(tmp.dir, 'logs');
    mkdirSync(join(dir, 'old'), { recursive: true });
    copyFileSync(SAMPLE, join(dir, 'dns.log'));
    writeFileSync(join(dir, 'old', 'dns.log.1.gz'), gzipSync(readFileSync(SAMPLE)));
    writeFileSync(join(dir, 'notes.txt'), 'fnarsipfqe.pw\n');
    const r = await runCli(['scan', '--quiet', '--format', 'json', dir]);
    assert.equal(r.code, 1, r.stderr);
    const report = json(r);
    assert.equal(report.stats.files, 2);
    assert.deepEqual(report.clients.map((c) => [c.client, c.queries]).sort(), Object.entries(PLANTED).map(([c, p]) => [c, 2 * p.queries]).sort());
  });

  it('several paths are scanned in the order given, with per-file line numbers', T, async () => {
    const copy = join(tmp.dir, 'copy-of-sample.log');
    copyFileSync(SAMPLE, copy);
    const r = await runCli(['scan', '--quiet', '--format', 'jsonl', copy, SAMPLE_REL]);
    const one = jsonl(sampleJsonl);
    assert.deepEqual(jsonl(r), [...one.map((h) => ({ ...h, file: copy })), ...one]);
  });
});

describe('scan with feeds instead of the built-in list', () => {
  const WANT: Record<string, { queries: number; indicator: string; rcodes: (string | null)[]; suffix: string | null }> = {
    '10.20.0.11': { queries: 2, indicator: 'badsite.pw', rcodes: ['NXDOMAIN', 'NXDOMAIN'], suffix: null },
    '2001:db8:20::1234:5678': { queries: 1, indicator: 'badsite.pw', rcodes: ['NOERROR'], suffix: null },
    '10.20.0.12': { queries: 1, indicator: 'paygate.top', rcodes: ['SERVFAIL'], suffix: null },
    '10.30.0.21': { queries: 1, indicator: 'dropzone.xyz', rcodes: ['NXDOMAIN'], suffix: null },
    '10.30.0.22': { queries: 1, indicator: 'dropzone.xyz', rcodes: ['NXDOMAIN'], suffix: 'corp.local' },
    '10.30.0.23': { queries: 1, indicator: 'badsite.pw', rcodes: [null], suffix: 'home.arpa' },
    '10.40.0.31': { queries: 1, indicator: 'paygate.top', rcodes: ['NXDOMAIN'], suffix: null },
    '10.40.0.32': { queries: 1, indicator: 'badsite.pw', rcodes: [null], suffix: null },
  };
  const args = ['scan', '--quiet', '--no-builtin', '--dga', 'none', '--ioc', FEED_REL];

  it('finds exactly the planted clients of fixtures/logs/set (ISO/CRLF, Details dumps, collapsed whitespace)', T, async () => {
    const r = await runCli([...args, '--format', 'json', SET_REL]);
    assert.equal(r.code, 1, r.stderr);
    const report = json(r);
    assert.deepEqual(report.clients.map((c) => c.client).sort(), Object.keys(WANT).sort());
    for (const c of report.clients) {
      assert.equal(c.queries, WANT[c.client]!.queries, c.client);
      assert.deepEqual([...new Set(c.indicators.map((i) => i.indicator))], [WANT[c.client]!.indicator], c.client);
      assert.deepEqual([...new Set(c.indicators.map((i) => i.suffixStripped))], [WANT[c.client]!.suffix], c.client);
      for (const i of c.indicators) assert.match(i.source, /^feed:fixtures\/logs\/feed\.txt line \d+$/);
    }
    assert.equal(report.stats.files, 3);
    assert.equal(report.stats.unparsed, 0);
    for (const bad of ['192.168.50.1', '10.20.0.13', '10.20.0.14', '10.20.0.5', '10.30.0.5', '10.40.0.5', '10.40.0.6', '"::1"']) assert.ok(!r.stdout.includes(bad.startsWith('"') ? bad : `"${bad}"`), bad);
  });

  it('reports each bad feed line with file and line number, and refuses a public suffix with a warning', T, async () => {
    const r = await runCli([...args, '--format', 'json', SET_REL]);
    const w = json(r).warnings;
    assert.ok(w.some((x) => x.startsWith(`${FEED_REL}:5:`) && x.includes('this is not an indicator')), JSON.stringify(w));
    assert.ok(w.some((x) => x.startsWith(`${FEED_REL}:6:`) && x.includes('co.uk') && /public suffix/.test(x)), JSON.stringify(w));
  });

  it('jsonl carries the rcode the server sent to each client', T, async () => {
    const r = await runCli([...args, '--format', 'jsonl', SET_REL]);
    assert.equal(r.code, 1, r.stderr);
    const byClient = new Map<string, (string | null)[]>();
    for (const h of jsonl(r)) byClient.set(h.client, [...(byClient.get(h.client) ?? []), h.rcode]);
    for (const [c, w] of Object.entries(WANT)) assert.deepEqual(byClient.get(c), w.rcodes, c);
  });

  it('exit 0 and no client when nothing matches', T, async () => {
    const feed = join(tmp.dir, 'nothing.txt');
    writeFileSync(feed, 'never-queried.example.com\n');
    const r = await runCli(['scan', '--quiet', '--no-builtin', '--dga', 'none', '--ioc', feed, '--format', 'json', SAMPLE_REL]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(json(r).clients, []);
  });
});

describe('search suffixes on the command line', () => {
  it('with suffix stripping and learning off the suffix-appended client is lost; --suffix corp.local brings it back', T, async () => {
    const off = json(await runCli(['scan', '--quiet', '--format', 'json', '--no-strip-private-suffixes', '--no-learn-suffixes', SAMPLE_REL]));
    assert.ok(!off.clients.some((c) => c.client === '10.10.3.14'));
    assert.equal(off.clients.length, Object.keys(PLANTED).length - 1);
    const configured = json(await runCli(['scan', '--quiet', '--format', 'json', '--no-strip-private-suffixes', '--no-learn-suffixes', '--suffix', 'CORP.LOCAL.', SAMPLE_REL]));
    const c = configured.clients.find((x) => x.client === '10.10.3.14');
    assert.ok(c);
    assert.equal(c.indicators[0]!.suffixStripped, 'corp.local');
  });

  it('the AD domain seen in _msdcs lookups is learned as a search suffix, with a warning saying so', T, async () => {
    const learned = json(await runCli(['scan', '--quiet', '--format', 'json', '--no-strip-private-suffixes', SAMPLE_REL]));
    const c = learned.clients.find((x) => x.client === '10.10.3.14');
    assert.ok(c, 'the learned corp.local suffix is stripped');
    assert.equal(c.indicators[0]!.suffixStripped, 'corp.local');
    assert.ok(learned.warnings.some((w) => w.includes('corp.local') && w.includes('--no-learn-suffixes')), JSON.stringify(learned.warnings));
  });

  it('a bad --suffix is a usage error (exit 2, one line)', T, async () => {
    const r = await runCli(['scan', '--suffix', 'not a suffix', SAMPLE_REL]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /--suffix/);
  });
});

describe('day/month order', () => {
  const AMB = 'fixtures/logs/ambiguous/dmy-ambiguous.log';
  const args = ['scan', '--quiet', '--no-builtin', '--dga', 'none', '--ioc', FEED_REL, '--format', 'json'];

  it('an ambiguous file is read with a warning naming --date-order', T, async () => {
    const r = json(await runCli([...args, AMB]));
    assert.ok(r.warnings.some((w) => w.includes(AMB) && w.includes('--date-order')), JSON.stringify(r.warnings));
    assert.deepEqual(r.clients.map((c) => [c.client, c.first, c.last]), [['10.50.0.41', '2019-03-05T16:05:31', '2019-03-06T09:00:00']]);
  });

  it('--date-order decides and silences the warning', T, async () => {
    const r = json(await runCli([...args, '--date-order', 'mdy', AMB]));
    assert.ok(!r.warnings.some((w) => w.includes('--date-order')), JSON.stringify(r.warnings));
    assert.deepEqual(r.clients.map((c) => [c.first, c.last]), [['2019-05-03T16:05:31', '2019-06-03T09:00:00']]);
  });

  it('a file whose days decide (14/03/2019) is not flagged', T, async () => {
    const r = json(await runCli([...args, `${SET_REL}/en-gb-details.log`]));
    assert.ok(!r.warnings.some((w) => w.includes('--date-order')), JSON.stringify(r.warnings));
    assert.ok(r.clients.every((c) => c.first.startsWith('2019-03-14T')));
  });
});

/** Run the CLI and close its stdout after the first chunk (like `| head -1`); bounded. */
function runClosingEarly(args: readonly string[]): Promise<{ code: number | null; stderr: string; firstLine: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let first = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the CLI did not exit after its reader went away'));
    }, 90_000);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', (d: Buffer) => {
      first = d.toString().split('\n')[0]!;
      child.stdout.destroy();
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stderr, firstLine: first });
    });
  });
}

describe('output to a reader that goes away', () => {
  it('a closed pipe ends the scan quietly, with exit 1 since infected clients were already written', T, async () => {
    const big = join(tmp.dir, 'big.log');
    const sample = readFileSync(SAMPLE);
    writeFileSync(big, Buffer.concat(Array.from({ length: 100 }, () => sample)));
    const r = await runClosingEarly(['scan', '--quiet', '--format', 'jsonl', '--chunk-size', '64KiB', big]);
    assert.ok((JSON.parse(r.firstLine) as HitLine).client.length > 0, 'a hit line was written before the pipe closed');
    assert.ok(!/internal error|\n\s+at /.test(r.stderr), r.stderr);
    assert.equal(r.code, 1);
  });
});

describe('exit codes', () => {
  it('0 nothing found, 1 found, 2 input or usage error', T, async () => {
    const clean = join(tmp.dir, 'clean.log');
    writeFileSync(clean, readFileSync(SAMPLE, 'latin1').split('\n').filter((l) => !/fnarsipfqe|serxrhtpf|6DTXGQAM4CRV6RR6|jqqwwhkejlxace|vgmexksbecmqwl/i.test(l)).join('\n'));
    assert.equal((await runCli(['scan', '--quiet', clean])).code, 0);
    assert.equal(sampleJson.code, 1);
    assert.equal((await runCli(['scan', join(tmp.dir, 'missing.log')])).code, 2);
    assert.equal((await runCli(['scan', '--format', 'xml', SAMPLE_REL])).code, 2);
    assert.equal((await runCli(['scan', '--threads', '0', SAMPLE_REL])).code, 2);
    assert.equal((await runCli(['scan', '--dga', 'locky-v9', SAMPLE_REL])).code, 2);
    assert.equal((await runCli(['scan'])).code, 2);
  });

  it('--help and --version exit 0', T, async () => {
    const h = await runCli(['scan', '--help']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /Exit status/);
    assert.equal((await runCli(['--version'])).code, 0);
  });
});
