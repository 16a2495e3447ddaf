/** `--dga` spec parsing and the registry of known Locky configurations. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DnshuntError, ErrorCode } from '../src/core/index.js';
import { KNOWN_CONFIGS, configFor, parseCivilDate, parseDgaSpecs, parseSeed } from '../src/dga/index.js';
import type { DgaConfig } from '../src/dga/index.js';

const keys = (cs: readonly DgaConfig[]): string[] => cs.map((c) => `${c.variant}:${String(c.seed)}`);

/** Seeds listed in docs/locky-dga.md §7, documented and inferred. */
const DOC_V2 = [7, 9, 62, 75, 660, 555, 522, 299, 255];
const DOC_V2_INFERRED = [522, 299, 255];
const DOC_V3 = [7077, 5566, 9106, 5579, 111, 9044, 9099, 9047, 9133, 9199, 9190, 9088, 9998, 9992, 1511, 1513, 1517, 9056, 7773, 7743, 63218, 556677, 87133];
const DOC_V3_INFERRED = [6721, 15099, 5608, 1129, 1313, 56779, 74311, 87233, 90542, 90322, 1122, 6767, 9079, 55555, 76532, 90328];

describe('KNOWN_CONFIGS', () => {
  it('holds exactly v1 and every v2/v3 seed of the doc, each once', () => {
    const want = ['v1:null', ...DOC_V2.map((s) => `v2:${s}`), ...DOC_V3.map((s) => `v3:${s}`), ...DOC_V3_INFERRED.map((s) => `v3:${s}`)];
    assert.deepEqual([...keys(KNOWN_CONFIGS)].sort(), [...want].sort());
    assert.equal(new Set(keys(KNOWN_CONFIGS)).size, KNOWN_CONFIGS.length);
  });

  it('flags exactly the inferred seeds', () => {
    const inferred = KNOWN_CONFIGS.filter((c) => c.inferred).map((c) => `${c.variant}:${String(c.seed)}`);
    assert.deepEqual(inferred.sort(), [...DOC_V2_INFERRED.map((s) => `v2:${s}`), ...DOC_V3_INFERRED.map((s) => `v3:${s}`)].sort());
  });

  it('gives every configuration a family, a source and a valid or null first-seen date', () => {
    for (const c of KNOWN_CONFIGS) {
      assert.equal(c.family, 'locky');
      assert.ok(c.source.length > 10, c.source);
      if (c.firstSeen !== null) assert.doesNotThrow(() => parseCivilDate(c.firstSeen as string), c.firstSeen);
      assert.equal(c.seed === null, c.variant === 'v1');
    }
  });

  it('records the documented first-seen dates', () => {
    const first = (v: string, s: number | null) => KNOWN_CONFIGS.find((c) => c.variant === v && c.seed === s)?.firstSeen;
    assert.equal(first('v1', null), '2016-02-16');
    assert.equal(first('v2', 7), '2016-02-24');
    assert.equal(first('v2', 9), '2016-02-25');
    assert.equal(first('v3', 63218), '2016-12-12');
    assert.equal(first('v3', 87133), '2017-05-08');
  });

  it('is frozen', () => {
    assert.ok(Object.isFrozen(KNOWN_CONFIGS));
    assert.ok(KNOWN_CONFIGS.every((c) => Object.isFrozen(c)));
  });
});

describe('parseSeed', () => {
  it('reads decimal and 0x hex uint32', () => {
    assert.equal(parseSeed('0'), 0);
    assert.equal(parseSeed('7077'), 7077);
    assert.equal(parseSeed('0x1BA5'), 0x1ba5);
    assert.equal(parseSeed('4294967295'), 0xffffffff);
    assert.equal(parseSeed('0xffffffff'), 0xffffffff);
  });
  it('rejects everything else', () => {
    for (const s of ['', '-1', '4294967296', '0x100000000', '1e3', '7.5', '0x', 'seven', '12345678901', ' ', '+7', '0b101']) assert.equal(parseSeed(s), null, s);
  });
});

describe('parseDgaSpecs', () => {
  it('[] is every known configuration, in registry order', () => {
    assert.deepEqual(parseDgaSpecs([]), [...KNOWN_CONFIGS]);
  });

  it("['none'] is nothing", () => {
    assert.deepEqual(parseDgaSpecs(['none']), []);
  });

  it("'locky' is every known Locky configuration", () => {
    assert.deepEqual(parseDgaSpecs(['locky']), KNOWN_CONFIGS.filter((c) => c.family === 'locky'));
  });

  it("'locky-v1' is the v1 configuration only", () => {
    assert.deepEqual(keys(parseDgaSpecs(['locky-v1'])), ['v1:null']);
  });

  it("'locky-v2' / 'locky-v3' are every known seed of that variant", () => {
    assert.deepEqual(keys(parseDgaSpecs(['locky-v2'])).sort(), DOC_V2.map((s) => `v2:${s}`).sort());
    assert.equal(parseDgaSpecs(['locky-v3']).length, DOC_V3.length + DOC_V3_INFERRED.length);
  });

  it('a new seed adds to the known set', () => {
    const got = parseDgaSpecs(['locky-v3:12345']);
    assert.equal(got.length, KNOWN_CONFIGS.length + 1);
    const last = got[got.length - 1] as DgaConfig;
    assert.deepEqual({ ...last }, { family: 'locky', variant: 'v3', seed: 12345, source: 'user: --dga locky-v3:12345', firstSeen: null, inferred: false });
  });

  it('a known seed is deduplicated and keeps its provenance', () => {
    const got = parseDgaSpecs(['locky-v2:7', 'locky-v2:0x7', 'LOCKY-V2:7 ']);
    assert.deepEqual(got, [...KNOWN_CONFIGS]);
  });

  it('repeated new seeds appear once, in the order given, after the known ones', () => {
    const got = parseDgaSpecs(['none', 'locky-v3:99', 'locky-v2:0x10', 'locky-v3:99']);
    assert.deepEqual(keys(got), ['v3:99', 'v2:16']);
  });

  it('selectors and seeds combine: selection plus the seeds', () => {
    assert.deepEqual(keys(parseDgaSpecs(['locky-v1', 'locky-v3:5'])), ['v1:null', 'v3:5']);
    assert.deepEqual(keys(parseDgaSpecs(['locky-v1', 'locky-v2:7'])), ['v1:null', 'v2:7']);
    assert.deepEqual(keys(parseDgaSpecs(['locky-v1', 'locky'])), keys(KNOWN_CONFIGS));
  });

  it('rejects bad specs with BAD_DGA_SPEC and a one-line message naming the spec and the forms', () => {
    const badSpecs = ['', 'lockyy', 'conficker', 'locky-v4', 'locky-v1:7', 'locky-v2:', 'locky-v2:-1', 'locky-v2:4294967296', 'locky-v3:0x1ffffffff', 'locky-v3:abc', 'locky:7', 'locky-v2:7:8', 'locky v2', 'all'];
    for (const spec of badSpecs) {
      assert.throws(
        () => parseDgaSpecs([spec]),
        (e: unknown) => {
          assert.ok(e instanceof DnshuntError, spec);
          assert.equal(e.code, ErrorCode.BAD_DGA_SPEC, spec);
          assert.ok(!e.message.includes('\n'), spec);
          assert.ok(e.message.includes(JSON.stringify(spec)), e.message);
          assert.ok(e.message.includes('locky-v3:SEED'), e.message);
          return true;
        },
      );
    }
  });

  it('one bad spec among good ones still throws', () => {
    assert.throws(() => parseDgaSpecs(['locky-v1', 'locky-v9']), { code: ErrorCode.BAD_DGA_SPEC });
  });
});

describe('configFor', () => {
  it('returns the known object for a known seed and a user config otherwise', () => {
    assert.equal(configFor('locky', 'v2', 9, 'x'), KNOWN_CONFIGS.find((c) => c.seed === 9 && c.variant === 'v2'));
    assert.equal(configFor('locky', 'v3', 1, 'cli --seed 1').source, 'user: cli --seed 1');
  });
  it('validates family, variant and seed', () => {
    assert.throws(() => configFor('nope', 'v1', null, 'x'), { code: ErrorCode.BAD_DGA_SPEC });
    assert.throws(() => configFor('locky', 'v1', 3, 'x'), { code: ErrorCode.BAD_DGA_SPEC });
    assert.throws(() => configFor('locky', 'v2', null, 'x'), { code: ErrorCode.BAD_DGA_SPEC });
    assert.throws(() => configFor('locky', 'v3', -1, 'x'), { code: ErrorCode.BAD_DGA_SPEC });
    assert.throws(() => configFor('locky', 'v3', 2 ** 32, 'x'), { code: ErrorCode.BAD_DGA_SPEC });
  });
});
