/**
 * The byte-level Windows DNS debug-log line parser (`parseWindowsLine`):
 * every line shape of docs/windows-dns-debug-log.md, verbatim where the doc
 * quotes a real line, plus properties: a line parses the same wherever it sits
 * in a buffer (nothing is read outside [start, end)), with or without CR, and
 * whatever line the reused PacketFields object saw before (no state between lines).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DIR_RCV, DIR_SND, LineKind, PacketFields, completeFields, parseWindowsLine, type LineKindValue } from '../src/parse/index.js';

const KIND_NAME: Record<number, string> = { [LineKind.PACKET]: 'PACKET', [LineKind.EVENT]: 'EVENT', [LineKind.SKIPPED]: 'SKIPPED', [LineKind.UNPARSED]: 'UNPARSED' };

/** Every field of a parsed line as text, so tests compare plain objects. */
interface Parsed {
  kind: string;
  time?: string;
  proto?: string;
  dir?: 'Snd' | 'Rcv';
  ip?: string;
  xid?: string;
  qr?: 'R' | ' ';
  opcode?: string;
  rcode?: string;
  qtype?: string;
  name?: string;
}

function view(buf: Buffer, kind: LineKindValue, f: PacketFields): Parsed {
  const t = (a: number, b: number): string => buf.toString('latin1', a, b);
  const out: Parsed = { kind: KIND_NAME[kind] ?? `?${kind}` };
  if (kind === LineKind.EVENT) out.time = t(f.timeStart, f.timeEnd);
  if (kind !== LineKind.PACKET) return out;
  completeFields(buf, f);
  return {
    ...out,
    time: t(f.timeStart, f.timeEnd),
    proto: t(f.protoStart, f.protoStart + 3),
    dir: f.dir === DIR_SND ? 'Snd' : f.dir === DIR_RCV ? 'Rcv' : (`?${f.dir}` as 'Snd'),
    ip: t(f.ipStart, f.ipEnd),
    xid: t(f.xidStart, f.xidEnd),
    qr: f.isResponse ? 'R' : ' ',
    opcode: String.fromCharCode(f.opcode),
    rcode: t(f.rcodeStart, f.rcodeEnd),
    qtype: t(f.qtypeStart, f.qtypeEnd),
    name: t(f.nameStart, f.nameEnd),
  };
}

/** Parse one line with a fresh PacketFields. `pre`/`post` are bytes around it in the same buffer (never part of the line). */
function parse(line: string | Buffer, pre: Buffer = Buffer.alloc(0), post: Buffer = Buffer.alloc(0), f = new PacketFields()): Parsed {
  const body = typeof line === 'string' ? Buffer.from(line, 'latin1') : line;
  const buf = Buffer.concat([pre, body, post]);
  const kind = parseWindowsLine(buf, pre.length, pre.length + body.length, f);
  const v = view(buf, kind, f);
  return v;
}

function packet(p: Omit<Parsed, 'kind'>): Parsed {
  return { kind: 'PACKET', ...p };
}

describe('parseWindowsLine: PACKET lines quoted in the format doc', () => {
  const cases: [string, Parsed][] = [
    [
      '6/20/2017 5:36:59 AM 0E24 PACKET  0000009AC98841A0 UDP Rcv ::1             2de6   Q [0001   D   NOERROR] SOA    (4)file(5)local(0)',
      packet({ time: '6/20/2017 5:36:59 AM', proto: 'UDP', dir: 'Rcv', ip: '::1', xid: '2de6', qr: ' ', opcode: 'Q', rcode: 'NOERROR', qtype: 'SOA', name: '(4)file(5)local(0)' }),
    ],
    [
      '6/20/2017 5:36:59 AM 0E24 PACKET  0000009AC98841A0 UDP Snd ::1             2de6 R Q [8085 A DR  NOERROR] SOA    (4)file(5)local(0)',
      packet({ time: '6/20/2017 5:36:59 AM', proto: 'UDP', dir: 'Snd', ip: '::1', xid: '2de6', qr: 'R', opcode: 'Q', rcode: 'NOERROR', qtype: 'SOA', name: '(4)file(5)local(0)' }),
    ],
    [
      '6/20/2017 5:36:59 AM 0E24 PACKET  0000009AC987D020 UDP Rcv 192.168.6.81    72e2   U [0028       NOERROR] SOA    (4)file(5)local(0)',
      packet({ time: '6/20/2017 5:36:59 AM', proto: 'UDP', dir: 'Rcv', ip: '192.168.6.81', xid: '72e2', qr: ' ', opcode: 'U', rcode: 'NOERROR', qtype: 'SOA', name: '(4)file(5)local(0)' }),
    ],
    [
      '6/20/2017 5:36:59 AM 0E24 PACKET  0000009AC987D020 UDP Snd 192.168.6.81    72e2 R U [02a8      SERVFAIL] SOA    (4)file(5)local(0)',
      packet({ time: '6/20/2017 5:36:59 AM', proto: 'UDP', dir: 'Snd', ip: '192.168.6.81', xid: '72e2', qr: 'R', opcode: 'U', rcode: 'SERVFAIL', qtype: 'SOA', name: '(4)file(5)local(0)' }),
    ],
    [
      '6/20/2017 5:39:51 AM 0E24 PACKET  0000009ACC4062C0 UDP Rcv 208.84.2.53     5e2b R Q [0084 A     NOERROR] A      (3)ns3(4)msft(3)net(0)',
      packet({ time: '6/20/2017 5:39:51 AM', proto: 'UDP', dir: 'Rcv', ip: '208.84.2.53', xid: '5e2b', qr: 'R', opcode: 'Q', rcode: 'NOERROR', qtype: 'A', name: '(3)ns3(4)msft(3)net(0)' }),
    ],
    [
      '2017-05-21 19:46:11 05C0 PACKET  00000020F4B1BE70 UDP Snd ::1             ee11 R Q [8385 A DR NXDOMAIN] A      (6)isatap(2)adlabs01(5)virot(2)eu(0)',
      packet({ time: '2017-05-21 19:46:11', proto: 'UDP', dir: 'Snd', ip: '::1', xid: 'ee11', qr: 'R', opcode: 'Q', rcode: 'NXDOMAIN', qtype: 'A', name: '(6)isatap(2)adlabs01(5)virot(2)eu(0)' }),
    ],
    [
      '2017-05-21 19:46:20 0534 PACKET  00000020F5101D00 UDP Snd 192.168.66.21   2e30 R U [05a8       REFUSED] SOA    (2)adlabs01(5)virot(2)eu(0)',
      packet({ time: '2017-05-21 19:46:20', proto: 'UDP', dir: 'Snd', ip: '192.168.66.21', xid: '2e30', qr: 'R', opcode: 'U', rcode: 'REFUSED', qtype: 'SOA', name: '(2)adlabs01(5)virot(2)eu(0)' }),
    ],
    // TCP
    [
      '2017-05-21 19:46:20 0518 PACKET  00000020F51A8AB0 TCP Rcv 192.168.66.21   0913   Q [0000       NOERROR] TKEY   (8)952-ms-7(7)1-21b2f(36)654f75a4-3e4d-11e7-c880-c03fd56561d2(0)',
      packet({ time: '2017-05-21 19:46:20', proto: 'TCP', dir: 'Rcv', ip: '192.168.66.21', xid: '0913', qr: ' ', opcode: 'Q', rcode: 'NOERROR', qtype: 'TKEY', name: '(8)952-ms-7(7)1-21b2f(36)654f75a4-3e4d-11e7-c880-c03fd56561d2(0)' }),
    ],
    [
      '2017-05-21 19:46:20 0538 PACKET  00000020F51A8AB0 TCP Snd 192.168.66.21   0913 R Q [0080       NOERROR] TKEY   (8)952-ms-7(7)1-21b2f(36)654f75a4-3e4d-11e7-c880-c03fd56561d2(0)',
      packet({ time: '2017-05-21 19:46:20', proto: 'TCP', dir: 'Snd', ip: '192.168.66.21', xid: '0913', qr: 'R', opcode: 'Q', rcode: 'NOERROR', qtype: 'TKEY', name: '(8)952-ms-7(7)1-21b2f(36)654f75a4-3e4d-11e7-c880-c03fd56561d2(0)' }),
    ],
    // the server's own upstream query: Snd, blank QR slot
    [
      '2017-05-21 19:46:40 052C PACKET  00000020F517A510 UDP Snd 198.41.0.4      5328   Q [0000       NOERROR] AAAA   (3)dns(8)msftncsi(3)com(0)',
      packet({ time: '2017-05-21 19:46:40', proto: 'UDP', dir: 'Snd', ip: '198.41.0.4', xid: '5328', qr: ' ', opcode: 'Q', rcode: 'NOERROR', qtype: 'AAAA', name: '(3)dns(8)msftncsi(3)com(0)' }),
    ],
    // IPv6 longer than 15 characters shifts every later column right (one space after it)
    [
      '2017-05-21 19:47:00 05C0 PACKET  00000020F510E410 UDP Rcv 2001:16d8:ff00:856f::66:21 ee26   Q [0001   D   NOERROR] SOA    (2)adlabs01(5)virot(2)eu(0)',
      packet({ time: '2017-05-21 19:47:00', proto: 'UDP', dir: 'Rcv', ip: '2001:16d8:ff00:856f::66:21', xid: 'ee26', qr: ' ', opcode: 'Q', rcode: 'NOERROR', qtype: 'SOA', name: '(2)adlabs01(5)virot(2)eu(0)' }),
    ],
    [
      '2017-05-21 19:47:00 05C0 PACKET  00000020F510E410 UDP Snd 2001:16d8:ff00:856f::66:21 ee26 R Q [8085 A DR  NOERROR] SOA    (2)adlabs01(5)virot(2)eu(0)',
      packet({ time: '2017-05-21 19:47:00', proto: 'UDP', dir: 'Snd', ip: '2001:16d8:ff00:856f::66:21', xid: 'ee26', qr: 'R', opcode: 'Q', rcode: 'NOERROR', qtype: 'SOA', name: '(2)adlabs01(5)virot(2)eu(0)' }),
    ],
    // 2008 R2: 15-char IPv4 followed by two spaces
    [
      '30/09/2015 12:04:28 0DAC PACKET  00000000027404B0 UDP Rcv 192.168.255.255  ed3d   Q [0001   D   NOERROR] A      (6)teredo(4)ipv6(9)microsoft(3)com(0)',
      packet({ time: '30/09/2015 12:04:28', proto: 'UDP', dir: 'Rcv', ip: '192.168.255.255', xid: 'ed3d', qr: ' ', opcode: 'Q', rcode: 'NOERROR', qtype: 'A', name: '(6)teredo(4)ipv6(9)microsoft(3)com(0)' }),
    ],
    // German date with a 15-char IP and one space
    [
      '24.01.2016 18:17:42 045C PACKET  000000A5B1285F80 UDP Rcv 119.160.247.124 be20 R Q [0084 A     NOERROR] A      (5)yahoo(2)de(0)',
      packet({ time: '24.01.2016 18:17:42', proto: 'UDP', dir: 'Rcv', ip: '119.160.247.124', xid: 'be20', qr: 'R', opcode: 'Q', rcode: 'NOERROR', qtype: 'A', name: '(5)yahoo(2)de(0)' }),
    ],
    [
      '05/03/2019 16:05:31 0F9C PACKET  000000082A8141F0 UDP Snd 10.202.168.232  c1f8 R Q [8081   DR  NOERROR] A      (3)api(11)blahblah(3)com(0)',
      packet({ time: '05/03/2019 16:05:31', proto: 'UDP', dir: 'Snd', ip: '10.202.168.232', xid: 'c1f8', qr: 'R', opcode: 'Q', rcode: 'NOERROR', qtype: 'A', name: '(3)api(11)blahblah(3)com(0)' }),
    ],
    // zh-CN date and a numeric question type (65 = HTTPS)
    [
      '2022/3/8 10:38:29 16F8 PACKET  000001B8EEECF890 UDP Snd 10.234.209.187  da3b R Q [8081   DR  NOERROR] 65     (9)substrate(6)office(3)com(0)',
      packet({ time: '2022/3/8 10:38:29', proto: 'UDP', dir: 'Snd', ip: '10.234.209.187', xid: 'da3b', qr: 'R', opcode: 'Q', rcode: 'NOERROR', qtype: '65', name: '(9)substrate(6)office(3)com(0)' }),
    ],
    [
      '2024/12/2 15:51:54 166C PACKET  000001AB5710F890 UDP Rcv 10.191.24.4     c6b8   Q [0001   D   NOERROR] A      (14)esfregbiza2-sh(3)rel(4)spdb(3)com(0)',
      packet({ time: '2024/12/2 15:51:54', proto: 'UDP', dir: 'Rcv', ip: '10.191.24.4', xid: 'c6b8', qr: ' ', opcode: 'Q', rcode: 'NOERROR', qtype: 'A', name: '(14)esfregbiza2-sh(3)rel(4)spdb(3)com(0)' }),
    ],
    // Windows 2000/2003: yyyyMMdd, 3-digit thread id, 8-digit packet id
    [
      '20140816 16:08:57 588 PACKET  019B99F0 UDP Rcv 10.0.0.7        0c6b   Q [0001   D   NOERROR] A      (3)www(4)test(3)com(0)',
      packet({ time: '20140816 16:08:57', proto: 'UDP', dir: 'Rcv', ip: '10.0.0.7', xid: '0c6b', qr: ' ', opcode: 'Q', rcode: 'NOERROR', qtype: 'A', name: '(3)www(4)test(3)com(0)' }),
    ],
    // rcode after a blank D slot: the flag chars are positional, the rcode is the last token before ']'
    [
      '7/15/2015 11:59:59 PM 106C PACKET  0000000002048020 UDP Snd 10.3.73.5       1fba R Q [9384 A  R NXDOMAIN] AAAA   (13)jp-cco-mtoda2(6)client(2)jp(8)trendnet(3)org(6)client(2)tw(8)trendnet(3)org(0)',
      packet({ time: '7/15/2015 11:59:59 PM', proto: 'UDP', dir: 'Snd', ip: '10.3.73.5', xid: '1fba', qr: 'R', opcode: 'Q', rcode: 'NXDOMAIN', qtype: 'AAAA', name: '(13)jp-cco-mtoda2(6)client(2)jp(8)trendnet(3)org(6)client(2)tw(8)trendnet(3)org(0)' }),
    ],
    // upper-case labels are kept as logged (lower-casing is the name decoder's job)
    [
      '4/11/2026 8:34:00 PM 0294 PACKET  000002DAEF3AFDC0 UDP Snd 127.0.0.1       3c8a R Q [8385 A DR NXDOMAIN] A      (4)HOME(4)home(4)gell(3)one(0)',
      packet({ time: '4/11/2026 8:34:00 PM', proto: 'UDP', dir: 'Snd', ip: '127.0.0.1', xid: '3c8a', qr: 'R', opcode: 'Q', rcode: 'NXDOMAIN', qtype: 'A', name: '(4)HOME(4)home(4)gell(3)one(0)' }),
    ],
    // whitespace-collapsed copies (de-DE sample, Trellix docs): QR blank shrinks to nothing
    [
      '06.03.2020 17:15:40 0BD4 PACKET 0000008F15AD2190 UDP Rcv 10.200.1.222 9e90 Q [0001 D NOERROR] A (4)test(5)virot(2)eu(0)',
      packet({ time: '06.03.2020 17:15:40', proto: 'UDP', dir: 'Rcv', ip: '10.200.1.222', xid: '9e90', qr: ' ', opcode: 'Q', rcode: 'NOERROR', qtype: 'A', name: '(4)test(5)virot(2)eu(0)' }),
    ],
    [
      '06.03.2020 17:15:40 0BD4 PACKET 0000008F15AD2190 UDP Snd 10.200.1.222 9e90 R Q [8085 A DR NOERROR] A (4)test(5)virot(2)eu(0)',
      packet({ time: '06.03.2020 17:15:40', proto: 'UDP', dir: 'Snd', ip: '10.200.1.222', xid: '9e90', qr: 'R', opcode: 'Q', rcode: 'NOERROR', qtype: 'A', name: '(4)test(5)virot(2)eu(0)' }),
    ],
    [
      '9/3/2010 2:06:38 PM 1720 PACKET 02306B10 UDP Rcv 127.0.0.1 be06 Q [0001 D NOERROR] A (3)www(9)sonystyle(3)com(0)',
      packet({ time: '9/3/2010 2:06:38 PM', proto: 'UDP', dir: 'Rcv', ip: '127.0.0.1', xid: 'be06', qr: ' ', opcode: 'Q', rcode: 'NOERROR', qtype: 'A', name: '(3)www(9)sonystyle(3)com(0)' }),
    ],
    // a SIEM copy with dotted names (and a doubled space inside "UDP  Rcv")
    [
      '4/15/2014 3:16:00 PM 0710 PACKET  0000000028FB94C0 UDP  Rcv 69.160.33.71    8857 R Q [0080       NOERROR] A      .ns1.offeringsmislead.com.',
      packet({ time: '4/15/2014 3:16:00 PM', proto: 'UDP', dir: 'Rcv', ip: '69.160.33.71', xid: '8857', qr: 'R', opcode: 'Q', rcode: 'NOERROR', qtype: 'A', name: '.ns1.offeringsmislead.com.' }),
    ],
  ];
  for (const [line, expected] of cases) {
    it(line.slice(0, 70), () => assert.deepEqual(parse(line), expected));
  }
});

describe('parseWindowsLine: QR slot, opcode and rcode', () => {
  const base = (qrOpcode: string, flags: string) =>
    `2/16/2016 10:05:00 PM 0E24 PACKET  000000FCF7C261D7 UDP Rcv 10.10.1.23      ee7f ${qrOpcode} [${flags}] A      (10)fnarsipfqe(2)pw(0)`;

  it('a space in the QR slot is a query, R a response (padded layout)', () => {
    assert.equal(parse(base('  Q', '0001   D   NOERROR')).qr, ' ');
    assert.equal(parse(base('R Q', '8381   DR NXDOMAIN')).qr, 'R');
  });

  it('reads every opcode letter: Q, N, U and ?', () => {
    for (const op of ['Q', 'N', 'U', '?']) {
      assert.equal(parse(base(`  ${op}`, '0001   D   NOERROR')).opcode, op);
      const r = parse(base(`R ${op}`, '8081   DR  NOERROR'));
      assert.equal(r.opcode, op);
      assert.equal(r.qr, 'R');
    }
  });

  it('takes the rcode as the last token before "]", whatever the flag chars', () => {
    const flagGroups: [string, string][] = [
      ['0001   D   NOERROR', 'NOERROR'],
      ['8085 A DR  NOERROR', 'NOERROR'],
      ['8385 A DR NXDOMAIN', 'NXDOMAIN'],
      ['9384 A  R NXDOMAIN', 'NXDOMAIN'],
      ['02a8      SERVFAIL', 'SERVFAIL'],
      ['05a8       REFUSED', 'REFUSED'],
      ['0084 A     NOERROR', 'NOERROR'],
      ['0000       NOERROR', 'NOERROR'],
      ['0283 ATDR BADCOOKIE', 'BADCOOKIE'], // longer than the 8-column field
      ['0281   DR  FORMERR', 'FORMERR'],
    ];
    for (const [flags, rcode] of flagGroups) assert.equal(parse(base('R Q', flags)).rcode, rcode, flags);
  });

  it('an opcode letter that is not one of Q N U ? makes the line unparsed, not a record', () => {
    assert.equal(parse(base('  X', '0001   D   NOERROR')).kind, 'UNPARSED');
    assert.equal(parse(base('R X', '8081   DR  NOERROR')).kind, 'UNPARSED');
  });

  it('an IPv6 remote (longer than 15 chars) yields the same fields after it as an IPv4 one', () => {
    const v4 = parse('2/16/2016 10:09:00 PM 0E24 PACKET  00000069FCF03620 UDP Snd 10.10.1.45      b0a8 R Q [8381   DR NXDOMAIN] A      (14)vgmexksbecmqwl(2)eu(0)');
    const v6 = parse('2/16/2016 10:09:00 PM 0E24 PACKET  00000069FCF03620 UDP Snd fd00:10:10:1::45 b0a8 R Q [8381   DR NXDOMAIN] A      (14)vgmexksbecmqwl(2)eu(0)');
    assert.equal(v6.ip, 'fd00:10:10:1::45');
    assert.deepEqual({ ...v6, ip: '' }, { ...v4, ip: '' });
  });
});

describe('parseWindowsLine: non-PACKET lines', () => {
  it('EVENT lines are events, with their time', () => {
    assert.deepEqual(parse('6/20/2017 5:36:59 AM 0DF4 EVENT   The DNS server has started.'), { kind: 'EVENT', time: '6/20/2017 5:36:59 AM' });
    const long =
      '2017-05-21 19:44:58 0518 EVENT   The DNS server is waiting for Active Directory Domain Services (AD DS) to signal that the initial synchronization of the directory has been completed. The DNS server service cannot start until the initial synchronization is complete because critical DNS data might not yet be replicated onto this domain controller. If events in the AD DS event log indicate that there is a problem with DNS name resolution, consider adding the IP address of another DNS server for this domain to the DNS server list in the Internet Protocol properties of this computer. This event will be logged every two minutes until AD DS has signaled that the initial synchronization has successfully completed.';
    assert.deepEqual(parse(long), { kind: 'EVENT', time: '2017-05-21 19:44:58' });
  });

  it('Note: lines (3-digit thread id, single space) are events', () => {
    assert.deepEqual(
      parse('2017-05-21 19:45:35 5C8 Note: got GQCS failure on a dead socket context status=995, socket=500, pcon=00000020F4B18390, state=-1, IP=0.0.0.0'),
      { kind: 'EVENT', time: '2017-05-21 19:45:35' },
    );
  });

  it('other dated contexts (DSPoll, Lookup …) are not records and not unparsed', () => {
    assert.equal(parse('2017-05-21 19:45:35 05C8 DSPoll polling the directory').kind, 'EVENT');
    assert.equal(parse('6/20/2017 5:36:59 AM 0E24 Lookup x').kind, 'EVENT');
  });

  it('every line of the header block is skipped', () => {
    const header = [
      'DNS Server log file creation at 6/20/2017 5:36:58 AM',
      'Log file wrap at 5/21/2015 1:51:18 PM',
      '',
      'Message logging key (for packets - other items use a subset of these fields):',
      '\tField #  Information         Values',
      '\t-------  -----------         ------',
      '\t   1     Date',
      '\t  10     Query/Response      R = Response',
      '\t                             blank = Query',
      '\t  12     [ Flags (hex)',
      '\t  16     Question Name',
    ];
    for (const l of header) {
      assert.equal(parse(l).kind, 'SKIPPED', JSON.stringify(l));
      assert.equal(parse(`${l}\r`).kind, 'SKIPPED', JSON.stringify(`${l}\\r`));
    }
  });

  it('every line of a Details dump is skipped, never a record (even its question-name lines)', () => {
    const dump = [
      'UDP response info at 0000017DED1D2C90',
      'UDP question info at 0000017DED1D2C90',
      'TCP response info at 0000017DED1D2C90',
      'TCP question info at 0000017DED1D2C90',
      '  Socket = 696',
      '  Remote addr ::1, port 57613',
      '  Time Query=4199, Queued=0, Expire=0',
      '  Buf length = 0x0200 (512)',
      '  Msg length = 0x005d (93)',
      '  Message:',
      '    XID       0x0003',
      '    Flags     0x8580',
      '      QR        1 (RESPONSE)',
      '      RCODE     0 (NOERROR)',
      '    QCOUNT    1',
      '    QUESTION SECTION:',
      '    Offset = 0x000c, RR count = 0',
      '    Name      "(7)wrk10w1(9)cancamusa(3)com(0)"',
      '      QTYPE   AAAA (28)',
      '    ANSWER SECTION:',
      '      empty',
      '    Name      "[C014](9)cancamusa(3)com(0)"',
      '      DATA   ',
      '                PrimaryServer: (6)srvdc1[C014](9)cancamusa(3)com(0)',
      '                SerialNo     = 40',
      '\t\tPrimaryServer: (6)srvdc1[C014](9)cancamusa(3)com(0)',
      '      TYPE   OPT  (41)',
      '      Buffer Size  = 4000',
    ];
    for (const l of dump) assert.equal(parse(l).kind, 'SKIPPED', JSON.stringify(l));
  });

  it('blank lines, CR-only and whitespace-only lines are skipped', () => {
    for (const l of ['', '\r', '   ', '\t', ' \r']) assert.equal(parse(l).kind, 'SKIPPED', JSON.stringify(l));
  });

  it('garbage and broken PACKET lines are unparsed, never records', () => {
    const bad = [
      'garbage',
      '12345',
      '12345 67890 PACKET',
      'PACKET  0000009AC98841A0 UDP Rcv ::1 2de6   Q [0001   D   NOERROR] A (1)a(0)',
      '6/20/2017 PACKET  0000009AC98841A0 UDP Rcv ::1 2de6   Q [0001   D   NOERROR] A (1)a(0)', // no thread id
      '6/20/2017 5:36:59 AM 0E24 PACKET',
      '6/20/2017 5:36:59 AM 0E24 PACKET  0000009AC98841A0',
      '6/20/2017 5:36:59 AM 0E24 PACKET  0000009AC98841A0 XYZ Rcv ::1             2de6   Q [0001   D   NOERROR] A      (1)a(0)',
      '6/20/2017 5:36:59 AM 0E24 PACKET  0000009AC98841A0 UDP Got ::1             2de6   Q [0001   D   NOERROR] A      (1)a(0)',
      '6/20/2017 5:36:59 AM 0E24 PACKET  0000009AC98841A0 UDP Rcv ::1',
      '6/20/2017 5:36:59 AM 0E24 PACKET  0000009AC98841A0 UDP Rcv ::1             2de6',
      '6/20/2017 5:36:59 AM 0E24 PACKET  0000009AC98841A0 UDP Rcv ::1             2de6   Q 0001   D   NOERROR A      (1)a(0)',
      '6/20/2017 5:36:59 AM 0E24 PACKET  0000009AC98841A0 UDP Rcv ::1             2de6   Q [0001   D   NOERROR A      (1)a(0)',
      '6/20/2017 5:36:59 AM 0E24 PACKET  0000009AC98841A0 UDP Rcv ::1             2de6   Q [0001   D   NOERROR]',
      '6/20/2017 5:36:59 AM 0E24 PACKET  0000009AC98841A0 UDP Rcv ::1             2de6   Q [0001   D   NOERROR] A      ',
      '\u00ff\u00fe\u0000\u0001binary',
      'abc\u0000def',
    ];
    for (const l of bad) {
      const k = parse(l).kind;
      assert.equal(k, 'UNPARSED', `${JSON.stringify(l)} was ${k}`);
    }
  });

  it('a truncated Snd line is unparsed', () => {
    // (the scanner-level consequence — counters must not depend on whether a query is pending — is in scan-range.test.ts)
    assert.equal(parse('2/16/2016 10:05:00 PM 0E24 PACKET  000000C81D4B4857 UDP Snd 10.10.1.23').kind, 'UNPARSED');
  });

  it('an EVENT line of another context carries its own time, not the previous line\'s', () => {
    const shared = new PacketFields();
    parse('6/20/2017 5:36:59 AM 0E24 PACKET  0000009AC98841A0 UDP Snd ::1             2de6 R Q [8085 A DR  NOERROR] SOA    (4)file(5)local(0)', undefined, undefined, shared);
    assert.deepEqual(parse('2017-05-21 19:45:35 05C8 DSPoll polling the directory', undefined, undefined, shared), { kind: 'EVENT', time: '2017-05-21 19:45:35' });
    assert.deepEqual(parse('2017-05-21 19:45:35 05C8 DSPoll polling the directory'), { kind: 'EVENT', time: '2017-05-21 19:45:35' });
  });
});

/** A random well-formed PACKET line in the server's padded layout, with the fields it was built from. */
const arbPacketLine = fc
  .record({
    time: fc.constantFrom('6/20/2017 5:36:59 AM', '12/31/2016 11:59:59 PM', '2017-05-21 19:46:11', '24.01.2016 18:17:42', '30/09/2015 12:04:28', '2022/3/8 10:38:29', '20140816 16:08:57'),
    tid: fc.constantFrom('0E24', '05C0', '588', '16F8'),
    pid: fc.constantFrom('0000009AC98841A0', '02306B10', '000002DAEF3AFDC0'),
    proto: fc.constantFrom('UDP', 'TCP'),
    dir: fc.constantFrom<'Snd' | 'Rcv'>('Snd', 'Rcv'),
    ip: fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('::1', '192.168.255.255', 'fd00:10:10:1::45', '2001:16d8:ff00:856f::66:21')),
    xid: fc.stringMatching(/^[0-9a-f]{4}$/),
    qr: fc.constantFrom<'R' | ' '>('R', ' '),
    opcode: fc.constantFrom('Q', 'N', 'U', '?'),
    flags: fc.stringMatching(/^[0-9a-f]{4}$/),
    fchars: fc.tuple(fc.constantFrom('A', ' '), fc.constantFrom('T', ' '), fc.constantFrom('D', ' '), fc.constantFrom('R', ' ')).map((t) => t.join('')),
    rcode: fc.constantFrom('NOERROR', 'NXDOMAIN', 'SERVFAIL', 'REFUSED', 'FORMERR', 'NOTIMP', 'BADCOOKIE'),
    qtype: fc.constantFrom('A', 'AAAA', 'SOA', 'CNAME', 'TKEY', '65', 'SRV', 'DNSKEY', 'NSEC3PARAM', 'TYPE65534'),
    labels: fc.array(fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/), { minLength: 0, maxLength: 5 }),
  })
  .map((r) => {
    const name = `${r.labels.map((l) => `(${l.length})${l}`).join('')}(0)`;
    const line = `${r.time} ${r.tid} PACKET  ${r.pid} ${r.proto} ${r.dir} ${r.ip.padEnd(15)} ${r.xid} ${r.qr} ${r.opcode} [${r.flags} ${r.fchars} ${r.rcode.padStart(8)}] ${r.qtype.padEnd(6)} ${name}`;
    const expected = packet({ time: r.time, proto: r.proto, dir: r.dir, ip: r.ip, xid: r.xid, qr: r.qr, opcode: r.opcode, rcode: r.rcode, qtype: r.qtype, name });
    return { line, expected };
  });

/** A copy with every run of blanks collapsed to one, as web pages and SIEMs produce (the blank QR slot disappears). */
function collapse(line: string): string {
  return line.replace(/ {2,}/g, ' ').replace(/ \[([0-9a-f]{4}) +([ATDR ]*?) *([A-Z0-9]+)\]/, (_m, h: string, fl: string, rc: string) => ` [${h} ${fl.trim()}${fl.trim() ? ' ' : ''}${rc}]`);
}

describe('parseWindowsLine: random well-formed lines (property)', () => {
  it('the padded layout gives exactly the fields it was built from', () => {
    fc.assert(
      fc.property(arbPacketLine, ({ line, expected }) => {
        assert.deepEqual(parse(line), expected, line);
      }),
      { numRuns: 2000 },
    );
  });

  it('its whitespace-collapsed copy gives the same fields', () => {
    fc.assert(
      fc.property(arbPacketLine, ({ line, expected }) => {
        const c = collapse(line);
        const want = { ...expected, time: expected.time!.replace(/ {2,}/g, ' ') };
        assert.deepEqual(parse(c), want, c);
      }),
      { numRuns: 2000 },
    );
  });

  it('a shared PacketFields, CRLF and neighbouring bytes change nothing', () => {
    const shared = new PacketFields();
    fc.assert(
      fc.property(fc.array(arbPacketLine, { minLength: 1, maxLength: 5 }), fc.uint8Array({ maxLength: 20 }), (lines, junk) => {
        for (const { line, expected } of lines) {
          assert.deepEqual(parse(`${line}\r`, Buffer.from(junk), Buffer.from(junk), shared), expected, line);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('parseWindowsLine: line ends and buffer bounds', () => {
  const samples = [
    '6/20/2017 5:36:59 AM 0E24 PACKET  0000009AC98841A0 UDP Snd ::1             2de6 R Q [8085 A DR  NOERROR] SOA    (4)file(5)local(0)',
    '06.03.2020 17:15:40 0BD4 PACKET 0000008F15AD2190 UDP Rcv 10.200.1.222 9e90 Q [0001 D NOERROR] A (4)test(5)virot(2)eu(0)',
    '2017-05-21 19:45:35 5C8 Note: got GQCS failure on a dead socket context status=995',
    '\tField #  Information         Values',
    'garbage',
  ];

  it('a trailing CR (CRLF files) changes nothing and never leaks into a field', () => {
    for (const l of samples) {
      const lf = parse(l);
      const crlf = parse(`${l}\r`);
      assert.deepEqual(crlf, lf, l);
      for (const v of Object.values(crlf)) assert.ok(!String(v).includes('\r'), `${l}: CR in ${String(v)}`);
    }
  });

  it('property: a line parses the same wherever it sits in a buffer (no byte outside [start, end) is read)', () => {
    const neighbours = fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      fc.constantFrom(' R Q [8085 A DR  NOERROR] A (1)x(0)', '   PACKET  ', ' 0E24 PACKET  1 UDP Snd ::1 1 R Q [', '\r\n', '(3)com(0)').map((s) => new Uint8Array(Buffer.from(s, 'latin1'))),
    );
    fc.assert(
      fc.property(fc.constantFrom(...samples, ...samples.map((s) => s.slice(0, 60)), ...samples.map((s) => s.slice(0, 100))), neighbours, neighbours, (line, pre, post) => {
        assert.deepEqual(parse(line, Buffer.from(pre), Buffer.from(post)), parse(line));
      }),
      { numRuns: 400 },
    );
  });

  it('property: reusing one PacketFields for a sequence of lines gives what fresh objects give (no state between lines)', () => {
    const pool = [
      ...samples,
      '2/16/2016 10:05:00 PM 0E24 PACKET  000000FCF7C261D7 UDP Rcv 10.10.1.23      ee7f   Q [0001   D   NOERROR] A      (10)fnarsipfqe(2)pw(0)',
      '12/16/2016 10:05:00 PM 0E24 PACKET  000000FCF7C261D7 UDP Rcv 10.10.1.23      ee7f   Q [0001   D   NOERROR] A      (10)fnarsipfqe(2)pw(0)',
      '2/16/2016 10:05:00 PM 0E24 PACKET  000000C81D4B4857 UDP Snd 10.10.1.23      ee7f R Q [8381   DR NXDOMAIN] A      (10)fnarsipfqe(2)pw(0)',
      '2/16/2016 10:05:00 PM 0E24 PACKET  000000C81D4B4857 UDP Snd 10.10.1.23',
      '2/16/2016 10:05:00 PM 0E24 EVENT   The DNS server has started.',
      '2/16/2016 10:05:00 PM PACKET 0E24 PACKET  000000FCF7C261D7 UDP Rcv 10.10.1.23      ee7f   Q [0001   D   NOERROR] A      (1)a(0)',
      '2/16/2016 10:05:00 PM 0E24 packet  000000FCF7C261D7 UDP Rcv 10.10.1.23      ee7f   Q [0001   D   NOERROR] A      (1)a(0)',
      '2/16/2016 10:05:00 PM 0e24 PACKET  000000FCF7C261D7 UDP Rcv 10.10.1.23      ee7f   Q [0001   D   NOERROR] A      (1)a(0)',
      '2/16/2016 10:05:00 PM 0E24 PACKET  000000FCF7C261D7 TCP Rcv fd00:10:10:1::45 ee7f   Q [0001   D   NOERROR] 65     (1)a(0)',
      '2016-02-16 22:05:00 0E24 PACKET  000000FCF7C261D7 UDP Rcv 10.10.1.23      ee7f   Q [0001   D   NOERROR] A      (1)a(0)',
      '2016-02-16 22:05:00 0E24 PACKET',
      '',
      'x 0E24 PACKET  000000FCF7C261D7 UDP Rcv 10.10.1.23      ee7f   Q [0001   D   NOERROR] A      (1)a(0)',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pool), { minLength: 1, maxLength: 12 }), (lines) => {
        const shared = new PacketFields();
        for (const l of lines) assert.deepEqual(parse(l, undefined, undefined, shared), parse(l), l);
      }),
      { numRuns: 500 },
    );
  });

  it('a line read at the previous line\'s PACKET offset is still classified by its own tokens', () => {
    // Both lines have "PACKET" at byte 25; the second has an EVENT token first, so it is an EVENT line.
    const first = '1/1/2020 1:00:00 AM 0E24 PACKET  000000C81D4B4857 UDP Snd 10.10.1.23      ee7f R Q [8381   DR NXDOMAIN] A      (1)a(0)';
    const second = '1/1/2020 1:00 EVENT 0E24 PACKET  000000C81D4B4857 UDP Snd 10.10.1.23      ee7f R Q [8381   DR NXDOMAIN] A      (1)a(0)';
    assert.equal(first.indexOf('PACKET'), second.indexOf('PACKET'));
    const fresh = parse(second);
    assert.equal(fresh.kind, 'EVENT');
    const shared = new PacketFields();
    parse(first, undefined, undefined, shared);
    assert.deepEqual(parse(second, undefined, undefined, shared), fresh);
  });
});
