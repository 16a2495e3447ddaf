/**
 * The reversed-label matcher. The compiled trie is checked against a naive
 * oracle — a Set of indicator domains tested against every suffix of the query
 * at label boundaries, case-insensitively — on random sets built to provoke
 * label-boundary decoys and hash-slot collisions. Search-suffix stripping
 * (configured suffixes, non-public trailing labels, home.arpa) is checked
 * against an oracle that knows which test labels are public.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CompiledMatcher, NameMatch, NameMatcher, buildMatcher, isPublicTopLabel } from '../src/match/index.js';
import { PRIVATE_LONG_LABELS, PUBLIC_LONG_LABELS, PUBLIC_SHORT_LABELS } from '../src/match/psl-answers.js';
import { isPublicTopLabelByList } from '../src/match/public-suffix.js';
import { decodeName, labelsToString, newLabelArray } from '../src/parse/index.js';

/** A query name in a buffer, with label boundaries computed here (not by the product's decoder). */
function query(name: string, pad = 'PAD('): { buf: Buffer; labels: Int32Array; count: number } {
  const buf = Buffer.from(`${pad}${name})PAD`, 'latin1');
  const labels = new Int32Array(256);
  let count = 0;
  let s = pad.length;
  const end = pad.length + name.length;
  for (let p = pad.length; p <= end; p++) {
    if (p === end || buf[p] === 0x2e) {
      if (p > s) {
        labels[count * 2] = s;
        labels[count * 2 + 1] = p;
        count++;
      }
      s = p + 1;
    }
  }
  return { buf, labels, count };
}

/** The indicator the compiled matcher finds for `name` as logged, or null. */
function trieMatch(m: CompiledMatcher, domains: readonly string[], name: string): string | null {
  const q = query(name);
  if (q.count === 0) return null;
  const id = m.matchLabels(q.buf, q.labels, q.count - 1);
  return id < 0 ? null : domains[id]!;
}

/** Oracle: the longest suffix of `name` at a label boundary that is in the set (ASCII case folded). */
function oracleMatch(set: ReadonlySet<string>, name: string): string | null {
  const labels = name.split('.').filter((l) => l.length > 0).map(asciiLower);
  for (let i = 0; i < labels.length; i++) {
    const suffix = labels.slice(i).join('.');
    if (set.has(suffix)) return suffix;
  }
  return null;
}

function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

describe('buildMatcher / matchLabels: fixed cases', () => {
  const domains = ['evil.pw', 'fnarsipfqe.pw', 'deep.sub.example.com', 'example.com', '6dtxgqam4crv6rr6.tor2web.org'];
  const m = buildMatcher(domains);

  it('matches the indicator itself and every subdomain', () => {
    assert.equal(trieMatch(m, domains, 'evil.pw'), 'evil.pw');
    assert.equal(trieMatch(m, domains, 'x.evil.pw'), 'evil.pw');
    assert.equal(trieMatch(m, domains, 'a.b.c.evil.pw'), 'evil.pw');
  });

  it('is case-insensitive', () => {
    assert.equal(trieMatch(m, domains, 'EVIL.PW'), 'evil.pw');
    assert.equal(trieMatch(m, domains, '6DTXGQAM4CRV6RR6.TOR2WEB.ORG'), '6dtxgqam4crv6rr6.tor2web.org');
    assert.equal(trieMatch(m, domains, 'FnArSiPfQe.Pw'), 'fnarsipfqe.pw');
  });

  it('respects label boundaries', () => {
    assert.equal(trieMatch(m, domains, 'notevil.pw'), null);
    assert.equal(trieMatch(m, domains, 'notfnarsipfqe.pw'), null);
    assert.equal(trieMatch(m, domains, 'evil.pw.com'), null);
    assert.equal(trieMatch(m, domains, 'fnarsipfqe.pw.com'), null);
    assert.equal(trieMatch(m, domains, 'pw'), null);
    assert.equal(trieMatch(m, domains, 'vil.pw'), null);
    assert.equal(trieMatch(m, domains, 'evil.p'), null);
    assert.equal(trieMatch(m, domains, 'evilpw'), null);
  });

  it('the most specific indicator wins', () => {
    assert.equal(trieMatch(m, domains, 'deep.sub.example.com'), 'deep.sub.example.com');
    assert.equal(trieMatch(m, domains, 'x.deep.sub.example.com'), 'deep.sub.example.com');
    assert.equal(trieMatch(m, domains, 'sub.example.com'), 'example.com');
    assert.equal(trieMatch(m, domains, 'other.example.com'), 'example.com');
  });

  it('a repeated domain keeps its first id', () => {
    const d = ['a.pw', 'b.pw', 'a.pw'];
    const q = query('a.pw');
    assert.equal(buildMatcher(d).matchLabels(q.buf, q.labels, q.count - 1), 0);
  });

  it('an empty set matches nothing', () => {
    assert.equal(trieMatch(buildMatcher([]), [], 'evil.pw'), null);
  });

  it('works from a copy of the shared image (what a worker gets through workerData)', () => {
    const copy = new CompiledMatcher(m.buffer);
    assert.equal(trieMatch(copy, domains, 'x.EVIL.pw'), 'evil.pw');
    assert.equal(trieMatch(copy, domains, 'notevil.pw'), null);
    assert.ok(m.buffer instanceof SharedArrayBuffer);
  });

  it('refuses a buffer that is not a matcher image', () => {
    assert.throws(() => new CompiledMatcher(new SharedArrayBuffer(64)));
  });

  it('a large set (50,000 domains) still matches each one and no decoy', () => {
    const big: string[] = [];
    for (let i = 0; i < 50_000; i++) big.push(`d${i.toString(36)}.${['pw', 'com', 'uk', 'eu', 'work'][i % 5]}`);
    const bm = buildMatcher(big);
    for (let i = 0; i < big.length; i += 97) {
      assert.equal(trieMatch(bm, big, big[i]!), big[i]);
      assert.equal(trieMatch(bm, big, `x.${big[i]!.toUpperCase()}`), big[i]);
      assert.equal(trieMatch(bm, big, `n${big[i]!}`), null);
    }
  });
});

describe('buildMatcher: image sizing and the bounded memos', () => {
  it('10,000 distinct last labels (past the shared-last-label count and the last-label memo) all match, and nothing else does', () => {
    const names: string[] = [];
    for (let i = 0; i < 10_000; i++) names.push(`c2-${i % 7}.t${i.toString(36)}x`);
    const image = buildMatcher(names);
    const nm = new NameMatcher(image, false);
    const out = new NameMatch();
    for (let i = 0; i < names.length; i += 13) {
      const q = query(`www.${names[i]!}`);
      assert.equal(nm.match(q.buf, q.labels, q.count, out).id, i);
      const miss = query(`c2-${(i + 1) % 7}.t${i.toString(36)}x`);
      if ((i + 1) % 7 !== i % 7) assert.equal(nm.match(miss.buf, miss.labels, miss.count, out).id, -1);
    }
  });

  it('names sharing deeper labels get a right-sized copy that matches exactly like the set', () => {
    // 20,000 names under 4 second-level domains: the bound counts every middle label, the copy keeps 4
    const names: string[] = [];
    for (let i = 0; i < 20_000; i++) names.push(`h${i}.${['co', 'org', 'ac', 'gov'][i % 4]}.uk`);
    const image = buildMatcher(names);
    assert.ok(image.usedNodes < 20_000 + 10, `used ${image.usedNodes}`);
    assert.ok(image.slots.length < 65_536, `slots ${image.slots.length} (a copy sized for ~20,000 nodes)`);
    for (let i = 0; i < names.length; i += 7) {
      assert.equal(trieMatch(image, names, names[i]!), names[i]);
      assert.equal(trieMatch(image, names, `h${i}.net.uk`), null);
    }
  });

  it('the memo of last labels stays correct past its capacity with search-suffix stripping on', () => {
    const nm = new NameMatcher(buildMatcher(['evil.pw']), true);
    const out = new NameMatch();
    for (let i = 0; i < 5000; i++) {
      const suffix = `corp${i.toString(36)}q`; // never public: stripped
      const q = query(`x.evil.pw.${suffix}`);
      assert.equal(nm.match(q.buf, q.labels, q.count, out).id, 0, suffix);
      assert.equal(out.stripped, 1);
    }
  });
});

// Labels from a small alphabet so that random sets share many labels, suffixes and
// near-identical strings (and so collide in hash slots), plus explicit boundary decoys.
const arbLabel = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('evil', 'notevil', 'vil', 'pw', 'com', 'uk', 'co', 'a', 'b', 'ab', 'ba', 'x-1', '_tcp', 'www', 'e', 'evilpw') },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom('a', 'b', 'e', '1', '-', '_'), minLength: 1, maxLength: 4 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-'), minLength: 1, maxLength: 20 }) },
);
const arbDomain = fc.array(arbLabel, { minLength: 1, maxLength: 4 }).map((l) => l.join('.'));

/** Random case for every ASCII letter. */
function randomCase(s: string, bits: number): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += (bits >> (i % 30)) & 1 ? s[i]!.toUpperCase() : s[i];
  return out;
}

describe('matchLabels agrees with the naive suffix-set oracle (property)', () => {
  it('random sets and queries, including subdomains, decoys and mixed case', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(arbDomain, { minLength: 0, maxLength: 40 }),
        fc.array(
          fc.record({
            kind: fc.constantFrom('random', 'sub', 'prefixed', 'appended', 'self', 'parent'),
            pick: fc.nat(),
            extra: arbLabel,
            name: arbDomain,
            caseBits: fc.nat(),
          }),
          { minLength: 1, maxLength: 30 },
        ),
        (domains, queries) => {
          const m = buildMatcher(domains);
          const set = new Set(domains);
          for (const q of queries) {
            const base = domains.length > 0 ? domains[q.pick % domains.length]! : q.name;
            let name: string;
            switch (q.kind) {
              case 'sub': name = `${q.extra}.${base}`; break;
              case 'prefixed': name = `${q.extra}${base}`; break; // notevil.pw vs evil.pw
              case 'appended': name = `${base}.${q.extra}`; break; // evil.pw.com vs evil.pw
              case 'self': name = base; break;
              case 'parent': name = base.includes('.') ? base.slice(base.indexOf('.') + 1) : base; break;
              default: name = q.name;
            }
            name = randomCase(name, q.caseBits);
            assert.equal(trieMatch(m, domains, name), oracleMatch(set, name), `query ${name} against ${JSON.stringify(domains)}`);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('non-ASCII bytes in a query never match an ASCII indicator by case folding', () => {
    const domains = ['evil.pw'];
    const m = buildMatcher(domains);
    // 0xC5 ('Å') lower-cases to 0xE5 in Latin-1 but must not equal any ASCII letter.
    assert.equal(trieMatch(m, domains, '\u00c5vil.pw'), null);
    assert.equal(trieMatch(m, domains, 'x.\u00c5.evil.pw'), 'evil.pw');
  });
});

// Labels whose public-suffix status the oracle knows (checked against the PSL below).
const PUBLIC = ['com', 'pw', 'uk', 'org', 'eu', 'net', 'de', 'work', 'arpa'];
const PRIVATE = ['local', 'lan', 'corp', 'internal', 'intranet', 'home', 'localdomain'];

describe('NameMatcher: search suffixes', () => {
  it('the label lists used by the oracle agree with the Public Suffix List', () => {
    for (const l of PUBLIC) assert.equal(isPublicTopLabelByList(l), true, l);
    for (const l of PRIVATE) assert.equal(isPublicTopLabelByList(l), false, l);
    for (const l of ['evil', 'notevil', 'x', 'www', 'fnarsipfqe', 'not', 'a', 'example']) assert.equal(isPublicTopLabelByList(l), false, l);
  });

  it('the answers the build took from the list are the list\'s: every label of one to four letters, the longer ones it holds, and labels it does not', () => {
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const labels: string[] = [...PUBLIC, ...PRIVATE, ...PRIVATE_LONG_LABELS.split(' '), ...PUBLIC_LONG_LABELS.split(' '), 'x1', 'a-b', '_x', 'xn--p1ai', 'zzzz', 'notatld'];
    const all = (prefix: string): void => {
      for (const c of letters) {
        labels.push(prefix + c);
        if (prefix.length < 3) all(prefix + c);
      }
    };
    all('');
    let publicCount = 0;
    for (const l of labels) {
      const want = isPublicTopLabelByList(l);
      if (want) publicCount++;
      if (isPublicTopLabel(l) !== want) assert.fail(`${l}: the build's answer is ${!want}, the list says ${want}`);
    }
    assert.ok(publicCount > 500, `${publicCount} public labels: the list was asked`);
    assert.ok(PUBLIC_SHORT_LABELS.split(' ').includes('uk') && PUBLIC_SHORT_LABELS.split(' ').includes('com'), 'two-letter and three-letter TLDs are in the build\'s table');
  });

  it('property: a label with a digit, _ or - (not an xn-- one) is no public suffix, as the list says; any other byte is the list\'s to judge', () => {
    const chars = 'abcdefghijklmnopqrstuvwxyz0123456789-_.:/@?#\\ \t\u00e9';
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...chars), { minLength: 1, maxLength: 20 }), fc.constantFrom(...'0123456789-_.:/@ '), fc.nat(), (body, odd, at) => {
        const l = body.join('');
        const label = l.slice(0, at % (l.length + 1)) + odd + l.slice(at % (l.length + 1));
        assert.equal(isPublicTopLabel(label), isPublicTopLabelByList(label), label);
      }),
      { numRuns: 3000 },
    );
    for (const l of ['xn--p1ai', 'xn--fiqs8s', 'xn--zzzzzz1', '_msdcs', '8a3e2b6c-1d2e-4f3a-9b8c-7d6e5f4a3b2c', 'default-first-site-name', 'com.', 'foo.com', 'com:80', 'a@com', 'com\\']) assert.equal(isPublicTopLabel(l), isPublicTopLabelByList(l), l);
    assert.equal(isPublicTopLabel('foo.com'), true, 'a label holding a dot is judged by the list, as before');
    assert.equal(isPublicTopLabel('xn--p1ai'), true, 'an internationalised TLD in its xn-- form is asked of the list');
  });

  function matcher(domains: readonly string[], suffixes: readonly string[], strip: boolean) {
    const nm = new NameMatcher(buildMatcher(domains, suffixes), strip);
    const out = new NameMatch();
    return (name: string): { indicator: string | null; stripped: string | null } => {
      const q = query(name);
      nm.match(q.buf, q.labels, q.count, out);
      if (out.id < 0) return { indicator: null, stripped: null };
      const labels = name.split('.');
      return { indicator: domains[out.id]!, stripped: out.stripped > 0 ? labels.slice(labels.length - out.stripped).join('.').toLowerCase() : null };
    };
  }

  it('x.evil.pw.corp.local matches evil.pw with corp.local stripped (non-public labels, no configuration)', () => {
    const m = matcher(['evil.pw'], [], true);
    assert.deepEqual(m('x.evil.pw.corp.local'), { indicator: 'evil.pw', stripped: 'corp.local' });
    assert.deepEqual(m('evil.pw.lan'), { indicator: 'evil.pw', stripped: 'lan' });
    assert.deepEqual(m('EVIL.PW.CORP.LOCAL'), { indicator: 'evil.pw', stripped: 'corp.local' });
    assert.deepEqual(m('evil.pw.internal'), { indicator: 'evil.pw', stripped: 'internal' });
  });

  it('evil.pw.com does not match evil.pw (com is public): nothing is stripped', () => {
    const m = matcher(['evil.pw'], [], true);
    assert.deepEqual(m('evil.pw.com'), { indicator: null, stripped: null });
    assert.deepEqual(m('evil.pw.co.uk'), { indicator: null, stripped: null });
    assert.deepEqual(m('notevil.pw.corp.local'), { indicator: null, stripped: null });
  });

  it('a name that matches as logged reports no stripped suffix', () => {
    const m = matcher(['evil.pw'], ['corp.local'], true);
    assert.deepEqual(m('x.evil.pw'), { indicator: 'evil.pw', stripped: null });
  });

  it('--suffix configured suffixes are stripped even when they end in a public suffix', () => {
    const m = matcher(['evil.pw'], ['corp.example.com', 'ad.example.de'], true);
    assert.deepEqual(m('x.evil.pw.corp.example.com'), { indicator: 'evil.pw', stripped: 'corp.example.com' });
    assert.deepEqual(m('evil.pw.ad.example.de'), { indicator: 'evil.pw', stripped: 'ad.example.de' });
    assert.deepEqual(m('evil.pw.other.example.com'), { indicator: null, stripped: null });
    assert.deepEqual(m('evil.pw.example.com'), { indicator: null, stripped: null });
  });

  it('the longest configured suffix is the one stripped', () => {
    const m = matcher(['evil.pw', 'evil.pw.corp'], ['example.com', 'corp.example.com'], false);
    assert.deepEqual(m('evil.pw.corp.example.com'), { indicator: 'evil.pw', stripped: 'corp.example.com' });
  });

  it('configured suffixes work with private stripping switched off, and private stripping then stays off', () => {
    const m = matcher(['evil.pw'], ['corp.local'], false);
    assert.deepEqual(m('evil.pw.corp.local'), { indicator: 'evil.pw', stripped: 'corp.local' });
    assert.deepEqual(m('evil.pw.lan'), { indicator: null, stripped: null });
  });

  it('home.arpa (public in the PSL, private by RFC 8375) is stripped when configured, as the CLI does', () => {
    const m = matcher(['evil.pw'], ['home.arpa'], true);
    assert.deepEqual(m('evil.pw.home.arpa'), { indicator: 'evil.pw', stripped: 'home.arpa' });
    assert.deepEqual(m('x.evil.pw.HOME.ARPA'), { indicator: 'evil.pw', stripped: 'home.arpa' });
    const without = matcher(['evil.pw'], [], true);
    assert.deepEqual(without('evil.pw.in-addr.arpa'), { indicator: null, stripped: null });
  });

  it('a suffix is never stripped down to nothing', () => {
    const m = matcher(['corp.local', 'local'], ['corp.local'], true);
    assert.deepEqual(m('corp.local'), { indicator: 'corp.local', stripped: null });
    const n = matcher(['evil.pw'], ['evil.pw'], true);
    assert.deepEqual(n('evil.pw'), { indicator: 'evil.pw', stripped: null });
    const o = matcher(['x.pw'], ['local'], true);
    assert.deepEqual(o('local'), { indicator: null, stripped: null });
  });

  it('an indicator under a non-PSL top label (.bit) is found with a search suffix appended',
    () => {
      const m = matcher(['foo.bit'], [], true);
      assert.deepEqual(m('foo.bit'), { indicator: 'foo.bit', stripped: null });
      assert.deepEqual(m('x.foo.bit.corp.local'), { indicator: 'foo.bit', stripped: 'corp.local' });
    });

  it('property: agrees with the stripping oracle on random names built from public, private and decoy labels', () => {
    const arbHost = fc.array(fc.constantFrom('evil', 'notevil', 'x', 'www', 'fnarsipfqe', 'corp'), { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(arbHost, fc.constantFrom(...PUBLIC)).map(([h, t]) => [...h, t].join('.')), { minLength: 1, maxLength: 8 }),
        fc.uniqueArray(fc.array(fc.constantFrom(...PRIVATE, 'example', 'com', 'arpa', 'home'), { minLength: 1, maxLength: 3 }).map((l) => l.join('.')), { maxLength: 3 }),
        fc.boolean(),
        fc.array(fc.tuple(fc.nat(), fc.array(fc.constantFrom('a', 'www', 'evil', 'not'), { maxLength: 2 }), fc.array(fc.constantFrom(...PRIVATE, ...PUBLIC, 'example'), { maxLength: 3 }), fc.nat()), { minLength: 1, maxLength: 20 }),
        (domains, suffixes, strip, queries) => {
          const m = matcher(domains, suffixes, strip);
          const set = new Set(domains);
          for (const [pick, pre, post, bits] of queries) {
            const name = randomCase([...pre, domains[pick % domains.length]!, ...post].join('.'), bits);
            assert.deepEqual(m(name), oracleStrip(set, suffixes, strip, name), `${name} vs ${JSON.stringify({ domains, suffixes, strip })}`);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

/**
 * Stripping oracle (the documented attempts, in order): the name as logged; minus the
 * longest configured suffix; then minus 1, 2, … trailing non-public labels (at least
 * one label kept), fewest first, never past a public label.
 */
function oracleStrip(set: ReadonlySet<string>, suffixes: readonly string[], strip: boolean, name: string): { indicator: string | null; stripped: string | null } {
  const labels = name.split('.').map(asciiLower);
  const asLogged = oracleMatch(set, labels.join('.'));
  if (asLogged) return { indicator: asLogged, stripped: null };
  let keep = labels.length;
  const configured = [...suffixes]
    .map((s) => s.split('.'))
    .filter((s) => s.length < labels.length && labels.slice(labels.length - s.length).join('.') === s.join('.'))
    .sort((a, b) => b.length - a.length)[0];
  if (configured) {
    keep = labels.length - configured.length;
    const hit = oracleMatch(set, labels.slice(0, keep).join('.'));
    if (hit) return { indicator: hit, stripped: labels.slice(keep).join('.') };
  }
  if (!strip) return { indicator: null, stripped: null };
  // Non-public trailing labels, one at a time, fewest first, never past a public label.
  for (let k = keep - 1; k >= 1 && !PUBLIC.includes(labels[k]!); k--) {
    const hit = oracleMatch(set, labels.slice(0, k).join('.'));
    if (hit) return { indicator: hit, stripped: labels.slice(k).join('.') };
  }
  return { indicator: null, stripped: null };
}

describe('NameMatcher: search suffixes with a public-looking label inside', () => {
  it('evil.pw.com.corp.local is a lookup of evil.pw.com, not of evil.pw (regression)', () => {
    const nm = new NameMatcher(buildMatcher(['evil.pw'], ['home.arpa']), true);
    const labels = newLabelArray();
    const q = Buffer.from('(4)evil(2)pw(3)com(4)corp(5)local(0)', 'latin1');
    assert.equal(nm.match(q, labels, decodeName(q, 0, q.length, labels), new NameMatch()).id, -1);
  });

  it('evil.pw.ad.contoso.local needs ad.contoso.local configured (ad is a public TLD)', () => {
    const q = Buffer.from('(4)evil(2)pw(2)ad(7)contoso(5)local(0)', 'latin1');
    const labels = newLabelArray();
    const count = decodeName(q, 0, q.length, labels);
    const plain = new NameMatcher(buildMatcher(['evil.pw'], ['home.arpa']), true);
    assert.equal(plain.match(q, labels, count, new NameMatch()).id, -1);
    const configured = new NameMatcher(buildMatcher(['evil.pw'], ['home.arpa', 'ad.contoso.local']), true);
    const m = configured.match(q, labels, count, new NameMatch());
    assert.equal(m.id, 0);
    assert.equal(labelsToString(q, labels, count - m.stripped, count), 'ad.contoso.local');
  });
});
