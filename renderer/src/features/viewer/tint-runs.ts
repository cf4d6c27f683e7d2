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
