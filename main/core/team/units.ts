/** A half-open span of code points, the unit of every offset in a project. */
export interface Span {
  start: number;
  end: number;
}

/** The units agreement can be measured on. */
export type AgreementUnit = 'char' | 'sentence' | 'paragraph' | 'document';
export const AGREEMENT_UNITS: readonly AgreementUnit[] = ['char', 'sentence', 'paragraph', 'document'];

/**
 * Paragraph units (segmenter null) or sentence units of a text as flat code point bounds
 * [start0, end0, start1, end1, …]. A paragraph is a line, trimmed of whitespace, blank lines
 * dropped; sentences are the segmenter's (UAX #29) within each paragraph, trimmed.
 *
 * Self-contained (it uses nothing from outside its body), so that its source can also run in
 * the worker threads that split the sentences of many documents at once (sentence-pool.ts).
 */
export function unitRanges(text: string, segmenter: Intl.Segmenter | null): Int32Array {
  const space = /\s/;
  const out: number[] = [];
  const push = (from: number, to: number) => {
    while (from < to && space.test(text[from]!)) from++;
    while (to > from && space.test(text[to - 1]!)) to--;
    if (from < to) out.push(from, to);
  };
  let from = 0;
  while (from <= text.length) {
    let to = text.indexOf('\n', from);
    if (to < 0) to = text.length;
    if (!segmenter) push(from, to);
    else {
      let s = from;
      let e = to;
      while (s < e && space.test(text[s]!)) s++;
      while (e > s && space.test(text[e - 1]!)) e--;
      if (s < e) for (const part of segmenter.segment(text.slice(s, e))) push(s + part.index, s + part.index + part.segment.length);
    }
    from = to + 1;
  }
  const bounds = Int32Array.from(out);
  // UTF-16 indexes to code points: each astral character before an index counts once, not twice.
  if (!/[\uD800-\uDBFF][\uDC00-\uDFFF]/.test(text)) return bounds;
  const astral: number[] = [];
  for (let i = 0; i + 1 < text.length; i++) {
    const c = text.charCodeAt(i);
    const d = text.charCodeAt(i + 1);
    if (c >= 0xd800 && c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) astral.push(i++);
  }
  for (let x = 0; x < bounds.length; x++) {
    const u = bounds[x]!;
    let lo = 0;
    let hi = astral.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (astral[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    bounds[x] = u - lo;
  }
  return bounds;
}

// One segmenter for every text: creating one costs more than segmenting a short article.
let sentenceSegmenter: Intl.Segmenter | null = null;
export const newSentenceSegmenter = (): Intl.Segmenter => new Intl.Segmenter('und', { granularity: 'sentence' });

/**
 * The units of one document as flat code point bounds [start0, end0, start1, end1, …] (sorted,
 * disjoint), or null for characters. What agreement over many documents keeps per document:
 * two numbers a unit instead of an object.
 */
export function unitBounds(unit: AgreementUnit, text: string, length: number): Int32Array | null {
  switch (unit) {
    case 'char':
      return null;
    case 'document':
      return length > 0 ? Int32Array.of(0, length) : new Int32Array(0);
    case 'paragraph':
      return unitRanges(text, null);
    case 'sentence':
      return unitRanges(text, (sentenceSegmenter ??= newSentenceSegmenter()));
  }
}

/** Flat bounds as spans. */
export function spansOf(bounds: Int32Array): Span[] {
  const out: Span[] = [];
  for (let i = 0; i < bounds.length; i += 2) out.push({ start: bounds[i]!, end: bounds[i + 1]! });
  return out;
}

/** Spans as flat bounds. */
export function boundsOf(spans: readonly Span[]): Int32Array {
  const out = new Int32Array(spans.length * 2);
  spans.forEach((s, i) => {
    out[2 * i] = s.start;
    out[2 * i + 1] = s.end;
  });
  return out;
}

/**
 * Paragraph units of a stored text, in code points. A paragraph is a line: the stored text
 * keeps one paragraph per line (imports write them so), and whitespace around it is not part
 * of the unit, so a coder who selected a trailing space has not coded the next paragraph.
 */
export function paragraphUnits(text: string): Span[] {
  return spansOf(unitBounds('paragraph', text, 0)!);
}

/**
 * Sentence units (Unicode UAX #29 sentence boundaries through Intl.Segmenter), never crossing
 * a paragraph, trimmed of surrounding whitespace. The locale-neutral rules keep results the
 * same on every machine.
 */
export function sentenceUnits(text: string): Span[] {
  return spansOf(unitBounds('sentence', text, 0)!);
}

/** The units of one document, or null for characters (counted, never listed: documents can be long). */
export function unitsOf(unit: AgreementUnit, text: string, length: number): Span[] | null {
  const bounds = unitBounds(unit, text, length);
  return bounds === null ? null : spansOf(bounds);
}

/**
 * Sorts spans and joins those that overlap (share at least one character). Touching spans
 * ([0,5) and [5,9)) stay apart: MAXQDA counts them as two segments.
 */
export function joinOverlapping(spans: readonly Span[]): Span[] {
  // Most coders code a passage once per code and document: nothing to sort or join.
  if (spans.length <= 1) return spans.map((s) => ({ start: s.start, end: s.end }));
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
  // Most coders code a passage once per code and document: nothing to sort or join.
  if (spans.length <= 1) return spans.map((s) => ({ start: s.start, end: s.end }));
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
 * coded the unit) to a count of units. For characters (`units` null) the count is in
 * characters. `units` are flat bounds (see unitBounds); `covered[i]` is coder i's coverage
 * (sorted, disjoint).
 */
export function maskHistogram(unit: AgreementUnit, length: number, units: Int32Array | null, covered: readonly Span[][]): Map<number, number> {
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
  let uncoded = 0;
  for (let u = 0; u < units.length; u += 2) {
    const start = units[u]!;
    const end = units[u + 1]!;
    let mask = 0;
    for (let i = 0; i < covered.length; i++) {
      const c = covered[i]!;
      let k = ptr[i]!;
      while (k < c.length && c[k]!.end <= start) k++;
      ptr[i] = k;
      const s = c[k];
      if (s && s.start < end) mask |= 1 << i;
    }
    // Most units of a code nobody applied there: counted, not looked up.
    if (mask === 0) uncoded++;
    else add(mask, 1);
  }
  if (uncoded > 0) hist.set(0, (hist.get(0) ?? 0) + uncoded);
  return hist;
}
