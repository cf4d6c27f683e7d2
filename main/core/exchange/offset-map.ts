import { CodePointIndex, codePointLength } from '../../api/contract/text-offsets';
import { isUncarried, normaliseText, replacementOf } from '../text/normalise';

/**
 * A text as Marginalia stores it, with the way back: `map[i]` is the stored code-point
 * offset of code point `i` of the text as another program saw it (BOM removed, CRLF or CR
 * still in, not NFC). Positions in a REFI-QDA file count that text, so each one is mapped.
 */
export interface MappedText {
  text: string;
  /** Null when nothing moved (no CR, already NFC): the identity map. */
  map: Int32Array | null;
  /** Code points of the source text: the largest position the file may use. */
  sourceLength: number;
}

export function normaliseWithMap(raw: string): MappedText {
  const source = raw.startsWith('\uFEFF') ? raw.slice(1) : raw;
  // From `raw`, not `source`: normaliseText drops the BOM itself, and given `source` it would
  // drop a second U+FEFF that belongs to the text, and every position would be off by one.
  const text = normaliseText(raw);
  if (text === source) return { text, map: null, sourceLength: codePointLength(source) };
  const cps = Array.from(source);
  const map = new Int32Array(cps.length + 1);
  let out = '';
  let outLen = 0;
  let i = 0;
  while (i < cps.length) {
    const c = cps[i]!;
    if (c === '\r') {
      // CRLF and a lone CR both become one LF; a position between CR and LF lands on the LF.
      map[i] = outLen;
      if (cps[i + 1] === '\n') map[++i] = outLen;
      out += '\n';
      outLen++;
      i++;
      continue;
    }
    if (isUncarried(c)) {
      // Removed by normalisation (or a VT/FF that became LF): a position on it lands on what follows.
      map[i] = outLen;
      const r = replacementOf(c);
      out += r;
      outLen += r.length;
      i++;
      continue;
    }
    // A run that NFC may recompose: a character and the combining characters after it.
    // Below U+0300 nothing combines with what precedes it, so runs can be split there.
    let j = i + 1;
    while (j < cps.length && cps[j]!.codePointAt(0)! >= 0x300 && cps[j] !== '\r' && !isUncarried(cps[j]!)) j++;
    const chunk = cps.slice(i, j).join('');
    const norm = chunk.normalize('NFC');
    const n = codePointLength(norm);
    for (let k = i; k < j; k++) map[k] = outLen + Math.min(k - i, n);
    out += norm;
    outLen += n;
    i = j;
  }
  map[cps.length] = outLen;
  // Runs normalised apart must give the same text as the whole; if a script breaks that
  // assumption, positions are scaled instead of lost.
  if (out !== text) {
    const len = codePointLength(text);
    for (let k = 0; k <= cps.length; k++) map[k] = Math.round((k * len) / Math.max(1, cps.length));
  }
  return { text, map, sourceLength: cps.length };
}

/** The stored offset for a source position; positions past the end are clamped by the caller's check. */
export function mapOffset(m: MappedText, position: number): number {
  if (!m.map) return position;
  if (position < 0) return position;
  if (position >= m.map.length) return m.map[m.map.length - 1]! + (position - (m.map.length - 1));
  return m.map[position]!;
}

/** The unit a program counts positions in: code points (the REFI-QDA rule) or UTF-16 code units (NVivo). */
export type PositionUnit = 'code points' | 'UTF-16 units';

/** A text that holds characters beyond U+FFFF (emoji, some CJK, musical symbols): where the two units differ. */
export const hasAstral = (text: string): boolean => /[\uD800-\uDBFF][\uDC00-\uDFFF]/.test(text);

/**
 * Reads positions of one source text (BOM removed, not normalised) in either unit, as code
 * points of that text. A UTF-16 position inside a surrogate pair (which no character
 * boundary is) widens the span: a start rounds down, an end up, so the character is kept.
 */
export class SourcePositions {
  private readonly index: CodePointIndex;
  readonly codePoints: number;
  constructor(readonly source: string) {
    this.index = new CodePointIndex(source);
    this.codePoints = this.index.length;
  }

  /** The span as code points of the source, or null when it does not lie inside the text. */
  span(start: number, end: number, unit: PositionUnit): { start: number; end: number } | null {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end <= start) return null;
    if (unit === 'code points') return end <= this.codePoints ? { start, end } : null;
    if (end > this.source.length) return null;
    return { start: this.index.toCodePoint(start), end: this.index.toCodePoint(end) + (this.splitsPair(end) ? 1 : 0) };
  }

  /** Whether UTF-16 index `u` falls between the two halves of a surrogate pair. */
  splitsPair(u: number): boolean {
    const hi = this.source.charCodeAt(u - 1);
    const lo = this.source.charCodeAt(u);
    return hi >= 0xd800 && hi <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff;
  }

  /** UTF-16 index of a code point of the source. */
  utf16(cp: number): number {
    return this.index.toUtf16(cp);
  }
}

const WORD = /[\p{L}\p{N}]/u;
const isWordAt = (text: string, u: number): boolean => {
  if (u < 0 || u >= text.length) return false;
  const c = text.codePointAt(u)!;
  // A low surrogate is the second half of a character already looked at.
  if (c >= 0xdc00 && c <= 0xdfff) return isWordAt(text, u - 1);
  return WORD.test(String.fromCodePoint(c));
};
/** Whether a boundary at UTF-16 index `u` cuts a word in two. */
const cutsWord = (text: string, u: number): boolean => u > 0 && u < text.length && isWordAt(text, u - 1) && isWordAt(text, u);

/** How well one selection fits each reading: a reading fits when its span is possible and cuts no word. */
export function fitsEachUnit(p: SourcePositions, start: number, end: number): { codePoints: boolean; utf16: boolean; differ: boolean } {
  const cp = p.span(start, end, 'code points');
  const u16 = p.span(start, end, 'UTF-16 units');
  const differ = !cp || !u16 || cp.start !== u16.start || cp.end !== u16.end;
  const fitsCp = !!cp && !cutsWord(p.source, p.utf16(cp.start)) && !cutsWord(p.source, p.utf16(cp.end));
  const fitsU16 = !!u16 && !p.splitsPair(start) && !p.splitsPair(end) && !cutsWord(p.source, start) && !cutsWord(p.source, end);
  return { codePoints: fitsCp, utf16: fitsU16, differ };
}
