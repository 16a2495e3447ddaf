/**
 * Question-name decoding (`decodeName`, `decodeStrict`, `labelsToString`):
 * length-prefixed wire text, original case lowered only for output, the root,
 * the lenient fallbacks (broken length prefixes, dotted SIEM copies), and a
 * round-trip property against an encoder written here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MAX_LABELS, decodeName, decodeStrict, labelsToString, newLabelArray } from '../src/parse/index.js';

/** Decode `text` (placed at an offset inside a larger buffer) and return the labels as raw strings. */
function labelsOf(text: string | Buffer, decode = decodeName): string[] | null {
  const body = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  const pre = Buffer.from('xx(9)', 'latin1');
  const buf = Buffer.concat([pre, body, Buffer.from('(3)zzz(0)', 'latin1')]);
  const labels = newLabelArray();
  const n = decode(buf, pre.length, pre.length + body.length, labels);
  if (n < 0) return null;
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(buf.toString('latin1', labels[i * 2]!, labels[i * 2 + 1]!));
  return out;
}

function dotted(text: string): string {
  const buf = Buffer.from(text, 'latin1');
  const labels = newLabelArray();
  const n = decodeName(buf, 0, buf.length, labels);
  return n <= 0 ? '' : labelsToString(buf, labels, 0, n);
}

describe('decodeName', () => {
  it('decodes length-prefixed names and lower-cases them for output', () => {
    assert.equal(dotted('(6)_VLMCS(4)_TCP(2)adlabs01(0)'), '_vlmcs._tcp.adlabs01');
    assert.equal(dotted('(4)HOME(4)home(4)gell(3)one(0)'), 'home.home.gell.one');
    assert.equal(dotted('(10)fnarsipfqe(2)pw(0)'), 'fnarsipfqe.pw');
    assert.equal(dotted('(16)6DTXGQAM4CRV6RR6(7)TOR2WEB(3)ORG(0)'), '6dtxgqam4crv6rr6.tor2web.org');
  });

  it('keeps the labels exactly as logged (case, underscores, dashes, two-digit lengths)', () => {
    assert.deepEqual(labelsOf('(6)_VLMCS(4)_TCP(2)adlabs01(0)'), ['_VLMCS', '_TCP', 'adlabs01']);
    assert.deepEqual(labelsOf('(8)952-ms-7(7)1-21b2f(36)654f75a4-3e4d-11e7-c880-c03fd56561d2(0)'), ['952-ms-7', '1-21b2f', '654f75a4-3e4d-11e7-c880-c03fd56561d2']);
    assert.deepEqual(labelsOf('(13)jp-cco-mtoda2(6)client(2)jp(0)'), ['jp-cco-mtoda2', 'client', 'jp']);
  });

  it('reads exactly N bytes per label, even when they look like syntax', () => {
    assert.deepEqual(labelsOf('(5)a(1)b(3)com(0)'), ['a(1)b', 'com']);
    assert.deepEqual(labelsOf('(3)a.b(2)pw(0)'), ['a.b', 'pw']);
  });

  it('accepts a 63-byte label', () => {
    const l = 'a'.repeat(63);
    assert.deepEqual(labelsOf(`(63)${l}(2)pw(0)`), [l, 'pw']);
  });

  it('the root (0) has no labels', () => {
    assert.deepEqual(labelsOf('(0)'), []);
  });

  it('accepts a name whose terminating (0) was dropped', () => {
    assert.deepEqual(labelsOf('(3)www(6)google(3)com'), ['www', 'google', 'com']);
  });

  it('repairs a name whose length prefixes disagree with its labels (de-DE sample)', () => {
    assert.equal(labelsOf('(5)test2(15)virot(2)de(0)', decodeStrict), null, 'strict decoding refuses it');
    assert.deepEqual(labelsOf('(5)test2(15)virot(2)de(0)'), ['test2', 'virot', 'de']);
    assert.equal(dotted('(5)test2(15)virot(2)de(0)'), 'test2.virot.de');
  });

  it('splits dotted SIEM copies on dots, ignoring the leading and trailing dot', () => {
    assert.deepEqual(labelsOf('.ns1.offeringsmislead.com.'), ['ns1', 'offeringsmislead', 'com']);
    assert.equal(dotted('.ns1.OfferingsMislead.com.'), 'ns1.offeringsmislead.com');
    assert.equal(dotted('fnarsipfqe.pw'), 'fnarsipfqe.pw');
  });

  it('never reads past the end it is given', () => {
    // "(3)zzz(0)" follows the range in labelsOf's buffer; a decoder reading on would return it.
    assert.deepEqual(labelsOf('(3)www(6)google'), ['www', 'google']);
    assert.deepEqual(labelsOf('(3)www(6)goo'), ['www', 'goo']); // truncated label: lenient split, nothing from outside
  });

  it('refuses more labels than a DNS name can have instead of overflowing the label array', () => {
    const many = '(1)a'.repeat(MAX_LABELS + 5) + '(0)';
    const labels = newLabelArray();
    const buf = Buffer.from(many, 'latin1');
    const n = decodeName(buf, 0, buf.length, labels);
    assert.ok(n === -1 || n <= MAX_LABELS, `got ${n}`);
  });
});

/** Encode labels the way the server prints them. */
function encode(labels: readonly string[]): string {
  return `${labels.map((l) => `(${l.length})${l}`).join('')}(0)`;
}

const arbLabelText = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_'), minLength: 1, maxLength: 63 });
/** Any label bytes at all (but NUL-free and printable-ish): strict decoding must still be exact. */
const arbLabelBytes = fc.string({ unit: fc.integer({ min: 0x21, max: 0xff }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 63 });

describe('decodeName round trip (property)', () => {
  it('host-name labels: decode(encode(labels)) = labels, and the output is the lower-cased dotted name', () => {
    fc.assert(
      fc.property(fc.array(arbLabelText, { minLength: 1, maxLength: 10 }), (labels) => {
        assert.deepEqual(labelsOf(encode(labels)), labels);
        assert.equal(dotted(encode(labels)), labels.join('.').toLowerCase());
      }),
      { numRuns: 500 },
    );
  });

  it('arbitrary label bytes, including "(", ")", "." and digits, decode exactly', () => {
    fc.assert(
      fc.property(fc.array(arbLabelBytes, { minLength: 1, maxLength: 8 }), (labels) => {
        assert.deepEqual(labelsOf(encode(labels)), labels);
      }),
      { numRuns: 500 },
    );
  });

  it('a dotted copy of a host name decodes to the same labels as the wire form', () => {
    fc.assert(
      fc.property(fc.array(arbLabelText, { minLength: 1, maxLength: 10 }), fc.boolean(), fc.boolean(), (labels, lead, trail) => {
        const text = `${lead ? '.' : ''}${labels.join('.')}${trail ? '.' : ''}`;
        assert.deepEqual(labelsOf(text), labels);
      }),
      { numRuns: 300 },
    );
  });
});
