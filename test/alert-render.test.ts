/** Mail rendering and JSON lines, as pure functions: subjects, escaping of untrusted names, digest tables, exact JSON fields. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PassThrough } from 'node:stream';
import { alertIdFor, messageIdFor, HIT_FIELDS, type DigestAlert, type ImmediateAlert } from '../src/alert/alert-model.js';
import { describeIndicator, escapeHtml, headerSafe, renderAlert, renderDigest } from '../src/alert/mail-render.js';
import { JsonlSink } from '../src/alert/jsonl-sink.js';
import { hitToJsonLine } from '../src/alert/index.js';
import { makeHit } from './alert-harness.test.js';

function alertOf(over: Partial<ImmediateAlert> = {}): ImmediateAlert {
  const hit = makeHit();
  const id = alertIdFor('client+indicator', hit);
  return {
    kind: 'alert',
    id,
    messageId: messageIdFor(id, 'dnshunt@example.org'),
    createdAt: Date.UTC(2016, 1, 16, 21, 5, 0),
    hit,
    hostName: null,
    alertKey: 'client+indicator',
    suppressMs: 3_600_000,
    digestMs: 3_600_000,
    ...over,
  };
}

test('the subject names the client and the indicator', () => {
  assert.equal(renderAlert(alertOf()).subject, 'dnshunt: 10.1.2.3 looked up Locky C&C fnarsipfqe.pw');
  assert.equal(renderAlert(alertOf({ hostName: 'pc-42.corp.local' })).subject, 'dnshunt: 10.1.2.3 (pc-42.corp.local) looked up Locky C&C fnarsipfqe.pw');
  assert.equal(describeIndicator('feed:/etc/dnshunt/bad.txt line 3'), 'known-bad domain');
  assert.equal(describeIndicator('locky-v2 seed=7 window=2016-02-24'), 'Locky C&C');
});

test('both parts carry client, host, time, query, indicator, source, file:line and what to do next', () => {
  const m = renderAlert(alertOf({ hostName: 'pc-42.corp.local', hit: makeHit({ qname: 'x.fnarsipfqe.pw', suffixStripped: 'corp.local' }) }));
  for (const part of [m.text, m.html]) {
    for (const needle of ['10.1.2.3', 'pc-42.corp.local', '2016-02-16T22:05:00', 'x.fnarsipfqe.pw', 'fnarsipfqe.pw', 'builtin:locky-static line 42', 'dns.log:1234', 'Isolate', 'corp.local', '1h']) {
      assert.ok(part.includes(needle), `missing ${needle}`);
    }
  }
});

test('hostile names: HTML is escaped, control characters never reach the subject and show as escapes in the text', () => {
  const hit = makeHit({ client: '10.0.0.1\r\nBcc: evil@example.net', qname: '<script>x</script>.evil.pw\r\nX-Injected: yes', indicator: 'evil.pw\n<b>' });
  const m = renderAlert(alertOf({ hit, hostName: '<img src=x onerror=alert(1)>' }));
  assert.ok(!/[\r\n]/.test(m.subject));
  assert.equal(m.subject, 'dnshunt: 10.0.0.1 Bcc: evil@example.net (<img src=x onerror=alert(1)>) looked up Locky C&C evil.pw <b>');
  assert.ok(!m.html.includes('<script>'));
  assert.ok(!m.html.includes('<img'));
  assert.ok(m.html.includes('&lt;script&gt;x&lt;/script&gt;.evil.pw'));
  assert.ok(m.text.includes('<script>x</script>.evil.pw\\x0d\\x0aX-Injected: yes'));
  assert.ok(!m.text.includes('\r'));
  assert.ok(!m.text.split('\n').some((l) => l.startsWith('X-Injected')));
});

test('headerSafe and escapeHtml: no control characters survive, ever', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
      const h = headerSafe(s);
      assert.ok(!/[\x00-\x1f\x7f-\x9f\u2028\u2029]/.test(h));
      assert.ok(h.length <= 200);
      const e = escapeHtml(s);
      assert.ok(!/[<>"'\x00-\x1f\x7f-\x9f]/.test(e));
    }),
  );
});

test('digest: a table of client, indicator, count, first, last; NEW rows flagged; overflow told', () => {
  const d: DigestAlert = {
    kind: 'digest',
    id: '0'.repeat(32),
    messageId: '<x@example.org>',
    createdAt: Date.UTC(2016, 1, 16, 23, 0, 0),
    periodStart: Date.UTC(2016, 1, 16, 22, 0, 0),
    rows: [
      { client: '10.1.2.3', indicator: 'fnarsipfqe.pw', count: 9_999, first: '2016-02-16T22:05:00', last: '2016-02-16T22:05:59', reason: 'repeat' },
      { client: '10.0.0.9', indicator: '<i>.pw', count: 1, first: '2016-02-16T22:30:00', last: '2016-02-16T22:30:00', reason: 'cap' },
    ],
    overflowHits: 7,
  };
  const m = renderDigest(d);
  assert.equal(m.subject, 'dnshunt digest: 10007 hits from 2 clients, 1 not alerted before');
  assert.match(m.text, /10\.1\.2\.3\s+fnarsipfqe\.pw\s+9999\s+2016-02-16T22:05:00\s+2016-02-16T22:05:59\s+repeat/);
  assert.match(m.text, /10\.0\.0\.9\s+<i>\.pw\s+1\s+.*NEW/);
  assert.match(m.text, /7 more hits not itemised/);
  assert.ok(m.html.includes('<td>&lt;i&gt;.pw</td>'));
  assert.ok(m.html.includes('<td align="right">9999</td>'));
});

test('ids are stable for the same alert and differ for another client, indicator or time', () => {
  const h = makeHit();
  assert.equal(alertIdFor('client+indicator', h), alertIdFor('client+indicator', makeHit({ line: 99, qname: 'www.fnarsipfqe.pw' })));
  const ids = new Set([
    alertIdFor('client+indicator', h),
    alertIdFor('client', h),
    alertIdFor('client+indicator', { ...h, client: '10.1.2.4' }),
    alertIdFor('client+indicator', { ...h, indicator: 'other.pw' }),
    alertIdFor('client+indicator', { ...h, time: '2016-02-16T22:05:01' }),
  ]);
  assert.equal(ids.size, 5);
  assert.match(messageIdFor('ab'.repeat(16), 'dnshunt@example.org'), /^<[0-9a-f]{32}@example\.org>$/);
});

test('JSON lines: exactly the HitRecord fields in order, one line per hit, every hit, control characters escaped', async () => {
  const hit = { ...makeHit({ qname: 'a\r\nb.evil.pw', rcode: null }), extra: 'dropped' };
  const line = hitToJsonLine(hit);
  assert.ok(!/[\r\n]/.test(line));
  assert.deepEqual(Object.keys(JSON.parse(line) as object), [...HIT_FIELDS]);
  assert.equal((JSON.parse(line) as { qname: string }).qname, 'a\r\nb.evil.pw');

  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  const sink = await JsonlSink.open('-', out);
  for (let i = 0; i < 3; i++) await sink.write(makeHit({ line: i }));
  await sink.close();
  const lines = chunks.join('').split('\n');
  assert.equal(lines.pop(), '');
  assert.deepEqual(lines.map((l) => (JSON.parse(l) as { line: number }).line), [0, 1, 2]);
});
