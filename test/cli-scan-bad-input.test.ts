/**
 * Bad input through the CLI: every case is either a clear error (exit 2, one
 * line on stderr naming the path) or counted skips with a normal report —
 * never a crash, a stack trace or a hang (each run is bounded by a timeout).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { CLI, FIXTURES, REPO_ROOT, runCli, tempDir, type CliResult } from './helpers.js';

const tmp = tempDir('dnshunt-bad-input-');
after(() => tmp.cleanup());
const T = { timeout: 120_000 };
const RUN = { timeoutMs: 90_000 };
const HIT = '2/16/2016 10:05:00 PM 0E24 PACKET  000000FCF7C261D7 UDP Rcv 10.10.1.23      ee7f   Q [0001   D   NOERROR] A      (4)evil(2)pw(0)';
const HIT2 = '2/16/2016 10:05:01 PM 0E24 PACKET  000000FCF7C261D8 UDP Rcv 10.10.3.99      ee80   Q [0001   D   NOERROR] A      (4)evil(2)pw(0)';

/** Run the CLI as another user (root only); null when the switch is refused. Bounded like runCli. */
function runAs(uid: number, args: readonly string[]): Promise<CliResult | null> {
  return new Promise((resolvePromise) => {
    let child;
    try {
      child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, uid, gid: uid, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch {
      resolvePromise(null);
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN.timeoutMs);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', () => {
      clearTimeout(timer);
      resolvePromise(null);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

function path(name: string, content?: string | Buffer): string {
  const p = join(tmp.dir, name);
  if (content !== undefined) writeFileSync(p, content);
  return p;
}

const feed = path('feed.txt', 'evil.pw\n');
const FEED_ARGS = ['scan', '--quiet', '--no-builtin', '--dga', 'none', '--ioc', feed];

interface Stats {
  lines: number;
  records: number;
  unparsed: number;
  unparsedSamples: { file: string; line: number; text: string }[];
}

function report(r: CliResult): { clients: { client: string }[]; stats: Stats; warnings: string[] } {
  assert.ok(!/internal error|\n\s+at /.test(r.stderr), `crashed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { clients: { client: string }[]; stats: Stats; warnings: string[] };
}

/** An input error: exit 2, exactly one line on stderr, naming `mentions`, no stack trace. */
function assertInputError(r: CliResult, mentions: string): void {
  assert.equal(r.code, 2, `exit ${r.code}; stderr: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `more than one line on stderr: ${r.stderr}`);
  assert.ok(lines[0]!.includes(mentions), `"${lines[0]}" does not name ${mentions}`);
  assert.ok(!/\bat .*\.js:\d+/.test(r.stderr), 'stack trace on stderr');
  assert.equal(r.stdout, '');
}

describe('bad log input is counted, never fatal', () => {
  it('binary garbage: a report with unparsed lines counted and sampled, exit 0', T, async () => {
    const bytes = Buffer.alloc(200_000);
    let x = 12345;
    for (let i = 0; i < bytes.length; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      bytes[i] = x >>> 24;
    }
    const p = path('garbage.log', bytes);
    const r = await runCli([...FEED_ARGS, '--format', 'json', p], RUN);
    assert.equal(r.code, 0, r.stderr);
    const rep = report(r);
    assert.deepEqual(rep.clients, []);
    assert.equal(rep.stats.records, 0);
    assert.ok(rep.stats.unparsed > 0);
    assert.ok(rep.stats.unparsedSamples.length > 0 && rep.stats.unparsedSamples.every((s) => s.file === p && s.line >= 1));
  });

  it('NUL bytes: lines with NULs are unparsed lines, records around them still count', T, async () => {
    const p = path('nul.log', Buffer.concat([Buffer.from(`${HIT}\r\n`), Buffer.from('\u0000\u0000\u0000\r\nabc\u0000def\r\n', 'latin1'), Buffer.alloc(5000, 0), Buffer.from(`\r\n${HIT2}\r\n`)]));
    const r = await runCli([...FEED_ARGS, '--format', 'json', p], RUN);
    assert.equal(r.code, 1, r.stderr);
    const rep = report(r);
    assert.deepEqual(rep.clients.map((c) => c.client).sort(), ['10.10.1.23', '10.10.3.99']);
    assert.equal(rep.stats.unparsed, 3);
    assert.deepEqual(rep.stats.unparsedSamples.map((s) => s.line), [2, 3, 4]);
    for (const s of rep.stats.unparsedSamples) assert.ok(!s.text.includes('\u0000'), 'raw NUL in a sample');
  });

  it('a 10 MB line without a line end inside it is one unparsed line, and scanning continues after it', T, async () => {
    const p = path('long-line.log');
    const fd = openSync(p, 'w');
    writeSync(fd, `${HIT}\r\n`);
    const block = Buffer.alloc(1024 * 1024, 0x41);
    for (let i = 0; i < 10; i++) writeSync(fd, block);
    writeSync(fd, `\r\n${HIT2}\r\n`);
    closeSync(fd);
    for (const extra of [[], ['--chunk-size', '1MB'], ['--threads', '1']]) {
      const r = await runCli([...FEED_ARGS, '--format', 'jsonl', ...extra, p], RUN);
      assert.equal(r.code, 1, r.stderr);
      const hits = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { client: string; line: number });
      assert.deepEqual(hits.map((h) => [h.client, h.line]), [['10.10.1.23', 1], ['10.10.3.99', 3]], extra.join(' '));
      const j = report(await runCli([...FEED_ARGS, '--format', 'json', ...extra, p], RUN));
      assert.equal(j.stats.lines, 3);
      assert.equal(j.stats.unparsed, 1);
      assert.deepEqual(j.stats.unparsedSamples.map((s) => s.line), [2]);
      assert.ok(j.stats.unparsedSamples[0]!.text.length < 1000, 'the sample of the long line is cut');
    }
  });

  it('a 10 MB last line without any line end is one unparsed line', T, async () => {
    const p = path('long-tail.log', Buffer.concat([Buffer.from(`${HIT}\n`), Buffer.alloc(10 * 1024 * 1024, 0x42)]));
    const r = await runCli([...FEED_ARGS, '--format', 'json', p], RUN);
    assert.equal(r.code, 1, r.stderr);
    const rep = report(r);
    assert.equal(rep.stats.lines, 2);
    assert.equal(rep.stats.unparsed, 1);
  });

  it('an empty file: exit 0, nothing counted', T, async () => {
    const p = path('empty.log', '');
    const r = await runCli([...FEED_ARGS, '--format', 'json', p], RUN);
    assert.equal(r.code, 0, r.stderr);
    const rep = report(r);
    assert.deepEqual(rep.clients, []);
    assert.equal(rep.stats.lines, 0);
    assert.equal(rep.stats.unparsed, 0);
  });

  it('an empty file from standard input: exit 0', T, async () => {
    const r = await runCli([...FEED_ARGS, '--format', 'json', '-'], { ...RUN, input: '' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(report(r).stats.lines, 0);
  });

  it('a file that is not a DNS log (the bundled TSV data): counted as unparsed, no client', T, async () => {
    const r = await runCli([...FEED_ARGS, '--format', 'json', join(FIXTURES, 'locky-dga-vectors.tsv')], RUN);
    assert.equal(r.code, 0, r.stderr);
    const rep = report(r);
    assert.equal(rep.stats.records, 0);
    assert.ok(rep.stats.unparsed > 0);
  });
});

describe('bad paths are one clear error line (exit 2)', () => {
  it('a missing path', T, async () => {
    const p = join(tmp.dir, 'no-such-dir', 'dns.log');
    assertInputError(await runCli(['scan', p], RUN), p);
  });

  it('a missing path among good ones', T, async () => {
    const good = path('good.log', `${HIT}\n`);
    const p = join(tmp.dir, 'missing.log');
    assertInputError(await runCli([...FEED_ARGS, good, p], RUN), p);
  });

  it('a directory with no logs', T, async () => {
    const d = join(tmp.dir, 'nologs');
    mkdirSync(join(d, 'sub'), { recursive: true });
    writeFileSync(join(d, 'readme.txt'), 'not a log');
    assertInputError(await runCli(['scan', d], RUN), d);
  });

  it('an unreadable file (chmod 000)', T, async (t) => {
    // Root reads mode-000 files. Then run the CLI as "nobody" (uid/gid 65534) when this process may switch users.
    const dir = join(tmp.dir, 'locked');
    mkdirSync(dir, { recursive: true });
    chmodSync(tmp.dir, 0o755);
    chmodSync(dir, 0o755);
    const p = join(dir, 'secret.log');
    writeFileSync(p, `${HIT}\n`);
    chmodSync(p, 0o000);
    try {
      let readable: boolean;
      try {
        readFileSync(p);
        readable = true;
      } catch {
        readable = false;
      }
      if (!readable) {
        assertInputError(await runCli(['scan', p], RUN), p);
        return;
      }
      if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
        t.skip('this process can read a mode-000 file and cannot switch to another user, so the case cannot be produced');
        return;
      }
      const r = await runAs(65534, ['scan', p]);
      if (r === null) {
        t.skip('running as root, but switching to uid 65534 is not permitted here, so the case cannot be produced');
        return;
      }
      assertInputError(r, p);
      assert.match(r.stderr, /permission denied/i);
    } finally {
      chmodSync(p, 0o644);
      chmodSync(tmp.dir, 0o700);
    }
  });

  it('a corrupt .gz', T, async () => {
    const full = gzipSync(Buffer.from(`${HIT}\n`.repeat(2000)));
    const p = path('corrupt.log.gz', full.subarray(0, Math.floor(full.length / 2)));
    assertInputError(await runCli(['scan', p], RUN), p);
    const q = path('garbled.log.gz', Buffer.concat([full.subarray(0, 12), Buffer.alloc(4000, 0x5a)]));
    assertInputError(await runCli(['scan', q], RUN), q);
  });

  it('a device instead of a file', T, async () => {
    assertInputError(await runCli(['scan', '/dev/null'], RUN), '/dev/null');
  });
});

describe('bad indicator feeds', () => {
  it('a bad feed line is reported with file and line, and the rest of the feed is used', T, async () => {
    const f = path('mixed-feed.txt', '# comment\nevil.pw\nthis line is wrong\nbad_label-.pw\n');
    const log = path('one-hit.log', `${HIT}\n`);
    const r = await runCli(['scan', '--no-builtin', '--dga', 'none', '--ioc', f, '--format', 'jsonl', log], RUN);
    assert.equal(r.code, 1);
    assert.equal(r.stdout.trim().split('\n').length, 1);
    assert.match(r.stderr, new RegExp(`${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: .*this line is wrong`));
    assert.match(r.stderr, new RegExp(`${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4: .*bad_label-\\.pw`));
  });

  it('an --ioc that is only a public suffix (co.uk) is refused with a warning, the built-in list still works', T, async () => {
    const f = path('public.txt', 'co.uk\n');
    const r = await runCli(['scan', '--quiet', '--ioc', f, '--format', 'json', join(FIXTURES, 'sample-dns.log')], RUN);
    assert.equal(r.code, 1, r.stderr);
    const rep = report(r);
    assert.ok(rep.warnings.some((w) => w.includes(`${f}:1`) && w.includes('co.uk') && /public suffix/.test(w)), JSON.stringify(rep.warnings));
    assert.ok(!r.stdout.includes('"indicator": "co.uk"'));
  });

  it('a feed holding only a public suffix, with nothing else to look for, is an input error', T, async () => {
    const f = path('public-only.txt', 'co.uk\n');
    const r = await runCli(['scan', '--no-builtin', '--dga', 'none', '--ioc', f, path('x.log', `${HIT}\n`)], RUN);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /nothing to look for/);
  });

  it('a --suffix that is no DNS suffix (a bad character, an empty or a 64-character label) is a usage error naming it', T, async () => {
    for (const bad of ['corp local', 'corp..local', `${'a'.repeat(64)}.local`]) {
      const r = await runCli(['scan', '--suffix', bad, path('s.log', `${HIT}\n`)], RUN);
      assert.equal(r.code, 2, bad);
      assert.ok(r.stderr.includes(`--suffix ${bad}: not a DNS suffix`), r.stderr);
    }
    const ok = await runCli(['scan', '--quiet', '--suffix', `${'a'.repeat(63)}.local`, '--ioc', path('evil.txt', 'evil.pw\n'), path('s.log', `${HIT}\n`)], RUN);
    assert.equal(ok.code, 1, `a 63-character label is fine: ${ok.stderr}`);
  });

  it('a damaged log whose _msdcs lookups name a 64-character label is scanned: no suffix is learned from them', T, async () => {
    const srv = (xid: string) => HIT.replace('ee7f', xid).replace('A      (4)evil(2)pw(0)', `SRV    (5)_ldap(4)_tcp(2)dc(6)_msdcs(64)${'a'.repeat(64)}(5)local(0)`);
    const log = path('long-ad.log', [srv('1001'), '', srv('1002'), '', HIT, ''].join('\r\n'));
    const r = await runCli(['scan', '--quiet', '--format', 'json', '--ioc', path('evil2.txt', 'evil.pw\n'), log], RUN);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(!report(r).warnings.some((w) => w.includes('learned')), JSON.stringify(report(r).warnings));
  });

  it('a missing feed file', T, async () => {
    const f = join(tmp.dir, 'no-feed.txt');
    assertInputError(await runCli(['scan', '--ioc', f, path('y.log', `${HIT}\n`)], RUN), f);
  });

  it('a feed that is a directory', T, async () => {
    const d = join(tmp.dir, 'feed-dir');
    mkdirSync(d, { recursive: true });
    assertInputError(await runCli(['scan', '--ioc', d, path('z.log', `${HIT}\n`)], RUN), d);
  });

  it('a binary feed: its lines are reported as problems, not a crash', T, async () => {
    const f = path('binary-feed.bin', Buffer.from([0, 1, 2, 0xff, 0xfe, 0x0a, 0x00, 0x41, 0x0a]));
    const r = await runCli(['scan', '--ioc', f, '--format', 'json', path('w.log', `${HIT}\n`)], RUN);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    const rep = report(r);
    assert.ok(rep.warnings.some((w) => w.includes(`${f}:1`)), JSON.stringify(rep.warnings));
  });
});

describe('bad usage', () => {
  it('unknown option values are exit 2 with the problem on stderr', T, async () => {
    for (const [args, mention] of [
      [['--format', 'xml'], 'xml'],
      [['--threads', '0'], '--threads'],
      [['--threads', 'many'], '--threads'],
      [['--chunk-size', '0'], '0'],
      [['--date-order', 'ydm'], 'ydm'],
      [['--dga', 'locky-v2:notaseed'], 'locky-v2:notaseed'],
      [['--no-such-option'], '--no-such-option'],
    ] as [string[], string][]) {
      const r = await runCli(['scan', ...args, join(FIXTURES, 'sample-dns.log')], RUN);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stderr.includes(mention), `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.ok(!/internal error/.test(r.stderr));
    }
  });
});
