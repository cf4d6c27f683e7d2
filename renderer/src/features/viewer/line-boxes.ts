/**
 * Where coded text lies on the page, from the lines its paragraphs are laid out in rather than
 * from each passage's own range: a document coded 1,000 times asked the browser for the boxes
 * of 1,000 ranges (Range.getClientRects, the most of a 300 ms open); its 40 lines cost a few
 * hundred one-letter queries. A stripe spans the lines of its first and last letters, which is
 * what the boxes of its range spanned.
 */

export interface Line {
  /** The line's first letter, as a UTF-16 offset into its paragraph. */
  start: number;
  top: number;
  bottom: number;
}

/**
 * The lines of a paragraph of `length` UTF-16 units, from its line boxes (top to bottom, one
 * per line, as the browser gives them for the whole paragraph) and `topOf(k)`, the top of the
 * letter at offset k. A line starts at the first letter not above it: found by halving, as
 * letters never go up the page as the text goes on. `isLow(k)`: whether k falls inside a
 * surrogate pair, where no line can start.
 */
export function linesOf(length: number, boxes: readonly { top: number; bottom: number }[], topOf: (k: number) => number, isLow: (k: number) => boolean = () => false): Line[] {
  const lines: Line[] = [];
  let from = 0;
  for (let i = 0; i < boxes.length; i++) {
    const box = boxes[i]!;
    if (i === 0) {
      lines.push({ start: 0, top: box.top, bottom: box.bottom });
      continue;
    }
    // The first letter at or below this line's top (half a pixel of rounding allowed).
    let lo = from + 1;
    let hi = length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (topOf(mid) >= box.top - 0.5) hi = mid;
      else lo = mid + 1;
    }
    if (lo < length && isLow(lo)) lo--;
    if (lo <= from || lo >= length) continue;
    lines.push({ start: lo, top: box.top, bottom: box.bottom });
    from = lo;
  }
  return lines;
}

/**
 * One box per line from a paragraph's client rects: a line can come as several rects (a
 * trailing space, a change of script or font), overlapping one another, and takes the first
 * one's top and bottom, as a passage's own rects there would give; empty rects are left out.
 */
export function lineBoxes(rects: Iterable<{ top: number; bottom: number; height: number }>): { top: number; bottom: number }[] {
  const boxes: { top: number; bottom: number }[] = [];
  for (const r of rects) {
    if (r.height === 0) continue;
    const last = boxes[boxes.length - 1];
    // Lines are apart by their leading; rects of one line overlap.
    if (last && r.top < last.bottom - 1 && r.bottom > last.top + 1) continue;
    boxes.push({ top: r.top, bottom: r.bottom });
  }
  return boxes;
}

/** The line holding the letter at `offset`: the last one starting at or before it. */
export function lineAt(lines: readonly Line[], offset: number): Line | undefined {
  let lo = 0;
  let hi = lines.length - 1;
  if (hi < 0) return undefined;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lines[mid]!.start <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lines[lo];
}

/**
 * How many passages cover the most-coded letter: passages over the same letters lie beside
 * each other on the page, so the margin needs at least this many lanes. Known before the text
 * is measured, it sets the margin's width (and so where the text wraps) once, instead of
 * measuring the text, widening the margin and measuring it all again.
 */
export function codedDepth(spans: readonly { start: number; end: number }[]): number {
  const edges: number[] = [];
  // Ends sort before starts at the same offset: [0, 5) and [5, 9) share no letter.
  for (const s of spans) if (s.end > s.start) edges.push(s.start * 2 + 1, s.end * 2);
  edges.sort((a, b) => a - b);
  let depth = 0;
  let most = 0;
  for (const e of edges) {
    depth += e & 1 ? 1 : -1;
    if (depth > most) most = depth;
  }
  return most;
}
