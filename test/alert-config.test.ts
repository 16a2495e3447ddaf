/** Alert settings: durations, validation with errors that name the key, and descriptions that never show a password. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCode } from '../src/core/index.js';
import { describeAlertConfig, formatDuration, parseDuration, validateAlertConfig } from '../src/alert/index.js';

/** Assert `fn` throws a DnshuntError with `code` whose message starts with `key:`. */
function throwsFor(fn: () => unknown, key: string, code: string = ErrorCode.BAD_CONFIG): void {
  assert.throws(fn, (e: unknown) => {
    const err = e as { code?: string; message?: string };
    assert.equal(err.code, code);
    assert.ok(err.message?.startsWith(`${key}: `), `message should start with '${key}: ', got: ${err.message}`);
    return true;
  });
}

const MAIL = { smtpHost: 'mail.example.org', mailFrom: 'dnshunt@example.org', mailTo: 'soc@example.org', stateDir: '/var/lib/dnshunt' };

test('parseDuration reads ms, s, m, h and d', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('15m'), 900_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.equal(parseDuration('1d'), 86_400_000);
  assert.equal(parseDuration(' 2h '), 7_200_000);
});

test('parseDuration rejects bare numbers, zero, unknown units, fractions and absurd lengths, naming the key', () => {
  for (const bad of ['3600', '0s', '1w', '1.5h', '-1h', 'h', '', '1 h', '1H', '366d']) {
    throwsFor(() => parseDuration(bad, 'suppress'), 'suppress');
  }
});

test('formatDuration is the exact inverse of parseDuration', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 365 * 86_400_000 }), (ms) => {
      assert.equal(parseDuration(formatDuration(ms)), ms);
    }),
  );
  assert.equal(formatDuration(3_600_000), '1h');
  assert.equal(formatDuration(90_000), '90s');
});

test('defaults: starttls on 587, 1h windows, 20 mails/hour, client+indicator', () => {
  const c = validateAlertConfig(MAIL);
  assert.equal(c.smtpTls, 'starttls');
  assert.equal(c.smtpPort, 587);
  assert.equal(c.suppressMs, 3_600_000);
  assert.equal(c.digestMs, 3_600_000);
  assert.equal(c.maxMailsPerHour, 20);
  assert.equal(c.alertKey, 'client+indicator');
  assert.equal(c.smtpTimeoutMs, 10_000);
  assert.deepEqual(c.mailTo, ['soc@example.org']);
  assert.equal(c.jsonl, null);
  assert.equal(validateAlertConfig({ ...MAIL, smtpTls: 'implicit' }).smtpPort, 465);
  assert.equal(validateAlertConfig({ ...MAIL, smtpTls: 'none' }).smtpPort, 25);
});

test('every setting is read: ports as strings, recipients as a comma list (de-duplicated), durations', () => {
  const c = validateAlertConfig({
    ...MAIL,
    smtpPort: '2525',
    smtpTls: 'none',
    smtpUser: 'alerts',
    smtpPassEnv: 'DNSHUNT_SMTP_PASS',
    mailTo: 'a@example.org, b@example.org,A@example.org',
    jsonl: '-',
    suppress: '30m',
    digest: '1d',
    maxMailsPerHour: 5,
    alertKey: 'client',
    smtpTimeout: '3s',
  });
  assert.equal(c.smtpPort, 2525);
  assert.deepEqual(c.mailTo, ['a@example.org', 'b@example.org']);
  assert.equal(c.smtpUser, 'alerts');
  assert.equal(c.smtpPassEnv, 'DNSHUNT_SMTP_PASS');
  assert.equal(c.jsonl, '-');
  assert.equal(c.suppressMs, 1_800_000);
  assert.equal(c.digestMs, 86_400_000);
  assert.equal(c.maxMailsPerHour, 5);
  assert.equal(c.alertKey, 'client');
  assert.equal(c.smtpTimeoutMs, 3_000);
});

test('JSON lines alone need no SMTP settings and no state dir', () => {
  const c = validateAlertConfig({ jsonl: '/tmp/hits.jsonl' });
  assert.equal(c.smtpHost, null);
  assert.equal(c.stateDir, null);
  assert.deepEqual(c.mailTo, []);
});

test('each bad setting is reported under its own key', () => {
  throwsFor(() => validateAlertConfig({ ...MAIL, smtpHots: 'x' }), 'smtpHots');
  throwsFor(() => validateAlertConfig({}), 'smtpHost');
  throwsFor(() => validateAlertConfig({ ...MAIL, smtpPort: 70000 }), 'smtpPort');
  throwsFor(() => validateAlertConfig({ ...MAIL, smtpPort: 'smtp' }), 'smtpPort');
  throwsFor(() => validateAlertConfig({ ...MAIL, smtpTls: 'ssl' }), 'smtpTls');
  throwsFor(() => validateAlertConfig({ ...MAIL, smtpUser: 'u' }), 'smtpUser');
  throwsFor(() => validateAlertConfig({ ...MAIL, smtpPassEnv: 'P' }), 'smtpPassEnv');
  throwsFor(() => validateAlertConfig({ ...MAIL, smtpPassFile: '/p' }), 'smtpPassFile');
  throwsFor(() => validateAlertConfig({ ...MAIL, smtpUser: 'u', smtpPassEnv: 'hunter2!' }), 'smtpPassEnv');
  throwsFor(() => validateAlertConfig({ ...MAIL, smtpUser: 'u', smtpPassEnv: 'P', smtpPassFile: '/p' }), 'smtpPassEnv');
  throwsFor(() => validateAlertConfig({ ...MAIL, smtpTls: 'none', smtpCaFile: '/ca.pem' }), 'smtpCaFile');
  throwsFor(() => validateAlertConfig({ ...MAIL, mailFrom: undefined }), 'mailFrom');
  throwsFor(() => validateAlertConfig({ ...MAIL, mailFrom: 'x@example.org\r\nBcc: evil@example.net' }), 'mailFrom');
  throwsFor(() => validateAlertConfig({ ...MAIL, mailFrom: 'Alerts <x@example.org>' }), 'mailFrom');
  throwsFor(() => validateAlertConfig({ ...MAIL, mailTo: [] }), 'mailTo');
  throwsFor(() => validateAlertConfig({ ...MAIL, mailTo: ['ok@example.org', 'not-an-address'] }), 'mailTo');
  throwsFor(() => validateAlertConfig({ ...MAIL, mailTo: 42 }), 'mailTo');
  throwsFor(() => validateAlertConfig({ ...MAIL, stateDir: undefined }), 'stateDir');
  throwsFor(() => validateAlertConfig({ ...MAIL, suppress: 3600 }), 'suppress');
  throwsFor(() => validateAlertConfig({ ...MAIL, digest: 'hourly' }), 'digest');
  throwsFor(() => validateAlertConfig({ ...MAIL, maxMailsPerHour: 0 }), 'maxMailsPerHour');
  throwsFor(() => validateAlertConfig({ ...MAIL, maxMailsPerHour: 2.5 }), 'maxMailsPerHour');
  throwsFor(() => validateAlertConfig({ ...MAIL, alertKey: 'indicator' }), 'alertKey');
  throwsFor(() => validateAlertConfig({ ...MAIL, smtpTimeout: '1h' }), 'smtpTimeout');
  throwsFor(() => validateAlertConfig({ jsonl: '-', mailTo: 'a@example.org' }), 'mailTo');
  throwsFor(() => validateAlertConfig({ ...MAIL, jsonl: '' }), 'jsonl');
  throwsFor(() => validateAlertConfig(['smtpHost']), 'alert');
});

test('the description names where the password is, never the password', () => {
  const secret = 'correct-horse-battery-staple';
  process.env['DNSHUNT_TEST_SMTP_PASS'] = secret;
  try {
    const c = validateAlertConfig({ ...MAIL, smtpUser: 'alerts', smtpPassEnv: 'DNSHUNT_TEST_SMTP_PASS' });
    const text = describeAlertConfig(c).join('\n');
    assert.match(text, /DNSHUNT_TEST_SMTP_PASS/);
    assert.match(text, /mail\.example\.org:587/);
    assert.ok(!text.includes(secret));
    assert.ok(!JSON.stringify(c).includes(secret), 'the validated config must not carry the password');
  } finally {
    delete process.env['DNSHUNT_TEST_SMTP_PASS'];
  }
});
