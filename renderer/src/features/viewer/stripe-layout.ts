/**
 * Where stripes and their labels go in the margin, from where their text is on the page.
 * Pure: the viewer measures, this places.
 *
 * Stripes take lanes beside the text (lane 0 nearest), the longest of those starting at the
 * same letter nearest the text. Lanes come from the whole document's passages, by their
 * offsets (`assignLanes`), not from the stripes measured: the margin measures only the part
 * of the text near the view, and a stripe must not move sideways when a scroll brings others
 * into it. Each label is placed in a row left of the lanes, top-aligned
 * with its own stripe, or in the first free row below that still lies beside the stripe.
 * When none does (five codes on one line have room for two labels), the label is collapsed
 * into the count badge of the last row beside it, which lists them on hover or focus: a
 * label is never drawn beside someone else's stripe.
 */

export interface Measured {
  id: string;
  /** Top of the coded text, relative to the page. */
  top: number;
  height: number;
}

export interface PlacedStripe extends Measured {
  lane: number;
}

export interface LabelRow {
  top: number;
  /** The stripe whose label this row shows. */
  id: string;
  /** Stripes whose labels did not fit beside them, shown by this row's badge. */
  more: string[];
}

export interface MarginLayout {
  stripes: PlacedStripe[];
  rows: LabelRow[];
  lanes: number;
}

export const LABEL_ROW = 15;
export const MIN_STRIPE = 6;

export interface Passage {
  id: string;
  /** Offsets of the passage's first letter and past its last one. */
  start: number;
  end: number;
}

export interface Lanes {
  lane: Map<string, number>;
  /** How many lanes the passages take (at most `maxLanes`). */
  count: number;
}

/**
 * Each passage's lane, from the offsets of the whole document's passages: the same whatever
 * part of the text is measured, so a scroll never moves a stripe sideways. A stripe spans
 * whole lines, so two passages that do not overlap still collide when the second starts on
 * the line where the first ends: `lineEnd(end)` is the first offset that cannot share a line
 * with the letter before `end` (the end of its paragraph, or as many letters on as a line can
 * hold at most). Past `maxLanes`, a passage shares the lane that frees first, and is drawn
 * over the one before it there (`coveredStripes`).
 */
export function assignLanes(passages: readonly Passage[], lineEnd: (end: number) => number, maxLanes: number): Lanes {
  const sorted = passages.filter((p) => p.end > p.start).sort((a, b) => a.start - b.start || b.end - a.end || (a.id < b.id ? -1 : 1));
  const busy: number[] = [];
  const lane = new Map<string, number>();
  for (const p of sorted) {
    let at = busy.findIndex((until) => until <= p.start);
    if (at === -1) at = busy.length < maxLanes ? busy.length : busy.indexOf(Math.min(...busy));
    busy[at] = lineEnd(p.end);
    lane.set(p.id, at);
  }
  return { lane, count: busy.length };
}

/**
 * Places the measured stripes and their labels. With `lanes` (from `assignLanes`) each stripe
 * keeps its passage's lane; without, lanes are given by where the measured stripes lie.
 */
export function layoutMargin(measured: Measured[], maxLanes: number, lanes?: Lanes): MarginLayout {
  const sorted = [...measured].map((m) => ({ ...m, height: Math.max(m.height, MIN_STRIPE) })).sort((a, b) => a.top - b.top || b.height - a.height || (a.id < b.id ? -1 : 1));
  const laneEnds: number[] = [];
  const stripes: PlacedStripe[] = [];
  const rows: LabelRow[] = [];
  let rowsBottom = -Infinity;
  for (const m of sorted) {
    let lane = lanes?.lane.get(m.id) ?? -1;
    if (lane === -1) {
      lane = laneEnds.findIndex((end) => end <= m.top + 1);
      if (lane === -1) lane = laneEnds.length < maxLanes ? laneEnds.length : laneEnds.indexOf(Math.min(...laneEnds));
    }
    laneEnds[lane] = m.top + m.height;
    stripes.push({ ...m, lane });
    const top = Math.max(m.top, rowsBottom);
    // The row must start beside the stripe.
    if (top < m.top + m.height - 2) {
      rows.push({ top, id: m.id, more: [] });
      rowsBottom = top + LABEL_ROW;
    } else {
      const last = rows[rows.length - 1];
      if (last) last.more.push(m.id);
    }
  }
  return { stripes, rows, lanes: Math.max(lanes?.count ?? 0, ...stripes.map((s) => s.lane + 1)) };
}

/**
 * The stripes drawn entirely under others: past the last lane, a stripe shares the lane that
 * frees first, and the stripes placed after it in that lane are drawn over it. One covered
 * from top to bottom can be neither seen nor clicked, and the viewer does not draw it (a
 * document coded 1,000 times has about 550 such stripes of 1,014); its segment is still
 * stepped to with Alt+↓ and listed on its label row's badge.
 */
export function coveredStripes(stripes: readonly PlacedStripe[]): Set<string> {
  const byLane = new Map<number, PlacedStripe[]>();
  for (const s of stripes) {
    const lane = byLane.get(s.lane) ?? [];
    lane.push(s);
    byLane.set(s.lane, lane);
  }
  const covered = new Set<string>();
  for (const lane of byLane.values()) {
    for (let i = 0; i < lane.length; i++) {
      const s = lane[i]!;
      const bottom = s.top + s.height;
      // Drawn later, so on top: the stripes after this one, in the order they were placed (by top).
      let reach = s.top;
      for (let j = i + 1; j < lane.length && reach < bottom; j++) {
        const o = lane[j]!;
        if (o.top > reach + 0.5) break;
        reach = Math.max(reach, o.top + o.height);
      }
      if (reach >= bottom - 0.5) covered.add(s.id);
    }
  }
  return covered;
}

/**
 * Whether a stripe (or a label row) from `top` to `bottom` is drawn for a view showing the
 * margin from `viewTop` to `viewBottom`: it must cross the view or the `overscan` beside it.
 * The margin draws only those (and the selected one): every element costs the page a style,
 * a layout box and a paint (a document coded 1,000 times, two screens long, made 465 stripe
 * buttons on open, 307 of them beside the view).
 */
export function inWindow(top: number, bottom: number, viewTop: number, viewBottom: number, overscan: number): boolean {
  return bottom >= viewTop - overscan && top <= viewBottom + overscan;
}
