/**
 * The sample-log generator: a realistic Windows DNS debug log with planted
 * infected clients, their user feed and the expected scan answer.
 *
 * Pure and deterministic: everything derives from `seed` through the
 * generator's own PRNG; no clock, no I/O. The caller owns the buffers:
 * `fill(buf)` writes whole records into `buf` and returns how many bytes it
 * used (0 when the log is complete), so writing to a file with back-pressure,
 * double buffering or hashing in memory are all the caller's choice and
 * memory stays flat whatever the size.
 */
import { DnshuntError, ErrorCode } from '../core/index.js';
import { addDays, lockyDomain } from '../dga/index.js';
import { loadBuiltinIndicators, normalizeIndicator } from '../ioc/index.js';
import type { Indicator } from '../ioc/index.js';
import { feedDomains, feedText } from './feed.js';
import { EVENT_STARTED, NOTE_TEXTS, eventLine, eventTexts, headerBlock, noteLine } from './header.js';
import { buildNetwork } from './hosts.js';
import type { Host, Network } from './hosts.js';
import { LogClock, civilDateOf, isoLocal } from './log-time.js';
import type { GenLocale } from './log-time.js';
import { buildNamePool, qtypeColumn } from './names.js';
import type { PoolName } from './names.js';
import { FAR_DGA_OFFSET_DAYS, buildPlan, decoyName } from './plan.js';
import type { DecoyEvent, Plan, PlantEvent } from './plan.js';
import { Prng } from './prng.js';
import { MIDDLE, RCV, RecordWriter, SAFETY_MARGIN_BYTES, SND, TCP, UDP } from './record-writer.js';
import { IndicatorUniverse } from './universe.js';
import { toWire } from './wire.js';
import type { ExpectedAnswer, PlantedQuery, DecoyQuery } from './expected.js';
import { sortExpectedClients } from './expected.js';

/** Bump when the bytes produced for a given seed change: cached benchmark inputs are regenerated. */
export const GENERATOR_VERSION = 2;

/** What to generate. */
export interface GenOptions {
  /** Target size in bytes; the log ends at the first record boundary at or past it. */
  readonly size: number;
  readonly seed: number;
  readonly locale: GenLocale;
  /** Infected clients to plant (0 gives a clean log). */
  readonly infected: number;
  /** Civil milliseconds of the first line (see `parseStart`). */
  readonly startMs: number;
  /** Indicators in the user feed. */
  readonly iocs: number;
  /** Client queries per second, on average (default `DEFAULT_QPS`). */
  readonly qps?: number;
  /** A `Log file wrap at` header is written each time this many more bytes are out (default `DEFAULT_WRAP_EVERY_BYTES`). */
  readonly wrapEveryBytes?: number;
  /** The bundled indicators (default: `loadBuiltinIndicators()`). */
  readonly builtin?: readonly Indicator[];
}

/** A small office: seven client queries a second (1 GB ≈ four days of log). */
export const DEFAULT_QPS = 7;
/** Big logs get a wrap header every 200 MB (the service's default cap is 500 MB). */
export const DEFAULT_WRAP_EVERY_BYTES = 200_000_000;
/** Smallest buffer `fill` accepts. */
export const MIN_FILL_BYTES = 2 * SAFETY_MARGIN_BYTES;
/** Distinct background (name, type) pairs. */
const POOL_SIZE = 16_000;
/** Popularity skews (see `Prng.skewed`). */
const NAME_SKEW = 3;
const CLIENT_SKEW = 2;
/** Shares of exchanges and answers. */
const LOOPBACK_SHARE = 0.12;
const TCP_SHARE = 0.02;
const UPDATE_SHARE = 0.02;
const TKEY_SHARE = 0.003;
const CACHED_SHARE = 0.55;
const RETRY_SHARE = 0.01;
const DROPPED_SHARE = 0.003;
const SERVFAIL_SHARE = 0.004;
const MIXED_CASE_DRAW = 0.3;
/** One EVENT / Note line per this many exchanges, on average. */
const EVENT_EVERY = 40_000;
const NOTE_EVERY = 250_000;
/** Forwarder round trip, milliseconds. */
const MIN_RTT_MS = 4;
const MAX_RTT_MS = 90;
const PACKET_ID_POOL = 4096;
const MS_PER_DAY = 86_400_000;
/**
 * AD zones the server is authoritative for; one per log. Every label is a
 * private (non-ICANN) one, so the scanner's "strip trailing non-public labels"
 * rule removes the whole search suffix. (A zone such as `ad.contoso.local`
 * would stop that rule at `ad` — Andorra's TLD — and needs `scan --suffix`.)
 */
const ZONES: readonly string[] = ['corp.local', 'contoso.local', 'hq.fabrikam.lan'];
const QTYPE_A = qtypeColumn('A');
const QTYPE_SOA = qtypeColumn('SOA');
const QTYPE_TKEY = qtypeColumn('TKEY');

function hexUpper(rng: Prng, digits: number): string {
  return rng.hex(digits).toUpperCase();
}

/** Generates one log; see the module comment for the buffer contract. */
export class LogGenerator {
  /** The user feed's domains, in file order. */
  readonly feed: readonly string[];
  /** The AD zone (also the clients' search suffix). */
  readonly zone: string;
  readonly network: Network;
  private readonly opts: Required<Omit<GenOptions, 'builtin'>>;
  private readonly rng: Prng;
  private readonly universe: IndicatorUniverse;
  private readonly pool: PoolName[];
  private readonly disabled: Uint8Array;
  private readonly plan: Plan;
  private readonly clock: LogClock;
  private readonly w = new RecordWriter();
  private readonly tids: Buffer[];
  /** The zone's wire name (dynamic updates) and its EVENT texts, made once. */
  private readonly zoneWire: Buffer;
  private readonly events: string[];
  private readonly pids: Buffer[];
  private readonly expectedByClient = new Map<string, Set<string>>();
  private readonly planted: PlantedQuery[] = [];
  private readonly decoys: DecoyQuery[] = [];
  private written = 0;
  private started = false;
  private finished = false;
  private nextEvent = 0;
  private nextWrapAt: number;
  private nextMidnightMs: number;

  constructor(options: GenOptions) {
    const o = { qps: DEFAULT_QPS, wrapEveryBytes: DEFAULT_WRAP_EVERY_BYTES, ...options };
    for (const [k, v] of [['size', o.size], ['infected', o.infected], ['iocs', o.iocs]] as const) {
      if (!Number.isSafeInteger(v) || v < 0) throw new DnshuntError(ErrorCode.USAGE, `invalid ${k} ${String(v)}: expected a whole number ≥ 0`);
    }
    if (!(o.qps > 0) || !(o.wrapEveryBytes > 0)) throw new DnshuntError(ErrorCode.USAGE, 'qps and wrap interval must be positive');
    this.opts = { size: o.size, seed: o.seed >>> 0, locale: o.locale, infected: o.infected, startMs: o.startMs, iocs: o.iocs, qps: o.qps, wrapEveryBytes: o.wrapEveryBytes };
    const root = new Prng(this.opts.seed);
    // Independent streams per part, so changing one part's draws does not reshuffle the others.
    const netRng = root.fork(1);
    const feedRng = root.fork(2);
    const poolRng = root.fork(3);
    const planRng = root.fork(4);
    this.rng = root.fork(5);
    this.zone = netRng.pick(ZONES);
    this.zoneWire = Buffer.from(toWire(this.zone), 'latin1');
    this.events = eventTexts(this.zone);
    this.network = buildNetwork(netRng);
    this.tids = Array.from({ length: 4 }, () => Buffer.from(((netRng.range(0x400, 0x1fff) & ~3) >>> 0).toString(16).toUpperCase().padStart(4, '0'), 'latin1'));
    const heap = `0000${hexUpper(netRng, 4)}`;
    this.pids = Array.from({ length: PACKET_ID_POOL }, () => Buffer.from(`${heap}${hexUpper(netRng, 7)}0`, 'latin1'));

    const builtin = (options.builtin ?? loadBuiltinIndicators()).filter((i) => i.kind === 'domain').map((i) => i.value);
    this.universe = new IndicatorUniverse(builtin);
    const startDate = civilDateOf(this.opts.startMs);
    this.universe.cover(startDate);
    const feed = feedDomains(feedRng, this.opts.iocs, (d) => {
      const n = normalizeIndicator(d);
      return n.ok && n.value === d && this.universe.resolve(d) === null && this.universe.resolve(`x.${d}`) === null;
    });
    for (const d of feed) this.universe.addStatic(d);
    this.feed = feed;
    // Which feed entries infected clients may query: a few, spread over the file.
    const plantable = feedRng.shuffle(feed.slice()).slice(0, Math.min(feed.length, 6));

    const v6 = this.network.clients.filter((h) => h.ipv6).map((h) => h.ip);
    this.pool = buildNamePool(poolRng, POOL_SIZE, this.zone, this.network.ipv4Prefix, v6, (d) => this.universe.resolve(d) !== null);
    this.disabled = new Uint8Array(this.pool.length);
    this.plan = buildPlan(planRng, { infected: this.opts.infected, targetBytes: this.opts.size, zone: this.zone, network: this.network, builtinDomains: builtin, plantableFeed: plantable, universe: this.universe });
    this.clock = new LogClock(this.opts.locale, this.opts.startMs);
    this.nextWrapAt = this.opts.wrapEveryBytes;
    this.nextMidnightMs = (Math.floor(this.opts.startMs / MS_PER_DAY) + 1) * MS_PER_DAY;
  }

  /** The feed file's text (`FILE.ioc.txt`). */
  feedText(): string {
    return feedText(this.feed, this.opts.seed);
  }

  /** True once every byte has been handed out. */
  get done(): boolean {
    return this.finished;
  }

  /** Bytes handed out so far. */
  get bytes(): number {
    return this.written;
  }

  /**
   * Write the next whole records into `buf` (at least `MIN_FILL_BYTES` long) and
   * return the byte count, 0 once the log is complete. `buf` may be reused for
   * the next call as soon as the caller is done with its content.
   */
  fill(buf: Buffer): number {
    if (buf.length < MIN_FILL_BYTES) throw new DnshuntError(ErrorCode.INTERNAL, `fill buffer of ${buf.length} bytes is below ${MIN_FILL_BYTES}`);
    if (this.finished) return 0;
    const w = this.w;
    w.reset(buf);
    const limit = buf.length - SAFETY_MARGIN_BYTES;
    if (!this.started) {
      this.started = true;
      w.text(headerBlock(this.clock.text.toString('latin1'), false));
      w.text(eventLine(this.clock.text.toString('latin1'), this.tids[0]!.toString('latin1'), EVENT_STARTED));
    }
    const events = this.plan.events;
    while (w.pos < limit) {
      const at = this.written + w.pos;
      if (at >= this.nextWrapAt) {
        this.nextWrapAt += this.opts.wrapEveryBytes;
        w.text(headerBlock(this.clock.text.toString('latin1'), true));
      } else if (this.nextEvent < events.length && (at >= events[this.nextEvent]!.at || at >= this.opts.size)) {
        const e = events[this.nextEvent++]!;
        if (e.decoy) this.writeDecoy(e);
        else this.writePlant(e);
      } else if (at >= this.opts.size) {
        this.finished = true;
        break;
      } else {
        this.background();
      }
    }
    this.written += w.pos;
    return w.pos;
  }

  /** The expected scan answer; valid once `done`. `iocFile` is recorded as given (a name relative to the log's folder). */
  expected(iocFile: string): ExpectedAnswer {
    if (!this.finished) throw new DnshuntError(ErrorCode.INTERNAL, 'expected() called before the log was complete');
    const clients = sortExpectedClients([...this.expectedByClient].map(([client, set]) => ({ client, indicators: [...set] })));
    return {
      clients,
      iocFile,
      seed: this.opts.seed,
      locale: this.opts.locale,
      from: isoLocal(this.opts.startMs),
      to: isoLocal(this.clock.ms),
      bytes: this.written,
      generator: GENERATOR_VERSION,
      zone: this.zone,
      forwarders: this.network.forwarders.map((h) => h.ip),
      infected: this.plan.infected.length,
      planted: this.planted,
      decoys: this.decoys,
    };
  }

  // ---- time ------------------------------------------------------------------

  private tick(ms: number): void {
    this.clock.advance(ms);
    if (this.clock.ms >= this.nextMidnightMs) {
      this.nextMidnightMs = (Math.floor(this.clock.ms / MS_PER_DAY) + 1) * MS_PER_DAY;
      const added = this.universe.cover(civilDateOf(this.clock.ms));
      // New DGA names came into range: retire any background name that would now match one.
      if (added.length > 0) for (let i = 0; i < this.pool.length; i++) if (this.universe.resolve(this.pool[i]!.dotted) !== null) this.disabled[i] = 1;
    }
  }

  private gap(): number {
    // Exponential inter-arrival times: a Poisson stream of client queries.
    return -Math.log(1 - this.rng.float()) * (1000 / this.opts.qps);
  }

  // ---- records ---------------------------------------------------------------

  private pid(): Buffer {
    return this.pids[this.rng.int(PACKET_ID_POOL)]!;
  }

  private tid(): Buffer {
    return this.tids[this.rng.int(this.tids.length)]!;
  }

  /**
   * One client question and everything the server logs for it. `local` names
   * are answered from the server's own zone; the others are sometimes served
   * from cache and otherwise forwarded (Snd/Rcv to the forwarder with a new xid).
   */
  private exchange(client: Host, tcp: boolean, qtype: Buffer, name: Buffer, local: boolean, nx: boolean, cached: boolean, forwardedName: Buffer): void {
    const w = this.w;
    const rng = this.rng;
    const proto = tcp ? TCP : UDP;
    const pid = this.pid();
    const tid = this.tid();
    const xid = rng.next() & 0xffff;
    w.packet(this.clock.text, tid, pid, proto + RCV, client.field, xid, MIDDLE.query, qtype, name);
    if (rng.chance(RETRY_SHARE)) {
      this.tick(rng.range(200, 1000));
      w.packet(this.clock.text, tid, this.pid(), proto + RCV, client.field, xid, MIDDLE.query, qtype, name);
    }
    if (rng.chance(DROPPED_SHARE)) return;
    let answer = nx ? MIDDLE.nx : MIDDLE.ok;
    if (local) answer = nx ? MIDDLE.authNx : MIDDLE.authOk;
    else if (!cached) {
      const fw = rng.pick(this.network.forwarders);
      const fpid = this.pid();
      const fxid = rng.next() & 0xffff;
      w.packet(this.clock.text, tid, fpid, UDP + SND, fw.field, fxid, MIDDLE.query, qtype, forwardedName);
      this.tick(rng.range(MIN_RTT_MS, MAX_RTT_MS));
      if (rng.chance(SERVFAIL_SHARE)) answer = MIDDLE.servfail;
      w.packet(this.clock.text, this.tid(), fpid, UDP + RCV, fw.field, fxid, answer, qtype, forwardedName);
    }
    w.packet(this.clock.text, tid, pid, proto + SND, client.field, xid, answer, qtype, name);
  }

  private background(): void {
    const rng = this.rng;
    this.tick(this.gap());
    const net = this.network;
    const client = rng.chance(LOOPBACK_SHARE) ? rng.pick(net.loopback) : net.clients[rng.skewed(net.clients.length, CLIENT_SKEW)]!;
    const r = rng.float();
    if (r < UPDATE_SHARE) {
      // Dynamic update of the client's own record: opcode U on the zone's SOA, not a lookup.
      const zoneWire = this.zoneWire;
      const xid = rng.next() & 0xffff;
      const pid = this.pid();
      this.w.packet(this.clock.text, this.tid(), pid, UDP + RCV, client.field, xid, MIDDLE.update, QTYPE_SOA, zoneWire);
      this.w.packet(this.clock.text, this.tid(), pid, UDP + SND, client.field, xid, rng.chance(0.9) ? MIDDLE.updateOk : MIDDLE.updateRefused, QTYPE_SOA, zoneWire);
    } else if (r < UPDATE_SHARE + TKEY_SHARE) {
      // GSS-TSIG negotiation before a secure update: a TCP "query" whose name is a one-off token.
      const name = Buffer.from(toWire(`${rng.range(100, 999)}-ms-7.${rng.range(1, 9)}-${rng.hex(5)}.${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`), 'latin1');
      const xid = rng.next() & 0xffff;
      const pid = this.pid();
      this.w.packet(this.clock.text, this.tid(), pid, TCP + RCV, client.field, xid, MIDDLE.tkey, QTYPE_TKEY, name);
      this.w.packet(this.clock.text, this.tid(), pid, TCP + SND, client.field, xid, MIDDLE.tkeyOk, QTYPE_TKEY, name);
    } else {
      let i = rng.skewed(this.pool.length, NAME_SKEW);
      while (this.disabled[i] === 1) i = (i + 1) % this.pool.length;
      const e = this.pool[i]!;
      const name = e.wireMixed !== null && rng.chance(MIXED_CASE_DRAW) ? e.wireMixed : e.wire;
      this.exchange(client, rng.chance(TCP_SHARE), e.qtype, name, e.local, e.nx, rng.chance(CACHED_SHARE), name);
    }
    if (rng.int(EVENT_EVERY) === 0) this.w.text(eventLine(this.clock.text.toString('latin1'), this.tids[0]!.toString('latin1'), rng.pick(this.events)));
    if (rng.int(NOTE_EVERY) === 0) this.w.text(noteLine(this.clock.text.toString('latin1'), this.tids[1]!.toString('latin1').slice(1), rng.pick(NOTE_TEXTS)));
  }

  private writePlant(e: PlantEvent): void {
    const rng = this.rng;
    this.tick(this.gap());
    const date = civilDateOf(this.clock.ms);
    const bases = e.dga === null ? [e.indicator!] : Array.from({ length: e.dgaCount }, (_, i) => lockyDomain(e.dga!.variant, e.dga!.seed, date, i));
    bases.forEach((base, k) => {
      let queried = `${e.sub === null ? '' : `${e.sub}.`}${base}${e.suffix ? `.${this.zone}` : ''}`;
      if (e.upper) queried = queried.toUpperCase();
      const indicator = this.universe.resolve(queried);
      if (indicator === null) throw new DnshuntError(ErrorCode.INTERNAL, `planted query ${queried} would not be reported`);
      let set = this.expectedByClient.get(e.client.ip);
      if (set === undefined) this.expectedByClient.set(e.client.ip, (set = new Set()));
      set.add(indicator);
      const kind = e.dga === null ? e.kind : `locky-${e.dga.variant}${e.dga.seed === null ? '' : ` seed=${e.dga.seed}`}`;
      this.planted.push({ time: isoLocal(this.clock.ms), client: e.client.ip, protocol: e.tcp ? 'TCP' : 'UDP', queried, indicator, kind });
      const wire = Buffer.from(toWire(queried), 'latin1');
      // Locky tries its names in order until one answers: all but maybe the last are NXDOMAIN.
      const nx = e.dga !== null && (k < bases.length - 1 || rng.chance(0.7));
      this.exchange(e.client, e.tcp, QTYPE_A, wire, e.suffix, nx || e.suffix, false, wire);
      this.tick(rng.range(20, 400));
    });
  }

  private writeDecoy(e: DecoyEvent): void {
    this.tick(this.gap());
    const date = civilDateOf(this.clock.ms);
    const base = e.dga === null ? e.base! : lockyDomain(e.dga.variant, e.dga.seed, e.kind === 'far-dga' ? addDays(date, FAR_DGA_OFFSET_DAYS) : date, 0);
    const queried = decoyName(this.rng, e.kind, base, this.zone);
    // A decoy that happens to be an indicator would be a true positive, not a decoy: skip it.
    if (this.universe.resolve(queried) !== null) return;
    this.decoys.push({ time: isoLocal(this.clock.ms), client: e.client.ip, queried, kind: e.kind });
    const wire = Buffer.from(toWire(queried), 'latin1');
    this.exchange(e.client, false, QTYPE_A, wire, e.kind === 'public-suffix-search', true, false, wire);
  }
}
