/**
 * Mail out through nodemailer's SMTP transport, and SMTP failures explained in
 * one line each. The password is read here, when the transport is built, and
 * is never put in a message, a log line or an error.
 */
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { rootCertificates } from 'node:tls';
import nodemailer from 'nodemailer';
import type { SMTPTransportOptions, Transporter } from 'nodemailer';
import { DnshuntError, ErrorCode } from '../core/index.js';
import { describeAlertConfig, type AlertConfig } from './alert-config.js';
import { formatDuration } from './duration.js';
import { headerSafe, type RenderedMail } from './mail-render.js';

/** One mail ready to go: rendered content plus the headers that make it recognisable. */
export interface OutgoingMail {
  /** `<id@domain>`; a resend of the same alert carries the same one. */
  messageId: string;
  date: Date;
  /** Goes to the `X-Dnshunt-Alert` header: `alert`, `digest` or `test`. */
  kind: 'alert' | 'digest' | 'test';
  content: RenderedMail;
}

/** What the server said when it took a message. */
export interface SendReceipt {
  /** Recipients the server accepted. */
  accepted: string[];
  /** Recipients it refused while accepting the message for the others. */
  rejected: string[];
  /** Final reply line, e.g. `250 OK: queued as 1234`. */
  response: string;
}

/**
 * A failed send: `code` SMTP, `message` the one-line explanation.
 * `permanent` is true when the server refused this message for its content
 * (a 5xx reply to the data): retrying it will not help, but other messages may
 * still go. Every other failure (no connection, TLS, authentication,
 * recipients) concerns the server or the settings and is worth retrying later.
 */
export class SmtpFailure extends DnshuntError {
  readonly permanent: boolean;
  constructor(message: string, permanent: boolean, cause?: unknown) {
    super(ErrorCode.SMTP, message, cause);
    this.name = 'SmtpFailure';
    this.permanent = permanent;
  }
}

/** Longest explanation line, in characters: a server's multi-line reply must not swamp a log. */
const MAX_EXPLANATION_CHARS = 400;

/** The configured SMTP server and recipients, with a nodemailer transport (one connection per message). */
export class SmtpSink {
  private readonly config: AlertConfig;
  private readonly transport: Transporter;

  private constructor(config: AlertConfig, transport: Transporter) {
    this.config = config;
    this.transport = transport;
  }

  /**
   * Build the transport for `config` (which must have `smtpHost`): reads the
   * password from `env[smtpPassEnv]` or `smtpPassFile` and the CA from `smtpCaFile`.
   * Does not connect.
   * @throws DnshuntError BAD_CONFIG naming the key when there is no smtpHost, the
   *   variable is unset or empty, or a file cannot be read (the value is never shown).
   */
  static async create(config: AlertConfig, env: NodeJS.ProcessEnv = process.env): Promise<SmtpSink> {
    if (config.smtpHost === null || config.mailFrom === null || config.mailTo.length === 0) {
      throw new DnshuntError(ErrorCode.BAD_CONFIG, 'smtpHost: no SMTP server configured');
    }
    const pass = await readPassword(config, env);
    let ca: string | null = null;
    if (config.smtpCaFile !== null) {
      try {
        ca = await readFile(config.smtpCaFile, 'utf8');
      } catch (e) {
        throw new DnshuntError(ErrorCode.BAD_CONFIG, `smtpCaFile: cannot read ${config.smtpCaFile} (${(e as NodeJS.ErrnoException).code ?? ''})`, e);
      }
    }
    const t = config.smtpTimeoutMs;
    const options: SMTPTransportOptions = {
      host: config.smtpHost,
      port: config.smtpPort,
      secure: config.smtpTls === 'implicit',
      requireTLS: config.smtpTls === 'starttls',
      ignoreTLS: config.smtpTls === 'none',
      connectionTimeout: t,
      greetingTimeout: t,
      socketTimeout: t,
      dnsTimeout: t,
      logger: false,
      debug: false,
      disableFileAccess: true,
      disableUrlAccess: true,
      // A private CA is trusted on top of the public ones, not instead of them.
      tls: ca === null ? { rejectUnauthorized: true } : { rejectUnauthorized: true, ca: [...rootCertificates, ca] },
    };
    if (config.smtpUser !== null && pass !== null) options.auth = { user: config.smtpUser, pass };
    return new SmtpSink(config, nodemailer.createTransport(options));
  }

  /**
   * Send one mail to every configured recipient (one message, one envelope).
   * Resolves when the server has accepted it for at least one recipient.
   * @throws SmtpFailure with a one-line explanation otherwise (EABORT when `signal` fired).
   */
  async send(mail: OutgoingMail, signal?: AbortSignal): Promise<SendReceipt> {
    try {
      const info = await this.transport.sendMail({
        from: this.config.mailFrom as string,
        to: [...this.config.mailTo],
        subject: headerSafe(mail.content.subject),
        text: mail.content.text,
        html: mail.content.html,
        messageId: mail.messageId,
        date: mail.date,
        headers: { 'X-Dnshunt-Alert': mail.kind, 'Auto-Submitted': 'auto-generated' },
        ...(signal === undefined ? {} : { signal }),
      });
      return {
        accepted: (info.accepted ?? []).map(String),
        rejected: (info.rejected ?? []).map(String),
        response: oneLine(String(info.response ?? '')),
      };
    } catch (e) {
      throw new SmtpFailure(explainSmtpError(e, this.config), isPermanentForMessage(e), e);
    }
  }

  /** Close the transport (idle connections only; a send in progress is stopped by aborting its signal). */
  close(): void {
    this.transport.close();
  }
}

/**
 * Send a test mail with the configured settings, to check them before a long tail.
 *
 * Contract: resolves with the receipt only if every recipient was accepted;
 * otherwise throws DnshuntError SMTP whose message is ONE line naming the
 * problem: connection refused, timeout, TLS failure, authentication failed,
 * recipient rejected, sender rejected, host not found. Configuration problems
 * (no smtpHost, password variable unset) throw BAD_CONFIG.
 */
export async function sendTestMail(config: AlertConfig, opts: { env?: NodeJS.ProcessEnv; now?: () => number } = {}): Promise<SendReceipt & { messageId: string }> {
  const sink = await SmtpSink.create(config, opts.env);
  const now = opts.now ?? Date.now;
  const at = now();
  const messageId = `<test-${at.toString(36)}@${(config.mailFrom ?? '').split('@')[1] ?? 'dnshunt.invalid'}>`;
  const text = [
    'This is a test mail from dnshunt: alert mails will reach you with these settings.',
    '',
    ...describeAlertConfig(config),
    '',
    `Sent from ${hostname()} at ${new Date(at).toISOString()}.`,
    '',
  ].join('\n');
  try {
    const receipt = await sink.send({
      messageId,
      date: new Date(at),
      kind: 'test',
      content: { subject: `dnshunt: test mail from ${hostname()}`, text, html: `<pre>${text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'))}</pre>` },
    });
    if (receipt.rejected.length > 0) {
      throw new DnshuntError(
        ErrorCode.SMTP,
        `recipient rejected by ${where(config)}: ${receipt.rejected.join(', ')} (the others were accepted: ${receipt.accepted.join(', ')})`,
      );
    }
    return { ...receipt, messageId };
  } finally {
    sink.close();
  }
}

/** The nodemailer error fields this module reads. */
interface MailerErrorLike {
  code?: unknown;
  message?: unknown;
  command?: unknown;
  response?: unknown;
  responseCode?: unknown;
  rejected?: unknown;
  rejectedErrors?: unknown;
}

/**
 * Explain a nodemailer error in one line for `config`'s server: connection
 * refused, timeout, host not found, TLS failure, authentication failed or
 * required, recipient rejected, sender rejected, aborted, or the server's own
 * words. Never includes the password (nodemailer never puts it in an error).
 */
export function explainSmtpError(err: unknown, config: AlertConfig): string {
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as MailerErrorLike;
  const code = typeof e.code === 'string' ? e.code : '';
  const message = oneLine(typeof e.message === 'string' ? e.message : '');
  const reply = typeof e.response === 'string' ? oneLine(e.response) : message;
  const command = typeof e.command === 'string' ? e.command : '';
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : 0;
  const at = where(config);
  let line: string;
  if (code === 'EAUTH') {
    line = `authentication failed for user ${config.smtpUser ?? '(none)'} at ${at}: ${reply} (check smtpUser and the password in ${passSource(config)})`;
  } else if (code === 'ENOAUTH' || responseCode === 530) {
    line = `authentication required by ${at} (${reply}): set smtpUser and smtpPassEnv or smtpPassFile`;
  } else if (code === 'EENVELOPE' && (command.startsWith('RCPT') || Array.isArray(e.rejected))) {
    const who = Array.isArray(e.rejected) && e.rejected.length > 0 ? e.rejected.map(String).join(', ') : config.mailTo.join(', ');
    line = `recipient rejected by ${at}: ${who}: ${reply}`;
  } else if (code === 'EENVELOPE') {
    line = `sender ${config.mailFrom ?? ''} rejected by ${at}: ${reply}`;
  } else if (code === 'EABORT') {
    line = `sending to ${at} aborted (shutting down); the message stays in the outbox`;
  } else if (/ECONNREFUSED/.test(message)) {
    line = `connection refused by ${at}: no SMTP server listening there (check smtpHost and smtpPort)`;
  } else if (code === 'ETIMEDOUT' || /ETIMEDOUT|timed? ?out/i.test(message)) {
    line = `timeout: no answer from ${at} within ${formatDuration(config.smtpTimeoutMs)} (firewall, wrong port, or smtpTls 'implicit' against a starttls port?)`;
  } else if (code === 'EDNS' || /ENOTFOUND|EAI_AGAIN/.test(message)) {
    line = `cannot resolve SMTP host ${config.smtpHost ?? ''}: ${message}`;
  } else if (code === 'ETLS' || /certificate|ssl|tls|handshake|wrong version number/i.test(message)) {
    line = `TLS failure with ${at} (smtpTls ${config.smtpTls}): ${tlsHint(message, command)}`;
  } else if (/ECONNRESET|EHOSTUNREACH|ENETUNREACH/.test(message) || code === 'ECONNECTION' || code === 'ESOCKET') {
    line = `connection to ${at} failed: ${message}`;
  } else {
    line = `SMTP error from ${at}${code === '' ? '' : ` (${code})`}: ${reply === '' ? message : reply}`;
  }
  return line.length <= MAX_EXPLANATION_CHARS ? line : line.slice(0, MAX_EXPLANATION_CHARS - 1) + '…';
}

function tlsHint(raw: string, command: string): string {
  // OpenSSL's "80DC…:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/…:350:" → "wrong version number".
  const message = raw.replace(/^[0-9A-F]+:error:[0-9A-F]+:[^:]+:[^:]+:([^:]+):.*$/, '$1');
  if (command === 'STARTTLS' || /STARTTLS/.test(message)) return `the server does not offer STARTTLS (${message}); use smtpTls 'implicit' (port 465) or, on a trusted network only, 'none'`;
  if (/wrong version number|unknown protocol|packet length too long/i.test(message)) return `no TLS on this port (${message}); smtpTls 'implicit' is usually port 465, 'starttls' port 587`;
  if (/self.signed|certificate|unable to (get|verify)/i.test(message)) return `${message}; set smtpCaFile to the PEM of the server's CA or certificate`;
  return message;
}

function isPermanentForMessage(err: unknown): boolean {
  const e = (typeof err === 'object' && err !== null ? err : {}) as MailerErrorLike;
  const rc = typeof e.responseCode === 'number' ? e.responseCode : 0;
  // 5xx is permanent (RFC 5321) except 503 (bad sequence: a session problem, not the message).
  return e.code === 'EMESSAGE' && rc >= 500 && rc < 600 && rc !== 503;
}

async function readPassword(config: AlertConfig, env: NodeJS.ProcessEnv): Promise<string | null> {
  if (config.smtpUser === null) return null;
  if (config.smtpPassEnv !== null) {
    const v = env[config.smtpPassEnv];
    if (v === undefined || v === '') {
      throw new DnshuntError(ErrorCode.BAD_CONFIG, `smtpPassEnv: environment variable ${config.smtpPassEnv} is not set or empty`);
    }
    return v;
  }
  if (config.smtpPassFile !== null) {
    let v: string;
    try {
      v = await readFile(config.smtpPassFile, 'utf8');
    } catch (e) {
      throw new DnshuntError(ErrorCode.BAD_CONFIG, `smtpPassFile: cannot read ${config.smtpPassFile} (${(e as NodeJS.ErrnoException).code ?? ''})`);
    }
    // Editors add a final newline; a password never ends in one.
    v = v.replace(/\r?\n$/, '');
    if (v === '') throw new DnshuntError(ErrorCode.BAD_CONFIG, `smtpPassFile: ${config.smtpPassFile} is empty`);
    return v;
  }
  throw new DnshuntError(ErrorCode.BAD_CONFIG, 'smtpUser: needs smtpPassEnv or smtpPassFile');
}

function passSource(config: AlertConfig): string {
  return config.smtpPassEnv !== null ? `environment variable ${config.smtpPassEnv}` : `file ${config.smtpPassFile ?? ''}`;
}

function where(config: AlertConfig): string {
  return `${config.smtpHost ?? ''}:${config.smtpPort}`;
}

function oneLine(s: string): string {
  return headerSafe(s, MAX_EXPLANATION_CHARS);
}
