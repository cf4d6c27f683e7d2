/**
 * Code points and UTF-16 units: the one conversion main and the renderer share.
 *
 * Stored offsets are Unicode code points (ARCHITECTURE.md §3); JavaScript strings and the DOM
 * count UTF-16 units, which differ by one for every astral character (emoji, some CJK). This
 * module is pure and imports nothing, so the renderer may take values from it (the layering
 * test allows that for import-free contract modules only) and main/core uses the same code.
 */

function isHigh(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLow(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** Length in code points; a lone surrogate counts as one, as Python and SQLite count it. */
export function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    if (isHigh(text.charCodeAt(i)) && i + 1 < text.length && isLow(text.charCodeAt(i + 1))) i++;
    n++;
  }
  return n;
}

/** Whether `text` holds a surrogate (so the two units differ somewhere in it). */
export function hasAstral(text: string): boolean {
  return /[\uD800-\uDFFF]/.test(text);
}

/** UTF-16 index of code point `cp` in `text`, walking from the start; clamped to the text's end. */
export function codePointToUtf16(text: string, cp: number): number {
  let u = 0;
  while (cp > 0 && u < text.length) {
    u += isHigh(text.charCodeAt(u)) && u + 1 < text.length && isLow(text.charCodeAt(u + 1)) ? 2 : 1;
    cp--;
  }
  return u;
}

/**
 * Maps code-point offsets to UTF-16 indices over one text. Built once per text; each lookup
 * is O(log n) over the positions of astral characters only.
 */
export class CodePointIndex {
  /** UTF-16 index of each astral character's first unit, ascending. */
  private readonly astral: number[] = [];
  readonly length: number;

  constructor(private readonly text: string) {
    let cps = 0;
    for (let i = 0; i < text.length; i++) {
      if (isHigh(text.charCodeAt(i)) && i + 1 < text.length && isLow(text.charCodeAt(i + 1))) {
        this.astral.push(i);
        i++;
      }
      cps++;
    }
    this.length = cps;
  }

  /** UTF-16 index of code point `cp` (0 ≤ cp ≤ length). */
  toUtf16(cp: number): number {
    // Each astral character before the target adds one extra UTF-16 unit.
    let lo = 0;
    let hi = this.astral.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.astral[mid]! - mid < cp) lo = mid + 1;
      else hi = mid;
    }
    return cp + lo;
  }

  /** Code point offset of UTF-16 index `u`; an index inside a surrogate pair rounds down. */
  toCodePoint(u: number): number {
    let lo = 0;
    let hi = this.astral.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.astral[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    // lo astral characters start before u, each one unit wider than a code point. An index
    // on a low surrogate counts its pair once, so it rounds down to the pair's start.
    return u - lo;
  }

  /** The text between two code-point offsets. */
  slice(start: number, end: number): string {
    return this.text.slice(this.toUtf16(start), this.toUtf16(end));
  }
}

/** The text between two code-point offsets, for one-off slicing. */
export function sliceCodePoints(text: string, start: number, end: number): string {
  return new CodePointIndex(text).slice(start, end);
}
