/**
 * The naive baseline of the whole-process benchmark: what someone rewriting
 * the old script in Node would write first — `readline` over the file, one
 * regular expression per line, a `Set` lookup for the name and each of its
 * parent domains. Single-threaded, strings for every line.
 *
 *     node dist/bench/naive-baseline.js --indicators NAMES.txt dns.log
 *
 * NAMES.txt holds dotted lower-case domains, one a line (the harness writes the
 * same set dnshunt uses, DGA names included). Prints
 * `{"clients":[{"client","indicators":[…]}]}` sorted, like the expected answer.
 * It does not strip search suffixes (`evil.pw.corp.local` is missed): that is
 * part of what "naive" means, and the harness reports it.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** Client question lines: `… PACKET  <id> UDP|TCP Rcv <ip> <xid>   Q [flags] <type> <name>`. */
const CLIENT_QUERY = /^.+? PACKET  [0-9A-F]+ (?:UDP|TCP) Rcv (\S+) +[0-9a-f]{4}   Q \[[^\]]*\] \S+ +(\S+)\s*$/;
const LENGTH_PREFIX = /\(\d+\)/g;

function usage(): never {
  process.stderr.write('usage: naive-baseline --indicators FILE LOG\n');
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  const i = argv.indexOf('--indicators');
  const indicatorsFile = i >= 0 ? argv[i + 1] : undefined;
  const log = argv.filter((_, k) => k !== i && k !== i + 1)[0];
  if (indicatorsFile === undefined || log === undefined) usage();
  const indicators = new Set(readFileSync(indicatorsFile, 'utf8').split(/\r?\n/).filter((l) => l.length > 0 && !l.startsWith('#')));
  const found = new Map<string, Set<string>>();
  const rl = createInterface({ input: createReadStream(log, { encoding: 'latin1' }), crlfDelay: Infinity });
  for await (const line of rl) {
    if (line.length === 0) continue;
    const m = CLIENT_QUERY.exec(line);
    if (m === null) continue;
    // (3)www(6)google(3)com(0) → .www.google.com. → www.google.com
    const name = m[2]!.replace(LENGTH_PREFIX, '.').slice(1, -1).toLowerCase();
    for (let at = -1; ; ) {
      const candidate = name.slice(at + 1);
      if (indicators.has(candidate)) {
        let set = found.get(m[1]!);
        if (set === undefined) found.set(m[1]!, (set = new Set()));
        set.add(candidate);
        break;
      }
      at = name.indexOf('.', at + 1);
      if (at < 0) break;
    }
  }
  const clients = [...found].map(([client, set]) => ({ client, indicators: [...set].sort() })).sort((a, b) => (a.client < b.client ? -1 : a.client > b.client ? 1 : 0));
  process.stdout.write(`${JSON.stringify({ clients })}\n`);
}

await main(process.argv.slice(2));
