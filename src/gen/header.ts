/**
 * The header block the DNS service writes at the top of `dns.log` (and again
 * after a wrap), and the EVENT / Note lines it writes between packets —
 * text exactly as in the format doc §2, §3 and §8, CRLF line ends.
 */

/** Line end of the real file (format doc §11). */
export const CRLF = '\r\n';

/** The field table after `Message logging key`, one entry per line, each starting with a TAB. */
const KEY_TABLE: readonly string[] = [
  'Field #  Information         Values',
  '-------  -----------         ------',
  '   1     Date',
  '   2     Time',
  '   3     Thread ID',
  '   4     Context',
  '   5     Internal packet identifier',
  '   6     UDP/TCP indicator',
  '   7     Send/Receive indicator',
  '   8     Remote IP',
  '   9     Xid (hex)',
  '  10     Query/Response      R = Response',
  '                             blank = Query',
  '  11     Opcode              Q = Standard Query',
  '                             N = Notify',
  '                             U = Update',
  '                             ? = Unknown',
  '  12     [ Flags (hex)',
  '  13     Flags (char codes)  A = Authoritative Answer',
  '                             T = Truncated Response',
  '                             D = Recursion Desired',
  '                             R = Recursion Available',
  '  14     ResponseCode ]',
  '  15     Question Type',
  '  16     Question Name',
];

/** Number of TAB-indented lines in the key table (the parser checklist counts 25). */
export const KEY_TABLE_LINES = KEY_TABLE.length;

/**
 * The header block: creation line, the `Log file wrap at` line when `wrapped`,
 * an empty line, the key, the TAB table and a closing empty line.
 * `timeText` is the locale-formatted date and time (both lines carry the same one).
 */
export function headerBlock(timeText: string, wrapped: boolean): string {
  let s = `DNS Server log file creation at ${timeText}${CRLF}`;
  if (wrapped) s += `Log file wrap at ${timeText}${CRLF}`;
  s += CRLF;
  s += `Message logging key (for packets - other items use a subset of these fields):${CRLF}`;
  for (const row of KEY_TABLE) s += `\t${row}${CRLF}`;
  s += CRLF;
  return s;
}

/** EVENT text written right after the first header (service start). */
export const EVENT_STARTED = 'The DNS server has started.';

/** EVENT texts that recur during a run (service messages seen in real logs); `zone` is the AD zone the server hosts. */
export function eventTexts(zone: string): string[] {
  return [
    'The DNS server has finished the background loading and signing of zones. All zones are now available for DNS updates and zone transfers, as allowed by their individual zone configuration.',
    `The DNS server wrote version 112 of zone ${zone} to file ${zone}.dns.`,
    'The DNS server is waiting for Active Directory Domain Services (AD DS) to signal that the initial synchronization of the directory has been completed. The DNS server service cannot start until the initial synchronization is complete because critical DNS data might not yet be replicated onto this domain controller. If events in the AD DS event log indicate that there is a problem with DNS name resolution, consider adding the IP address of another DNS server for this domain to the DNS server list in the Internet Protocol properties of this computer. This event will be logged every two minutes until AD DS has signaled that the initial synchronization has successfully completed.',
  ];
}

/** Note texts (written with an unpadded 3-digit thread id, format doc §8). */
export const NOTE_TEXTS: readonly string[] = [
  'got GQCS failure on a dead socket context status=995, socket=500, pcon=00000020F4B18390, state=-1, IP=0.0.0.0',
  'got GQCS failure on a dead socket context status=995, socket=612, pcon=00000020F4B18490, state=-1, IP=::',
];

/** `<time> <tid> EVENT   <text>` — context `EVENT` padded to 7 columns plus one space; no blank line follows. */
export function eventLine(timeText: string, threadId: string, text: string): string {
  return `${timeText} ${threadId} EVENT   ${text}${CRLF}`;
}

/** `<time> <tid3> Note: <text>` — 3-digit thread id, single spaces. */
export function noteLine(timeText: string, threadId3: string, text: string): string {
  return `${timeText} ${threadId3} Note: ${text}${CRLF}`;
}
