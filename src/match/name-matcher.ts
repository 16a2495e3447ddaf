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
import { INDICATOR_ROOT, SUFFIX_ROOT, type CompiledMatcher } from './compiled-matcher.js';
import { LabelTable } from './label-table.js';
import { PublicLabelMemo, isPublicLabelBytes } from './public-suffix.js';

/** Distinct last labels remembered per thread (half the slots); a log holds a few hundred. */
const TOP_SLOTS = 4096;
const TOP_POOL_BYTES = 64 * 1024;

/** Result slots of the last `match` call (reused object, no allocation per query). */
export class NameMatch {
  /** Indicator id, or -1. */
  id = -1;
  /** Number of trailing labels stripped before the match (0 when matched as logged). */
  stripped = 0;
}

/** Matches decoded names; one instance per thread (it owns its memos). */
export class NameMatcher {
  readonly image: CompiledMatcher;
  readonly stripPrivateSuffixes: boolean;
  private readonly memo = new PublicLabelMemo();
  /**
   * Everything the first step of a match needs about a last label (`com`,
   * `local`), remembered by its bytes: its node under the indicator root and
   * under the search-suffix root (or -1), and whether it is public. Nearly every
   * query ends in one of a few labels, so most matches start one label down.
   */
  private readonly top = new LabelTable(TOP_SLOTS, TOP_POOL_BYTES);
  private readonly topIndicator = new Int32Array(TOP_SLOTS);
  private readonly topSuffix = new Int32Array(TOP_SLOTS);
  private readonly topPublic = new Uint8Array(TOP_SLOTS);
  // the answer of the last `lookUpTop` (fields, so no object is made)
  private topIndicatorNode = -1;
  private topSuffixNode = -1;
  private topIsPublic = false;

  /** `stripPrivateSuffixes` enables attempt 3 (on by default in the CLI). */
  constructor(image: CompiledMatcher, stripPrivateSuffixes: boolean) {
    this.image = image;
    this.stripPrivateSuffixes = stripPrivateSuffixes;
  }

  /** Fill the `top*` fields for the last label `buf[start, end)`. */
  private lookUpTop(buf: Uint8Array, start: number, end: number): void {
    const slot = this.top.find(buf, start, end);
    if (slot >= 0) {
      this.topIndicatorNode = this.topIndicator[slot]!;
      this.topSuffixNode = this.topSuffix[slot]!;
      this.topIsPublic = this.topPublic[slot] === 1;
      return;
    }
    const image = this.image;
    this.topIndicatorNode = image.child(INDICATOR_ROOT, buf, start, end);
    this.topSuffixNode = image.child(SUFFIX_ROOT, buf, start, end);
    // only stripping asks (the Public Suffix List lookup makes a string: once per label)
    this.topIsPublic = this.stripPrivateSuffixes && isPublicLabelBytes(buf, start, end);
    const stored = this.top.insert(buf, start, end, slot);
    if (stored >= 0) {
      this.topIndicator[stored] = this.topIndicatorNode;
      this.topSuffix[stored] = this.topSuffixNode;
      this.topPublic[stored] = this.topIsPublic ? 1 : 0;
    }
  }

  /** Match the `count` labels in `labels` (boundaries into `buf`); fills and returns `out`. */
  match(buf: Uint8Array, labels: Int32Array, count: number, out: NameMatch): NameMatch {
    out.id = -1;
    out.stripped = 0;
    if (count <= 0) return out;
    const image = this.image;
    let last = count - 1;
    this.lookUpTop(buf, labels[last * 2]!, labels[last * 2 + 1]!);
    const top = this.topIndicatorNode;
    let id = top < 0 ? -1 : image.matchBelow(top, image.terminal[top]!, buf, labels, last - 1);
    if (id >= 0) {
      out.id = id;
      return out;
    }
    const suffixTop = this.topSuffixNode;
    const configured = suffixTop < 0 ? 0 : image.suffixLabelsBelow(suffixTop, buf, labels, last);
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
      const isPublic = end === count - 1 ? this.topIsPublic : this.memo.isPublic(buf, labels[end * 2]!, labels[end * 2 + 1]!);
      if (isPublic) break;
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
