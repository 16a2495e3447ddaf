/**
 * Match one decoded query name against the compiled image, including search
 * suffix stripping. Attempts, in order, stop at the first hit:
 *
 *   1. the name as logged                           x.evil.pw
 *   2. minus the longest configured suffix          x.evil.pw.corp.example.com  (--suffix corp.example.com)
 *   3. minus trailing labels that are not public     x.evil.pw.corp.local        (corp, local: not public)
 *      suffixes per the Public Suffix List, one
 *      at a time, shortest strip first, stopping
 *      at the first public label
 *
 * `evil.pw.com` never matches `evil.pw`: `com` is public, so nothing is stripped.
 */
import type { CompiledMatcher } from './compiled-matcher.js';
import { PublicLabelMemo } from './public-suffix.js';

/** Result slots of the last `match` call (reused object, no allocation per query). */
export class NameMatch {
  /** Indicator id, or -1. */
  id = -1;
  /** Number of trailing labels stripped before the match (0 when matched as logged). */
  stripped = 0;
}

/** Matches decoded names; one instance per thread (it owns a public-suffix memo). */
export class NameMatcher {
  readonly image: CompiledMatcher;
  readonly stripPrivateSuffixes: boolean;
  private readonly memo = new PublicLabelMemo();

  /** `stripPrivateSuffixes` enables attempt 3 (on by default in the CLI). */
  constructor(image: CompiledMatcher, stripPrivateSuffixes: boolean) {
    this.image = image;
    this.stripPrivateSuffixes = stripPrivateSuffixes;
  }

  /** Match the `count` labels in `labels` (boundaries into `buf`); fills and returns `out`. */
  match(buf: Uint8Array, labels: Int32Array, count: number, out: NameMatch): NameMatch {
    out.id = -1;
    out.stripped = 0;
    if (count <= 0) return out;
    const image = this.image;
    let last = count - 1;
    let id = image.matchLabels(buf, labels, last);
    if (id >= 0) {
      out.id = id;
      return out;
    }
    const configured = image.suffixLabels(buf, labels, last);
    if (configured > 0 && configured < count) {
      last -= configured;
      id = image.matchLabels(buf, labels, last);
      if (id >= 0) {
        out.id = id;
        out.stripped = configured;
        return out;
      }
    }
    if (!this.stripPrivateSuffixes) return out;
    // Strip one non-public trailing label at a time, shortest strip first (the
    // indicator may itself end in a label the PSL does not list: `foo.bit`), and
    // stop at a public label: `evil.pw.com.corp.local` is a lookup of
    // `evil.pw.com`, not of `evil.pw`. A suffix with a public-looking label
    // inside (`ad.contoso.local`: `ad` is Andorra) must be configured or learned.
    for (let end = last; end > 0; end--) {
      if (this.memo.isPublic(buf, labels[end * 2]!, labels[end * 2 + 1]!)) break;
      id = image.matchLabels(buf, labels, end - 1);
      if (id >= 0) {
        out.id = id;
        out.stripped = count - end;
        return out;
      }
    }
    return out;
  }
}
