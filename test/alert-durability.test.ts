/**
 * Nothing lost, nothing twice, across restarts and crashes: a new AlertService
 * over the same state dir neither re-sends delivered mails nor loses pending
 * ones nor re-alerts inside the suppression window; a crash is simulated by
 * copying the state dir of a live service (what a killed process leaves behind)
 * or by writing the journal a crashed process would have left.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../src/core/index.js';
import { AlertService, type AlertConfig } from '../src/alert/index.js';
import { tempDir } from './helpers.js';
import { deadPort, makeHit, mailConfig, messageIds, startSmtp, TestClock, type TestSmtp } from './alert-harness.test.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const tmp = tempDir('dnshunt-alert-durable-');
after(() => tmp.cleanup());
let n = 0;
function stateDir(): string {
  return join(tmp.dir, `state-${++n}`);
}

async function run(config: AlertConfig, clock: TestClock, fn: (a: AlertService) => Promise<void>, logs: string[] = []): Promise<void> {
  const a = await AlertService.open(config, { now: clock.now, log: (l) => logs.push(l) });
  try {
    await fn(a);
    await a.idle();
  } finally {
    await a.close({ timeoutMs: 2_000 });
  }
}

async function withServer(port: number, fn: (s: TestSmtp) => Promise<void>): Promise<void> {
  const s = await startSmtp({ port });
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

test('restart: pending mails go out once, delivered ones are not re-sent, the window and the digest counts carry over', async () => {
  const port = await deadPort();
  const dir = stateDir();
  const clock = new TestClock();
  // Run 1, SMTP down: two alerts queued, five repeats folded.
  await run(mailConfig(port, dir), clock, async (a) => {
    await a.onHit(makeHit({ client: '10.0.0.1' }));
    for (let i = 0; i < 5; i++) await a.onHit(makeHit({ client: '10.0.0.1' }));
    await a.onHit(makeHit({ client: '10.0.0.2' }));
    await a.idle();
    assert.equal(a.stats().pending, 2);
  });
  assert.equal(readdirSync(join(dir, 'outbox', 'pending')).length, 2);

  await withServer(port, async (smtp) => {
    // Run 2, SMTP up: the two pending alerts go out; a repeat inside the window stays quiet.
    clock.advance(30 * MIN);
    await run(mailConfig(port, dir), clock, async (a) => {
      await a.idle();
      assert.equal(smtp.mails.length, 2);
      await a.onHit(makeHit({ client: '10.0.0.1' }));
      assert.equal(a.stats().folded, 6);
    });
    assert.equal(smtp.mails.length, 2);
    // Run 3: nothing is re-sent; the digest, due an hour after the first fold, counts the repeats of both runs.
    clock.advance(31 * MIN);
    await run(mailConfig(port, dir), clock, async (a) => {
      await a.idle();
      assert.equal(smtp.mails.length, 2, 'delivered mails are not re-sent');
      await a.tick();
    });
    assert.equal(smtp.mails.length, 3);
    assert.match(smtp.mails[2]!.parsed.text ?? '', /10\.0\.0\.1\s+fnarsipfqe\.pw\s+6\s/);
    // Run 4, after the window: the same client and indicator is alerted again (a reminder).
    clock.advance(HOUR);
    await run(mailConfig(port, dir), clock, async (a) => {
      await a.onHit(makeHit({ client: '10.0.0.1', time: '2016-02-16T23:59:00' }));
    });
    assert.equal(smtp.mails.length, 4);
    assert.equal(messageIds(smtp.mails).size, 4);
  });
});

test('crash (no close): a copy of a live state dir recovers the pending alert and the folded counts', async () => {
  const port = await deadPort();
  const live = stateDir();
  const copy = stateDir();
  const clock = new TestClock();
  const a = await AlertService.open(mailConfig(port, live), { now: clock.now, log: () => undefined });
  await a.onHit(makeHit({ client: '10.0.0.1' }));
  for (let i = 0; i < 3; i++) await a.onHit(makeHit({ client: '10.0.0.1' }));
  await a.idle();
  // The process "dies" here: what is on disk is all the next one gets.
  cpSync(live, copy, { recursive: true });
  await a.close({ timeoutMs: 100 });

  await withServer(port, async (smtp) => {
    const logs: string[] = [];
    await run(mailConfig(port, copy), clock, async (b) => {
      await b.idle();
      assert.equal(smtp.mails.length, 1, 'the pending alert is sent');
      assert.equal(b.stats().folded, 3, 'folded hits journaled before the crash are still counted');
      await b.onHit(makeHit({ client: '10.0.0.1' }));
      clock.advance(HOUR);
      await b.tick();
    }, logs);
    assert.equal(smtp.mails.length, 2, 'no re-alert inside the window, then the digest');
    assert.match(smtp.mails[1]!.parsed.text ?? '', /10\.0\.0\.1\s+fnarsipfqe\.pw\s+4\s/);
    assert.ok(logs.some((l) => /replayed 3 journal record/.test(l)), logs.join('\n'));
  });
});

test('crash after the journal record but before the outbox entry: replay queues the alert; a torn last line is ignored', async () => {
  const dir = stateDir();
  const clock = new TestClock();
  const port = await deadPort();
  await run(mailConfig(port, dir), clock, async () => undefined);
  const snapshot = JSON.parse(readFileSync(join(dir, 'alert-state.json'), 'utf8')) as { generation: number };
  const hit = makeHit({ client: '10.0.0.7' });
  const journal =
    JSON.stringify({ t: 'hit', now: clock.now(), hit }) + '\n' + JSON.stringify({ t: 'hit', now: clock.now() + 1, hit }) + '\n' + '{"t":"hit","now":';
  writeFileSync(join(dir, `alert-journal-${snapshot.generation}.jsonl`), journal);
  await withServer(port, async (smtp) => {
    await run(mailConfig(port, dir), clock, async (a) => {
      await a.idle();
      assert.equal(a.stats().folded, 1);
    });
    assert.equal(smtp.mails.length, 1);
    assert.match(smtp.mails[0]!.parsed.subject, /10\.0\.0\.7/);
  });
});

test('crash between acceptance and marking: the resend carries the same Message-ID, and happens once', async () => {
  const dir = stateDir();
  const clock = new TestClock();
  const port = await deadPort();
  await withServer(port, async (smtp) => {
    await run(mailConfig(port, dir), clock, async (a) => a.onHit(makeHit()));
    assert.equal(smtp.mails.length, 1);
    // Undo the marking, as if the process died right after the server's 250.
    const [name] = readdirSync(join(dir, 'outbox', 'sent'));
    const sent = JSON.parse(readFileSync(join(dir, 'outbox', 'sent', name as string), 'utf8')) as { message: unknown };
    writeFileSync(join(dir, 'outbox', 'pending', name as string), JSON.stringify(sent.message));
    rmSync(join(dir, 'outbox', 'sent', name as string));
    await run(mailConfig(port, dir), clock, async () => undefined);
    await run(mailConfig(port, dir), clock, async () => undefined);
    assert.equal(smtp.mails.length, 2, 'resent once');
    assert.equal(messageIds(smtp.mails).size, 1, 'recognisable as the same message');
    // And the same log line fed again (a tailer re-reading after the crash) is not mailed a third time.
    await run(mailConfig(port, dir), clock, async (a) => a.onHit(makeHit()));
    assert.equal(smtp.mails.length, 2);
  });
});

test('the outbox keeps the last N sent messages; an unreadable pending file is set aside, not sent, not fatal', async () => {
  const dir = stateDir();
  const clock = new TestClock();
  const port = await deadPort();
  await withServer(port, async (smtp) => {
    const logs: string[] = [];
    const a = await AlertService.open(mailConfig(port, dir), { now: clock.now, log: (l) => logs.push(l), limits: { keepSent: 2 } });
    for (let i = 1; i <= 4; i++) await a.onHit(makeHit({ client: `10.0.0.${i}` }));
    await a.idle();
    await a.close();
    assert.equal(smtp.mails.length, 4);
    assert.equal(readdirSync(join(dir, 'outbox', 'sent')).length, 2);
    writeFileSync(join(dir, 'outbox', 'pending', `${'f'.repeat(32)}.json`), '{"kind":"alert","id":');
    const b = await AlertService.open(mailConfig(port, dir), { now: clock.now, log: (l) => logs.push(l) });
    await b.idle();
    await b.close();
    assert.equal(smtp.mails.length, 4);
    assert.deepEqual(readdirSync(join(dir, 'outbox', 'bad')), [`${'f'.repeat(32)}.json`]);
    assert.ok(logs.some((l) => /not a readable alert/.test(l)));
  });
});

test('a corrupt state file stops the service with a STATE error naming it, rather than re-alerting everything', async () => {
  const dir = stateDir();
  const clock = new TestClock();
  const port = await deadPort();
  await run(mailConfig(port, dir), clock, async () => undefined);
  writeFileSync(join(dir, 'alert-state.json'), '{"version":1,"generation":3,"suppressor":{"version":1,"tracked":"x"}}');
  await assert.rejects(
    AlertService.open(mailConfig(port, dir), { now: clock.now, log: () => undefined }),
    (e: { code?: string; message: string }) => e.code === ErrorCode.STATE && e.message.includes('alert-state.json'),
  );
  // The failed open released the directory.
  rmSync(join(dir, 'alert-state.json'));
  await run(mailConfig(port, dir), clock, async () => undefined);
});
