/** `dnshunt dga`: option handling and the three output formats, in-process through commander. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { ErrorCode } from '../src/core/index.js';
import { dgaCommandOutput, registerDgaCommand } from '../src/cli/dga-command.js';
import { KNOWN_CONFIGS, lockyDomain, parseCivilDate } from '../src/dga/index.js';

const V1_2016_02_16 = ['fnarsipfqe.pw', 'sdwempsovemtr.yt', 'kpybuhnosdrm.in', 'xfyubqmldwvuyar.yt', 'luvenxj.uk', 'dkoipg.pw'];

/** Run `dga` with `args` through a fresh commander program, capturing what it writes to stdout. */
function runDga(args: readonly string[]): string {
  const program = new Command();
  program.exitOverride();
  registerDgaCommand(program);
  const chunks: string[] = [];
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array): boolean => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  try {
    program.parse(['dga', ...args], { from: 'user' });
  } finally {
    process.stdout.write = original;
  }
  return chunks.join('');
}

describe('dga command', () => {
  it('text: name, config, seed, window, index per line', () => {
    const out = runDga(['--family', 'locky', '--variant', 'v1', '--from', '2016-02-17']);
    const lines = out.trimEnd().split('\n');
    assert.deepEqual(lines, V1_2016_02_16.map((n, i) => `${n}\tlocky-v1\t-\t2016-02-16\t${i}`));
  });

  it('text with a seed shows it', () => {
    const out = runDga(['--variant', 'v2', '--seed', '7', '--from', '2016-02-24']);
    assert.equal(out.split('\n')[0], 'bkadufmdyf.pm\tlocky-v2\t7\t2016-02-24\t0');
    assert.equal(out.trimEnd().split('\n').length, 8);
  });

  it('--names-only prints bare names, once each, over a range', () => {
    const out = runDga(['--variant', 'v1', '--from', '2016-02-14', '--to', '2016-02-17', '--names-only']);
    const lines = out.trimEnd().split('\n');
    assert.equal(lines.length, 12);
    assert.deepEqual(lines.slice(6), V1_2016_02_16);
    assert.ok(lines.every((l) => /^[a-y]+\.[a-z]+$/.test(l)));
  });

  it('an unknown seed is generated; hex seeds accepted', () => {
    const out = runDga(['--variant', 'v3', '--seed', '0x3039', '--from', '2016-05-01', '--names-only']);
    const want = Array.from({ length: 12 }, (_, i) => lockyDomain('v3', 12345, parseCivilDate('2016-05-01'), i));
    assert.deepEqual(out.trimEnd().split('\n'), want);
  });

  it('json: one object per name with provenance', () => {
    const out = runDga(['--variant', 'v3', '--seed', '7077', '--from', '2016-03-24', '--format', 'json']);
    const rows = JSON.parse(out) as { name: string; family: string; variant: string; seed: number; window: string; index: number; inferred: boolean; source: string }[];
    assert.equal(rows.length, 12);
    assert.deepEqual({ ...rows[0], source: undefined }, { name: 'dhdmnjilyb.pl', family: 'locky', variant: 'v3', seed: 7077, window: '2016-03-24', index: 0, inferred: false, source: undefined });
    assert.match(rows[0]?.source ?? '', /dgav3/);
  });

  it('csv: header and one row per name, source quoted when needed', () => {
    const out = runDga(['--variant', 'v1', '--from', '2016-02-16', '--format', 'csv']);
    const lines = out.trimEnd().split('\n');
    assert.equal(lines[0], 'name,family,variant,seed,window,index,inferred,source');
    assert.equal(lines.length, 7);
    assert.match(lines[1] ?? '', /^fnarsipfqe\.pw,locky,v1,,2016-02-16,0,false,"/);
  });

  it('without --variant: every known configuration of the family', () => {
    const out = runDga(['--from', '2016-02-16']);
    const perWindow = KNOWN_CONFIGS.reduce((s, c) => s + (c.variant === 'v1' ? 6 : c.variant === 'v2' ? 8 : 12), 0);
    assert.equal(out.trimEnd().split('\n').length, perWindow);
  });

  it('margins widen the range by whole windows', () => {
    const out = dgaCommandOutput({ variant: 'v1', from: '2016-02-16', marginBack: '4', marginForward: '2' });
    const windows = [...new Set(out.trimEnd().split('\n').map((l) => l.split('\t')[3]))];
    assert.deepEqual(windows, ['2016-02-12', '2016-02-14', '2016-02-16', '2016-02-18']);
  });

  it('rejects bad usage with USAGE and bad DGA choices with BAD_DGA_SPEC', () => {
    const usage: readonly string[][] = [
      ['--variant', 'v1'],
      ['--from', '2016-02-30'],
      ['--from', '2016-03-02', '--to', '2016-03-01'],
      ['--from', '2016-03-02', '--format', 'xml'],
      ['--from', '2016-03-02', '--format', 'json', '--names-only'],
      ['--from', '2016-03-02', '--seed', '7'],
      ['--from', '2016-03-02', '--margin-back', '-1'],
    ];
    for (const args of usage) assert.throws(() => runDga(args), { code: ErrorCode.USAGE }, args.join(' '));
    const spec: readonly string[][] = [
      ['--from', '2016-03-02', '--family', 'conficker'],
      ['--from', '2016-03-02', '--variant', 'v4'],
      ['--from', '2016-03-02', '--variant', 'v1', '--seed', '7'],
      ['--from', '2016-03-02', '--variant', 'v2', '--seed', '4294967296'],
      ['--from', '2016-03-02', '--variant', 'v2', '--seed', 'x'],
    ];
    for (const args of spec) assert.throws(() => runDga(args), { code: ErrorCode.BAD_DGA_SPEC }, args.join(' '));
  });
});
