/**
 * The AlertService against a real SMTP server with a hand-moved clock: the
 * flood, the mail cap, SMTP down then up with capped backoff, a message the
 * server refuses, close() with a send in flight, reverse DNS that hangs, JSON
 * lines for every hit, the state lock.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { ErrorCode } from '../src/core/index.js';
import { AlertService, type AlertConfig, type AlertDeps } from '../src/alert/index.js';
import { tempDir } from './helpers.js';
import { deadPort, makeHit, mailConfig, messageIds, silentServer, startSmtp, TestClock, type TestSmtp } from './alert-harness.test.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const tmp = tempDir('dnshunt-alert-service-');
after(() => tmp.cleanup());
let n = 0;
function stateDir(): string {
  return join(tmp.dir, `state-${++n}`);
}

let relay: TestSmtp;
before(async () => {
  relay = await startSmtp();
});
after(() => relay.close());

/** A fresh SMTP server per test, so mail counts are the test's own. */
async function withServer<T>(fn: (s: TestSmtp) => Promise<T>, opts: Parameters<typeof startSmtp>[0] = {}): Promise<T> {
  const s = await startSmtp(opts);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

function open(config: AlertConfig, clock: TestClock, logs: string[] = [], extra: Partial<AlertDeps> = {}): Promise<AlertService> {
  return AlertService.open(config, { now: clock.now, log: (l) => logs.push(l), ...extra });
}

test('flood: 10,000 hits of one client within a minute give exactly one alert mail and one digest counting 9,999; every hit is a JSON line', async () => {
  await withServer(async (smtp) => {
    const clock = new TestClock();
    const jsonl = join(tmp.dir, 'flood.jsonl');
    const alerts = await open(mailConfig(smtp.port, stateDir(), { jsonl }), clock);
    for (let i = 0; i < 10_000; i++) {
      await alerts.onHit(makeHit({ time: `2016-02-16T22:05:${String(Math.floor(i / 200)).padStart(2, '0')}`, line: 1000 + i }));
      clock.advance(6);
    }
    await alerts.tick();
    await alerts.idle();
    assert.equal(smtp.mails.length, 1, 'one immediate mail');
    assert.equal(alerts.stats().folded, 9_999);
    clock.advance(HOUR);
    await alerts.tick();
    await alerts.idle();
    assert.equal(smtp.mails.length, 2, 'one digest');
    const digest = smtp.mails[1]!.parsed;
    assert.equal(digest.subject, 'dnshunt digest: 9999 hits from 1 client');
    assert.equal(digest.headers.get('x-dnshunt-alert')?.[0], 'digest');
    assert.match(digest.text ?? '', /10\.1\.2\.3\s+fnarsipfqe\.pw\s+9999\s+2016-02-16T22:05:00\s+2016-02-16T22:05:49/);
    assert.ok((digest.html ?? '').includes('<td align="right">9999</td>'));
    clock.advance(3 * HOUR);
    await alerts.tick();
    await alerts.idle();
    await alerts.close();
    assert.equal(smtp.mails.length, 2, 'nothing more');
    assert.equal(messageIds(smtp.mails).size, 2);
    const lines = readFileSync(jsonl, 'utf8').split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 10_000, 'every hit, not suppressed');
    assert.equal((JSON.parse(lines[9_999] as string) as { line: number }).line, 10_999);
  });
});

test('cap: 25 new clients in an hour give 20 mails, then one digest naming the other 5 as not alerted', async () => {
  await withServer(async (smtp) => {
    const clock = new TestClock();
    const alerts = await open(mailConfig(smtp.port, stateDir()), clock);
    for (let i = 1; i <= 25; i++) {
      await alerts.onHit(makeHit({ client: `10.0.0.${i}` }));
      clock.advance(MIN);
    }
    await alerts.idle();
    assert.equal(smtp.mails.length, 20);
    clock.advance(HOUR);
    await alerts.tick();
    await alerts.idle();
    await alerts.close();
    assert.equal(smtp.mails.length, 21);
    const digest = smtp.mails[20]!.parsed;
    assert.equal(digest.subject, 'dnshunt digest: 5 hits from 5 clients, 5 not alerted before');
    for (let i = 21; i <= 25; i++) assert.match(digest.text ?? '', new RegExp(`10\\.0\\.0\\.${i}\\s+fnarsipfqe\\.pw\\s+1\\s.*NEW, not mailed: mail cap reached`));
    assert.equal(messageIds(smtp.mails).size, 21);
  });
});

test('SMTP down, then up: messages wait, retries back off (capped), and every alert is delivered exactly once', async () => {
  const port = await deadPort();
  const clock = new TestClock();
  const logs: string[] = [];
  const limits = { retryBaseMs: 1_000, retryMaxMs: 4_000 };
  const alerts = await open(mailConfig(port, stateDir()), clock, logs, { limits });
  for (const c of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) await alerts.onHit(makeHit({ client: c }));
  await alerts.onHit(makeHit({ client: '10.0.0.1' }));
  await alerts.idle();
  assert.equal(alerts.stats().pending, 3);
  const delays: number[] = [];
  for (let i = 0; i < 4; i++) {
    const retryAt = alerts.stats().retryAt;
    assert.ok(retryAt !== null);
    delays.push(retryAt - clock.now());
    await alerts.tick();
    await alerts.idle();
    assert.equal(alerts.stats().retryAt, retryAt, 'no attempt before the retry time');
    clock.t = retryAt;
    await alerts.tick();
    await alerts.idle();
  }
  assert.deepEqual(delays, [1_000, 2_000, 4_000, 4_000]);
  assert.ok(logs.some((l) => /not sent: connection refused by 127\.0\.0\.1/.test(l)));

  const smtp = await startSmtp({ port });
  try {
    clock.advance(4_000);
    await alerts.tick();
    await alerts.idle();
    assert.equal(smtp.mails.length, 3);
    assert.equal(alerts.stats().pending, 0);
    clock.advance(HOUR);
    await alerts.tick();
    await alerts.idle();
    for (let i = 0; i < 3; i++) {
      clock.advance(HOUR);
      await alerts.tick();
      await alerts.idle();
    }
    await alerts.close();
    assert.equal(smtp.mails.length, 4, '3 alerts and 1 digest');
    assert.equal(messageIds(smtp.mails).size, 4, 'no duplicates');
  } finally {
    await smtp.close();
  }
});

test('a message the server refuses (554) waits for its own retry and does not hold up the others', async () => {
  await withServer(
    async (smtp) => {
      const clock = new TestClock();
      const logs: string[] = [];
      const alerts = await open(mailConfig(smtp.port, stateDir()), clock, logs);
      await alerts.onHit(makeHit({ client: '10.0.0.1', qname: 'poison.pw', indicator: 'poison.pw' }));
      clock.advance(1);
      await alerts.onHit(makeHit({ client: '10.0.0.2' }));
      await alerts.idle();
      assert.equal(smtp.mails.length, 1);
      assert.match(smtp.mails[0]!.parsed.subject, /10\.0\.0\.2/);
      assert.equal(alerts.stats().pending, 1);
      assert.ok(logs.some((l) => /refused: SMTP error .*554/.test(l)), logs.join('\n'));
      const closed = await alerts.close();
      assert.equal(closed.pending, 1, 'kept for a later retry, not dropped');
    },
    { rejectData: (raw) => raw.includes('poison.pw') },
  );
});

test('close() with a send in flight gives up after its timeout; the message stays in the outbox and goes out next time', async () => {
  const silent = await silentServer();
  const dir = stateDir();
  const clock = new TestClock();
  try {
    const alerts = await open(mailConfig(silent.port, dir, { smtpTimeout: '30s' }), clock);
    await alerts.onHit(makeHit());
    const closed = await alerts.close({ timeoutMs: 100 });
    assert.deepEqual(closed, { drained: false, pending: 1 });
    assert.equal(readdirSync(join(dir, 'outbox', 'pending')).length, 1);
  } finally {
    await silent.close();
  }
  await withServer(async (smtp) => {
    const alerts = await open(mailConfig(smtp.port, dir), clock);
    await alerts.idle();
    assert.deepEqual(await alerts.close(), { drained: true, pending: 0 });
    assert.equal(smtp.mails.length, 1);
  });
});

test('a reverse lookup that never answers delays the mail by at most the resolve timeout', async () => {
  await withServer(async (smtp) => {
    const clock = new TestClock();
    const alerts = await open(mailConfig(smtp.port, stateDir()), clock, [], {
      resolveHost: () => new Promise<string | null>(() => undefined),
      limits: { resolveTimeoutMs: 50 },
    });
    await alerts.onHit(makeHit());
    await alerts.idle();
    await alerts.close();
    assert.equal(smtp.mails.length, 1);
    assert.equal(smtp.mails[0]!.parsed.subject, 'dnshunt: 10.1.2.3 looked up Locky C&C fnarsipfqe.pw');
    assert.match(smtp.mails[0]!.parsed.text ?? '', /Host name:\s+\(not resolved\)/);
  });
});

test("JSON lines alone ('-'): every hit on the given stdout, no state dir, no mail", async () => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString('utf8')));
  const alerts = await AlertService.open({ ...mailConfig(relay.port, stateDir()), smtpHost: null, jsonl: '-' }, { now: () => 0, stdout: out });
  for (let i = 0; i < 5; i++) await alerts.onHit(makeHit({ line: i }));
  await alerts.close();
  const lines = text.split('\n').filter((l) => l !== '');
  assert.deepEqual(lines.map((l) => (JSON.parse(l) as { line: number }).line), [0, 1, 2, 3, 4]);
});

test('one service per state dir; calls after close are refused', async () => {
  const dir = stateDir();
  const clock = new TestClock();
  const a = await open(mailConfig(relay.port, dir), clock);
  await assert.rejects(open(mailConfig(relay.port, dir), clock), (e: { code?: string; message: string }) => e.code === ErrorCode.STATE && /in use/.test(e.message));
  const first = await a.close();
  assert.deepEqual(await a.close(), first, 'close is idempotent');
  assert.ok(!existsSync(join(dir, 'alert.lock')));
  await assert.rejects(a.onHit(makeHit()), (e: { code?: string }) => e.code === ErrorCode.STATE);
  const b = await open(mailConfig(relay.port, dir), clock);
  await b.close();
});
