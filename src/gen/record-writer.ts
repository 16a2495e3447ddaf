/**
 * Writes log records straight into a byte buffer: no per-line string is
 * built. A PACKET line is assembled from pre-rendered pieces (the cached time
 * text, the padded IP column, the 26-byte QR/opcode/flags block, the padded
 * type column, the wire name) plus a 4-digit xid written digit by digit:
 *
 *   <time> <tid> PACKET  <packet id 16> <UDP|TCP> <Snd|Rcv> <ip col><xid> <R| > <op> [<flags 20>] <type 7><name>CRLF CRLF
 *               └────── " PACKET  " ─┘  └──── proto/dir 8 ───┘          └──────── middle 26 ────────┘
 *
 * The caller guarantees room: it stops filling `SAFETY_MARGIN_BYTES` before
 * the end of the buffer, and no single step writes more than that.
 */
import { CR, LF, SPACE } from '../core/index.js';

/** Room kept free at the end of a fill buffer; larger than anything one generator step writes. */
export const SAFETY_MARGIN_BYTES = 32 * 1024;

/** `" PACKET  "` — the space after the thread id, the context padded to 7, one space. */
const PACKET_CONTEXT = Buffer.from(' PACKET  ', 'latin1');
/** Pieces shorter than this are copied byte by byte: cheaper than `TypedArray.set` for tiny arrays. */
const SMALL_COPY_BYTES = 24;
const HEX_LOWER = Buffer.from('0123456789abcdef', 'latin1');

/** Protocol + direction columns, e.g. `UDP Rcv `, indexed by `proto * 2 + dir`. */
export const PROTO_DIR: readonly Buffer[] = ['UDP Snd ', 'UDP Rcv ', 'TCP Snd ', 'TCP Rcv '].map((s) => Buffer.from(s, 'latin1'));
/** Index offsets into `PROTO_DIR`. */
export const UDP = 0;
export const TCP = 2;
export const SND = 0;
export const RCV = 1;

/**
 * The 26 bytes after the xid: QR slot, opcode, the 20-byte flags block, one space.
 * `flagsHex` is the byte-swapped flags word (format doc §4.3), `chars` the four
 * A/T/D/R slots, `rcode` right-aligned in 8 columns.
 */
export function middle(response: boolean, opcode: string, flagsHex: string, chars: string, rcode: string): Buffer {
  const s = ` ${response ? 'R' : ' '} ${opcode} [${flagsHex} ${chars} ${rcode.padStart(8, ' ')}] `;
  return Buffer.from(s, 'latin1');
}

/** The flag blocks a DNS server writes for the exchanges generated here. */
export const MIDDLE = {
  /** Client query with RD (also what the server forwards upstream). */
  query: middle(false, 'Q', '0001', '  D ', 'NOERROR'),
  /** Recursive answer (forwarder's, or ours to the client). */
  ok: middle(true, 'Q', '8081', '  DR', 'NOERROR'),
  nx: middle(true, 'Q', '8381', '  DR', 'NXDOMAIN'),
  servfail: middle(true, 'Q', '8281', '  DR', 'SERVFAIL'),
  /** Authoritative answer from the server's own zone. */
  authOk: middle(true, 'Q', '8085', 'A DR', 'NOERROR'),
  authNx: middle(true, 'Q', '8385', 'A DR', 'NXDOMAIN'),
  /** Dynamic update and its answers. */
  update: middle(false, 'U', '0028', '    ', 'NOERROR'),
  updateOk: middle(true, 'U', '00a8', '    ', 'NOERROR'),
  updateRefused: middle(true, 'U', '05a8', '    ', 'REFUSED'),
  /** GSS-TSIG TKEY negotiation over TCP. */
  tkey: middle(false, 'Q', '0000', '    ', 'NOERROR'),
  tkeyOk: middle(true, 'Q', '0080', '    ', 'NOERROR'),
} as const;

/** A growing window into a caller-owned buffer. */
export class RecordWriter {
  buf: Buffer;
  pos: number;

  constructor() {
    this.buf = Buffer.alloc(0);
    this.pos = 0;
  }

  /** Start writing into `buf` at offset 0. */
  reset(buf: Buffer): void {
    this.buf = buf;
    this.pos = 0;
  }

  /** Append `src` whole. */
  put(src: Uint8Array): void {
    const n = src.length;
    const buf = this.buf;
    let p = this.pos;
    if (n < SMALL_COPY_BYTES) {
      for (let i = 0; i < n; i++) buf[p++] = src[i]!;
    } else {
      buf.set(src, p);
      p += n;
    }
    this.pos = p;
  }

  /** Append latin1 text (headers, EVENT lines: rare, so a string is fine). */
  text(s: string): void {
    this.pos += this.buf.write(s, this.pos, 'latin1');
  }

  /** One PACKET line followed by the blank line the 2012+ server writes after it. */
  packet(time: Buffer, tid: Buffer, pid: Buffer, protoDir: number, ipField: Buffer, xid: number, mid: Buffer, qtype: Buffer, name: Buffer): void {
    this.put(time);
    this.buf[this.pos++] = SPACE;
    this.put(tid);
    this.put(PACKET_CONTEXT);
    this.put(pid);
    this.buf[this.pos++] = SPACE;
    this.put(PROTO_DIR[protoDir]!);
    this.put(ipField);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = HEX_LOWER[(xid >>> 12) & 15]!;
    buf[p++] = HEX_LOWER[(xid >>> 8) & 15]!;
    buf[p++] = HEX_LOWER[(xid >>> 4) & 15]!;
    buf[p++] = HEX_LOWER[xid & 15]!;
    this.pos = p;
    this.put(mid);
    this.put(qtype);
    this.put(name);
    p = this.pos;
    buf[p++] = CR;
    buf[p++] = LF;
    buf[p++] = CR;
    buf[p++] = LF;
    this.pos = p;
  }
}
