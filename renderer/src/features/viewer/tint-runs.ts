/**
 * The tint under coded text, as runs of one colour. Stacking a translucent tint per code
 * turns three overlapping codes into one muddy colour; instead each stretch of text is
 * tinted once, in the colour of one code covering it (the selected segment when it covers
 * the stretch, else the narrowest, the most specific), and a stretch that more codes cover
 * is marked as such (the viewer underlines it); the stripes say which codes they are.
 */

export interface Span {
  id: string;
  start: number;
  end: number;
  color: string;
}

export interface TintRun {
  start: number;
  end: number;
  color: string;
  /** How many segments cover this run. */
  depth: number;
}

export function tintRuns(spans: Span[], selectedId: string | null): TintRun[] {
  const cuts = new Set<number>();
  for (const s of spans) {
    if (s.end <= s.start) continue;
    cuts.add(s.start);
    cuts.add(s.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const byStart = spans.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start);
  const runs: TintRun[] = [];
  let active: Span[] = [];
  let next = 0;
  for (let i = 0; i + 1 < points.length; i++) {
    const from = points[i]!;
    const to = points[i + 1]!;
    active = active.filter((s) => s.end > from);
    while (next < byStart.length && byStart[next]!.start <= from) {
      if (byStart[next]!.end > from) active.push(byStart[next]!);
      next++;
    }
    if (active.length === 0) continue;
    const top = active.find((s) => s.id === selectedId) ?? active.reduce((a, b) => (b.end - b.start < a.end - a.start ? b : a));
    const prev = runs[runs.length - 1];
    if (prev && prev.end === from && prev.color === top.color && prev.depth === active.length) prev.end = to;
    else runs.push({ start: from, end: to, color: top.color, depth: active.length });
  }
  return runs;
}

export interface TintPaint {
  /** Stretches of one colour, each painted as one range. */
  tints: { start: number; end: number; color: string }[];
  /** Stretches under more than one code, each underlined as one range. */
  multi: { start: number; end: number }[];
}

/**
 * The ranges the tint layer paints: the runs that look the same side by side merged into one
 * (a run under two codes looks as one under five; the stripes tell them apart). Every range
 * costs the browser's paint: the document coded 1,000 times has 851 runs, each once tinted and
 * once underlined (1,702 ranges); merged they are 397 and 1.
 */
export function tintPaint(runs: readonly TintRun[]): TintPaint {
  const tints: TintPaint['tints'] = [];
  const multi: TintPaint['multi'] = [];
  let shared = false;
  for (const run of runs) {
    const many = run.depth > 1;
    const last = tints[tints.length - 1];
    if (last && last.end === run.start && last.color === run.color && shared === many) last.end = run.end;
    else tints.push({ start: run.start, end: run.end, color: run.color });
    shared = many;
    if (!many) continue;
    const under = multi[multi.length - 1];
    if (under && under.end === run.start) under.end = run.end;
    else multi.push({ start: run.start, end: run.end });
  }
  return { tints, multi };
}
