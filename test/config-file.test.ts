/** The tail/alert config file: JSON and YAML, errors naming the key, relative paths, flags over file, defaults. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import { ErrorCode } from '../src/core/index.js';
import { addAlertOptions } from '../src/cli/alert-command.js';
import { defaultStateDir, explicitOptions, loadConfigFile, resolveTailSettings } from '../src/cli/config-file.js';
import { tempDir } from './helpers.js';

/** Assert that `f` throws a DnshuntError with `code` whose message matches `re`. */
function throwsConfig(f: () => unknown, re: RegExp, code: string = ErrorCode.BAD_CONFIG): void {
  assert.throws(f, (e: unknown) => {
    assert.equal((e as { code?: string }).code, code, (e as Error).message);
    assert.match((e as Error).message, re);
    return true;
  });
}

describe('config file', () => {
  let tmp: { dir: string; cleanup: () => void };
  let n = 0;
  const file = (name: string, text: string): string => {
    const p = join(tmp.dir, `${n++}-${name}`);
    writeFileSync(p, text);
    return p;
  };
  before(() => {
    tmp = tempDir('dnshunt-config-');
  });
  after(() => tmp.cleanup());

  it('reads YAML with lists, booleans and durations; relative paths are relative to the file', () => {
    const p = file('tail.yaml', [
      '# dnshunt tail settings',
      'file: logs/dns.log',
      'smtpHost: mail.example.org',
      'mailFrom: dnshunt@example.org',
      'mailTo:',
      '  - soc@example.org',
      '  - oncall@example.org',
      'stateDir: state',
      'ioc: [feeds/a.txt, /abs/b.txt]',
      'jsonl: "-"',
      'suppress: 30m',
      'fromStart: true',
      'threads: 2',
      '',
    ].join('\n'));
    const v = loadConfigFile(p);
    assert.equal(v['file'], join(tmp.dir, 'logs/dns.log'));
    assert.equal(v['stateDir'], join(tmp.dir, 'state'));
    assert.deepEqual(v['ioc'], [join(tmp.dir, 'feeds/a.txt'), '/abs/b.txt']);
    assert.equal(v['jsonl'], '-');
    const s = resolveTailSettings(v, {});
    assert.equal(s.file, join(tmp.dir, 'logs/dns.log'));
    assert.equal(s.stateDir, join(tmp.dir, 'state'));
    assert.equal(s.alert.stateDir, s.stateDir);
    assert.deepEqual(s.alert.mailTo, ['soc@example.org', 'oncall@example.org']);
    assert.equal(s.alert.suppressMs, 30 * 60_000);
    assert.equal(s.alert.smtpTls, 'starttls');
    assert.equal(s.startAt, 'start');
    assert.equal(s.matching.threads, 2);
    assert.equal(s.pollMs, 1_000);
    assert.equal(s.once, false);
  });

  it('reads JSON', () => {
    const p = file('tail.json', JSON.stringify({ file: '/var/log/dns.log', jsonl: 'hits.jsonl', poll: '250ms', builtin: false, ioc: 'x.txt' }));
    const s = resolveTailSettings(loadConfigFile(p), {});
    assert.equal(s.pollMs, 250);
    assert.equal(s.alert.jsonl, join(tmp.dir, 'hits.jsonl'));
    assert.equal(s.matching.builtin, false);
    assert.deepEqual(s.matching.ioc, [join(tmp.dir, 'x.txt')]);
    assert.equal(s.startAt, 'end', 'a first run starts at the end unless told otherwise');
  });

  it('takes the indicator cache settings: on by default, a folder relative to the file, off with cache: false', () => {
    const on = resolveTailSettings(loadConfigFile(file('cache.yaml', 'file: x.log\njsonl: "-"\ncacheDir: cache\n')), {});
    assert.equal(on.matching.cache, true);
    assert.equal(on.matching.cacheDir, join(tmp.dir, 'cache'));
    const off = resolveTailSettings(loadConfigFile(file('nocache.yaml', 'file: x.log\njsonl: "-"\ncache: false\n')), {});
    assert.equal(off.matching.cache, false);
    assert.equal(off.matching.cacheDir, undefined);
    throwsConfig(() => loadConfigFile(file('cachebad.yaml', 'cache: off please\n')), /cache: must be true or false/);
    throwsConfig(() => loadConfigFile(file('cachedir.yaml', 'cacheDir: [a, b]\n')), /cacheDir: must be a path/);
  });

  it('an empty file is no settings', () => {
    assert.deepEqual(loadConfigFile(file('empty.yaml', '# nothing\n')), {});
  });

  it('errors name the file and the key', () => {
    throwsConfig(() => loadConfigFile(file('typo.yaml', 'smtpHots: x\n')), /typo\.yaml: smtpHots: unknown key; known keys are .*smtpHost/);
    throwsConfig(() => loadConfigFile(file('bool.yaml', 'once: yes please\n')), /once: must be true or false/);
    throwsConfig(() => loadConfigFile(file('poll.yaml', 'poll: 5\n')), /poll: must be a duration .*'5s'/);
    throwsConfig(() => loadConfigFile(file('threads.yaml', 'threads: 0\n')), /threads: must be a whole number from 1/);
    throwsConfig(() => loadConfigFile(file('order.yaml', 'dateOrder: ydm\n')), /dateOrder: must be one of/);
    throwsConfig(() => loadConfigFile(file('ioc.yaml', 'ioc: [1, 2]\n')), /ioc: must be a path/);
    throwsConfig(() => loadConfigFile(file('list.yaml', '- a\n- b\n')), /must be a mapping/);
    throwsConfig(() => loadConfigFile(file('syntax.yaml', 'a: [1,\nb: 2\n')), /syntax\.yaml: (line \d+: )?not valid YAML/);
    throwsConfig(() => loadConfigFile(file('dup.yaml', 'poll: 1s\npoll: 2s\n')), /not valid YAML/);
    throwsConfig(() => loadConfigFile(file('bad.json', '{"poll": }')), /bad\.json: not valid JSON/);
    throwsConfig(() => loadConfigFile(join(tmp.dir, 'absent.yaml')), /absent\.yaml: cannot read it \(ENOENT\)/);
    // Alert keys are checked by the alert validator, which names them too.
    throwsConfig(() => resolveTailSettings(loadConfigFile(file('port.yaml', 'file: x.log\nsmtpHost: h\nsmtpPort: 99999\n')), {}), /^smtpPort: /);
    throwsConfig(() => resolveTailSettings(loadConfigFile(file('from.yaml', 'file: x.log\njsonl: "-"\nmailFrom: a@b.org\n')), {}), /^mailFrom: has no effect without smtpHost/);
    throwsConfig(() => resolveTailSettings(loadConfigFile(file('fast.yaml', 'file: x.log\njsonl: "-"\npoll: 10ms\n')), {}), /^poll: must be at least 50ms/);
  });

  it('flags override the file; a repeatable flag replaces the list', () => {
    const p = file('base.yaml', 'file: a.log\njsonl: "-"\nsuffix: [corp.local, lan]\npoll: 5s\nfromStart: true\n');
    const s = resolveTailSettings(loadConfigFile(p), { file: '/other.log', suffix: ['example.net'], poll: '2s', fromEnd: true });
    assert.equal(s.file, '/other.log');
    assert.deepEqual(s.matching.suffix, ['example.net']);
    assert.equal(s.pollMs, 2_000);
    assert.equal(s.startAt, 'end', '--from-end on the command line beats fromStart in the file');
    throwsConfig(() => resolveTailSettings({}, { file: 'x', jsonl: '-', fromStart: true, fromEnd: true }), /contradict/, ErrorCode.USAGE);
    throwsConfig(() => resolveTailSettings({ file: 'x', jsonl: '-', fromStart: true, fromEnd: true }, {}), /fromStart: and fromEnd are both true/);
    throwsConfig(() => resolveTailSettings({ jsonl: '-' }, {}), /name the log file/, ErrorCode.USAGE);
  });

  it('only flags typed on the command line count as given (defaults do not override the file)', () => {
    const cmd = new Command('t').exitOverride();
    addAlertOptions(cmd).option('--no-builtin').option('--poll <d>').action(() => undefined);
    cmd.parse(['--smtp-port', '2525', '--mail-to', 'a@example.org', '--mail-to', 'b@example.org'], { from: 'user' });
    assert.deepEqual(explicitOptions(cmd), { smtpPort: '2525', mailTo: ['a@example.org', 'b@example.org'] });
    const cmd2 = new Command('t').exitOverride();
    addAlertOptions(cmd2).option('--no-builtin').action(() => undefined);
    cmd2.parse(['--no-builtin', '--config', 'x.yaml'], { from: 'user' });
    assert.deepEqual(explicitOptions(cmd2), { builtin: false });
  });

  it('the default state directory is per user and per platform', () => {
    assert.equal(defaultStateDir({ LOCALAPPDATA: 'C:\\Users\\ann\\AppData\\Local' }, 'win32', 'C:\\Users\\ann'), join('C:\\Users\\ann\\AppData\\Local', 'dnshunt'));
    assert.equal(defaultStateDir({}, 'win32', '/home/ann'), join('/home/ann', 'AppData', 'Local', 'dnshunt'));
    assert.equal(defaultStateDir({ XDG_STATE_HOME: '/xdg/state' }, 'linux', '/home/ann'), '/xdg/state/dnshunt');
    assert.equal(defaultStateDir({ XDG_STATE_HOME: 'relative' }, 'linux', '/home/ann'), '/home/ann/.local/state/dnshunt');
    assert.equal(defaultStateDir({}, 'darwin', '/Users/ann'), '/Users/ann/.local/state/dnshunt');
  });
});
