/**
 * Shared harness of the alert tests (named *.test.ts only so it sits in the
 * alert test files' namespace; it registers no tests of its own unless run
 * directly): a real SMTP server on loopback (smtp-server) that records every
 * message it accepts, a self-signed certificate, a port where nothing listens,
 * a small MIME reader for what nodemailer sends, a settable clock and hit records.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { HitRecord } from '../src/core/index.js';
import { validateAlertConfig, type AlertConfig, type AlertConfigInput } from '../src/alert/index.js';

/** One message as the test SMTP server received it. */
export interface ReceivedMail {
  raw: string;
  mailFrom: string;
  rcptTo: string[];
  secure: boolean;
  user: string | null;
  parsed: ParsedMail;
}

/** What {@link parseMail} gives back. */
export interface ParsedMail {
  /** Lower-cased header name → every value, unfolded, raw (not decoded). */
  headers: Map<string, string[]>;
  /** The Subject header, RFC 2047 decoded. */
  subject: string;
  messageId: string;
  text: string | null;
  html: string | null;
}

/** Options of {@link startSmtp}. */
export interface SmtpOptions {
  /** Key and certificate: offer STARTTLS (or implicit TLS with `implicitTls`). */
  tls?: { key: Buffer; cert: Buffer };
  implicitTls?: boolean;
  /** Require this user and password. */
  auth?: { user: string; pass: string };
  /** Refuse these recipients with 550. */
  rejectRcpt?: (address: string) => boolean;
  /** Refuse a message whose raw text matches with 554 (after DATA). */
  rejectData?: (raw: string) => boolean;
  /** Listen on this port instead of a free one. */
  port?: number;
  /** Listen on this host (default 127.0.0.1). */
  host?: string;
}

/** A running test SMTP server. */
export interface TestSmtp {
  port: number;
  mails: ReceivedMail[];
  close(): Promise<void>;
}

/** Start a real SMTP server on loopback. Without `auth` it is an open relay; without `tls` it offers no STARTTLS. */
export async function startSmtp(opts: SmtpOptions = {}): Promise<TestSmtp> {
  const mails: ReceivedMail[] = [];
  const options: SMTPServerOptions = {
    logger: false,
    disableReverseLookup: true,
    secure: opts.implicitTls === true,
    authOptional: opts.auth === undefined,
    disabledCommands: [...(opts.tls === undefined ? ['STARTTLS'] : []), ...(opts.auth === undefined ? ['AUTH'] : [])],
    onAuth(auth, _session, cb) {
      if (opts.auth !== undefined && auth.username === opts.auth.user && auth.password === opts.auth.pass) cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onRcptTo(address, _session, cb) {
      if (opts.rejectRcpt?.(address.address) === true) {
        const e = new Error('No such user here') as Error & { responseCode: number };
        e.responseCode = 550;
        cb(e);
      } else cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        if (opts.rejectData?.(raw) === true) {
          const e = new Error('Message content rejected') as Error & { responseCode: number };
          e.responseCode = 554;
          cb(e);
          return;
        }
        mails.push({
          raw,
          mailFrom: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          secure: session.secure,
          user: session.user ?? null,
          parsed: parseMail(raw),
        });
        cb();
      });
    },
  };
  if (opts.tls !== undefined) {
    options.key = opts.tls.key;
    options.cert = opts.tls.cert;
  }
  const server = new SMTPServer(options);
  server.on('error', () => undefined);
  server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
  await once(server.server, 'listening');
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port on 127.0.0.1 where nothing listens (connection refused), free at the time of the call. */
export async function deadPort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A TCP server that accepts connections and never says anything (for timeouts). */
export async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const s: Server = createServer((sock) => {
    sockets.add(sock);
    sock.on('error', () => undefined);
    sock.on('close', () => sockets.delete(sock));
  });
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  return {
    port: (s.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const sock of sockets) sock.destroy();
        s.close(() => r());
      }),
  };
}

/** A self-signed certificate for 127.0.0.1 and localhost made with openssl in `dir`, or null without openssl. */
export function selfSignedCert(dir: string): { key: Buffer; cert: Buffer; certPath: string } | null {
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
      { stdio: 'ignore' },
    );
  } catch {
    return null;
  }
  if (!existsSync(certPath)) return null;
  return { key: readFileSync(keyPath), cert: readFileSync(certPath), certPath };
}

/** Parse a message as nodemailer writes it: headers, RFC 2047 subject, text and HTML parts (any nesting, 7bit/QP/base64). */
export function parseMail(raw: string): ParsedMail {
  const { headers, body } = splitEntity(raw);
  const parts: { type: string; body: string }[] = [];
  collectParts(headers, body, parts);
  const first = (name: string): string => headers.get(name)?.[0] ?? '';
  return {
    headers,
    subject: decodeWords(first('subject')),
    messageId: first('message-id').trim(),
    text: parts.find((p) => p.type === 'text/plain')?.body ?? null,
    html: parts.find((p) => p.type === 'text/html')?.body ?? null,
  };
}

function splitEntity(raw: string): { headers: Map<string, string[]>; body: string } {
  const sep = raw.indexOf('\r\n\r\n');
  const head = sep < 0 ? raw : raw.slice(0, sep);
  const body = sep < 0 ? '' : raw.slice(sep + 4);
  const headers = new Map<string, string[]>();
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const list = headers.get(name) ?? [];
    list.push(line.slice(colon + 1).trim());
    headers.set(name, list);
  }
  return { headers, body };
}

function collectParts(headers: Map<string, string[]>, body: string, out: { type: string; body: string }[]): void {
  const ctype = headers.get('content-type')?.[0] ?? 'text/plain';
  const type = (ctype.split(';')[0] ?? '').trim().toLowerCase();
  if (type.startsWith('multipart/')) {
    const m = /boundary="?([^";]+)"?/i.exec(ctype);
    if (m === null) return;
    const boundary = '--' + (m[1] as string);
    const sections = body.split(boundary).slice(1);
    for (const section of sections) {
      if (section.startsWith('--')) break;
      const entity = splitEntity(section.replace(/^\r\n/, ''));
      collectParts(entity.headers, entity.body.replace(/\r\n$/, ''), out);
    }
    return;
  }
  const cte = (headers.get('content-transfer-encoding')?.[0] ?? '7bit').toLowerCase();
  let decoded: string;
  if (cte === 'base64') decoded = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  else if (cte === 'quoted-printable') decoded = decodeQp(body);
  else decoded = body;
  out.push({ type, body: decoded.replace(/\r\n/g, '\n') });
}

function decodeQp(s: string): string {
  const bytes: number[] = [];
  const text = s.replace(/=\r\n/g, '');
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      for (const b of Buffer.from(c, 'utf8')) bytes.push(b);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Decode RFC 2047 encoded words (whitespace between adjacent words is dropped). */
export function decodeWords(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_all, _charset: string, enc: string, data: string) => {
      if (enc.toUpperCase() === 'B') return Buffer.from(data, 'base64').toString('utf8');
      return decodeQp(data.replace(/_/g, ' '));
    });
}

/** A clock the test moves by hand. */
export class TestClock {
  t: number;
  constructor(start = Date.UTC(2016, 1, 16, 21, 0, 0)) {
    this.t = start;
  }
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

/** A hit record with sensible values; `over` replaces any field. */
export function makeHit(over: Partial<HitRecord> = {}): HitRecord {
  return {
    time: '2016-02-16T22:05:00',
    client: '10.1.2.3',
    qname: 'fnarsipfqe.pw',
    qtype: 'A',
    rcode: 'NOERROR',
    indicator: 'fnarsipfqe.pw',
    source: 'builtin:locky-static line 42 [C2] Locky',
    file: 'C:\\dns\\dns.log',
    line: 1234,
    suffixStripped: null,
    ...over,
  };
}

/** Validated mail settings for the test server on `port`: plain SMTP, no auth, two recipients. */
export function mailConfig(port: number, stateDir: string, over: AlertConfigInput = {}): AlertConfig {
  return validateAlertConfig({
    smtpHost: '127.0.0.1',
    smtpPort: port,
    smtpTls: 'none',
    smtpTimeout: '2s',
    mailFrom: 'dnshunt@example.org',
    mailTo: ['soc@example.org', 'oncall@example.org'],
    stateDir,
    ...over,
  });
}

/** Every distinct Message-ID among `mails`. */
export function messageIds(mails: readonly ReceivedMail[]): Set<string> {
  return new Set(mails.map((m) => m.parsed.messageId));
}
