import { CodePointIndex } from '../text/normalise';

/** A half-open span of code points, the unit of every offset in a project. */
export interface Span {
  start: number;
  end: number;
}

/** The units agreement can be measured on. */
export type AgreementUnit = 'char' | 'sentence' | 'paragraph' | 'document';
export const AGREEMENT_UNITS: readonly AgreementUnit[] = ['char', 'sentence', 'paragraph', 'document'];

const WHITESPACE = /\s/;

/** Shrinks a UTF-16 range past leading and trailing whitespace; null when nothing is left. */
function trimRange(text: string, from: number, to: number): [number, number] | null {
  let s = from;
  let e = to;
  while (s < e && WHITESPACE.test(text[s]!)) s++;
  while (e > s && WHITESPACE.test(text[e - 1]!)) e--;
  return s < e ? [s, e] : null;
}

/** UTF-16 ranges of the paragraphs: the lines between line breaks, blank lines dropped. */
function paragraphRanges(text: string): [number, number][] {
  const out: [number, number][] = [];
  let from = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i === text.length || text[i] === '\n') {
      const r = trimRange(text, from, i);
      if (r) out.push(r);
      from = i + 1;
    }
  }
  return out;
}

/**
 * Paragraph units of a stored text, in code points. A paragraph is a line: the stored text
 * keeps one paragraph per line (imports write them so), and whitespace around it is not part
 * of the unit, so a coder who selected a trailing space has not coded the next paragraph.
 */
export function paragraphUnits(text: string): Span[] {
  const index = new CodePointIndex(text);
  return paragraphRanges(text).map(([s, e]) => ({ start: index.toCodePoint(s), end: index.toCodePoint(e) }));
}

/**
 * Sentence units (Unicode UAX #29 sentence boundaries through Intl.Segmenter), never crossing
 * a paragraph, trimmed of surrounding whitespace. The locale-neutral rules keep results the
 * same on every machine.
 */
export function sentenceUnits(text: string): Span[] {
  const index = new CodePointIndex(text);
  const segmenter = new Intl.Segmenter('und', { granularity: 'sentence' });
  const out: Span[] = [];
  for (const [ps, pe] of paragraphRanges(text)) {
    const para = text.slice(ps, pe);
    for (const part of segmenter.segment(para)) {
      const r = trimRange(text, ps + part.index, ps + part.index + part.segment.length);
      if (r) out.push({ start: index.toCodePoint(r[0]), end: index.toCodePoint(r[1]) });
    }
  }
  return out;
}

/** The units of one document, or null for characters (counted, never listed: documents can be long). */
export function unitsOf(unit: AgreementUnit, text: string, length: number): Span[] | null {
  switch (unit) {
    case 'char':
      return null;
    case 'document':
      return length > 0 ? [{ start: 0, end: length }] : [];
    case 'paragraph':
      return paragraphUnits(text);
    case 'sentence':
      return sentenceUnits(text);
  }
}

/**
 * Sorts spans and joins those that overlap (share at least one character). Touching spans
 * ([0,5) and [5,9)) stay apart: MAXQDA counts them as two segments.
 */
export function joinOverlapping(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start < last.end) last.end = Math.max(last.end, s.end);
    else out.push({ start: s.start, end: s.end });
  }
  return out;
}

/** Sorted, disjoint coverage: like joinOverlapping, but touching spans merge too (for counting characters). */
export function coverage(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ start: s.start, end: s.end });
  }
  return out;
}

/**
 * How many units each combination of coders coded: a map from a bitmask (bit i = coder i
 * coded the unit) to a count of units. For characters the count is in characters.
 * `covered[i]` is coder i's coverage (sorted, disjoint).
 */
export function maskHistogram(unit: AgreementUnit, length: number, units: Span[] | null, covered: readonly Span[][]): Map<number, number> {
  const hist = new Map<number, number>();
  const add = (mask: number, n: number) => {
    if (n > 0) hist.set(mask, (hist.get(mask) ?? 0) + n);
  };
  if (unit === 'char' || units === null) {
    // Sweep the boundaries: between two consecutive ones every coder's state is constant.
    const points = new Set<number>([0, length]);
    for (const c of covered) for (const s of c) points.add(Math.min(s.start, length)).add(Math.min(s.end, length));
    const sorted = [...points].sort((a, b) => a - b);
    const ptr = covered.map(() => 0);
    for (let k = 0; k + 1 < sorted.length; k++) {
      const p = sorted[k]!;
      const q = sorted[k + 1]!;
      let mask = 0;
      covered.forEach((c, i) => {
        while (ptr[i]! < c.length && c[ptr[i]!]!.end <= p) ptr[i]!++;
        const s = c[ptr[i]!];
        if (s && s.start <= p) mask |= 1 << i;
      });
      add(mask, q - p);
    }
    return hist;
  }
  const ptr = covered.map(() => 0);
  for (const u of units) {
    let mask = 0;
    covered.forEach((c, i) => {
      while (ptr[i]! < c.length && c[ptr[i]!]!.end <= u.start) ptr[i]!++;
      const s = c[ptr[i]!];
      if (s && s.start < u.end) mask |= 1 << i;
    });
    add(mask, 1);
  }
  return hist;
}
