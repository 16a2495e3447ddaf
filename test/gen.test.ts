/**
 * The generator's contract: deterministic for a seed, the size honoured, and
 * an expected answer that lists exactly the planted clients — checked against
 * an independent reading of the log (a regex over the client question lines
 * and plain Set lookups), not against the generator's own bookkeeping.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { isDnshuntError } from '../src/core/index.js';
import { KNOWN_CONFIGS, generateNames } from '../src/dga/index.js';
import { LogGenerator, dateOfIso, parseSize, parseStart } from '../src/gen/index.js';
import type { ExpectedAnswer, GenOptions } from '../src/gen/index.js';
import { loadBuiltinIndicators } from '../src/ioc/index.js';

interface Generated {
  text: string;
  sha: string;
  feed: string;
  expected: ExpectedAnswer;
  bytes: number;
}

function run(over: Partial<GenOptions> = {}, bufBytes = 1 << 20): Generated {
  const g = new LogGenerator({ size: 600_000, seed: 42, locale: 'en-US', infected: 8, startMs: parseStart('2016-02-16T08:00:00'), iocs: 300, ...over });
  const buf = Buffer.alloc(bufBytes);
  const parts: Buffer[] = [];
  for (let n = g.fill(buf); n > 0; n = g.fill(buf)) parts.push(Buffer.from(buf.subarray(0, n)));
  assert.equal(g.fill(buf), 0, 'fill returns 0 once done');
  const all = Buffer.concat(parts);
  return { text: all.toString('latin1'), sha: createHash('sha256').update(all).digest('hex'), feed: g.feedText(), expected: g.expected('x.ioc.txt'), bytes: g.bytes };
}

const CLIENT_QUERY = / PACKET  [0-9A-F]{16} (?:UDP|TCP) Rcv (\S+) +[0-9a-f]{4}   Q \[[^\]]+\] \S+ +(\S+)$/;

/** Every (client, dotted name) question in the log, read with a regex. */
function clientQuestions(text: string): { client: string; name: string }[] {
  const out: { client: string; name: string }[] = [];
  for (const line of text.split('\r\n')) {
    const m = CLIENT_QUERY.exec(line);
    if (m !== null) out.push({ client: m[1]!, name: m[2]!.replace(/\(\d+\)/g, '.').slice(1, -1) });
  }
  return out;
}

/**
 * What a scan must report, computed independently: name (lower-cased) or a parent in the
 * indicator set; else the same after removing the log's search suffix (the AD zone).
 */
function oracleAnswer(text: string, e: ExpectedAnswer, feed: string, how = { strip: true, fold: true }): Map<string, Set<string>> {
  const set = new Set<string>(loadBuiltinIndicators().filter((i) => i.kind === 'domain').map((i) => i.value));
  for (const l of feed.split('\n')) if (l.length > 0 && !l.startsWith('#')) set.add(l);
  for (const n of generateNames(KNOWN_CONFIGS, dateOfIso(e.from), dateOfIso(e.to))) set.add(n.name);
  const hit = (name: string): string | null => {
    const labels = name.split('.');
    for (let i = 0; i < labels.length; i++) if (set.has(labels.slice(i).join('.'))) return labels.slice(i).join('.');
    return null;
  };
  const found = new Map<string, Set<string>>();
  for (const q of clientQuestions(text)) {
    const lower = how.fold ? q.name.toLowerCase() : q.name;
    const ind = hit(lower) ?? (how.strip && lower.endsWith(`.${e.zone}`) ? hit(lower.slice(0, -e.zone.length - 1)) : null);
    if (ind === null) continue;
    if (!found.has(q.client)) found.set(q.client, new Set());
    found.get(q.client)!.add(ind);
  }
  return found;
}

describe('generator determinism', () => {
  it('the same seed gives identical bytes, feed and expected answer, whatever the buffer size', () => {
    const a = run();
    const b = run({}, 64 * 1024 + 17);
    assert.equal(a.sha, b.sha);
    assert.equal(a.feed, b.feed);
    assert.deepEqual(a.expected, b.expected);
  });

  it('a different seed gives a different log', () => {
    const a = run();
    const c = run({ seed: 43 });
    assert.notEqual(a.sha, c.sha);
    assert.notEqual(a.feed, c.feed);
  });
});

describe('size', () => {
  for (const size of [50_000, 600_000, 3_000_000]) {
    it(`${size} bytes requested → at least that, at most one record more`, () => {
      const r = run({ size });
      assert.equal(Buffer.byteLength(r.text, 'latin1'), r.bytes);
      assert.equal(r.expected.bytes, r.bytes);
      assert.ok(r.bytes >= size, `${r.bytes} < ${size}`);
      // Planted bursts are written whole: allow one burst of a few records past the target.
      assert.ok(r.bytes <= size + 16 * 1024, `${r.bytes} overshoots ${size}`);
    });
  }

  it('parseSize: decimal and binary units; bad text is a USAGE error', () => {
    assert.equal(parseSize('1GB'), 1e9);
    assert.equal(parseSize('2MiB'), 2 * 1024 * 1024);
    assert.equal(parseSize('1.5 MB'), 1_500_000);
    assert.equal(parseSize('123'), 123);
    assert.throws(() => parseSize('12 parsecs'), (e) => isDnshuntError(e) && e.code === 'DNSHUNT_E_USAGE');
    assert.throws(() => parseStart('2016-02-30'), (e) => isDnshuntError(e) && e.code === 'DNSHUNT_E_USAGE');
  });
});

describe('expected answer', () => {
  const r = run({ size: 1_500_000 });
  const e = r.expected;

  it('lists exactly the clients and indicators an independent reading of the log finds', () => {
    const oracle = oracleAnswer(r.text, e, r.feed);
    const actual = [...oracle].map(([client, s]) => ({ client, indicators: [...s].sort() })).sort((a, b) => (a.client < b.client ? -1 : 1));
    assert.deepEqual(e.clients, actual);
    assert.equal(e.clients.length, 8);
  });

  it('cannot be matched exactly by a suffix-blind or a case-sensitive reading', () => {
    const flatten = (m: Map<string, Set<string>>): string[] => [...m].flatMap(([c, set]) => [...set].map((i) => `${c} ${i}`)).sort();
    const exact = e.clients.flatMap((c) => c.indicators.map((i) => `${c.client} ${i}`)).sort();
    assert.deepEqual(flatten(oracleAnswer(r.text, e, r.feed)), exact);
    assert.notDeepEqual(flatten(oracleAnswer(r.text, e, r.feed, { strip: false, fold: true })), exact);
    assert.notDeepEqual(flatten(oracleAnswer(r.text, e, r.feed, { strip: true, fold: false })), exact);
  });

  it('is sorted and consistent with its planted list', () => {
    const clients = e.clients.map((c) => c.client);
    assert.deepEqual(clients, [...clients].sort());
    for (const c of e.clients) assert.deepEqual(c.indicators, [...new Set(c.indicators)].sort());
    assert.deepEqual(new Set(e.planted.map((p) => p.client)), new Set(clients));
    for (const p of e.planted) assert.ok(e.clients.find((c) => c.client === p.client)!.indicators.includes(p.indicator));
  });

  it('covers every feature: kinds, spellings, IPv6 and TCP clients', () => {
    const kinds = new Set(e.planted.map((p) => p.kind.replace(/ seed=\d+/, '')));
    for (const k of ['static', 'feed', 'locky-v1', 'locky-v2', 'locky-v3']) assert.ok(kinds.has(k), `kind ${k}`);
    assert.ok(e.planted.some((p) => p.queried.endsWith(`.${e.zone}`)), 'a search-suffixed query');
    assert.ok(e.planted.some((p) => p.queried !== p.queried.toLowerCase()), 'an upper-case query');
    assert.ok(e.planted.some((p) => !p.queried.endsWith(`.${e.zone}`) && p.queried.toLowerCase() !== p.indicator), 'a subdomain query');
    assert.ok(e.clients.some((c) => c.client.includes(':')), 'an IPv6 client');
    assert.ok(e.planted.some((p) => p.protocol === 'TCP'), 'a TCP client');
  });

  it('decoys are in the log, from clean clients, and match nothing', () => {
    const questions = clientQuestions(r.text);
    const infected = new Set(e.clients.map((c) => c.client));
    const kinds = new Set(e.decoys.map((d) => d.kind));
    for (const k of ['label-prefix', 'label-append', 'public-suffix', 'public-suffix-search', 'far-dga']) assert.ok(kinds.has(k), `decoy ${k}`);
    for (const d of e.decoys) {
      assert.ok(!infected.has(d.client), `${d.client} is clean`);
      assert.ok(questions.some((q) => q.client === d.client && q.name === d.queried), `${d.queried} asked by ${d.client}`);
    }
  });

  it('forwarders only appear as upstream partners, never as asking clients', () => {
    assert.ok(e.forwarders.length > 0);
    const askers = new Set(clientQuestions(r.text).map((q) => q.client));
    for (const f of e.forwarders) {
      assert.ok(!askers.has(f), `${f} never asks`);
      assert.ok(r.text.includes(` Snd ${f} `), `${f} is forwarded to`);
    }
    for (const p of e.planted.filter((x) => !x.queried.endsWith(`.${e.zone}`))) {
      const wire = p.queried.split('.').map((l) => `(${l.length})${l}`).join('') + '(0)';
      assert.ok(e.forwarders.some((f) => r.text.includes(` Snd ${f.padEnd(15)} `) && r.text.includes(wire)), `forwarder traffic for ${p.queried}`);
    }
  });

  it('--infected 0 plants nothing; --infected 1 still covers every feature on one client', () => {
    assert.deepEqual(run({ infected: 0 }).expected.clients, []);
    const one = run({ infected: 1, size: 800_000 }).expected;
    assert.equal(one.clients.length, 1);
    assert.ok(one.clients[0]!.client.includes(':'), 'the single infected client is the IPv6 one');
    assert.ok(one.planted.some((p) => p.protocol === 'TCP'));
    const kinds = new Set(one.planted.map((p) => p.kind.replace(/ seed=\d+/, '')));
    assert.equal(kinds.size, 5);
  });
});

describe('user feed', () => {
  it('has N domains, the planted feed names among them', () => {
    const r = run({ iocs: 250 });
    const lines = r.feed.split('\n').filter((l) => l.length > 0 && !l.startsWith('#'));
    assert.equal(lines.length, 250);
    assert.equal(new Set(lines).size, 250);
    for (const l of lines) assert.match(l, /^[a-z0-9][a-z0-9.-]*\.[a-z]{2,}$/);
    const planted = r.expected.planted.filter((p) => p.kind === 'feed');
    assert.ok(planted.length > 0);
    for (const p of planted) assert.ok(lines.includes(p.indicator), `${p.indicator} in the feed`);
  });

  it('--iocs 0 gives an empty feed and still plants every other kind', () => {
    const r = run({ iocs: 0 });
    assert.equal(r.feed.split('\n').filter((l) => l.length > 0 && !l.startsWith('#')).length, 0);
    assert.equal(r.expected.clients.length, 8);
    assert.ok(!r.expected.planted.some((p) => p.kind === 'feed'));
  });
});
