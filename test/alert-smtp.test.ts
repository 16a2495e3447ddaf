/**
 * Real mail over a real SMTP server on loopback: what an alert mail looks like
 * on the wire, every TLS mode, authentication, and the one-line explanation
 * of each kind of failure from sendTestMail.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ErrorCode } from '../src/core/index.js';
import { AlertService, sendTestMail, type AlertConfig } from '../src/alert/index.js';
import { tempDir } from './helpers.js';
import { deadPort, makeHit, mailConfig, selfSignedCert, silentServer, startSmtp, TestClock, type TestSmtp } from './alert-harness.test.js';

const tmp = tempDir('dnshunt-alert-smtp-');
after(() => tmp.cleanup());
const cert = selfSignedCert(tmp.dir);
const noTls = cert === null ? 'openssl is not available' : false;
const PASSWORD = 'S3cret-Pa55word';
const env = { DNSHUNT_SMTP_PASS: PASSWORD };

let n = 0;
function stateDir(): string {
  return join(tmp.dir, `state-${++n}`);
}

/** Open a service, send `hits`, wait for delivery, close; returns the log lines. */
async function deliver(config: AlertConfig, hits = [makeHit()], resolveHost?: (ip: string) => Promise<string | null>): Promise<string[]> {
  const logs: string[] = [];
  const clock = new TestClock();
  const alerts = await AlertService.open(config, { now: clock.now, log: (l) => logs.push(l), env, ...(resolveHost === undefined ? {} : { resolveHost }) });
  for (const h of hits) await alerts.onHit(h);
  await alerts.idle();
  const closed = await alerts.close({ timeoutMs: 2_000 });
  assert.equal(closed.pending, 0, `not delivered: ${logs.join(' | ')}`);
  return logs;
}

/** Run sendTestMail expecting an SMTP failure; returns its one line. */
async function failure(config: AlertConfig): Promise<string> {
  try {
    await sendTestMail(config, { env });
  } catch (e) {
    const err = e as { code?: string; message: string };
    assert.equal(err.code, ErrorCode.SMTP, err.message);
    assert.ok(!/[\r\n]/.test(err.message), `one line: ${JSON.stringify(err.message)}`);
    assert.ok(!err.message.includes(PASSWORD));
    return err.message;
  }
  assert.fail('sendTestMail should have failed');
}

let relay: TestSmtp;
before(async () => {
  relay = await startSmtp();
});
after(() => relay.close());

test('an alert mail over an unauthenticated relay: one message, both recipients, stable Message-ID, subject, both parts', async () => {
  const before = relay.mails.length;
  const config = mailConfig(relay.port, stateDir());
  await deliver(config, [makeHit()], async (ip) => (ip === '10.1.2.3' ? 'pc-42.corp.local' : null));
  assert.equal(relay.mails.length, before + 1, 'exactly one mail');
  const mail = relay.mails.at(-1)!;
  assert.equal(mail.mailFrom, 'dnshunt@example.org');
  assert.deepEqual(mail.rcptTo, ['soc@example.org', 'oncall@example.org']);
  const p = mail.parsed;
  assert.equal(p.subject, 'dnshunt: 10.1.2.3 (pc-42.corp.local) looked up Locky C&C fnarsipfqe.pw');
  assert.match(p.messageId, /^<[0-9a-f]{32}@example\.org>$/);
  assert.equal(p.headers.get('x-dnshunt-alert')?.[0], 'alert');
  assert.equal(p.headers.get('date')?.[0], 'Tue, 16 Feb 2016 21:00:00 +0000');
  assert.ok(p.text !== null && p.html !== null, 'text and HTML parts');
  for (const part of [p.text, p.html]) {
    for (const needle of ['10.1.2.3', 'pc-42.corp.local', '2016-02-16T22:05:00', 'fnarsipfqe.pw', 'dns.log:1234', 'Isolate']) assert.ok(part.includes(needle), needle);
  }
});

test('hostile query names: HTML escaped, CR/LF cannot inject headers or recipients', async () => {
  const before = relay.mails.length;
  const hit = makeHit({
    client: '10.6.6.6\r\nBcc: evil@example.net',
    qname: '<script>x</script>.evil.pw\r\nX-Injected: yes\r\n\r\nbody',
    indicator: 'evil.pw\r\nX-Also: no',
    source: 'feed:/tmp/f line 1',
  });
  await deliver(mailConfig(relay.port, stateDir()), [hit]);
  assert.equal(relay.mails.length, before + 1);
  const mail = relay.mails.at(-1)!;
  assert.deepEqual(mail.rcptTo, ['soc@example.org', 'oncall@example.org'], 'no injected recipient');
  const p = mail.parsed;
  assert.equal(p.headers.get('bcc'), undefined);
  assert.equal(p.headers.get('x-injected'), undefined);
  assert.equal(p.headers.get('x-also'), undefined);
  assert.equal(p.subject, 'dnshunt: 10.6.6.6 Bcc: evil@example.net looked up known-bad domain evil.pw X-Also: no');
  assert.ok(p.html !== null && !p.html.includes('<script>'));
  assert.ok(p.html.includes('&lt;script&gt;x&lt;/script&gt;.evil.pw'));
  assert.ok(p.text !== null && p.text.includes('<script>x</script>.evil.pw\\x0d\\x0aX-Injected: yes'));
});

test('STARTTLS with a private CA and user + password from the environment', { skip: noTls }, async () => {
  const server = await startSmtp({ tls: cert!, auth: { user: 'alerts', pass: PASSWORD } });
  try {
    const config = mailConfig(server.port, stateDir(), { smtpTls: 'starttls', smtpCaFile: cert!.certPath, smtpUser: 'alerts', smtpPassEnv: 'DNSHUNT_SMTP_PASS' });
    const logs = await deliver(config);
    assert.equal(server.mails.length, 1);
    assert.equal(server.mails[0]?.secure, true);
    assert.equal(server.mails[0]?.user, 'alerts');
    assert.ok(!logs.join('\n').includes(PASSWORD), 'the password is never logged');
    const receipt = await sendTestMail(config, { env });
    assert.deepEqual(receipt.accepted, ['soc@example.org', 'oncall@example.org']);
    assert.equal(server.mails.length, 2);
    assert.ok(!(server.mails[1]?.parsed.text ?? '').includes(PASSWORD), 'the test mail shows where the password is, not the password');
  } finally {
    await server.close();
  }
});

test('implicit TLS with a password file', { skip: noTls }, async () => {
  const server = await startSmtp({ tls: cert!, implicitTls: true, auth: { user: 'alerts', pass: PASSWORD } });
  try {
    const { writeFileSync } = await import('node:fs');
    const passFile = join(tmp.dir, 'smtp-pass');
    writeFileSync(passFile, PASSWORD + '\n', { mode: 0o600 });
    await deliver(mailConfig(server.port, stateDir(), { smtpTls: 'implicit', smtpCaFile: cert!.certPath, smtpUser: 'alerts', smtpPassFile: passFile }));
    assert.equal(server.mails.length, 1);
    assert.equal(server.mails[0]?.secure, true);
  } finally {
    await server.close();
  }
});

test('unauthenticated relay on localhost by name', async () => {
  const server = await startSmtp({ host: 'localhost' });
  try {
    await deliver(mailConfig(server.port, stateDir(), { smtpHost: 'localhost' }));
    assert.equal(server.mails.length, 1);
  } finally {
    await server.close();
  }
});

test('test mail: connection refused, in one line', async () => {
  const msg = await failure(mailConfig(await deadPort(), stateDir()));
  assert.match(msg, /^connection refused by 127\.0\.0\.1:\d+/);
});

test('test mail: TLS failures (untrusted certificate; no STARTTLS offered; implicit TLS on a plain port), in one line', { skip: noTls }, async () => {
  const tlsServer = await startSmtp({ tls: cert! });
  try {
    const untrusted = await failure(mailConfig(tlsServer.port, stateDir(), { smtpTls: 'starttls' }));
    assert.match(untrusted, /^TLS failure with .*certificate.*smtpCaFile/);
  } finally {
    await tlsServer.close();
  }
  const noStarttls = await failure(mailConfig(relay.port, stateDir(), { smtpTls: 'starttls' }));
  assert.match(noStarttls, /^TLS failure with .*STARTTLS/);
  const plainPort = await failure(mailConfig(relay.port, stateDir(), { smtpTls: 'implicit' }));
  assert.match(plainPort, /^(TLS failure|timeout)/);
});

test('test mail: authentication failed (and required), in one line, without the password', { skip: noTls }, async () => {
  const server = await startSmtp({ tls: cert!, auth: { user: 'alerts', pass: 'the-right-one' } });
  try {
    const wrong = await failure(
      mailConfig(server.port, stateDir(), { smtpTls: 'starttls', smtpCaFile: cert!.certPath, smtpUser: 'alerts', smtpPassEnv: 'DNSHUNT_SMTP_PASS' }),
    );
    assert.match(wrong, /^authentication failed for user alerts at 127\.0\.0\.1:\d+: 535 .*DNSHUNT_SMTP_PASS/);
    const none = await failure(mailConfig(server.port, stateDir(), { smtpTls: 'starttls', smtpCaFile: cert!.certPath }));
    assert.match(none, /^authentication required by/);
  } finally {
    await server.close();
  }
});

test('test mail: recipient rejected (all of them, or only some), in one line naming them', async () => {
  const server = await startSmtp({ rejectRcpt: (a) => a.startsWith('nobody') });
  try {
    const all = await failure(mailConfig(server.port, stateDir(), { mailTo: ['nobody@example.org'] }));
    assert.match(all, /^recipient rejected by 127\.0\.0\.1:\d+: nobody@example\.org: 550/);
    const some = await failure(mailConfig(server.port, stateDir(), { mailTo: ['soc@example.org', 'nobody2@example.org'] }));
    assert.match(some, /^recipient rejected by .*nobody2@example\.org/);
  } finally {
    await server.close();
  }
});

test('test mail: timeout, in one line', async () => {
  const silent = await silentServer();
  try {
    const msg = await failure(mailConfig(silent.port, stateDir(), { smtpTimeout: '300ms' }));
    assert.match(msg, /^timeout: no answer from 127\.0\.0\.1:\d+ within 300ms/);
  } finally {
    await silent.close();
  }
});

test('a password variable that is not set is a config error naming the key, not an SMTP one', async () => {
  await assert.rejects(
    sendTestMail(mailConfig(relay.port, stateDir(), { smtpUser: 'u', smtpPassEnv: 'DNSHUNT_UNSET_VAR_FOR_TEST' }), { env: {} }),
    (e: { code?: string; message: string }) => e.code === ErrorCode.BAD_CONFIG && e.message.startsWith('smtpPassEnv: '),
  );
});
