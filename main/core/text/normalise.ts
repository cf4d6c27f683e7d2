import { createHash } from 'node:crypto';

/**
 * Characters no stored text keeps: C0 controls other than tab, LF and CR (NUL among them),
 * the noncharacters U+FFFE and U+FFFF, and unpaired surrogates. XML 1.0 cannot carry them
 * at all, so a REFI-QDA export could not either, and SQLite's text functions stop at a NUL
 * (a coded passage after one read back empty). VT and FF are line and page breaks in Word
 * and PDF text, so they become LF; the rest are removed. The import report counts both.
 */
const UNCARRIED = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** What uncarried character `c` becomes: a line break for VT and FF, nothing otherwise. */
export const replacementOf = (c: string): string => (c === '\u000B' || c === '\u000C' ? '\n' : '');

/** How many characters of `raw` normalisation removes or turns into line breaks. */
export function countUncarried(raw: string): number {
  UNCARRIED.lastIndex = 0;
  let n = 0;
  while (UNCARRIED.exec(raw)) n++;
  return n;
}

/** Whether code point `cp` (a whole character) is one stored text never keeps. */
export function isUncarried(ch: string): boolean {
  UNCARRIED.lastIndex = 0;
  return ch.length === 1 && UNCARRIED.test(ch);
}

/**
 * The one normalisation every imported text gets, once: BOM removed, CRLF and CR become LF,
 * control characters no format can carry removed (see UNCARRIED), Unicode NFC. Offsets
 * into the stored text are counted after this.
 */
export function normaliseText(raw: string): string {
  let text = raw.startsWith('\uFEFF') ? raw.slice(1) : raw;
  text = text.replace(/\r\n?/g, '\n').replace(UNCARRIED, replacementOf);
  return text.normalize('NFC');
}

/** Length in Unicode code points: the unit of every offset outside the renderer's DOM code. */
export function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Maps code-point offsets to UTF-16 indices over one text. Built once per text; each
 * lookup is O(log n) over the positions of astral characters only.
 */
export class CodePointIndex {
  /** UTF-16 index of each astral character's first unit, ascending. */
  private readonly astral: number[] = [];
  readonly length: number;

  constructor(private readonly text: string) {
    let cps = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          this.astral.push(i);
          i++;
        }
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
